#!/usr/bin/env bash
# Issue 25 part 6, the runtime side: builds the inputs with rulesctl (the bundled example, with
# its --emit rust module, and a 10,000-region repository from bench/gen.py), then runs
# examples/sidecar/benches/lookup.rs on them, in one run: the compiled-in Rust module, wasmi,
# wasmtime and serde_json side by side, and the swap per runtime and stage. Each .wasm is used
# when this rulesctl writes one (--emit wasm); otherwise the benchmark says what it measured.
#
# usage: bash examples/sidecar/bench.sh        (RULESCTL=/path/to/rulesctl to skip the build;
#        SIDECAR_FEATURES= to leave wasmtime out, whose first optimized build takes minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
if [ -z "${RULESCTL:-}" ]; then
    cargo build --release --quiet
    RULESCTL=$root/target/release/rulesctl
fi
rulesctl=$(realpath "$RULESCTL")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

emit=json
if "$rulesctl" build --help | grep -q wasm; then emit=json,wasm; fi
mkdir -p "$work/example/examples"
cp rulesctl.hcl "$work/example/"
cp -r examples/rules examples/chart "$work/example/examples/"
(cd "$work/example" && "$rulesctl" build --emit "$emit,rust" >/dev/null)
python3 bench/gen.py "$work/big" 10000 >/dev/null
(cd "$work/big" && "$rulesctl" build --emit "$emit" >/dev/null)

small=$work/example/dist/ruleset-v2.4.1
big=$work/big/dist/ruleset-v1.0.0
export RULESET_RS=$small.rs RULESET_JSON=$small.json RULESET_JSON_BIG=$big.json
if [ -f "$small.wasm" ]; then export RULESET_WASM=$small.wasm; fi
if [ -f "$big.wasm" ]; then export RULESET_WASM_BIG=$big.wasm; fi
features=${SIDECAR_FEATURES-wasmtime}
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/tmp/sidecar} \
    cargo bench --quiet --no-run --manifest-path examples/sidecar/Cargo.toml --bench lookup --features "$features"
echo "load: $(uptime)"
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/tmp/sidecar} \
    cargo bench --quiet --manifest-path examples/sidecar/Cargo.toml --bench lookup --features "$features"
echo "load: $(uptime)"
