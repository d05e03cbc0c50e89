// Life cycle "blank": the issuer's key is taken once, unsigned (the card trusts whoever
// personalises it first, at the factory); from then on every step carries the issuer's
// signature, and the last one (the certificate) ends personalisation for good.
#include <algorithm>

#include "card/purse/purse_applet.h"
#include "card/purse/purse_layout.h"
#include "card/purse/require_decoded.h"
#include "card/runtime/iso_exception.h"
#include "protocol/signed_payloads.h"

namespace epurse::card {

using namespace purse_layout;
using protocol::LifeCycle;

namespace {

void requirePersonalisationStep(const PurseMemory& m, std::uint8_t done, std::uint8_t next) {
  const std::uint8_t flags = m.personalisation();
  if (m.lifeCycle() != LifeCycle::kBlank || (flags & done) != done || (flags & next)) {
    IsoException::throwIt(sw::kConditionsNotSatisfied);
  }
}

}  // namespace

Bytes PurseApplet::putIssuerKey(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  PurseMemory m = memory();
  requirePersonalisationStep(m, 0, kPersoIssuerKey);
  if (command.data().size() != kPublicKeySize) IsoException::throwIt(sw::kWrongLength);
  if (!keys_.publicKey(command.data())) IsoException::throwIt(sw::kWrongData);
  card_->beginTransaction();
  m.setIssuerPublicKey(command.data());
  m.setPersonalisation(kPersoIssuerKey);
  card_->commitTransaction();
  return {};
}

Bytes PurseApplet::generateKeyPair(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  requireNoData(command);
  PurseMemory m = memory();
  requirePersonalisationStep(m, kPersoIssuerKey, kPersoKeyPair);
  // Generated here and kept here: no command ever reads the scalar back.
  auto key = protocol::EcPrivateKey::generate();
  if (!key) IsoException::throwIt(sw::kUnknown);
  const Bytes scalar = key->scalar();
  if (scalar.size() != kPrivateScalarSize) IsoException::throwIt(sw::kUnknown);
  card_->beginTransaction();
  m.setCardKeyPair(scalar, key->publicKey());
  m.setPersonalisation(kPersoIssuerKey | kPersoKeyPair);
  card_->commitTransaction();
  return protocol::encodePublicKeyTemplate(key->publicKey());
}

Bytes PurseApplet::personalise(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  PurseMemory m = memory();
  requirePersonalisationStep(m, kPersoIssuerKey | kPersoKeyPair, kPersoData);
  auto split = protocol::splitSigned(command.data(), protocol::Personalisation::kSize);
  if (!split) IsoException::throwIt(sw::kWrongLength);
  // Signed over this card's own public key: the order cannot be replayed onto another card.
  const ByteView cardPublicKey = m.cardPublicKey();
  Bytes fields(cardPublicKey.begin(), cardPublicKey.end());
  appendBytes(fields, split->fields);
  verifyIssuerSignature(protocol::domainPayload(protocol::kDomainPersonalise, fields), split->signature);
  const auto data = requireDecoded(protocol::Personalisation::decode(split->fields), sw::kWrongLength);
  const bool zeroId = std::all_of(data.purseId.begin(), data.purseId.end(), [](std::uint8_t b) { return b == 0; });
  if (zeroId || data.currency == 0 || data.maxBalance == 0 || data.perTransferMax > data.maxBalance ||
      data.noPinLimit > data.perTransferMax || !protocol::isValidPinBlock(data.pin) || data.date == 0) {
    IsoException::throwIt(sw::kWrongData);
  }
  card_->beginTransaction();
  m.setPurseId(data.purseId);
  m.setCurrency(data.currency);
  m.setMaxBalance(data.maxBalance);
  m.setPerTransferMax(data.perTransferMax);
  m.setNoPinLimit(data.noPinLimit);
  m.setPin(data.pin);
  m.setPinTriesLeft(kPinTries);
  m.setDate(data.date);
  m.setNextSeq(1);
  m.setPersonalisation(kPersoIssuerKey | kPersoKeyPair | kPersoData);
  card_->commitTransaction();
  return {};
}

Bytes PurseApplet::putCertificate(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  PurseMemory m = memory();
  requirePersonalisationStep(m, kPersoIssuerKey | kPersoKeyPair | kPersoData, kPersoCertificate);
  if (command.data().size() != CardCertificate::kEncodedSize) IsoException::throwIt(sw::kWrongLength);
  const CardCertificate cert = requireDecoded(CardCertificate::decode(command.data()), sw::kWrongData);
  if (!cert.verify(issuerKey())) IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  const ByteView ownKey = m.cardPublicKey();
  if (cert.purseId != m.purseId() || cert.currency != m.currency() ||
      !std::equal(cert.publicKey.begin(), cert.publicKey.end(), ownKey.begin(), ownKey.end()) ||
      cert.expiry < m.date()) {
    IsoException::throwIt(sw::kWrongData);
  }
  card_->beginTransaction();
  m.setCertificate(command.data(), cert.expiry);
  m.setPersonalisation(kPersoIssuerKey | kPersoKeyPair | kPersoData | kPersoCertificate);
  m.setLifeCycle(LifeCycle::kPersonalised);
  card_->commitTransaction();
  return {};
}

}  // namespace epurse::card
