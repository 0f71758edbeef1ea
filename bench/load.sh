#!/usr/bin/env bash
# The load benchmark: the cognito-emulator binary and moto's server side by side, USER_PASSWORD_AUTH
# sign-ins over 4 keep-alive connections in alternating 2-second slices (bench/src/bin/load.rs).
# Builds both in release first; moto comes from scripts/setup-peers.sh. Extra arguments go to the
# benchmark (e.g. --rounds 10); EMULATOR=path compares another build of the emulator.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash scripts/setup-peers.sh
cargo build --release --quiet -p cognito-flows-emulator --bin cognito-emulator -p cognito-flows-bench --bin load
target="${CARGO_TARGET_DIR:-$repo/target}/release"
exec "$target/load" --emulator "${EMULATOR:-$target/cognito-emulator}" --moto "$repo/.tools/moto/bin/moto_server" "$@"
