#!/usr/bin/env bash
# VERIFY must take the same time whether the PIN is wrong in its first or in its last digit
# (docs/security.md § 7). Wall-clock time is too noisy to show that on a shared machine, so the
# test counts instructions instead, with valgrind's callgrind, which gives the same count for
# the same program and input every time: the card's handling of one wrong VERIFY must count
# exactly as many instructions for both PINs. A right PIN takes another path (the try counter
# is reset), so its count must differ: that shows the count measures the card's work.
#
#   tests/timing/pin_timing_test.sh build/tests/pin_timing_probe
set -euo pipefail
probe=$1
command -v valgrind >/dev/null || { echo "FAIL: valgrind is not installed (apt-get install valgrind)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

count() {  # pattern: the instructions callgrind counted inside the toggled region
  valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$dir/$1.out" "$probe" "$1" \
    >"$dir/$1.log" 2>&1 || { echo "FAIL: the probe ($1) failed under valgrind:" >&2; cat "$dir/$1.log" >&2; exit 1; }
  awk '/^(summary|totals):/ {print $2; exit}' "$dir/$1.out"
}

first=$(count first)
last=$(count last)
right=$(count none)
echo "instructions for one VERIFY: PIN wrong in its first digit $first, in its last digit $last, right PIN $right"
[[ -n $first && $first -gt 0 && -n $last && $last -gt 0 ]] || { echo "FAIL: nothing was counted"; exit 1; }
[[ $right -ne $first ]] || { echo "FAIL: the right PIN counts as many instructions as a wrong one: the count misses the card's work"; exit 1; }
if [[ $first -ne $last ]]; then
  echo "FAIL: a PIN wrong in its first digit costs $((last - first)) instructions less than one wrong in its last: the compare leaks where the PIN differs"
  exit 1
fi
echo "ok: the same instruction count wherever the PIN is wrong"
