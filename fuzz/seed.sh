#!/usr/bin/env bash
# Seeds every fuzz target's corpus, fuzz/corpus/<target>/, from the test fixtures and the bundled
# example (see docs/src/engineering/fuzzing.md). The corpora are not checked in: run this once before fuzzing, and
# again to reseed (it adds files; existing corpus entries are kept).
#
# Artifacts and Rust modules are built by rulesctl itself from copies of tests/fixtures/base and
# examples/rules, so the binary is built first (debug is enough).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CORPUS=$ROOT/fuzz/corpus
MAX=16384 # bytes: bigger fixtures make slow seeds and a large -max_len

cargo build --quiet --bin rulesctl
RULESCTL=$ROOT/target/debug/rulesctl
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$CORPUS"/{rules,fmt,render,verify_json,verify_rs,lsp}

# The separator of the packed inputs (fuzz/src/lib.rs SEPARATOR).
sep() { printf '\377'; }

# A file's corpus name: its path, flattened.
name() { echo "$1" | tr '/' '_'; }

small() { [ "$(wc -c <"$1")" -le "$MAX" ]; }

# rules, fmt: every HCL file the tests use (rule files, project files, the HCL conformance suite).
while IFS= read -r f; do
  small "$f" || continue
  cp "$f" "$CORPUS/rules/$(name "$f")"
  cp "$f" "$CORPUS/fmt/$(name "$f")"
done < <(find tests/fixtures examples -name '*.hcl' -type f | sort)

# render: values.yaml SEP environments/prod.yaml SEP chart/values.schema.json. Each fixture file
# takes its own place; the helm fixture fills the other two.
HELM=tests/fixtures/helm
VALUES=$HELM/values.yaml
PROD=$HELM/environments/prod.yaml
SCHEMA=$HELM/chart/values.schema.json
pack3() { { cat "$1"; sep; cat "$2"; sep; cat "$3"; } >"$4"; }
while IFS= read -r f; do
  small "$f" && pack3 "$f" "$PROD" "$SCHEMA" "$CORPUS/render/values_$(name "$f")"
done < <(find tests/fixtures examples -name 'values.yaml' -type f | sort)
while IFS= read -r f; do
  small "$f" && pack3 "$VALUES" "$f" "$SCHEMA" "$CORPUS/render/env_$(name "$f")"
done < <(find tests/fixtures environments -path '*environments/*.yaml' -type f | sort)
while IFS= read -r f; do
  small "$f" && pack3 "$VALUES" "$PROD" "$f" "$CORPUS/render/schema_$(name "$f")"
done < <(find tests/fixtures examples -name 'values.schema.json' -type f | sort)
# The YAML conformance suite's valid documents, as values (most are not mappings).
while IFS= read -r f; do
  small "$f" && pack3 "$f" "$PROD" "$SCHEMA" "$CORPUS/render/yaml_$(name "$f")"
done < <(find tests/fixtures/conformance/yaml -name '*.yaml' -type f | sort | head -60)

# verify_json: file name SEP artifact SEP .sha256 SEP provenance; verify_rs: file name SEP module.
# Built from the base fixture and from the bundled example.
build() {
  local label=$1 repo=$WORK/$1
  shift
  mkdir -p "$repo"
  for src in "$@"; do cp -r "$src" "$repo/"; done
  (cd "$repo" && "$RULESCTL" build --emit rust >/dev/null)
  for artifact in "$repo"/dist/ruleset-*.json; do
    case $artifact in *.provenance.json) continue ;; esac
    local file version
    file=$(basename "$artifact")
    version=${file#ruleset-}
    version=${version%.json}
    { printf '%s' "$file"; sep; cat "$artifact"; sep; cat "$artifact.sha256"; sep
      cat "$repo/dist/ruleset-$version.provenance.json"; } >"$CORPUS/verify_json/${label}_full"
    { printf '%s' "$file"; sep; cat "$artifact"; } >"$CORPUS/verify_json/${label}_alone"
    { printf '%s' "ruleset-$version.rs"; sep; cat "$repo/dist/ruleset-$version.rs"; } \
      >"$CORPUS/verify_rs/${label}_module"
  done
}
build base tests/fixtures/base/rules
mkdir -p "$WORK/example-src/rules"
cp -r examples/rules/. "$WORK/example-src/rules/"
build example "$WORK/example-src/rules"

# lsp: short sessions (fuzz/fuzz_targets/lsp.rs documents the steps). Document bytes: 0
# rules/caves.hcl, 1 rules/loot.hcl, 2 rules/ruleset.hcl, 3 rulesctl.hcl, 4 values.yaml,
# 5 environments/prod.yaml, 6 chart/values.schema.json, 7 rules/new.hcl. Bytes are written
# straight to the file: a shell variable cannot hold the NUL of document 0 or line 0.
byte() { printf "\\$(printf '%03o' "$1")"; }
begin() { out=$CORPUS/lsp/$1; : >"$out"; }
step() { # OP DOC [BYTE...]: a step's head; its payload is appended after
  if [ -s "$out" ]; then sep >>"$out"; fi
  printf '%s' "$1" >>"$out"
  shift
  for b in "$@"; do byte "$b" >>"$out"; done
}
text() { printf '%s' "$1" >>"$out"; }
file() { cat "$1" >>"$out"; }

begin open-hover-complete
step o 0; file tests/fixtures/base/rules/caves.hcl
step h 0 1 4
step k 0 5 20
step d 0 5 22
step f 1 0 14
begin edit-format-action
step o 1; file tests/fixtures/base/rules/loot.hcl
step r 1 1 30 1 31; text 7
step F 1
step a 1 0 0 3 0
step s 1
step x 1
begin new-file-broken
step o 7; text 'spawn_config {'
step c 7; text 'spawn_config { region = "x" }'
step h 7 0 16
step w 7
begin project-values
step o 3; file "$HELM/rulesctl.hcl"
step o 4; file "$VALUES"
step k 4 2 2
step c 5; text 'replicas: ['
step o 5; file "$PROD"
while IFS= read -r f; do
  small "$f" || continue
  begin "code_$(name "$f")"
  step o 0; file "$f"
  step h 0 0 2
  step a 0 0 0 9 0
done < <(find tests/fixtures/codes -path '*/rules/*.hcl' -type f | sort | head -40)
begin raw-frames
step j; text '{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":{"textDocument":1}}'
step b; printf 'Content-Length: 3\r\n\r\n{x}' >>"$out"
step j; text '{"jsonrpc":"2.0","method":"textDocument/didOpen"}'

for target in rules fmt render verify_json verify_rs lsp; do
  echo "$target: $(find "$CORPUS/$target" -type f | wc -l) seeds"
done
