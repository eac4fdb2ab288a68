#!/usr/bin/env bash
# Builds the .msi (packaging/build-msi.sh) and checks its tables with msiinfo: the program and
# configuration files, the service (own process, automatic start, `serve` with its data in
# ProgramData) and its control (started on install, stopped on install and uninstall, removed
# on uninstall), and the upgrade code. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/build-msi.sh
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
msi=target/windows/edgebss-$version-x86_64.msi

fail() {
    echo "check-msi: $*" >&2
    exit 1
}
# Rows of an exported table, without its three header lines.
rows() { msiinfo export "$msi" "$1" | tail -n +4; }

tables=$(msiinfo tables "$msi")
for t in File Component ServiceInstall ServiceControl Upgrade; do
    grep -qx "$t" <<<"$tables" || fail "table $t is missing"
done

files=$(rows File)
echo "$files"
grep -q 'edgebss.exe' <<<"$files" || fail "edgebss.exe is not installed"
grep -q 'edgebss.toml' <<<"$files" || fail "edgebss.toml is not installed"

# Component: Component ComponentId Directory_ Attributes Condition KeyPath. The configuration
# is permanent and never overwritten (256 + 16 + 128), the program is not.
components=$(rows Component)
echo "$components"
awk -F'\t' '$1 == "Configuration" && $4 == 400 { c = 1 } $1 == "Program" && $4 == 256 { p = 1 }
    END { exit !(c && p) }' <<<"$components" ||
    fail "the configuration must be a permanent, never-overwritten component; the program not"

# ServiceInstall: ServiceInstall Name DisplayName ServiceType StartType ErrorControl
# LoadOrderGroup Dependencies StartName Password Arguments Component_ Description
install=$(rows ServiceInstall)
echo "$install"
awk -F'\t' '$2 == "edgebss" && $4 == 16 && $5 == 2 && $9 == "LocalSystem" &&
    $11 ~ /--data-dir "\[DATADIR\]\." serve$/ { ok = 1 } END { exit !ok }' <<<"$install" ||
    fail "ServiceInstall is not: edgebss, own process (16), automatic (2), LocalSystem, serve"

# ServiceControl: ServiceControl Name Event Arguments Wait Component_
# Event 163 = start on install (1) + stop on install (2) + stop on uninstall (32)
#           + delete on uninstall (128).
control=$(rows ServiceControl)
echo "$control"
awk -F'\t' '$2 == "edgebss" && $3 == 163 && $5 == 1 { ok = 1 } END { exit !ok }' \
    <<<"$control" ||
    fail "ServiceControl is not: start on install, stop on install and uninstall, remove on uninstall, wait"

upgrade=$(rows Upgrade)
echo "$upgrade"
grep -qi 'BBDB174E-0CAD-4BD0-8300-F29A6CFD84AE' <<<"$upgrade" || fail "the upgrade code changed"
echo "check-msi: ok"
