#!/usr/bin/env bash
# Webhook benchmarks against a release build, in one run: POST /v1/customers at 64 connections
# (synchronous = FULL) without any webhook endpoint, then with one endpoint receiving every
# event on a local receiver; then how fast a backlog of events is delivered. Prints RESULT lines;
# see bench/README.md, "Webhooks".
#
#   bash bench/run-webhooks.sh            # DUR=10s BACKLOG_SECS=10 by default
set -euo pipefail
cd "$(dirname "$0")/.."

DUR=${DUR:-10s}
BACKLOG_SECS=${BACKLOG_SECS:-10}
work=target/bench
mkdir -p "$work"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet --bin edgebss --example webhook_receiver
bin=target/release/edgebss
port=18997
rport=18996
base="http://127.0.0.1:$port"
server=""
receiver=""

start() { # data_dir: starts the server and sets TOKEN
  local dir=$1 creds
  creds=$("$bin" client create --data-dir "$dir" --name bench --scopes all --json 2>/dev/null)
  EDGEBSS_LOG__LEVEL=warn EDGEBSS_AUTH__TOKEN_TTL_SECONDS=3600 \
    "$bin" serve --bind "127.0.0.1:$port" --data-dir "$dir" >"$work/webhooks-server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 200); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  TOKEN=$(echo "$creds" | python3 -c '
import json, sys, urllib.request, base64
c = json.load(sys.stdin)
req = urllib.request.Request(sys.argv[1] + "/oauth/token", data=b"grant_type=client_credentials")
req.add_header("Authorization", "Basic " + base64.b64encode((c["clientId"] + ":" + c["clientSecret"]).encode()).decode())
print(json.load(urllib.request.urlopen(req))["access_token"])' "$base")
  export TOKEN
}
stop() { if [ -n "$server" ]; then kill "$server"; wait "$server" || true; server=""; fi; }
cleanup() { stop; if [ -n "$receiver" ]; then kill "$receiver"; wait "$receiver" 2>/dev/null || true; fi; }
trap cleanup EXIT
count() { curl -fsS "http://127.0.0.1:$rport/count"; }
endpoint() {
  curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -X POST \
    "$base/v1/webhook-endpoints" -d "{\"url\": \"http://127.0.0.1:$rport/hooks\"}" >/dev/null
}

target/release/examples/webhook_receiver "$rport" &
receiver=$!
sleep 0.5
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores; wrk -t2 -c64 -d$DUR; synchronous=FULL"
echo "## POST /v1/customers, without and with one webhook endpoint"
dir="$work/data-webhooks-none"; rm -rf "$dir"; start "$dir"
LABEL="POST, no webhook endpoint" wrk -t2 -c64 -d"$DUR" -s bench/lua/post_customer.lua "$base" | grep '^RESULT'
stop
dir="$work/data-webhooks-one"; rm -rf "$dir"; start "$dir"; endpoint
before=$(count)
LABEL="POST, one webhook endpoint" wrk -t2 -c64 -d"$DUR" -s bench/lua/post_customer.lua "$base" | grep '^RESULT'
during=$(( $(count) - before ))
echo "RESULT deliveries made during that run: $during"
stop

echo "## Delivering a backlog: events written with the receiver down, then delivered"
dir="$work/data-webhooks-backlog"; rm -rf "$dir"; start "$dir"
kill "$receiver"; wait "$receiver" 2>/dev/null || true; receiver=""
endpoint
LABEL="POST (backlog)" wrk -t2 -c64 -d"${BACKLOG_SECS}s" -s bench/lua/post_customer.lua "$base" | grep '^RESULT'
stop
events=$(sqlite3 "$dir/edgebss.db" "SELECT COUNT(*) FROM events")
# Restart the server so the backlog is due at once (a failed first attempt waits 5 s).
sqlite3 "$dir/edgebss.db" "UPDATE webhook_deliveries SET next_attempt_at = '2000-01-01T00:00:00.000Z' WHERE status = 'Pending'"
target/release/examples/webhook_receiver "$rport" &
receiver=$!
sleep 0.5
start "$dir"
t0=$(date +%s.%N)
while :; do
  n=$(count)
  [ "$n" -ge "$events" ] && break
  sleep 0.2
done
t1=$(date +%s.%N)
python3 -c "import sys; n, a, b = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]); print(f'RESULT delivered a backlog of {n} events in {b - a:.2f} s = {n / (b - a):.0f} deliveries/s')" "$events" "$t0" "$t1"
