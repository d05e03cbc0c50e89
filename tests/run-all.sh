#!/usr/bin/env bash
# Builds epurse and runs every test: the normal build, the benchmark, then the whole suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install-deps.sh

jobs=2
passed=0
failed=0
run_suite() {  # build dir; counts what ctest reports
  local dir=$1 log
  log=$(mktemp)
  set +e
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" 2>&1 | tee "$log"
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

status=0
echo "== build (RelWithDebInfo) into build/"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
echo "== tests"
run_suite build || status=1

echo "== benchmark"
tests/pcsc/with-private-pcscd.sh build/tests/apdu_roundtrip_bench || status=1
tests/pcsc/with-private-pcscd.sh build/tests/purse_transfer_bench || status=1

echo "== build with ASan+UBSan into build/asan/"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DEPURSE_SANITIZE=ON
cmake --build build/asan -j"$jobs"
echo "== tests under ASan+UBSan"
run_suite build/asan || status=1

echo
echo "all test runs: $passed passed, $failed failed"
exit "$status"
