-- GET /v1/customers with a filter and page picked at random per request from PAGES: lines of
-- "<query> <max page>" (so "first 100 pages" and "any page" runs differ only in that file).
package.path = "bench/lua/?.lua;" .. package.path
local common = require("common")
local queries = {}

function init(args)
  common.seed()
  common.setup_headers()
  for _, line in ipairs(common.lines(os.getenv("PAGES"))) do
    local q, max = line:match("^(%S*)%s+(%d+)$")
    queries[#queries + 1] = { q = q, max = tonumber(max) }
  end
end

function request()
  local pick = queries[math.random(#queries)]
  local page = math.random(math.max(pick.max, 1))
  local sep = (pick.q == "" or pick.q == "-") and "" or (pick.q .. "&")
  return wrk.format("GET", "/v1/customers?" .. sep .. "page=" .. page)
end

function done(summary, latency, requests)
  common.report(os.getenv("LABEL") or "GET /v1/customers (random)", summary, latency)
end
