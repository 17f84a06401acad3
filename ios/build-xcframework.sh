#!/usr/bin/env bash
# Builds the core as RelaisCore.xcframework (device + simulator) for the iOS app, and its Swift
# bindings (generated/swift). Needs macOS with Xcode and the Rust targets:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
# NOT RUN ON THE PROJECT'S MACHINES (Linux, no Xcode): see README.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
    cargo build --release -p shared --target "$target"
done
sim="$root/target/ios-sim/libshared.a"
mkdir -p "$(dirname "$sim")"
lipo -create target/aarch64-apple-ios-sim/release/libshared.a target/x86_64-apple-ios/release/libshared.a -output "$sim"
"$root/android/generate-bindings.sh"
headers="$root/target/ios-headers"
rm -rf "$headers" && mkdir -p "$headers"
cp ios/generated/swift/*.h "$headers/"
cat ios/generated/swift/*.modulemap > "$headers/module.modulemap"
rm -rf ios/RelaisCore.xcframework
xcodebuild -create-xcframework \
    -library target/aarch64-apple-ios/release/libshared.a -headers "$headers" \
    -library "$sim" -headers "$headers" \
    -output ios/RelaisCore.xcframework
