#!/usr/bin/env bash
# Runs the phone screens' Compose UI tests on the desktop JVM (android/desktop/pom.xml) under
# Xvfb, against the real core (libshared.so, through JNA) and real relais-server processes the
# test starts and stops on 127.0.0.1. Regenerates the bindings first (generate-bindings.sh).
# Screenshots of every screen are saved as PNG in $RELAIS_SCREENSHOTS (default:
# <target>/phone-screenshots).
#
# Environment:
#   CARGO_TARGET_DIR   honoured for libshared.so and relais-server (default: <workspace>/target)
#   MVN_FLAGS          extra Maven flags (default: --no-transfer-progress)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
bin_dir="$target_dir/${CARGO_PROFILE_DIR:-debug}"

"$root/android/generate-bindings.sh"
[ -x "$bin_dir/relais-server" ] || (cd "$root" && cargo build -q -p relais-server --bin relais-server)
screenshots="${RELAIS_SCREENSHOTS:-$target_dir/phone-screenshots}"
rm -rf "$screenshots"

# shellcheck disable=SC2206 # MVN_FLAGS is split into words on purpose
args=(-B ${MVN_FLAGS---no-transfer-progress} -f "$root/android/desktop/pom.xml" test
    "-Drelais.lib.dir=$bin_dir" "-Drelais.server.bin=$bin_dir/relais-server"
    "-Drelais.artefacts.dir=$screenshots")
if command -v xvfb-run >/dev/null; then
    xvfb-run -a mvn "${args[@]}"
else
    echo "run-desktop-tests: xvfb-run not found, running without a display" >&2
    mvn "${args[@]}"
fi
echo "run-desktop-tests: screenshots in $screenshots" >&2
