#!/usr/bin/env bash
# The large-file benchmark behind BENCHMARKS.md (issue 28 part 2): one rule file of 5 MB and one
# of 8 MiB (the default max_file_bytes), each in two styles (bench/gen.py --one-file: the
# 10,000-file benchmark's regions in one file, and --commented: a banner comment per region,
# trailing comments, longer names, loot tables of 12 items). For each, the peak RSS
# (/usr/bin/time %M, median of 3) and wall time (median of 3) of `check`, `build` (dist/ removed
# before each run), `fmt --check`, and `rulesctl lsp` opening the file (bench/lsp_open.py:
# the server's VmHWM after the file's diagnostics; the time is didOpen → diagnostics), against
# the bound of issue 28: 20 × the largest input file + 64 MiB. Every generated file is valid and
# laid out as `rulesctl fmt` lays it out, so every command runs the whole way and exits 0.
#
# usage: bench/bigfile.sh [RULESCTL]   (default: target/release/rulesctl, built first)
# Needs: python3, /usr/bin/time (Debian's `time`, installed when missing). Memory figures are
# steady on a busy machine; times are not.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
[ -x /usr/bin/time ] || (apt-get update -qq && apt-get install -y -qq time) >/dev/null
if [ $# -gt 0 ]; then
  bin="$(realpath "$1")"
else
  cargo build --release --quiet
  bin="$root/target/release/rulesctl"
fi
work="$root/target/bench"
mkdir -p "$work"

# median of 3 runs of a command: "peak-KiB seconds"
measure() { # prepare command...
  local prepare=$1; shift
  for _ in 1 2 3; do
    [ -n "$prepare" ] && bash -c "$prepare"
    /usr/bin/time -f '%M %e' -o "$work/bigfile.time" "$@" >/dev/null 2>&1 || true
    tail -1 "$work/bigfile.time"
  done | sort -n | sed -n 2p
}
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| file | command | peak RSS | bound (20 × file + 64 MiB) | within | time |"
echo "| --- | --- | --- | --- | --- | --- |"
for size in 5000000 8388608; do
  for style in plain commented; do
    dir="$work/big-$style-$size"
    if [ ! -f "$dir/.generated" ]; then
      rm -rf "$dir"
      python3 bench/gen.py "$dir" --one-file "$size" $([ "$style" = commented ] && echo --commented)
      touch "$dir/.generated"
    fi
    file="$dir/rules/big.hcl"
    bytes=$(stat -c %s "$file")
    bound=$(( (20 * bytes) / 1024 + 64 * 1024 ))
    label="$(awk -v b="$bytes" 'BEGIN { printf "%.2f MB", b / 1e6 }') $style"
    row() { # command kib seconds
      local within=yes
      [ "$2" -le "$bound" ] || within="**no**"
      echo "| $label | $1 | $(mib "$2") | $(mib "$bound") | $within | $3 s |"
    }
    read -r kib secs < <(measure "" "$bin" check --quiet --root "$dir")
    row '`check`' "$kib" "$secs"
    read -r kib secs < <(measure "rm -rf $dir/dist" "$bin" build --quiet --root "$dir")
    row '`build`' "$kib" "$secs"
    read -r kib secs < <(measure "" "$bin" fmt --check --root "$dir")
    row '`fmt --check`' "$kib" "$secs"
    read -r kib secs < <(python3 bench/lsp_open.py "$bin" "$dir" "$file")
    row '`lsp`, open the file' "$kib" "$secs"
  done
done
