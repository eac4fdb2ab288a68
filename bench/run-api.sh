#!/usr/bin/env bash
# API benchmarks with wrk against a release build: GET by id at 100k customers, lists at 100k and
# 1M customers (fixed pages, random filters and pages), and POST /v1/customers with group commit
# on and off in the same run. Prints one RESULT line per measurement; see bench/README.md.
#
# Then the figures against the floor (a bare actix-web handler serving the same customer JSON from
# memory, `bench/floor.rs`) at 64 connections, in the default configuration: GET by id, two lists,
# POST at synchronous=FULL, each with its ratio, the server's resident memory after the run and
# how much it logged.
#
#   bash bench/run-api.sh            # everything (seeding 1M customers takes a few minutes once)
#   DUR=5s SIZES=100000 bash bench/run-api.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DUR=${DUR:-10s}
CONN=${CONN:-16}
SIZES=${SIZES:-"100000 1000000"}
work=target/bench
mkdir -p "$work"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet --bin edgebss --example seed --example auth_verify --example floor
# BIN measures another build (e.g. an older commit's) with this checkout's scripts and floor.
bin=${BIN:-target/release/edgebss}
port=18999
base="http://127.0.0.1:$port"
server=""

start() { # data_dir [ENV=VALUE...]: starts the server and sets TOKEN for a client with all scopes
  local dir=$1; shift
  local creds
  creds=$("$bin" client create --data-dir "$dir" --name bench --scopes all --json 2>/dev/null)
  env EDGEBSS_AUTH__TOKEN_TTL_SECONDS=3600 "$@" \
    "$bin" serve --bind "127.0.0.1:$port" --data-dir "$dir" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 200); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "$base/readyz" >/dev/null || { echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
  TOKEN=$(echo "$creds" | python3 -c '
import json, sys, urllib.parse, urllib.request, base64
c = json.load(sys.stdin)
req = urllib.request.Request(sys.argv[1] + "/oauth/token", data=b"grant_type=client_credentials")
req.add_header("Authorization", "Basic " + base64.b64encode((c["clientId"] + ":" + c["clientSecret"]).encode()).decode())
print(json.load(urllib.request.urlopen(req))["access_token"])' "$base")
  export TOKEN
}
stop() { if [ -n "$server" ]; then kill "$server"; wait "$server" || true; server=""; fi; }
floor=""
stop_floor() { if [ -n "$floor" ]; then kill "$floor"; wait "$floor" || true; floor=""; fi; }
trap 'stop; stop_floor' EXIT

api_get() { curl -fsS ${TOKEN:+-H "Authorization: Bearer $TOKEN"} "$base$1"; }

run_wrk() { # label script [connections]
  LABEL="$1" wrk -t2 -c"${3:-$CONN}" -d"$DUR" -s "bench/lua/$2" "$base" | grep '^RESULT'
}
rate() { sed -E 's/.* ([0-9]+) req\/s.*/\1/'; } # the req/s of a RESULT line
ratio() { python3 -c 'import sys; print(f"{int(sys.argv[1]) / int(sys.argv[2]):.2f}x")' "$1" "$2"; }

filters=("-" "status=Active" "status=Inactive" "status=Suspended" "status=Terminated"
  "customerType=Individual" "customerType=Business" "customerType=Government"
  "status=Active&customerType=Individual" "status=Active&customerType=Business"
  "status=Suspended&customerType=Government" "status=Terminated&customerType=Business")

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores; wrk -t2 -c$CONN -d$DUR"
for size in $SIZES; do
  dir="$work/data-$size"
  if [ ! -f "$dir/customer-ids.txt" ]; then
    rm -rf "$dir"
    target/release/examples/seed "$dir" "$size" >/dev/null
  fi
  start "$dir"
  first100="$work/pages-first100-$size.txt"; anypage="$work/pages-any-$size.txt"
  : >"$first100"; : >"$anypage"
  for f in "${filters[@]}"; do
    q=$([ "$f" = "-" ] && echo "" || echo "$f&")
    total=$(api_get "/v1/customers?${q}pageSize=25" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pagination"]["totalPages"])')
    echo "$f $(( total < 100 ? total : 100 ))" >>"$first100"
    echo "$f $total" >>"$anypage"
  done
  echo "## $size customers"
  if [ "$size" = 100000 ]; then
    IDS="$dir/customer-ids.txt" run_wrk "GET /v1/customers/{id} @$size" get_customer.lua
  fi
  PATH_Q="/v1/customers?status=Active&page=1" run_wrk "list status=Active page=1 @$size" fixed_path.lua
  PATH_Q="/v1/customers?page=2000" run_wrk "list page=2000 @$size" fixed_path.lua
  PAGES="$first100" run_wrk "list any filter, pages 1-100 @$size" list_customers.lua
  PAGES="$anypage" run_wrk "list any filter, any page @$size" list_customers.lua
  stop
done

echo "## Checking a bearer token (no database read), per request"
target/release/examples/auth_verify | sed 's/^/RESULT /'

echo "## POST /v1/customers, 64 connections, synchronous=FULL"
for mode in true false; do
  dir="$work/data-post-$mode"; rm -rf "$dir"
  start "$dir" "EDGEBSS_STORAGE__GROUP_COMMIT=$mode"
  run_wrk "POST group_commit=$mode" post_customer.lua 64
  stop
done

echo "## Against the floor: 100000 customers, wrk -t2 -c64 -d$DUR, default configuration"
dir="$work/data-100000"
[ -f "$dir/customer-ids.txt" ] || target/release/examples/seed "$dir" 100000 >/dev/null
start "$dir"
api_get "/v1/customers/$(head -n 1 "$dir/customer-ids.txt")" >"$work/customer.json"
stop
target/release/examples/floor "$port" "$work/customer.json" &
floor=$!
for _ in $(seq 1 100); do curl -fsS "$base/v1/customers/x" >/dev/null 2>&1 && break; sleep 0.1; done
line=$(TOKEN="" IDS="$dir/customer-ids.txt" run_wrk "floor: bare actix-web GET" get_customer.lua 64)
echo "$line"; floor_rps=$(echo "$line" | rate)
stop_floor
start "$dir"
log_before=$(stat -c %s "$work/server.log"); t0=$(date +%s.%N)
line=$(IDS="$dir/customer-ids.txt" run_wrk "GET /v1/customers/{id}" get_customer.lua 64)
get_rps=$(echo "$line" | rate); echo "$line  $(ratio "$get_rps" "$floor_rps") floor"
line=$(PATH_Q="/v1/customers?status=Active&page=1" run_wrk "list status=Active page=1" fixed_path.lua 64)
echo "$line  $(ratio "$(echo "$line" | rate)" "$get_rps") GET by id"
line=$(PATH_Q="/v1/customers?page=2000" run_wrk "list page=2000" fixed_path.lua 64)
echo "$line  $(ratio "$(echo "$line" | rate)" "$get_rps") GET by id"
t1=$(date +%s.%N); log_after=$(stat -c %s "$work/server.log")
rss=$(ps -o rss= -p "$server"); threads=$(ps -o nlwp= -p "$server")
stop
dir="$work/data-post-floor"; rm -rf "$dir"
start "$dir"
line=$(run_wrk "POST /v1/customers (FULL)" post_customer.lua 64)
echo "$line  $(ratio "$(echo "$line" | rate)" "$floor_rps") floor GET"
post_rss=$(ps -o rss= -p "$server")
stop
python3 - "$rss" "$threads" "$post_rss" "$log_before" "$log_after" "$t0" "$t1" <<'PY'
import sys
rss, threads, post_rss, before, after, t0, t1 = sys.argv[1:]
print(f"RESULT resident memory after the reads: {int(rss) / 1024:.1f} MiB ({threads.strip()} threads); "
      f"after the POST run: {int(post_rss) / 1024:.1f} MiB")
print(f"RESULT log written during the reads: {(int(after) - int(before)) / (float(t1) - float(t0)):.0f} bytes/s")
PY
