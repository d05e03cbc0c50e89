#!/usr/bin/env bash
# Applies each mutant of tests/mutation/mutants/ to a scratch copy of this tree and its build
# tree, rebuilds what it must, and runs the unit suite: every mutant must be killed. A mutant
# that survives, no longer applies, does not compile or has a bad header fails the run.
#
#   bash tests/mutation/run.sh [--build-dir DIR] [--sample N] [--list] [NAME...]
#
# The copy (in build-mutation/) is bind-mounted over this tree's own path inside a private
# mount namespace, so the build tree's absolute paths lead into the copy and nothing here is
# written, even if the run is killed. tests/mutation/README.md has the mutant format.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
jobs=2

usage() {
  echo "usage: bash tests/mutation/run.sh [--build-dir DIR] [--sample N] [--list] [NAME...]" >&2
  exit 2
}

build_dir=build
sample=
list=0
inside=0
names=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) [[ $# -ge 2 ]] || usage; build_dir=$2; shift 2 ;;
    --sample) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || usage; sample=$2; shift 2 ;;
    --list) list=1; shift ;;
    --inside) inside=1; shift ;;  # internal: the second stage, in the namespace
    -h|--help) usage ;;
    -*) usage ;;
    *) names+=("${1%.patch}"); shift ;;
  esac
