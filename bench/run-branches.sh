#!/usr/bin/env bash
# Branches and head office, against a release build, in one run on loopback: the shipped hub
# configuration (nats-server), a private PostgreSQL cluster and `edgebss central`.
#  1. POST /v1/customers at 64 connections (synchronous = FULL) on an edge without the forwarder,
#     then on one forwarding to the hub while central applies (same run, same machine);
#  2. a backlog written while the hub is down (BACKLOG_SECS of writes at full speed, far more
#     than a branch writes in a day), then the time the forwarder takes to drain it once the hub
#     is back, central stopped;
#  3. central started on that backlog: how fast it applies it (events/s, in batches).
# Prints RESULT lines; see bench/README.md, "Branches and head office".
#
#   bash bench/run-branches.sh            # DUR=10s BACKLOG_SECS=20 by default
# Needs wrk, sqlite3, nats-server and PostgreSQL (apt-get install wrk sqlite3 nats-server
# postgresql); as root, PostgreSQL runs as the `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."

DUR=${DUR:-10s}
BACKLOG_SECS=${BACKLOG_SECS:-20}
work=$PWD/target/bench
mkdir -p "$work"
for tool in wrk sqlite3 curl; do
  command -v $tool >/dev/null || { echo "$tool is needed: apt-get install $tool" >&2; exit 1; }
