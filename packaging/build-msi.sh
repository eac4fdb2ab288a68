#!/usr/bin/env bash
# Cross-builds edgebss.exe for 64-bit Windows on Debian and packages it as
# target/windows/edgebss-<version>-x86_64.msi with wixl (packaging/windows/edgebss.wxs).
#
# Needs Debian's packages (as root):
#   apt-get install rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 msitools wixl
# The Windows standard library is compiled from Debian's Rust source (-Zbuild-std), since no
# prebuilt one exists for this toolchain: a first build took 7.5 minutes on two cores (longer
# when they are busy), later ones a few minutes. It has its own target folder so the Linux build cache stays intact.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in /usr/bin/cargo /usr/bin/rustc x86_64-w64-mingw32-gcc wixl; do
    if ! command -v "$tool" >/dev/null; then
        echo "build-msi: $tool is missing; install: apt-get install rustc-web cargo-web" \
            "rust-web-src gcc-mingw-w64-x86-64 msitools wixl" >&2
        exit 1
    fi
done

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
target_dir=target/windows
exe=$target_dir/x86_64-pc-windows-gnu/release/edgebss.exe
msi=$target_dir/edgebss-$version-x86_64.msi

# Debian's cargo and rustc, called by path: rustup's shims come first on PATH and have no
# Windows standard library here.
RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build --release --locked \
    --target x86_64-pc-windows-gnu -Zbuild-std=std,panic_abort --target-dir "$target_dir"

# wixl resolves sources relative to the folder it runs in.
wixl --arch x64 \
    -D Version="$version" \
    -D ExePath="$exe" \
    -D ConfigPath=packaging/windows/edgebss.toml \
    -o "$msi" packaging/windows/edgebss.wxs
# wixl ignores Permanent and NeverOverwrite: set them on the configuration's component
# (256 Win64 + 16 permanent + 128 never overwrite) so uninstall and upgrades keep the file.
msibuild "$msi" -q "UPDATE Component SET Attributes = 400 WHERE Component = 'Configuration'"
ls -l "$exe" "$msi"