done
build_dir=${build_dir%/}
[[ $build_dir != /* ]] || { echo "error: --build-dir is a directory inside the tree, e.g. build-clang" >&2; exit 2; }

header() {  # patch, field: the value of "Field: ..." in the patch's first two lines
  sed -n "1,2s/^$2: *//p" "$1"
}

if [[ $inside == 0 ]]; then
  cd "$repo"
  all=()
  for p in tests/mutation/mutants/*.patch; do
    [[ -e $p ]] && all+=("$(basename "$p" .patch)")
  done
  [[ ${#all[@]} -gt 0 ]] || { echo "error: no mutants in tests/mutation/mutants/" >&2; exit 1; }

  if [[ $list == 1 ]]; then
    for n in "${all[@]}"; do printf '%-48s %s\n' "$n" "$(header "tests/mutation/mutants/$n.patch" Reason)"; done
    exit 0
  fi

  chosen=()
  if [[ ${#names[@]} -gt 0 ]]; then
    for n in "${names[@]}"; do
      n=$(basename "$n")
      [[ -e tests/mutation/mutants/$n.patch ]] || { echo "error: no mutant $n (see --list)" >&2; exit 2; }
      chosen+=("$n")
    done
  elif [[ -n $sample ]]; then
    # N consecutive mutants (in name order, wrapping) from a start the commit hash gives: each
    # commit runs another window, so over successive commits every mutant runs.
    head=$(git rev-parse HEAD 2>/dev/null || echo 0)
    total=${#all[@]}
    start=$(( 16#${head:0:7} % total ))
    (( sample > total )) && sample=$total
    for ((i = 0; i < sample; i++)); do chosen+=("${all[$(( (start + i) % total ))]}"); done
    echo "sample of $sample of $total mutants from commit ${head:0:12}: ${chosen[*]}"
  else
    chosen=("${all[@]}")
  fi

  [[ -f $build_dir/CMakeCache.txt ]] || { echo "error: no build tree in $build_dir (build first)" >&2; exit 1; }
  scratch=$repo/build-mutation
  copy=$scratch/tree
  mkdir -p "$scratch"
  # One run at a time: a second would delete the copy under the first. The lock (fd 9) is
  # held through the exec below until the run ends.
  exec 9>"$scratch/lock"
  flock -n 9 || { echo "error: another mutation run is using build-mutation/" >&2; exit 1; }
  echo "copying the tree and $build_dir/ into build-mutation/ ..."
  rm -rf "$copy"
  mkdir -p "$copy"
  git ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do
    [[ -e $f || -L $f ]] && printf '%s\0' "$f"
  done | xargs -0 -r cp -a --reflink=auto --parents -t "$copy"
  cp -a --reflink=auto "$build_dir" "$copy/$build_dir"

  if [[ $(id -u) -eq 0 ]]; then userns=(); else userns=(--map-root-user); fi
  # The copy is mounted over $repo only in the new namespace; the real tree is never written.
  # shellcheck disable=SC2016  # $1, $2, $@ are the inner shell's arguments
  exec unshare "${userns[@]}" --mount --propagation private \
    bash -c 'mount --bind "$1" "$2" && cd "$2" && shift 2 && exec bash tests/mutation/run.sh "$@"' \
    run-mutants "$copy" "$repo" --inside --build-dir "$build_dir" "${chosen[@]}"
fi

# --- Inside the namespace: $repo is the copy now.
cd "$repo"
# The copy is no git repository; git apply must not find one above it either.
export GIT_CEILING_DIRECTORIES
GIT_CEILING_DIRECTORIES=$(dirname "$repo")
logs=$repo/mutation-logs
mkdir -p "$logs"
echo "logs: build-mutation/tree/mutation-logs/"

mapfile -t unit_tests < <(ctest --test-dir "$build_dir" -N -L unit | sed -n 's/^ *Test *#[0-9]*: //p')
is_unit() { local t; for t in "${unit_tests[@]}"; do [[ $t == "$1" ]] && return 0; done; return 1; }

# The build targets that ctest names run: the executable in each test's command (a wrapper such
# as with-private-postgres.sh may come first), named for its target; else the name itself.
targets_of() {
  local t word found
  for t in "$@"; do
    found=
    for word in $(ctest --test-dir "$build_dir" -N -V -R "^$t\$" | sed -n 's/^.*Test command: //p' | head -n 1); do
      word=${word//\"/}  # ctest quotes the arguments it prints
      case $word in /usr/* | /bin/* | *.sh) continue ;; esac
      if [[ -f $word && -x $word ]]; then
        found=$(basename "$word")
        break
      fi
    done
    echo "${found:-$t}"
  done
}

failed_tests() {  # ctest log: the names of the tests that failed, space-separated
  sed -n 's/^[[:space:]]*[0-9]* - \([A-Za-z0-9_]*\) (.*)$/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

count=0 killed=0 survived=0 stale=0 broken=0 total_seconds=0
failures=()
for name in "${names[@]}"; do
  patch=tests/mutation/mutants/$name.patch
  log=$logs/$name.log
  : >"$log"
  started=$SECONDS
  count=$((count + 1))
  reason=$(header "$patch" Reason)
  read -r -a killers <<<"$(header "$patch" Killers)"
  result='' by=''
  bad=
  [[ -n $reason && ${#killers[@]} -gt 0 ]] || bad="header needs 'Reason:' and 'Killers:' lines"
  for k in "${killers[@]}"; do is_unit "$k" || bad="Killers names $k, not a unit test"; done
  if [[ -n $bad ]]; then
    result="bad-header ($bad)"
  elif ! git apply --check "$patch" >>"$log" 2>&1; then
    result=does-not-apply
  else
    git apply "$patch"
    regex="^($(IFS='|'; echo "${killers[*]}"))\$"
    mapfile -t targets < <(targets_of "${killers[@]}")
    if ! cmake --build "$build_dir" -j"$jobs" --target "${targets[@]}" >>"$log" 2>&1; then
      result=does-not-build
    elif ! ctest --test-dir "$build_dir" -j"$jobs" --output-on-failure -R "$regex" >>"$log" 2>&1; then
      result=killed by="$(failed_tests "$log")"
    elif ! cmake --build "$build_dir" -j"$jobs" >>"$log" 2>&1; then
      result=does-not-build
    else
      unit_log=$logs/$name.unit.log
      if ctest --test-dir "$build_dir" -j"$jobs" --output-on-failure -L unit >"$unit_log" 2>&1; then
        result=SURVIVED
      else
        result=killed by="$(failed_tests "$unit_log")"
        echo "warning: $name: its Killers ($(header "$patch" Killers)) passed; it was killed by $by: update the Killers line"
      fi
      cat "$unit_log" >>"$log"
    fi
    git apply -R "$patch" || { echo "error: cannot restore after $name; stopping" >&2; exit 1; }
  fi
  seconds=$((SECONDS - started))
  total_seconds=$((total_seconds + seconds))
  case $result in
    killed) killed=$((killed + 1)); printf '%-48s killed      by %s (%d s)\n' "$name" "$by" "$seconds" ;;
    SURVIVED) survived=$((survived + 1)); failures+=("$name: SURVIVED"); printf '%-48s SURVIVED    (%d s)\n' "$name" "$seconds" ;;
    does-not-apply) stale=$((stale + 1)); failures+=("$name: does not apply (the code moved: update the patch)")
      printf '%-48s does-not-apply (%d s)\n' "$name" "$seconds" ;;
    *) broken=$((broken + 1)); failures+=("$name: $result (log: build-mutation/tree/mutation-logs/$name.log)")
      printf '%-48s %s (%d s)\n' "$name" "$result" "$seconds" ;;
  esac
done

mean=$(awk -v t="$total_seconds" -v n="$count" 'BEGIN { printf "%.1f", n ? t / n : 0 }')
echo
echo "mutants: $count, killed: $killed, survived: $survived, stale (do not apply): $stale, broken (build or header): $broken; mean ${mean} s per mutant"
if [[ ${#failures[@]} -gt 0 ]]; then
  echo "FAILED: every mutant must apply, compile and be killed:"
  printf '  %s\n' "${failures[@]}"
  exit 1
fi
