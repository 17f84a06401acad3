#!/usr/bin/env bash
# Builds the core (libshared.so) for the usual Android ABIs with cargo-ndk into
# app/src/main/jniLibs/<abi>/, where the Gradle app packs it. Needs the Android NDK
# (ANDROID_NDK_HOME) and `cargo install cargo-ndk`, plus the Rust targets:
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
# Not run on the project's CI machines: they have no NDK.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo ndk --platform 26 -t arm64-v8a -t armeabi-v7a -t x86_64 \
    -o "$root/android/app/src/main/jniLibs" build --release -p shared
# The Kotlin bindings come from the host library, which has the same interface.
"$root/android/generate-bindings.sh"
