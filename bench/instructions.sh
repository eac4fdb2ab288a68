#!/usr/bin/env bash
# Instructions the server executes per request, counted by callgrind: unlike a throughput
# figure, the count does not depend on what else the machine is doing, so two builds can be
# compared on a busy machine. One request at a time over a kept-alive connection, after a
# warm-up; the server's whole process is counted (workers, writer, logging thread), less what it
# runs in as long a time without requests (its background tasks).
#
#   bash bench/instructions.sh                     # this checkout's release build
#   BIN=/path/to/other/edgebss bash bench/instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }
cargo build --release --quiet --bin edgebss --example seed
bin=${BIN:-target/release/edgebss}
N=${N:-2000}
work=target/bench
dir="$work/data-100000"
[ -f "$dir/customer-ids.txt" ] || target/release/examples/seed "$dir" 100000 >/dev/null
port=18996
base="http://127.0.0.1:$port"
creds=$("$bin" client create --data-dir "$dir" --name instructions --scopes all --json 2>/dev/null)
out="$work/callgrind.out"
rm -f "$out"*
valgrind --tool=callgrind --callgrind-out-file="$out" \
  "$bin" serve --bind "127.0.0.1:$port" --data-dir "$dir" >"$work/instructions.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

CREDS="$creds" python3 - "$base" "$N" "$dir/customer-ids.txt" "$server" "$out" <<'PY'
import base64, http.client, json, random, subprocess, sys, time, urllib.parse
base, n, ids_file, pid, out_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
import os
creds = json.loads(os.environ["CREDS"])
host = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
basic = base64.b64encode(f"{creds['clientId']}:{creds['clientSecret']}".encode()).decode()
conn.request("POST", "/oauth/token", "grant_type=client_credentials",
             {"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
token = json.loads(conn.getresponse().read())["access_token"]
auth = {"Authorization": "Bearer " + token}
ids = open(ids_file).read().split()
random.seed(7)

def measure(label, make):
    global conn
    # A fresh connection: the server closes one left idle (its keep-alive timeout).
    conn.close()
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    for _ in range(200):  # warm-up: caches, prepared statements, the token cache
        method, path, body, headers = make()
        conn.request(method, path, body, headers); conn.getresponse().read()
    subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
    t0 = time.monotonic()
    for _ in range(n):
        method, path, body, headers = make()
        conn.request(method, path, body, headers)
        r = conn.getresponse(); r.read()
        assert r.status < 300, (path, r.status)
    elapsed = time.monotonic() - t0
    subprocess.run(["callgrind_control", "-d", label, pid], check=True, capture_output=True)
    busy = parse_total()
    # What the background tasks (jobs, webhook supervisor, key refresh) ran in as long a time
    # without requests, taken away from the figure.
    subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
    time.sleep(elapsed)
    subprocess.run(["callgrind_control", "-d", label + " idle", pid], check=True, capture_output=True)
    idle = parse_total()
    print(f"RESULT {label:<36} {(busy - idle) / n:>10,.0f} instructions per request"
          f"  (idle {idle / elapsed:,.0f} per second)")

def parse_total():
    # The newest dump's "summary:" line counts what ran since the counters were zeroed.
    import glob, os
    newest = max(glob.glob(out_file + ".*"), key=os.path.getmtime)
    for line in open(newest):
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit("no summary in " + newest)

counter = iter(range(10**9))
def post():
    i = next(counter)
    body = json.dumps({"customerType": "Business", "companyName": f"Instr {i}", "email": f"i{i}@example.com"})
    return "POST", "/v1/customers", body, {**auth, "Content-Type": "application/json"}

measure("GET /v1/customers/{id}", lambda: ("GET", "/v1/customers/" + random.choice(ids), None, auth))
measure("list status=Active page=1", lambda: ("GET", "/v1/customers?status=Active&page=1", None, auth))
measure("list page=2000", lambda: ("GET", "/v1/customers?page=2000", None, auth))
measure("POST /v1/customers", post)
PY
