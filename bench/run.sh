#!/usr/bin/env bash
# The benchmark behind BENCHMARKS.md. Generates rules repositories of N = 1, 100, 1000 and
# 10000 rule files (bench/gen.py, deterministic), then measures side by side, whole process:
# median wall time (hyperfine) and peak RSS (/usr/bin/time, median of 3) of
#   - rulesctl check, and rulesctl build (dist/ removed before every run),
#   - the single-thread parse floor (bench/parse_floor.rs: hcl-edit parse + jsonschema),
#   - the peers: check-jsonschema on the rules as JSON, and python-hcl2 + jsonschema,
# plus rulesctl check on the bundled example, and prints a Markdown table with the ratios.
#
# usage: bench/run.sh [N | DIR ...]  (default: 1 100 1000 10000); a DIR is a rules repository of
#                                   your own, measured as it is (check, build, the floor; the
#                                   peers need the generated JSON, so they show `-` for it; the
#                                   floor reads DIR/rules)
# Needs: the Rust toolchain, python3; installs hyperfine (Debian) and the Python peers (PyPI,
# into target/bench-py) when missing. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 100 1000 10000)

if ! command -v hyperfine >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq hyperfine) >/dev/null
fi
[ -x /usr/bin/time ] || (apt-get update -qq && apt-get install -y -qq time) >/dev/null
py="$root/target/bench-py/bin/python"
if [ ! -x "$py" ]; then
  python3 -m venv "$root/target/bench-py"
  "$py" -m pip install --quiet --disable-pip-version-check check-jsonschema==0.33.0 python-hcl2==7.2.1 jsonschema==4.23.0
fi
cargo build --release --quiet
cargo build --release --quiet --example parse-floor
bin="$root/target/release/rulesctl"
floor="$root/target/release/examples/parse-floor"
work="$root/target/bench"
mkdir -p "$work"

# median wall seconds of a command: hyperfine, RUNS runs after one warm-up. Commands run without
# a shell (-N), which would add its own start-up to every run; only median_sh's need one (a glob).
median() { # runs prepare command...
  median_with -N "$@"
}
median_sh() { # runs prepare command...
  median_with "" "$@"
}
median_with() { # shell-flag runs prepare command...
  local shell=$1 runs=$2 prepare=$3; shift 3
  local out="$work/hf.json"
  rm -f "$out"
  if ! hyperfine $shell --style none --warmup 1 --runs "$runs" ${prepare:+--prepare "$prepare"} --export-json "$out" -- "$*" >/dev/null 2>&1; then
    echo "bench: failed: $*" >&2
    return 1
  fi
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" "$out"
}
# median peak RSS in MiB over 3 runs
rss() { # prepare command...
  local prepare=$1; shift
  for _ in 1 2 3; do
    [ -n "$prepare" ] && bash -c "$prepare"
    /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1 || true
    cat "$work/rss"
  done | sort -n | sed -n 2p | awk '{printf "%.0f", $1/1024}'
}
ms() { python3 -c "print(f'{float(\"$1\")*1000:.1f} ms')"; }
ratio() { python3 -c "print(f'{float(\"$1\")/float(\"$2\"):.2f}×')"; }

echo "| files | check | check RSS | build | build RSS | parse floor | check ÷ floor | build ÷ check | check-jsonschema | ÷ floor | python-hcl2 + jsonschema | ÷ floor |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
declare -A check_time
for n in "${sizes[@]}"; do
  external=""
  if [[ "$n" =~ ^[0-9]+$ ]]; then
    dir="$work/repo-$n"
    if [ ! -f "$dir/.generated" ]; then
      rm -rf "$dir" && python3 bench/gen.py "$dir" "$n" && touch "$dir/.generated"
    fi
  else
    # Someone's own repository: copied, so `build` writes its dist/ into the copy.
    external="$n"
    dir="$work/external"
    rm -rf "$dir" && cp -r "$n" "$dir"
    n=$(find "$dir" -name '*.hcl' -not -name rulesctl.hcl | wc -l)
  fi
  runs=10; peer_runs=5
  [ "$n" -ge 10000 ] && { runs=5; peer_runs=1; }
  c=$(median $runs "" "$bin" check --quiet --root "$dir")
  crss=$(rss "" "$bin" check --quiet --root "$dir")
  b=$(median $runs "rm -rf $dir/dist" "$bin" build --quiet --root "$dir")
  brss=$(rss "rm -rf $dir/dist" "$bin" build --quiet --root "$dir")
  f=$(median $runs "" "$floor" "$dir")
  # The glob is expanded by hyperfine's shell: 10,000 paths in one argument would exceed the
  # kernel's limit on a single argument.
  if [ -n "$external" ]; then
    echo "| $external ($n rule files) | $(ms "$c") | $crss MiB | $(ms "$b") | $brss MiB | $(ms "$f") | $(ratio "$c" "$f") | $(ratio "$b" "$c") | - | - | - | - |"
    continue
  fi
  cj=$(median_sh $peer_runs "" "$root/target/bench-py/bin/check-jsonschema" --schemafile bench/rules-file.schema.json "$dir/json/*.json")
  ph=$(median $peer_runs "" "$py" bench/peer_hcl2.py "$dir")
  check_time[$n]=$c
  echo "| $n | $(ms "$c") | $crss MiB | $(ms "$b") | $brss MiB | $(ms "$f") | $(ratio "$c" "$f") | $(ratio "$b" "$c") | $(ms "$cj") | $(ratio "$cj" "$f") | $(ms "$ph") | $(ratio "$ph" "$f") |"
done
e=$(median 50 "" "$bin" check --quiet --root "$root")
echo
echo "rulesctl check on the bundled example (process, start-up included): $(ms "$e")"
if [ -n "${check_time[1000]:-}" ] && [ -n "${check_time[10000]:-}" ]; then
  echo "growth: check at 10000 files ÷ at 1000 files = $(ratio "${check_time[10000]}" "${check_time[1000]}")"
fi
