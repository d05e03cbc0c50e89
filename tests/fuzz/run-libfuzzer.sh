#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz/CMakeLists.txt) on scratch copies of their committed
# corpora, then reports per target: executions, corpus size after the run, and line coverage
# of the target's own sources (the libraries compiled into it), replayed through its
# <name>_fuzz_coverage build and llvm-cov.
#
#   tests/fuzz/run-libfuzzer.sh [--seconds N] [--jobs J] [--build-dir DIR] [--no-coverage] [TARGET...]
#
#   --seconds N      libFuzzer time per target (-max_total_time), default 60; the long run is
#                    the same command with a bigger N
#   --jobs J         targets fuzzed at the same time, default 1
#   --build-dir DIR  a clang build tree (default build-clang); the script builds what it runs
#   --no-coverage    skip the coverage builds and llvm-cov (tests/run-all.sh: CI fuzzes, the
#                    coverage figures come from a run by hand)
#   TARGET           apdu protocol vpcd receipt export card (default: all)
#
# Fails (exit 1) on any crash, leak, timeout (-timeout=10) or out-of-memory (-rss_limit_mb=2048),
# printing the reproducer's path; the scratch directory is kept then. The committed corpus is
# never changed: to keep a finding as a regression seed, copy its reproducer into
# tests/fuzz/corpus/<target>/ once fixed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
seconds=60
jobs=1
build_dir=build-clang
coverage_wanted=1
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --no-coverage) coverage_wanted=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "run-libfuzzer.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(apdu protocol vpcd receipt export card)
[[ -d "$build_dir" ]] || { echo "run-libfuzzer.sh: no build tree $build_dir (configure one with clang)" >&2; exit 2; }
build_dir=$(cd "$build_dir" && pwd)

profdata=$(command -v llvm-profdata || command -v llvm-profdata-14)
llvmcov=$(command -v llvm-cov || command -v llvm-cov-14)

build_targets=()
for t in "${targets[@]}"; do
  build_targets+=("${t}_libfuzzer")
  if [[ $coverage_wanted -eq 1 ]]; then build_targets+=("${t}_fuzz_coverage"); fi
done
cmake --build "$build_dir" -j2 --target "${build_targets[@]}" >/dev/null

scratch=$(mktemp -d /tmp/epurse-libfuzzer.XXXXXX)
failed=0

# Fuzzes one target; writes its summary line to $scratch/$t/summary, its status to $scratch/$t/rc.
fuzz_one() {
  local t=$1 dir=$scratch/$1
  mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/profiles"
  if [[ -d "$here/corpus/$t" ]]; then cp "$here/corpus/$t"/* "$dir/corpus/" 2>/dev/null || true; fi
  local rc=0
  (cd "$dir" && "$build_dir/tests/${t}_libfuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/fuzz.log" 2>&1) || rc=$?
  local executions corpus_files corpus_bytes
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/fuzz.log" | tail -1 | grep -o '[0-9]*$' || echo "?")
  corpus_files=$(find "$dir/corpus" -type f | wc -l)
  corpus_bytes=$(du -sb "$dir/corpus" | cut -f1)
  if [[ $rc -ne 0 ]]; then
    echo "$rc" >"$dir/rc"
    {
      echo "$t: FAILED (libFuzzer exit $rc), log $dir/fuzz.log"
      grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: invariant)' "$dir/fuzz.log" | head -5 | sed 's/^/  /'
      for a in "$dir"/artifacts/*; do [[ -e "$a" ]] && echo "  reproducer: $a (replay: $build_dir/tests/${t}_fuzz $a)"; done
    } >"$dir/summary"
    return
  fi
  if [[ $coverage_wanted -eq 0 ]]; then
    echo 0 >"$dir/rc"
    echo "$t: executions $executions, corpus $corpus_files files ($corpus_bytes bytes)" >"$dir/summary"
    return
  fi
  # Coverage: replay the final corpus through the coverage build.
  (cd "$dir" && find "$dir/corpus" -type f -print0 |
     LLVM_PROFILE_FILE="$dir/profiles/%p.profraw" xargs -0 -n 200 "$build_dir/tests/${t}_fuzz_coverage" >/dev/null 2>&1) || true
  "$profdata" merge -sparse -o "$dir/merged.profdata" "$dir"/profiles/*.profraw
  "$llvmcov" report "$build_dir/tests/${t}_fuzz_coverage" -instr-profile="$dir/merged.profdata" \
      -ignore-filename-regex='^/usr/|/_deps/|/tests/(support|model|unit)/|/tests/fuzz/[a-z_]+[.](cpp|h)$' \
      >"$dir/coverage.txt" 2>/dev/null
  # Line coverage by top-level directory (columns: Lines, Missed Lines are fields 8 and 9);
  # directories with fewer than 50 lines are only headers the target happens to include.
  # A path may come as the build directory's ../../../apdu/atr.cpp (ccache's CCACHE_BASEDIR
  # makes compile paths relative), or absolute, or relative to the files' common prefix.
  local coverage
  coverage=$(awk -v root="$source_dir/" '
      $1 ~ /\.(cpp|h)$/ && NF >= 10 {
        f = $1; sub(/^.*\/\.\.\//, "", f); sub("^" root, "", f); split(f, p, "/"); d = p[1] "/"; if (p[1] == "card" || p[1] == "terminal") d = p[1] "/" p[2] "/";
        lines[d] += $8; missed[d] += $9 }
      END { for (d in lines) if (lines[d] >= 50) printf "%s %.1f%% (%d/%d)  ", d, 100 * (lines[d] - missed[d]) / lines[d], lines[d] - missed[d], lines[d] }' \
      "$dir/coverage.txt")
  echo 0 >"$dir/rc"
  echo "$t: executions $executions, corpus $corpus_files files ($corpus_bytes bytes), line coverage: $coverage" >"$dir/summary"
}

running=0
for t in "${targets[@]}"; do
  fuzz_one "$t" &
  running=$((running + 1))
  if [[ $running -ge $jobs ]]; then wait -n || true; running=$((running - 1)); fi
done
wait

for t in "${targets[@]}"; do
  cat "$scratch/$t/summary"
  [[ "$(cat "$scratch/$t/rc" 2>/dev/null || echo 1)" == 0 ]] || failed=1
done
if [[ $failed -ne 0 ]]; then
  echo "run-libfuzzer.sh: FAILED; scratch kept in $scratch"
  exit 1
fi
rm -rf "$scratch"
