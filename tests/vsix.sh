#!/usr/bin/env bash
# Packages editors/vscode as a .vsix with vsce, as a release would, in a copy under
# target/vscode-pkg (its npm install, vsce included, is kept between runs); prints the path of
# the .vsix. tests/lsp/test_editors.py calls it; a release workflow can too.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/vscode-pkg"
mkdir -p "$work"
exec 9>"$root/target/.vsix-lock"
flock 9
# The extension's own files, fresh; node_modules stays unless package.json changed.
if ! cmp -s "$root/editors/vscode/package.json" "$work/package.json"; then
  rm -rf "$work/node_modules" "$work/package-lock.json"
fi
(cd "$root/editors/vscode" && tar cf - --exclude=node_modules --exclude='*.vsix' .) | (cd "$work" && tar xf -)
if [ ! -d "$work/node_modules/@vscode/vsce" ]; then
  (cd "$work" && npm install --no-audit --no-fund --silent >&2)
fi
(cd "$work" && rm -f rulesctl.vsix && npx --no-install vsce package --out rulesctl.vsix >&2)
echo "$work/rulesctl.vsix"
