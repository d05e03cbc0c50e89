#!/usr/bin/env bash
# vpcd listens on every interface it sees, and whatever connects to its port is the card in
# that reader (docs/security.md § 3). The tests' private pcscd must therefore be out of reach:
# while one runs, its vpcd port must be listening inside its namespaces and unreachable from
# the rest of the machine (no listener in this network namespace, a connect refused).
#
#   tests/pcsc/vpcd_confinement_test.sh tests/pcsc/with-private-pcscd.sh
set -euo pipefail
wrapper=$1
dir=$(mktemp -d)
trap 'touch "$dir/done"; wait; rm -rf "$dir"' EXIT

listening() {  # port: a listener on it in this network namespace (/proc/net/tcp* in hex)
  grep -qs -- "$(printf ':%04X ' "$1")" /proc/net/tcp /proc/net/tcp6
}
export -f listening

"$wrapper" bash -c 'listening "$EPURSE_VPCD_PORT" && echo yes > "$1/inside"
  echo "$EPURSE_VPCD_PORT" > "$1/port"
  while [ ! -e "$1/done" ]; do sleep 0.05; done' _ "$dir" &
for _ in $(seq 1 200); do
  [[ -s $dir/port ]] && break
  sleep 0.05
done
[[ -s $dir/port ]] || { echo "FAIL: the private pcscd did not start"; exit 1; }
port=$(cat "$dir/port")

failed=0
[[ -s $dir/inside ]] || { echo "FAIL: vpcd is not listening on $port inside the private pcscd's namespaces"; failed=1; }
if listening "$port" || listening $((port + 1)); then
  echo "FAIL: vpcd's port $port (or $((port + 1))) is listening where every process on the machine can reach it"
  failed=1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "FAIL: connected to vpcd's port $port from outside the private pcscd's namespaces"
  failed=1
fi
[[ $failed -eq 0 ]] && echo "ok: vpcd on $port listens inside the private namespaces only"
exit $failed