done
nats=$(command -v nats-server || echo /usr/sbin/nats-server)
[ -x "$nats" ] || { echo "nats-server is needed: apt-get install nats-server" >&2; exit 1; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$pgbin/initdb" ] || { echo "PostgreSQL is needed: apt-get install postgresql" >&2; exit 1; }
cargo build --release --quiet --bin edgebss
bin=$PWD/target/release/edgebss

port=18991
base="http://127.0.0.1:$port"
hub_port=14222
pg_port=15433
hub="" server="" central="" pgdata=""
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_hub() {
  "$nats" -c "$work/hub/hub.conf" 2>"$work/hub/hub.log" &
  hub=$!
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$hub_port) 2>/dev/null && break; sleep 0.1; done
}
stop_hub() { if [ -n "$hub" ]; then kill "$hub"; wait "$hub" || true; hub=""; fi; }
start_central() {
  EDGEBSS_LOG__LEVEL=warn EDGEBSS_CENTRAL__USER=central \
    EDGEBSS_CENTRAL__PASSWORD=central-demo-password \
    "$bin" central --nats-url "nats://127.0.0.1:$hub_port" \
    --postgres-url "postgresql://bss@127.0.0.1:$pg_port/bss" >>"$work/central.log" 2>&1 &
  central=$!
}
stop_central() { if [ -n "$central" ]; then kill "$central"; wait "$central" || true; central=""; fi; }
start() { # data_dir [ENV=VALUE...]: starts an edge and sets TOKEN
  local dir=$1 creds
  shift
  creds=$("$bin" client create --data-dir "$dir" --name bench --scopes all --json 2>/dev/null)
  env EDGEBSS_LOG__LEVEL=warn EDGEBSS_AUTH__TOKEN_TTL_SECONDS=3600 EDGEBSS_BILLING__JOBS=false \
    EDGEBSS_BACKUP__ENABLED=false EDGEBSS_SYNC__SITE_ID=PORTS "$@" \
    "$bin" serve --bind "127.0.0.1:$port" --data-dir "$dir" >>"$work/branches-edge.log" 2>&1 &
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
forwarding=(EDGEBSS_SYNC__NATS_URL="nats://127.0.0.1:$hub_port" EDGEBSS_SYNC__JETSTREAM_DOMAIN=hub
  EDGEBSS_SYNC__USER=PORTS EDGEBSS_SYNC__PASSWORD=PORTS-demo-password)
cleanup() {
  stop; stop_central; stop_hub
  if [ -n "$pgdata" ]; then as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null || true; rm -rf "$(dirname "$pgdata")"; fi
}
trap cleanup EXIT

# The hub: the shipped configuration on loopback ports, its store under target/bench.
rm -rf "$work/hub"; mkdir -p "$work/hub"
sed -e "s|listen: 0.0.0.0:4222|listen: 127.0.0.1:$hub_port|" \
    -e "s|http: 127.0.0.1:8222|http: 127.0.0.1:18222|" \
    -e "s|listen: 0.0.0.0:7422|listen: 127.0.0.1:17422|" \
    -e "s|/var/lib/nats/jetstream|$work/hub/jetstream|" \
    packaging/central/nats-hub.conf >"$work/hub/hub.conf"
start_hub
# PostgreSQL: a private cluster (fsync on, as in production) in a folder the postgres user owns.
pgdir=$(mktemp -d); [ "$(id -u)" = 0 ] && chown postgres: "$pgdir"
pgdata=$pgdir/data
as_pg "$pgbin/initdb" -D "$pgdata" -U bss -A trust -E UTF8 >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdir/log" -w \
  -o "-p $pg_port -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null
psql -qAt "postgresql://bss@127.0.0.1:$pg_port/postgres" -c "CREATE DATABASE bss"
applied() { psql -qAt "postgresql://bss@127.0.0.1:$pg_port/bss" -c "SELECT COALESCE((SELECT applied_sequence FROM bss.sites WHERE site_id = 'PORTS'), 0)"; }
: >"$work/central.log"
start_central # sets up the stream and its consumer

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores; wrk -t2 -c64 -d$DUR; synchronous=FULL; nats-server $("$nats" --version | awk '{print $NF}'); PostgreSQL $("$pgbin/postgres" --version | awk '{print $NF}')"
echo "## POST /v1/customers, forwarder off and on (central applying)"
dir="$work/data-branch-off"; rm -rf "$dir"; start "$dir"
LABEL="POST, forwarder off" wrk -t2 -c64 -d"$DUR" -s bench/lua/post_customer.lua "$base" | grep '^RESULT'
stop
dir="$work/data-branch-on"; rm -rf "$dir"; start "$dir" "${forwarding[@]}"
LABEL="POST, forwarder on" wrk -t2 -c64 -d"$DUR" -s bench/lua/post_customer.lua "$base" | grep '^RESULT'
last=$(sqlite3 "$dir/edgebss.db" "SELECT seq FROM sqlite_sequence WHERE name = 'events'")
sent=$(sqlite3 "$dir/edgebss.db" "SELECT sent_sequence FROM sync_site")
echo "RESULT forwarded while writing: $sent of $last events at the end of the run; head office applied $(applied)"
stop

echo "## A backlog written with the hub down, drained when it is back (central stopped)"
stop_central; stop_hub
# Head office has seen this site's events from the run above: a fresh site keeps the two apart.
dir="$work/data-branch-backlog"; rm -rf "$dir"
forwarding_hills=("${forwarding[@]/PORTS/HILLS}")
start "$dir" "${forwarding_hills[@]}" EDGEBSS_SYNC__SITE_ID=HILLS
LABEL="POST, hub down (backlog)" wrk -t2 -c64 -d"${BACKLOG_SECS}s" -s bench/lua/post_customer.lua "$base" | grep '^RESULT'
events=$(sqlite3 "$dir/edgebss.db" "SELECT seq FROM sqlite_sequence WHERE name = 'events'")
sent() { sqlite3 "$dir/edgebss.db" "SELECT sent_sequence FROM sync_site"; }
# The rate counts from the first acknowledgement: before it, the forwarder waits out its back-off.
start_hub
t0=$(date +%s.%N)
while [ "$(sent)" -eq 0 ]; do sleep 0.05; done
t1=$(date +%s.%N); first=$(sent)
while [ "$(sent)" -lt "$events" ]; do sleep 0.1; done
t2=$(date +%s.%N)
python3 -c "import sys; n, f, a, b, c = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:]); print(f'RESULT forwarded a backlog of {n} events in {c - b:.2f} s after the first acknowledgement = {(n - f) / (c - b):.0f} events/s ({b - a:.2f} s from the hub\'s start to it)')" "$events" "$first" "$t0" "$t1" "$t2"

echo "## Central applies that backlog"
hills() { psql -qAt "postgresql://bss@127.0.0.1:$pg_port/bss" -c "SELECT COALESCE((SELECT applied_sequence FROM bss.sites WHERE site_id = 'HILLS'), 0)"; }
start_central
t0=$(date +%s.%N)
while [ "$(hills)" -eq 0 ]; do sleep 0.05; done
t1=$(date +%s.%N); first=$(hills)
while [ "$(hills)" -lt "$events" ]; do sleep 0.1; done
t2=$(date +%s.%N)
python3 -c "import sys; n, f, a, b, c = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:]); print(f'RESULT central applied {n} events in {c - b:.2f} s after its first batch = {(n - f) / (c - b):.0f} events/s ({b - a:.2f} s from its start to the first batch)')" "$events" "$first" "$t0" "$t1" "$t2"
rows=$(psql -qAt "postgresql://bss@127.0.0.1:$pg_port/bss" -c "SELECT count(*) FROM bss.customers WHERE site_id = 'HILLS'")
echo "RESULT head office holds $rows of the branch's customers"
