#!/usr/bin/env bash
# Prints the node_modules folder that has tests/editors/package.json's packages installed (the
# TextMate engine VS Code uses: vscode-textmate and vscode-oniguruma), installing them under
# target/node the first time with npm. Tests call it, as they call tests/python-env.sh. Safe
# to run concurrently.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
env="$root/target/node"
stamp="$env/.package.json"
if [ ! -f "$stamp" ] || ! cmp -s "$stamp" "$root/tests/editors/package.json"; then
  mkdir -p "$env"
  exec 9>"$root/target/.node-lock"
  flock 9
  if [ ! -f "$stamp" ] || ! cmp -s "$stamp" "$root/tests/editors/package.json"; then
    cp "$root/tests/editors/package.json" "$env/package.json"
    (cd "$env" && npm install --no-audit --no-fund --silent >&2)
    cp "$root/tests/editors/package.json" "$stamp"
  fi
fi
echo "$env/node_modules"
