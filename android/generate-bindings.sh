#!/usr/bin/env bash
# Builds the host core library and generates the UniFFI bindings from it (library mode):
#   Kotlin -> android/generated/kotlin   (package org.relais.core, compiled by android/pom.xml)
#   Swift  -> ios/generated/swift        (module RelaisCore; nothing compiles it on this machine)
# Both output directories are git-ignored; they are regenerated from the library every time, so
# the bindings always match the libshared.so the JVM tests load.
#
# Environment:
#   CARGO_TARGET_DIR   honoured like cargo does (default: <workspace>/target)
#   CARGO_PROFILE_DIR  profile sub-directory of the target dir holding libshared.so (default: debug)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
lib="$target_dir/${CARGO_PROFILE_DIR:-debug}/libshared.so"

echo "generate-bindings: building the core library (cargo build -p shared)" >&2
cargo build -q -p shared
[ -f "$lib" ] || { echo "generate-bindings: $lib not found after the build" >&2; exit 1; }

kotlin_out="$root/android/generated/kotlin"
swift_out="$root/ios/generated/swift"
rm -rf "$kotlin_out" "$swift_out"
mkdir -p "$kotlin_out" "$swift_out"

# The workspace's own uniffi-bindgen (uniffi 0.32.2, same version as the core: the bindings'
# contract check fails at load time otherwise). The library is auto-detected from the .so path;
# the workspace-level uniffi.toml is a global config and must be passed with --config.
# --no-format: ktlint / swiftformat are not installed here.
bindgen() {
    cargo run -q -p uniffi-bindgen -- generate "$lib" \
        --crate shared --config "$root/uniffi.toml" --no-format "$@"
}
echo "generate-bindings: Kotlin -> ${kotlin_out#"$root"/}" >&2
bindgen --language kotlin --out-dir "$kotlin_out"
echo "generate-bindings: Swift -> ${swift_out#"$root"/}" >&2
bindgen --language swift --out-dir "$swift_out"

echo "generate-bindings: library $lib" >&2
find "$kotlin_out" "$swift_out" -type f | sed "s#^$root/#  #" >&2
