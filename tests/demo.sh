#!/usr/bin/env bash
# The demo: a private pcscd with the vpcd reader driver, virtual cards in its two readers,
# then what any PC/SC program sees: the readers, the cards' ATRs, a SELECT and an APDU.
# Card images live in build/demo/ and keep their state from one run to the next.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${EPURSE_VPCD_PORT:-}" ]]; then
  [[ -x build/bin/epurse-card && -x build/tests/echo-card ]] || { echo "demo: build first (cmake --build build)" >&2; exit 1; }
  exec tests/pcsc/with-private-pcscd.sh "$0" "$@"
fi

mkdir -p build/demo
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() { kill "${cards[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
cards=()
trap cleanup EXIT

say "pcscd is running with vpcd on ports $EPURSE_VPCD_PORT and $((EPURSE_VPCD_PORT + 1)); no card yet"
build/bin/epurse readers

say "plugging in two virtual cards: epurse-card (T=1) and the runtime's echo test card (T=0)"
build/bin/epurse-card --state build/demo/epurse-card.img --port "$EPURSE_VPCD_PORT" &
cards+=($!)
build/tests/echo-card --state build/demo/echo-card.img --port $((EPURSE_VPCD_PORT + 1)) --protocol t0 &
cards+=($!)
for _ in $(seq 1 50); do
  [[ $(build/bin/epurse readers | grep -c "card present") -eq 2 ]] && break
  sleep 0.2
done

say "epurse readers"
build/bin/epurse readers

say "opensc-tool reads the ATR like any other PC/SC program"
opensc-tool --reader 0 --atr

say "SELECT on epurse-card: its purse applet is not installed yet, so the card answers 6A82"
build/bin/epurse apdu --reader 0 00A4040007F0455055525345

say "SELECT the echo applet (F0 'EPURSEECHO'), then ECHO 'hello' (T=0: GET RESPONSE happens underneath)"
build/bin/epurse apdu --reader 1 00A404000BF04550555253454543484F00 801000000568656C6C6F00

say "done; the cards are unplugged as the demo ends"
