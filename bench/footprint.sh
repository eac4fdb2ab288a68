#!/usr/bin/env bash
# What edgebss carries: the stripped binary's size, the time from start to ready on a fresh data
# folder, resident memory when idle, and resident memory after list traffic (12 s at 16
# connections, then 5 s at 64) on the seeded 100,000 customers. See bench/README.md, "Footprint".
#
#   bash bench/footprint.sh                 # the release build of this checkout
#   BIN=/path/to/edgebss bash bench/footprint.sh
set -euo pipefail
cd "$(dirname "$0")/.."

work=target/bench
mkdir -p "$work"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet --bin edgebss --example seed
bin=${BIN:-target/release/edgebss}
port=18997
base="http://127.0.0.1:$port"
server=""
stop() { if [ -n "$server" ]; then kill "$server"; wait "$server" || true; server=""; fi; }
trap stop EXIT
rss() { awk '/^VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }
threads() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores; $bin"
echo "RESULT binary: $(stat -c %s "$bin" | awk '{printf "%.1f MB (%d bytes)", $1 / 1e6, $1}')"

# Time to ready on a fresh data folder: from the start of the process to the first 200 of
# /readyz, polled every millisecond.
fresh=$(mktemp -d)
python3 - "$bin" "$fresh" "$port" <<'PY'
import http.client, subprocess, sys, time
binary, data, port = sys.argv[1:]
times = []
for i in range(5):
    d = f"{data}/{i}"
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "serve", "--data-dir", d, "--bind", f"127.0.0.1:{port}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=1)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.001)
    times.append((time.monotonic() - t0) * 1000)
    p.terminate(); p.wait()
print("RESULT ready on a fresh data folder: " + ", ".join(f"{t:.0f}" for t in times)
      + f" ms (median {sorted(times)[2]:.0f} ms)")
PY
rm -rf "$fresh"

dir="$work/data-100000"
[ -f "$dir/customer-ids.txt" ] || target/release/examples/seed "$dir" 100000 >/dev/null
creds=$("$bin" client create --data-dir "$dir" --name footprint --scopes all --json 2>/dev/null)
"$bin" serve --bind "127.0.0.1:$port" --data-dir "$dir" >"$work/footprint.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
TOKEN=$(echo "$creds" | python3 -c '
import json, sys, urllib.request, base64
c = json.load(sys.stdin)
req = urllib.request.Request(sys.argv[1] + "/oauth/token", data=b"grant_type=client_credentials")
req.add_header("Authorization", "Basic " + base64.b64encode((c["clientId"] + ":" + c["clientSecret"]).encode()).decode())
print(json.load(urllib.request.urlopen(req))["access_token"])' "$base")
export TOKEN
sleep 3
echo "RESULT idle, 100000 customers: $(rss "$server") ($(threads "$server") threads)"
first100="$work/footprint-pages.txt"
printf '%s\n' "- 100" "status=Active 100" "customerType=Business 100" >"$first100"
PAGES="$first100" LABEL="lists, 16 connections" wrk -t2 -c16 -d12s -s bench/lua/list_customers.lua "$base" | grep '^RESULT'
PAGES="$first100" LABEL="lists, 64 connections" wrk -t2 -c64 -d5s -s bench/lua/list_customers.lua "$base" | grep '^RESULT'
echo "RESULT after list traffic: $(rss "$server") ($(threads "$server") threads)"
sleep 5
echo "RESULT 5 s later: $(rss "$server") ($(threads "$server") threads)"
