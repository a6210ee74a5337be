#!/usr/bin/env bash
# Growth benchmark (issue 28 part 1): every input shape of bench/growth_gen.py at 1x, 4x and 16x,
# measured in instructions (valgrind --tool=callgrind, summed over threads, RULESCTL_THREADS=1),
# which repeat to the instruction on a loaded machine where wall time does not. For each shape
# and command it prints a Markdown row: the size at 1x/4x/16x, the instructions at each, and
#   ratio = cost(16x) / (16 * cost(1x))
# 1.00 is linear; start-up makes a linear shape come in a little under 1; over 1.2 is a loop
# that scans what came before. The "limits" rows measure a hostile input at 1x and 10x a limit:
# there the cost at 10x should equal the cost at 1x (ratio ~1, not ~10).
#
# usage: bench/growth.sh [SHAPE...]      (default: every shape)
# env:   RULESCTL_BIN  a binary already built (skips cargo build --release)
#        GROWTH_WALL=1 also print hyperfine medians (noisy on a shared machine) of the 16x runs
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
bin="${RULESCTL_BIN:-$root/target/release/rulesctl}"
[ -n "${RULESCTL_BIN:-}" ] || cargo build --release --quiet
command -v valgrind >/dev/null || (apt-get update -qq && apt-get install -y -qq valgrind) >/dev/null
work="$root/target/bench-growth"
mkdir -p "$work"
all_shapes=(files big-file cross-refs items streams flat-values deep-hcl deep-yaml environments diagnostics limits)
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=("${all_shapes[@]}")

# instructions of one run: callgrind's total over every thread, no per-instruction data
instructions() { # command...
  local out="$work/callgrind.out"
  rm -f "$out"
  RULESCTL_THREADS=1 timeout "${GROWTH_TIMEOUT:-1800}" valgrind --tool=callgrind --dump-instr=no --collect-jumps=no \
    --callgrind-out-file="$out" "$@" >/dev/null 2>"$work/valgrind.err" || true
  grep -sE '^(summary|totals):' "$out" | head -1 | awk '{print $2}' | grep . || echo 0
}
# 0 is a run that timed out (GROWTH_TIMEOUT seconds, default 1800)
mega() { python3 -c "n=int('$1'); print(f'{n/1e6:,.1f} M' if n else 'timed out')"; }
ratio() { python3 -c "a,b=int('$2'),int('$3'); print(f'{b/($1*a):.2f}' if a and b else '-')"; }

