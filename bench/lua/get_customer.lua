-- GET /v1/customers/{id} for random ids from the seeded ids file (IDS env).
package.path = "bench/lua/?.lua;" .. package.path
local common = require("common")
local ids

function init(args)
  common.seed()
  common.setup_headers()
  ids = common.lines(os.getenv("IDS"))
end

function request()
  return wrk.format("GET", "/v1/customers/" .. ids[math.random(#ids)])
end

function done(summary, latency, requests)
  common.report(os.getenv("LABEL") or "GET /v1/customers/{id}", summary, latency)
end
