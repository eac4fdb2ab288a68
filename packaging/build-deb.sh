#!/usr/bin/env bash
# Builds the Debian package target/debian/edgebss_<version>-1_amd64.deb: the release binary,
# /etc/edgebss/edgebss.toml, the systemd unit and the maintainer scripts (packaging/deb/).
# Needs cargo-deb: `cargo install cargo-deb --locked`. Extra arguments go to cargo-deb.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-deb >/dev/null; then
    echo "build-deb: cargo-deb is missing; install it with: cargo install cargo-deb --locked" >&2
    exit 1
fi
cargo deb --locked "$@"
ls -1 target/debian/*.deb
