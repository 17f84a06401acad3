#!/usr/bin/env bash
# Runs the Kotlin shell's JVM tests against the real core: regenerates the bindings from a fresh
# host build of libshared.so (generate-bindings.sh), then runs the Maven build with JUnit 5.
#
# Environment:
#   RELAIS_SERVER_URL  URL of a running `relais-server --demo` (e.g. http://127.0.0.1:8080): the
#                      registration / offline filing / restart test needs it and is skipped without.
#   CARGO_TARGET_DIR   honoured for finding libshared.so (default: <workspace>/target).
#   MVN_FLAGS          extra Maven flags (default: --no-transfer-progress, which keeps Surefire's
#                      'Tests run: N, Failures: N' summary visible; -q would hide it on success).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/android/generate-bindings.sh"

target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac

# shellcheck disable=SC2206 # MVN_FLAGS is split into words on purpose
args=(-B ${MVN_FLAGS---no-transfer-progress} -f "$root/android/pom.xml" test "-Drelais.lib.dir=$target_dir/${CARGO_PROFILE_DIR:-debug}")
if [ -n "${RELAIS_SERVER_URL:-}" ]; then
    args+=("-Drelais.server.url=$RELAIS_SERVER_URL")
else
    echo "run-jvm-tests: RELAIS_SERVER_URL not set, the server-dependent test will be skipped" >&2
fi
exec mvn "${args[@]}"
