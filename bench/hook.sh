#!/usr/bin/env bash
# The pre-commit hook's cost (issue 28 part 4), side by side in one run: on a generated
# repository of N rule files (bench/gen.py, committed in git), median wall time (hyperfine) of
#   - rulesctl check                          the working tree, no base
#   - rulesctl check --staged --base HEAD     with only an environment file staged
#   - rulesctl check --staged --base HEAD     with a one-line rule change staged (refused: G001)
#   - rulesctl check --staged --base HEAD     the same with the version raised (passes)
#   - rulesctl build --base HEAD              a clean checkout, as CI runs it (dist/ removed)
#   - git commit of a one-line environment change, without and with the hook installed
# and prints a Markdown table with each ratio to `check`.
#
# usage: bench/hook.sh [N] [REPO]   (N default 10000; REPO: measure your own repository's copy
#                                   instead of a generated one; it must be a git repository)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
n="${1:-10000}"
if ! command -v hyperfine >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq hyperfine) >/dev/null
fi
# RULESCTL_BIN: measure a binary already built (skips the release build).
bin="${RULESCTL_BIN:-$root/target/release/rulesctl}"
[ -n "${RULESCTL_BIN:-}" ] || cargo build --release --quiet
work="$root/target/bench-hook"
rm -rf "$work" && mkdir -p "$work"
repo="$work/repo"
if [ -n "${2:-}" ]; then
  git clone -q "$2" "$repo"
else
  python3 bench/gen.py "$repo" "$n" >/dev/null
  rm -rf "$repo/json"
  git -C "$repo" init -q
  git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid add -A
  git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid commit -qm base
fi
cd "$repo"
env_file="$(ls environments/*.yaml | head -1)"
rule_file="$(git ls-files '*.hcl' | grep -v rulesctl.hcl | tail -1)"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

median() { # name, then the command
  local name=$1; shift
  hyperfine -N -i --style none --warmup 1 --runs "${RUNS:-10}" --export-json "$work/hf.json" -- "$*" >/dev/null 2>&1 \
    || hyperfine -i --style none --warmup 1 --runs "${RUNS:-10}" --export-json "$work/hf.json" -- "$*" >/dev/null
  python3 -c "import json;print('%.1f' % (json.load(open('$work/hf.json'))['results'][0]['median']*1000))" > "$work/$name"
}

median check "$bin" check
echo "# staged" >> "$env_file" && git add "$env_file"
median env_only "$bin" check --staged --base HEAD
git reset -q --hard
# The hook of the commit before checked this index: its summary of HEAD's rules is kept under
# .git/rulesctl/, as it is for every commit made through the hook.
rm -rf .git/rulesctl && "$bin" check --staged --base HEAD >/dev/null
sed -i '0,/base_rate *= [0-9]*/s//base_rate = 1/' "$rule_file"
git add "$rule_file"
median rule_changed "$bin" check --staged --base HEAD
# The same change with its version raised: the hook passes and keeps this index's summary for
# the next commit (removed before each run, so every run pays for writing it, as a commit does).
base_entry="$(ls .git/rulesctl/base)"
version_file="$(git grep -l 'ruleset_version *= *"' -- '*.hcl' | grep -v rulesctl.hcl | head -1)"
sed -i 's/ruleset_version *= *"[^"]*"/ruleset_version = "v99.0.0"/' "$version_file"
git add "$version_file"
hyperfine -N -i --style none --warmup 1 --runs "${RUNS:-10}" \
  --prepare "find .git/rulesctl/base -type f ! -name $base_entry -delete" \
  --export-json "$work/hf.json" -- "$bin check --staged --base HEAD" >/dev/null 2>&1 \
  || hyperfine -i --style none --warmup 1 --runs "${RUNS:-10}" \
    --prepare "find .git/rulesctl/base -type f ! -name $base_entry -delete" \
    --export-json "$work/hf.json" -- "$bin check --staged --base HEAD" >/dev/null
python3 -c "import json;print('%.1f' % (json.load(open('$work/hf.json'))['results'][0]['median']*1000))" > "$work/rule_bumped"
git checkout -q HEAD -- "$version_file"
# The same without that summary (a base other than the last commit made through the hook).
hyperfine -N -i --style none --warmup 1 --runs "${RUNS:-10}" --prepare "rm -rf .git/rulesctl" \
  --export-json "$work/hf.json" -- "$bin check --staged --base HEAD" >/dev/null 2>&1
python3 -c "import json;print('%.1f' % (json.load(open('$work/hf.json'))['results'][0]['median']*1000))" > "$work/rule_cold"
git reset -q --hard
hyperfine --style none --warmup 1 --runs "${RUNS:-10}" --prepare "rm -rf dist" --export-json "$work/hf.json" -- "$bin build --base HEAD" >/dev/null
python3 -c "import json;print('%.1f' % (json.load(open('$work/hf.json'))['results'][0]['median']*1000))" > "$work/build_base"
hyperfine --style none --warmup 1 --runs "${RUNS:-10}" --prepare "rm -rf dist" --export-json "$work/hf.json" -- "$bin build" >/dev/null
python3 -c "import json;print('%.1f' % (json.load(open('$work/hf.json'))['results'][0]['median']*1000))" > "$work/build"
rm -rf dist
commit_ms() { # the median of git commit of a one-line environment change, undone after each run
  hyperfine --style none --warmup 1 --runs "${RUNS:-10}" \
    --prepare "git reset -q --hard && echo '# c' >> $env_file && git add $env_file" \
    --cleanup "git reset -q --hard HEAD~1" \
    --export-json "$work/hf.json" -- "git commit -qm c" >/dev/null
  python3 -c "import json;print('%.1f' % (json.load(open('$work/hf.json'))['results'][0]['median']*1000))"
}
commit_ms > "$work/commit"
PATH="$(dirname "$bin"):$PATH" "$bin" hooks install >/dev/null
PATH="$(dirname "$bin"):$PATH" commit_ms > "$work/commit_hook"
git reset -q --hard

r() { python3 -c "print('%.2f' % ($(cat "$work/$1") / $(cat "$work/$2")))"; }
echo "| measure (N = $n) | median ms | ratio |"
echo "| --- | --- | --- |"
echo "| \`check\` | $(cat "$work/check") | 1.00 × check |"
echo "| \`check --staged --base HEAD\`, an environment file staged | $(cat "$work/env_only") | $(r env_only check) × check |"
echo "| \`check --staged --base HEAD\`, a one-line rule change staged | $(cat "$work/rule_changed") | $(r rule_changed check) × check |"
echo "| the same change with the version raised (passes, keeps its summary) | $(cat "$work/rule_bumped") | $(r rule_bumped check) × check |"
echo "| the unraised change, no summary of the base kept | $(cat "$work/rule_cold") | $(r rule_cold check) × check |"
echo "| \`build\` | $(cat "$work/build") | $(r build check) × check |"
echo "| \`build --base HEAD\`, clean checkout | $(cat "$work/build_base") | $(r build_base build) × build |"
echo "| \`git commit\`, no hook | $(cat "$work/commit") | |"
echo "| \`git commit\` through the hook | $(cat "$work/commit_hook") | $(r commit_hook check) × check |"
