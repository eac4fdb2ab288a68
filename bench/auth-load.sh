#!/usr/bin/env bash
# Memory under concurrent failed authentication, and slow request bodies (bench/README.md,
# "Authentication under load"): the server's resident memory while 40 and then 300 clients send
# a wrong client secret at once (each check is argon2id, 19 MiB), and 5 s after; then 1,000
# connections sending a sign-in body one byte a second, how long until the server has cut them
# off, and whether /readyz answers meanwhile.
#
#   bash bench/auth-load.sh                 # the release build of this checkout
#   BIN=/path/to/edgebss bash bench/auth-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

[ -n "${BIN:-}" ] || cargo build --release --quiet --bin edgebss
bin=${BIN:-target/release/edgebss}
port=18995
dir=$(mktemp -d)
server=""
stop() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; rm -rf "$dir"; }
trap stop EXIT
creds=$("$bin" client create --data-dir "$dir" --name load --scopes all --json 2>/dev/null)
"$bin" serve --bind "127.0.0.1:$port" --data-dir "$dir" >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores; $bin"

CREDS="$creds" python3 - "$port" "$server" <<'PY'
import base64, http.client, json, os, socket, sys, threading, time
port, pid = int(sys.argv[1]), sys.argv[2]
client = json.loads(os.environ["CREDS"])["clientId"]

def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0

def wrong_secret(statuses):
    basic = base64.b64encode(f"{client}:not-the-secret".encode()).decode()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        c.request("POST", "/oauth/token", "grant_type=client_credentials",
                  {"Authorization": "Basic " + basic,
                   "Content-Type": "application/x-www-form-urlencoded"})
        statuses.append(c.getresponse().status)
    except OSError as e:
        statuses.append(str(e))

print(f"RESULT idle: {rss():.1f} MiB")
for n in (40, 300):
    statuses, peak, done = [], [0.0], threading.Event()
    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss()); time.sleep(0.01)
    s = threading.Thread(target=sample); s.start()
    t0 = time.monotonic()
    threads = [threading.Thread(target=wrong_secret, args=(statuses,)) for _ in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    took = time.monotonic() - t0
    done.set(); s.join()
    time.sleep(5)
    answers = list(map(str, statuses))
    counts = {k: answers.count(k) for k in sorted(set(answers))}
    print(f"RESULT {n} wrong secrets at once: peak {peak[0]:.1f} MiB, 5 s later {rss():.1f} MiB; "
          f"answers {counts} in {took:.1f} s")

# Slow bodies: 1,000 sign-in posts whose body never finishes arriving.
socks = []
for _ in range(1000):
    k = socket.create_connection(("127.0.0.1", port))
    k.sendall(b"POST /admin/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nu")
    socks.append(k)
t0 = time.monotonic()
ready_ok = ready_all = 0
open_ = len(socks)
while open_ and time.monotonic() - t0 < 60:
    for k in socks:
        if k.fileno() < 0:
            continue
        try:
            k.setblocking(False)
            data = k.recv(4096)
            if data == b"" or data.startswith(b"HTTP/1.1 408"):
                k.close()
        except BlockingIOError:
            try:
                k.sendall(b"x")
            except OSError:
                k.close()
        except OSError:
            k.close()
    open_ = sum(1 for k in socks if k.fileno() >= 0)
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request("GET", "/readyz"); ready_ok += c.getresponse().status == 200
    except OSError:
        pass
    ready_all += 1
    time.sleep(1)
print(f"RESULT 1000 bodies sent a byte a second: all cut off after {time.monotonic() - t0:.0f} s"
      if not open_ else f"RESULT 1000 bodies sent a byte a second: {open_} still open after 60 s")
print(f"RESULT /readyz meanwhile: {ready_ok} of {ready_all} probes answered 200")
print(f"RESULT after: {rss():.1f} MiB")
PY
