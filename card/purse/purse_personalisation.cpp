// Life cycle "blank": the issuer's key is taken once, unsigned (the card trusts whoever
// personalises it first, at the factory); from then on every step carries the issuer's
// signature, and the last one (the certificate) ends personalisation for good.
#include <algorithm>

#include "card/purse/purse_applet.h"
#include "card/purse/purse_layout.h"
#include "card/runtime/iso_exception.h"
#include "protocol/signed_payloads.h"

namespace epurse::card {

using namespace purse_layout;
using protocol::LifeCycle;

namespace {

void requirePersonalisationStep(PersistentRegion& m, std::uint8_t done, std::uint8_t next) {
  const std::uint8_t flags = m.readU8(kPersonalisation);
  if (static_cast<LifeCycle>(m.readU8(kLifeCycle)) != LifeCycle::kBlank || (flags & done) != done || (flags & next)) {
    IsoException::throwIt(sw::kConditionsNotSatisfied);
  }
}

}  // namespace

Bytes PurseApplet::putIssuerKey(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  PersistentRegion& m = card_->persistent();
  requirePersonalisationStep(m, 0, kPersoIssuerKey);
  if (command.data().size() != kPublicKeySize) IsoException::throwIt(sw::kWrongLength);
  if (!keys_.publicKey(command.data())) IsoException::throwIt(sw::kWrongData);
  card_->beginTransaction();
  m.write(kIssuerPublicKey, command.data());
  m.writeU8(kPersonalisation, kPersoIssuerKey);
  card_->commitTransaction();
  return {};
}

Bytes PurseApplet::generateKeyPair(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  requireNoData(command);
  PersistentRegion& m = card_->persistent();
  requirePersonalisationStep(m, kPersoIssuerKey, kPersoKeyPair);
  // Generated here and kept here: no command ever reads the scalar back.
  auto key = protocol::EcPrivateKey::generate();
  if (!key) IsoException::throwIt(sw::kUnknown);
  const Bytes scalar = key->scalar();
  if (scalar.size() != kPrivateScalarSize) IsoException::throwIt(sw::kUnknown);
  card_->beginTransaction();
  m.write(kCardPrivateKey, scalar);
  m.write(kCardPublicKey, key->publicKey());
  m.writeU8(kPersonalisation, kPersoIssuerKey | kPersoKeyPair);
  card_->commitTransaction();
  return protocol::encodePublicKeyTemplate(key->publicKey());
}

Bytes PurseApplet::personalise(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  PersistentRegion& m = card_->persistent();
  requirePersonalisationStep(m, kPersoIssuerKey | kPersoKeyPair, kPersoData);
  auto split = protocol::splitSigned(command.data(), protocol::Personalisation::kSize);
  if (!split) IsoException::throwIt(sw::kWrongLength);
  // Signed over this card's own public key: the order cannot be replayed onto another card.
  const ByteView cardPublicKey = m.read(kCardPublicKey, kPublicKeySize);
  Bytes fields(cardPublicKey.begin(), cardPublicKey.end());
  appendBytes(fields, split->fields);
  verifyIssuerSignature(protocol::domainPayload(protocol::kDomainPersonalise, fields), split->signature);
  const auto data = *protocol::Personalisation::decode(split->fields);
  const bool zeroId = std::all_of(data.purseId.begin(), data.purseId.end(), [](std::uint8_t b) { return b == 0; });
  if (zeroId || data.currency == 0 || data.maxBalance == 0 || data.perTransferMax > data.maxBalance ||
      data.noPinLimit > data.perTransferMax || !protocol::isValidPinBlock(data.pin) || data.date == 0) {
    IsoException::throwIt(sw::kWrongData);
  }
  card_->beginTransaction();
  m.write(kPurseId, data.purseId);
  m.writeU16(kCurrency, data.currency);
  m.writeU32(kMaxBalance, data.maxBalance);
  m.writeU32(kPerTransferMax, data.perTransferMax);
  m.writeU32(kNoPinLimit, data.noPinLimit);
  m.write(kPin, data.pin);
  m.writeU8(kPinTriesLeft, kPinTries);
  m.writeU32(kDate, data.date);
  m.writeU32(kNextSeq, 1);
  m.writeU8(kPersonalisation, kPersoIssuerKey | kPersoKeyPair | kPersoData);
  card_->commitTransaction();
  return {};
}

Bytes PurseApplet::putCertificate(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  PersistentRegion& m = card_->persistent();
  requirePersonalisationStep(m, kPersoIssuerKey | kPersoKeyPair | kPersoData, kPersoCertificate);
  if (command.data().size() != CardCertificate::kEncodedSize) IsoException::throwIt(sw::kWrongLength);
  auto cert = CardCertificate::decode(command.data());
  if (!cert) IsoException::throwIt(sw::kWrongData);
  if (!cert->verify(issuerKey())) IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  const ByteView ownKey = m.read(kCardPublicKey, kPublicKeySize);
  if (cert->purseId != purseId() || cert->currency != m.readU16(kCurrency) ||
      !std::equal(cert->publicKey.begin(), cert->publicKey.end(), ownKey.begin(), ownKey.end()) ||
      cert->expiry < m.readU32(kDate)) {
    IsoException::throwIt(sw::kWrongData);
  }
  card_->beginTransaction();
  m.write(kCertificate, command.data());
  m.writeU32(kCertificateExpiry, cert->expiry);
  m.writeU8(kPersonalisation, kPersoIssuerKey | kPersoKeyPair | kPersoData | kPersoCertificate);
  m.writeU8(kLifeCycle, static_cast<std::uint8_t>(LifeCycle::kPersonalised));
  card_->commitTransaction();
  return {};
}

}  // namespace epurse::card
