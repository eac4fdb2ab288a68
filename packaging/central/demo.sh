#!/usr/bin/env bash
# A whole head office and three branches on one machine, on loopback: the hub (nats-server with
# nats-hub.conf), a PostgreSQL cluster, `edgebss central`, and branches PORTS, DOCKS and HILLS
# (each with the demo catalog and customers) on ports 8081, 8082 and 8083. Ctrl-C stops all.
#
#   bash packaging/central/demo.sh                  # uses target/release/edgebss, or edgebss
#   EDGEBSS=/usr/bin/edgebss DEMO_DIR=/tmp/bss bash packaging/central/demo.sh
#
# Needs Debian's nats-server and postgresql packages (their own services may stay stopped). As
# root, PostgreSQL runs as the `postgres` user. Everything lives in DEMO_DIR (a new temporary
# folder by default) and is removed at the end unless DEMO_DIR was given.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

bin=${EDGEBSS:-}
if [ -z "$bin" ]; then
  if [ -x "$root/target/release/edgebss" ]; then bin=$root/target/release/edgebss; else bin=$(command -v edgebss); fi
fi
nats=$(command -v nats-server || echo /usr/sbin/nats-server)
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$nats" ] || { echo "demo: install nats-server (apt-get install nats-server)" >&2; exit 1; }
[ -x "$pgbin/initdb" ] || { echo "demo: install postgresql (apt-get install postgresql)" >&2; exit 1; }

keep=${DEMO_DIR:+yes}
dir=${DEMO_DIR:-$(mktemp -d)}
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
hub_port=4222 pg_port=5433
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -d "$dir/pg" ] && as_pg "$pgbin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
  [ -z "$keep" ] && rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The hub, from the shipped configuration, with its store in the demo folder.
mkdir -p "$dir/hub"
sed -e "s|listen: 0.0.0.0:4222|listen: 127.0.0.1:$hub_port|" \
    -e "s|listen: 0.0.0.0:7422|listen: 127.0.0.1:7422|" \
    -e "s|/var/lib/nats/jetstream|$dir/hub/jetstream|" "$here/nats-hub.conf" >"$dir/hub/hub.conf"
"$nats" -c "$dir/hub/hub.conf" 2>"$dir/hub/hub.log" &
pids+=($!)

# PostgreSQL: user bss, database bss, on loopback only.
as_pg "$pgbin/initdb" -D "$dir/pg" -U bss -A trust -E UTF8 >/dev/null
as_pg "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w \
  -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
psql -qAt "postgresql://bss@127.0.0.1:$pg_port/postgres" -c "CREATE DATABASE bss"
pg_url="postgresql://bss@127.0.0.1:$pg_port/bss"

# Head office: creates the stream BSS and its consumer, migrates PostgreSQL, then applies.
EDGEBSS_CENTRAL__USER=central EDGEBSS_CENTRAL__PASSWORD=central-demo-password \
  "$bin" central --nats-url "nats://127.0.0.1:$hub_port" --postgres-url "$pg_url" \
  --metrics-bind 127.0.0.1:9464 2>"$dir/central.log" &
pids+=($!)

port=8081
for site in PORTS DOCKS HILLS; do
  data=$dir/${site,,}
  mkdir -p "$data"
  EDGEBSS_SYNC__SITE_ID=$site EDGEBSS_SYNC__NATS_URL="nats://127.0.0.1:$hub_port" \
    EDGEBSS_SYNC__JETSTREAM_DOMAIN=hub EDGEBSS_SYNC__USER=$site \
    EDGEBSS_SYNC__PASSWORD=$site-demo-password \
    "$bin" serve --demo --bind "127.0.0.1:$port" --data-dir "$data" 2>"$data.log" &
  pids+=($!)
  echo "branch $site: http://127.0.0.1:$port (data in $data)"
  port=$((port + 1))
done
cat <<INFO
head office: psql $pg_url
  SELECT * FROM bss.site_lag;  SELECT * FROM bss.customers_by_site_status;
central metrics: http://127.0.0.1:9464/metrics
a branch's forwarding: $bin sync status --data-dir $dir/ports
logs in $dir; Ctrl-C stops everything.
INFO
wait
