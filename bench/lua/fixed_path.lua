-- One fixed GET path (PATH_Q env), e.g. "/v1/customers?status=Active&page=1".
package.path = "bench/lua/?.lua;" .. package.path
local common = require("common")

function init(args)
  common.setup_headers()
end

function request()
  return wrk.format("GET", os.getenv("PATH_Q"))
end

function done(summary, latency, requests)
  common.report(os.getenv("LABEL") or os.getenv("PATH_Q"), summary, latency)
end
