-- Shared by the wrk scripts: the bearer token (when TOKEN is set) and a one-line summary.
local M = {}

function M.setup_headers()
  local token = os.getenv("TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

function M.seed()
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function M.lines(path)
  local t = {}
  for line in io.lines(path) do
    t[#t + 1] = line
  end
  return t
end

function M.report(label, summary, latency)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "RESULT %-34s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  requests %d  errors %d\n",
    label, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, errors))
end

return M
