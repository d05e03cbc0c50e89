#!/usr/bin/env bash
# The README demo, told with the real programs and nothing else: a private pcscd with the
# vpcd reader driver, two virtual cards (a customer's and a merchant's epurse-card), an
# issuer that personalises both and loads the customer's, a payment with a signed receipt,
# its offline check, both balances and logs, the merchant's export imported at the issuer,
# the customer's card collected, and the issuer's report adding up.
#
# Every command is printed before it runs ("$ ..."), so the output reads as a session a user
# can replay by hand (with a pcscd of their own, from the repository root). Each run starts
# afresh in build/demo/; nothing is left running. PINs are in files, never on a command line.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${EPURSE_BUILD_DIR:-build}/bin  # where cmake put the programs (ctest names its build tree)
for program in epurse epurse-card epurse-issuer; do
  [[ -x $bin/$program ]] || { echo "demo: $bin/$program is missing: build first (cmake --build build)" >&2; exit 1; }
done
if [[ -z "${EPURSE_VPCD_PORT:-}" ]]; then
  exec tests/pcsc/with-private-pcscd.sh "$0" "$@"
fi

demo=${EPURSE_BUILD_DIR:-build}/demo
customer_port=$EPURSE_VPCD_PORT
merchant_port=$((EPURSE_VPCD_PORT + 1))
cards=()
cleanup() {
  for pid in "${cards[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${cards[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Prints the command, shell-quoted so that it can be pasted, then runs it.
run() {
  printf '$'
  printf ' %q' "$@"
  printf '\n'
  "$@"
}
# The same for a card process, left running in the background until the demo ends.
plug() {
  printf '$'
  printf ' %q' "$@"
  printf ' &\n'
  "$@" &
  cards+=($!)
}
wait_for_cards() {
  for _ in $(seq 1 100); do
    [[ $("$bin"/epurse readers | grep -c "card present") -eq $1 ]] && return 0
    sleep 0.1
  done
  echo "demo: the cards did not appear in the readers" >&2
  return 1
}

say "a fresh start in $demo: PINs in files (mode 0600), an order to pay for"
rm -rf "$demo"
mkdir -p "$demo"
(umask 077 && printf '1234\n' >"$demo/customer.pin" && printf '8642\n' >"$demo/merchant.pin")
printf 'order 4711: 1 kg coffee beans, EUR 12.50\n' >"$demo/order.txt"

say "pcscd runs with vpcd's two readers (ports $customer_port and $merchant_port), both empty"
run "$bin"/epurse readers

say "plug two blank cards: the customer's in reader 0 (T=1), the merchant's in reader 1 (T=0)"
plug "$bin"/epurse-card --quiet --state "$demo/customer.img" --port "$customer_port"
plug "$bin"/epurse-card --quiet --state "$demo/merchant.img" --port "$merchant_port" --protocol t0
wait_for_cards 2
run "$bin"/epurse readers

say "the issuer's key ceremony (a demo key without passphrase; see docs/issuer.md)"
run "$bin"/epurse-issuer init --home "$demo/issuer" --no-passphrase

say "the issuer personalises both purses: EUR, limits, the cardholder's PIN from a file"
run "$bin"/epurse-issuer personalize --home "$demo/issuer" --reader 0 --currency EUR --max-balance 500.00 \
  --transfer-limit 200.00 --no-pin-limit 20.00 --pin-file "$demo/customer.pin"
run "$bin"/epurse-issuer personalize --home "$demo/issuer" --reader 1 --currency EUR --max-balance 500.00 \
  --transfer-limit 200.00 --no-pin-limit 20.00 --pin-file "$demo/merchant.pin"

say "the customer loads 50.00"
run "$bin"/epurse-issuer load --home "$demo/issuer" --reader 0 --amount 50.00

say "the customer pays the merchant 12.50 for the order; the receipt holds both cards' signatures"
run "$bin"/epurse pay --from 0 --merchant 1 --amount 12.50 --order-file "$demo/order.txt" \
  --receipt "$demo/receipt.json"

say "anyone with the issuer's public key checks the receipt offline, against the order"
run "$bin"/epurse verify-receipt "$demo/receipt.json" --order-file "$demo/order.txt" \
  --issuer-key "$demo/issuer/issuer-public.pem"

say "both balances"
run "$bin"/epurse status --reader 0
run "$bin"/epurse status --reader 1

say "both cards' own logs, newest first"
run "$bin"/epurse log --reader 0
run "$bin"/epurse log --reader 1 --verify --issuer-key "$demo/issuer/issuer-public.pem"

say "the merchant's terminal exports the card's signed audit; the issuer imports it"
run "$bin"/epurse export --reader 1 --out "$demo/merchant-audit.json"
run "$bin"/epurse-issuer import --home "$demo/issuer" "$demo/merchant-audit.json"

say "the issuer collects the customer's card itself"
run "$bin"/epurse-issuer collect --home "$demo/issuer" --reader 0

say "the issuer's report: every cent accounted for"
run "$bin"/epurse-issuer report --home "$demo/issuer"

say "done; the cards are unplugged as the demo ends"