limits() {
  # Each limit at its value and at ten times it: the cost at 10x should not be 10x.
  echo
  echo "| limit | input at the limit | at 10× the limit | instructions at the limit | at 10× | ratio 10×÷1× |"
  echo "| --- | --- | --- | --- | --- | --- |"
  local base="$work/limits" mb=$((1024 * 1024))
  row() { # name, what at 1x, what at 10x, dir at 1x, dir at 10x, command words...
    local name=$1 one=$2 ten=$3 d1=$4 d10=$5; shift 5
    local c1 c10
    c1=$(cd "$d1" && instructions "$bin" "$@")
    c10=$(cd "$d10" && instructions "$bin" "$@")
    echo "| $name | $one | $ten | $(mega "$c1") | $(mega "$c10") | $(python3 -c "print(f'{$c10/$c1:.2f}')") |"
  }
  repo() { # dir, then rulesctl.hcl's limits body
    rm -rf "$1" && mkdir -p "$1/rules" && printf 'limits {\n%s\n}\n' "$2" > "$1/rulesctl.hcl"
    python3 -c "import sys; sys.path.insert(0, 'bench'); import growth_gen as g; open('$1/rules/header.hcl','w').write(g.HEADER)"
  }
  # file bytes: a rule file of 1 MiB (read, parsed) and of 10 MiB (refused unread); in git's
  # index too (check --staged), where the blob's size comes from its header.
  for k in 1 10; do
    repo "$base/bytes-$k" "  max_file_bytes = $mb"
    python3 -c "
import sys; sys.path.insert(0, 'bench'); import growth_gen as g
size, text, i, n = $k * $mb, [], 0, 0
while n < size - 2000: text.append(g.region(i)); n += len(text[-1]); i += 1
body = ''.join(text); open('$base/bytes-$k/rules/big.hcl', 'w').write(body + '#' * (size - len(body) - 1) + chr(10))"
    git -C "$base/bytes-$k" init -q && git -C "$base/bytes-$k" add -A
  done
  row max_file_bytes "1 MiB rule file" "10 MiB" "$base/bytes-1" "$base/bytes-10" check
  row "max_file_bytes, git index" "1 MiB blob staged" "10 MiB blob" "$base/bytes-1" "$base/bytes-10" check --staged
  # depth: 5,000 arrays 64 deep (parsed) against 640 deep (refused by the bracket scan)
  for k in 1 10; do
    repo "$base/depth-$k" ""
    python3 -c "open('$base/depth-$k/rules/deep.hcl','w').write(''.join(f'deep_{i} = ' + '[' * (64 * $k) + '1' + ']' * (64 * $k) + chr(10) for i in range(5000)))"
  done
  row "max_depth (HCL)" "5,000 arrays 64 deep" "640 deep" "$base/depth-1" "$base/depth-10" check
  # files: 1,000 rule files under max_files = 1000 (read, parsed) against 10,000 (listed, refused)
  for k in 1 10; do
    repo "$base/files-$k" "  max_files = 1000"
    python3 -c "
import sys; sys.path.insert(0, 'bench'); import growth_gen as g
for i in range(1000 * $k - 1): open(f'$base/files-$k/rules/part_{i:05d}.hcl', 'w').write(g.region(i))"
  done
  row max_files "1,000 rule files" "10,000" "$base/files-1" "$base/files-10" check
  # YAML nodes: a flat mapping of 100,000 nodes against 1,000,000
  for k in 1 10; do
    repo "$base/nodes-$k" ""
    python3 -c "open('$base/nodes-$k/values.yaml','w').write('a: 0' + chr(10) + ''.join(f'k{i}: {i}' + chr(10) for i in range(1, 50000 * $k)))"
  done
  row max_yaml_nodes "values.yaml of 100,000 nodes" "1,000,000" "$base/nodes-1" "$base/nodes-10" check
  # string bytes: one 1 MiB YAML scalar against 10 MiB (file limit raised to let it be read)
  for k in 1 10; do
    repo "$base/string-$k" "  max_file_bytes = $((64 * mb))"
    python3 -c "open('$base/string-$k/values.yaml','w').write('blob: ' + 'x' * ($k * $mb) + chr(10))"
  done
  row max_string_bytes "1 MiB scalar" "10 MiB" "$base/string-1" "$base/string-10" check
  # diagnostics: 1,000 errors against 10,000 (default cap 1,000 printed)
  for k in 1 10; do
    repo "$base/diags-$k" ""
    python3 -c "open('$base/diags-$k/rules/zz.hcl','w').write(''.join(f'unknown_{i:06d} = 1' + chr(10) for i in range(1000 * $k)))"
  done
  row max_diagnostics "1,000 errors" "10,000 errors" "$base/diags-1" "$base/diags-10" check
}

echo "| shape | command | size 1× / 4× / 16× | instructions 1× | 4× | 16× | ratio 16×÷(16·1×) |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for shape in "${shapes[@]}"; do
  [ "$shape" = limits ] && continue
  declare -A size=()
  for k in 1 4 16; do
    dir="$work/$shape-$k"
    if [ ! -f "$dir/.size" ]; then
      rm -rf "$dir" && mkdir -p "$dir"
      python3 bench/growth_gen.py "$shape" "$k" "$dir" > "$dir/.size.tmp" && mv "$dir/.size.tmp" "$dir/.size"
    fi
    size[$k]=$(cat "$dir/.size")
  done
  commands=("check")
  case "$shape" in
    files|big-file|cross-refs|items|streams) commands+=("build") ;;
    diagnostics) commands=("check --all --format json" "check --all") ;;
  esac
  for cmd in "${commands[@]}"; do
    declare -A cost=()
    for k in 1 4 16; do
      dir="$work/$shape-$k"
      rm -rf "$dir/dist"
      # shellcheck disable=SC2086 # the command's words
      cost[$k]=$(instructions "$bin" $cmd --root "$dir")
    done
    echo "| $shape | \`$cmd\` | ${size[1]} / ${size[4]} / ${size[16]} | $(mega "${cost[1]}") | $(mega "${cost[4]}") | $(mega "${cost[16]}") | $(ratio 16 "${cost[1]}" "${cost[16]}") |"
    if [ -n "${GROWTH_WALL:-}" ]; then
      # shellcheck disable=SC2086
      hyperfine -N -i --style none --runs 5 --export-json "$work/hf.json" -- "$bin $cmd --root $work/$shape-16" >/dev/null 2>&1
      echo "|  | wall 16×: $(python3 -c "import json;print('%.1f ms' % (json.load(open('$work/hf.json'))['results'][0]['median']*1000))"), load $(cut -d' ' -f1 /proc/loadavg) | | | | | |"
    fi
  done
done
for shape in "${shapes[@]}"; do
  [ "$shape" = limits ] && limits
done
