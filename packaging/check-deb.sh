#!/usr/bin/env bash
# Builds the .deb and checks it the way a user's machine would meet it: lintian, install with
# dpkg, the installed binary and configuration, the systemd unit, an upgrade over itself,
# remove (data kept) and purge (data deleted). Run as root on a Debian machine where edgebss
# is not installed for real: it installs and purges the package. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== check-deb: %s\n' "$*"; }

step "build"
bash packaging/build-deb.sh
deb=$(ls -1t target/debian/edgebss_*.deb | head -n1)
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"

step "lintian"
# --fail-on warning: every finding is either fixed or overridden with its reason in
# packaging/deb/lintian-overrides.
lintian --fail-on error,warning --info "$deb"

step "install"
dpkg -i "$deb"
/usr/bin/edgebss --version
test "$(stat -c '%U:%G %a' /etc/edgebss/edgebss.toml)" = "root:edgebss 640"
getent passwd edgebss

step "systemd unit"
unit=$(dpkg -L edgebss | grep -E '/systemd/system/edgebss\.service$')
if systemd-analyze --version >/dev/null 2>&1; then
    systemd-analyze verify "$unit"
else
    echo "systemd-analyze not available; skipped"
fi

step "serve with the packaged configuration, as the edgebss user"
# Without systemd running (CI containers) the service is not started by the package; start the
# binary the way the unit does, on a free port, then stop it with SIGTERM as systemd would.
test "$(stat -c '%U %a' /var/lib/edgebss)" = "edgebss 700"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# setpriv and env exec edgebss in place, and the server is started without a shell function
# in between, so $! is the server itself and gets the signal.
as_edgebss=(setpriv --reuid=edgebss --regid=edgebss --init-groups --reset-env
    env EDGEBSS_BIND="127.0.0.1:$port" /usr/bin/edgebss --config /etc/edgebss/edgebss.toml)
as_edgebss() { "${as_edgebss[@]}" "$@"; }
"${as_edgebss[@]}" serve &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
    as_edgebss healthcheck >/dev/null 2>&1 && break
    sleep 0.2
done
as_edgebss healthcheck
as_edgebss backup
kill -TERM "$server"
wait "$server" # exit status 0: a graceful stop
trap - EXIT
test -f /var/lib/edgebss/edgebss.db
ls /var/lib/edgebss/backups/edgebss-manual-*.db

step "upgrade over itself"
dpkg -i "$deb"
test -f /var/lib/edgebss/edgebss.db

step "remove keeps the data, purge deletes it"
dpkg --remove edgebss
test -f /var/lib/edgebss/edgebss.db
test -f /etc/edgebss/edgebss.toml
dpkg --purge edgebss
test ! -e /var/lib/edgebss
test ! -e /etc/edgebss/edgebss.toml
echo "check-deb: ok"
