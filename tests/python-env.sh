#!/usr/bin/env bash
# Prints the path of a Python that has tests/requirements.txt installed, creating a virtual
# environment under target/py the first time. .ci/run calls it up front; tests call it too,
# so `cargo test` also works on a fresh machine. Safe to run concurrently.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
env="$root/target/py"
stamp="$env/.requirements"
if [ ! -f "$stamp" ] || ! cmp -s "$stamp" "$root/tests/requirements.txt"; then
  mkdir -p "$root/target"
  exec 9>"$root/target/.py-lock"
  flock 9
  if [ ! -f "$stamp" ] || ! cmp -s "$stamp" "$root/tests/requirements.txt"; then
    python3 -m venv "$env" >&2
    "$env/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/tests/requirements.txt" >&2
    cp "$root/tests/requirements.txt" "$stamp"
  fi
fi
echo "$env/bin/python"
