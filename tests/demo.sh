#!/usr/bin/env bash
# The demo: a private pcscd with the vpcd reader driver, two virtual epurse cards in its two
# readers, what any PC/SC program sees of them (readers, ATRs, a SELECT), then an issuer
# personalising both purses, a load and a Mondex transfer between them.
# Each run starts from two blank card images in build/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${EPURSE_VPCD_PORT:-}" ]]; then
  [[ -x build/bin/epurse-card && -x build/tests/purse-demo ]] || { echo "demo: build first (cmake --build build)" >&2; exit 1; }
  exec tests/pcsc/with-private-pcscd.sh "$0" "$@"
fi

mkdir -p build/demo
rm -f build/demo/purse-0.img build/demo/purse-1.img
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() { kill "${cards[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
cards=()
trap cleanup EXIT

say "pcscd is running with vpcd on ports $EPURSE_VPCD_PORT and $((EPURSE_VPCD_PORT + 1)); no card yet"
build/bin/epurse readers

say "plugging in two blank purses: epurse-card in reader 0 (T=1) and in reader 1 (T=0)"
build/bin/epurse-card --quiet --state build/demo/purse-0.img --port "$EPURSE_VPCD_PORT" &
cards+=($!)
build/bin/epurse-card --quiet --state build/demo/purse-1.img --port $((EPURSE_VPCD_PORT + 1)) --protocol t0 &
cards+=($!)
for _ in $(seq 1 50); do
  [[ $(build/bin/epurse readers | grep -c "card present") -eq 2 ]] && break
  sleep 0.2
done

say "epurse readers"
build/bin/epurse readers

say "opensc-tool reads the ATR like any other PC/SC program"
opensc-tool --reader 0 --atr

say "SELECT the purse (AID F0 'epurse' 01), then GET DATA 0101: the status record of a blank purse"
build/bin/epurse apdu --reader 0 00A4040008F06570757273650100 00CA010100

say "an issuer personalises both purses, loads one, and the terminal relays a transfer"
build/tests/purse-demo

say "done; the cards are unplugged as the demo ends"
