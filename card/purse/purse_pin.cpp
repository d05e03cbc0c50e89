// The cardholder PIN (ISO 7816-4 VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER).
// The try counter is spent and committed before the comparison, so pulling the card out
// mid-VERIFY can never buy a free try; it is restored only on a match. "Verified" lives in
// transient memory and so is gone after a reset, a power-off or a deselect.
#include "card/purse/purse_applet.h"
#include "card/purse/purse_layout.h"
#include "card/purse/require_decoded.h"
#include "card/runtime/iso_exception.h"
#include "protocol/signed_payloads.h"

namespace epurse::card {

using namespace purse_layout;
using protocol::LifeCycle;

void PurseApplet::checkPin(ByteView candidate) {
  PurseMemory m = memory();
  const std::uint8_t tries = m.pinTriesLeft();
  if (tries == 0) IsoException::throwIt(sw::kAuthenticationMethodBlocked);
  // Read (and so checked) before the try is spent: corrupt memory costs no try.
  const ByteView stored = m.pin();
  const Bytes pin(stored.begin(), stored.end());
  setPinVerified(false);
  card_->beginTransaction();
  m.setPinTriesLeft(static_cast<std::uint8_t>(tries - 1));
  card_->commitTransaction();
  if (!protocol::constantTimeEqual(candidate, pin)) {
    // 63C0 for the try that blocks the PIN; 6983 for every attempt after it.
    IsoException::throwIt(sw::verifyFailed(static_cast<std::uint8_t>(tries - 1)));
  }
}

Bytes PurseApplet::verifyPin(const CommandApdu& command) {
  requireP1P2(command, 0, kP2CardholderPin);
  requireLifeCycle(LifeCycle::kPersonalised);
  PurseMemory m = memory();
  if (command.data().empty()) {  // ISO: VERIFY without data asks for the state
    if (pinVerified()) return {};
    const std::uint8_t tries = m.pinTriesLeft();
    IsoException::throwIt(tries == 0 ? sw::kAuthenticationMethodBlocked : sw::verifyFailed(tries));
  }
  if (command.data().size() != kPinBlockSize) IsoException::throwIt(sw::kWrongLength);
  if (!protocol::isValidPinBlock(command.data())) IsoException::throwIt(sw::kWrongData);
  checkPin(command.data());
  card_->beginTransaction();
  m.setPinTriesLeft(kPinTries);
  card_->commitTransaction();
  setPinVerified(true);
  return {};
}

Bytes PurseApplet::changePin(const CommandApdu& command) {
  requireP1P2(command, 0, kP2CardholderPin);
  requireLifeCycle(LifeCycle::kPersonalised);
  if (command.data().size() != 2 * kPinBlockSize) IsoException::throwIt(sw::kWrongLength);
  const ByteView oldPin = ByteView(command.data()).subspan(0, kPinBlockSize);
  const ByteView newPin = ByteView(command.data()).subspan(kPinBlockSize);
  if (!protocol::isValidPinBlock(oldPin) || !protocol::isValidPinBlock(newPin)) IsoException::throwIt(sw::kWrongData);
  checkPin(oldPin);
  PurseMemory m = memory();
  card_->beginTransaction();
  m.setPin(newPin);
  m.setPinTriesLeft(kPinTries);
  card_->commitTransaction();
  setPinVerified(true);
  return {};
}

Bytes PurseApplet::resetRetryCounter(const CommandApdu& command) {
  requireP1P2(command, kP1ResetCodeAndNewPin, kP2CardholderPin);
  requireIssuedPurse();
  auto split = protocol::splitSigned(command.data(), protocol::PinUnblockOrder::kSize);
  if (!split) IsoException::throwIt(sw::kWrongLength);
  verifyIssuerSignature(protocol::issuerOrderPayload(protocol::kDomainPinUnblock, purseId(), split->fields),
                        split->signature);
  const auto order = requireDecoded(protocol::PinUnblockOrder::decode(split->fields), sw::kWrongLength);
  PurseMemory m = memory();
  const std::uint32_t counter = m.adminCounter();
  if (order.adminCounter != counter) IsoException::throwIt(sw::kConditionsNotSatisfied);  // replayed or early
  if (counter == UINT32_MAX) IsoException::throwIt(purse_sw::kSequenceExhausted);
  if (!protocol::isValidPinBlock(order.newPin)) IsoException::throwIt(sw::kWrongData);
  card_->beginTransaction();
  m.setPin(order.newPin);
  m.setPinTriesLeft(kPinTries);
  m.setAdminCounter(counter + 1);
  card_->commitTransaction();
  setPinVerified(false);
  return {};
}

}  // namespace epurse::card
