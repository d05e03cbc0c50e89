#!/usr/bin/env bash
# Builds epurse and runs every test, with warnings as errors (EPURSE_WERROR, the CMake presets):
#   release  GCC, Release (-O3), in build-release/: the whole suite, then the benchmarks
#   clang    clang, RelWithDebInfo, in build-clang/: the unit suite (the end-to-end tests are not
#            built there: EPURSE_PCSC_TESTS=OFF), every libFuzzer target for 60 s
#            (tests/fuzz/run-libfuzzer.sh), a sample of mutants
#   asan     GCC, Debug with AddressSanitizer + UBSan, in build-asan/: the whole suite again
# Three trees cover the three build types and both compilers. The dev tree (build/, GCC
# RelWithDebInfo) is not built here: on these 2-core machines a fourth full build costs more
# than a quarter of the run, and clang's RelWithDebInfo tree already builds that type.
# Idempotent: each tree is reused and rebuilt incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install-deps.sh

jobs=2
passed=0
failed=0
run_suite() {  # build dir, ctest arguments...; counts what ctest reports
  local dir=$1 log
  shift
  log=$(mktemp)
  set +e
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  local line
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1 || true)
  rm -f "$log"
  if [[ $line =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
    failed=$((failed + BASH_REMATCH[1]))
    passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
  else
    failed=$((failed + 1))
  fi
  return "$rc"
}

build() {  # preset
  echo "== build: preset $1"
  cmake --preset "$1"
  cmake --build --preset "$1" -j"$jobs"
}

status=0
build release
echo "== tests (GCC, Release)"
run_suite build-release || status=1

echo "== benchmark"
tests/pcsc/with-private-pcscd.sh build-release/tests/apdu_roundtrip_bench || status=1
tests/pcsc/with-private-pcscd.sh build-release/tests/purse_transfer_bench || status=1
tests/pcsc/with-private-pcscd.sh build-release/tests/terminal_bench || status=1
build-release/tests/issuer_ledger_bench || status=1  # no PC/SC: the issuer's books over a synthetic archive

build clang
echo "== unit tests (clang, RelWithDebInfo)"
run_suite build-clang -L unit || status=1
echo "== libFuzzer, every target for 60 s under ASan+UBSan (clang tree)"
bash tests/fuzz/run-libfuzzer.sh --seconds 60 --jobs 2 --no-coverage --build-dir build-clang || status=1
echo "== mutants (sample of 4, clang tree)"
bash tests/mutation/run.sh --build-dir build-clang --sample 4 || status=1

build asan
echo "== tests under ASan+UBSan (GCC, Debug)"
run_suite build-asan || status=1

echo
echo "builds: release (GCC Release), clang (RelWithDebInfo), asan (GCC Debug + ASan/UBSan)"
echo "all test runs: $passed passed, $failed failed"
exit "$status"
