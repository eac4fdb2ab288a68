-- POST /v1/customers with a distinct customer per request.
package.path = "bench/lua/?.lua;" .. package.path
local common = require("common")
local n = 0
local thread_tag

function setup(thread)
  thread:set("tag", tostring(math.random(1, 1e9)))
end

function init(args)
  common.seed()
  common.setup_headers()
  wrk.headers["Content-Type"] = "application/json"
  thread_tag = tag or tostring(math.random(1, 1e9))
end

function request()
  n = n + 1
  local body = string.format(
    '{"customerType":"Individual","firstName":"Bench","lastName":"Mark","email":"b%s.%d@example.com"}',
    thread_tag, n)
  return wrk.format("POST", "/v1/customers", nil, body)
end

function done(summary, latency, requests)
  common.report(os.getenv("LABEL") or "POST /v1/customers", summary, latency)
end
