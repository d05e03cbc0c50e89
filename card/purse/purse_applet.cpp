#include "card/purse/purse_applet.h"

#include "card/purse/purse_layout.h"
#include "card/purse/purse_logs.h"
#include "card/runtime/iso_exception.h"
#include "protocol/purse_status.h"

namespace epurse::card {

using namespace purse_layout;
using protocol::LifeCycle;

std::size_t PurseApplet::persistentSize() const { return kTotalSize; }

void PurseApplet::attach(CardContext& card) {
  card_ = &card;
  transient_ = card.allocateTransient(kTransientSize, ClearOn::kDeselect);
}

void PurseApplet::powerUp(CardContext& card) {
  // A transfer interrupted by a tear or power-off ends here, as Mondex requires: abort, and
  // log pd if value may have left (epa) or may be owed (epv).
  card_ = &card;
  abortIfBusy();
}

Bytes PurseApplet::selectionData(CardContext& /*card*/) {
  // FCI proprietary data: purse ID and life cycle, so a terminal knows the purse on SELECT.
  Bytes out;
  appendBytes(out, card_->persistent().read(kPurseId, kPurseIdSize));
  out.push_back(card_->persistent().readU8(kLifeCycle));
  return out;
}

Bytes PurseApplet::process(CardContext& card, const CommandApdu& command) {
  card_ = &card;
  const std::uint8_t cla = command.cla();
  const std::uint8_t ins = command.ins();
  if (cla == kClaIso) {
    switch (ins) {
      case kInsGetData: return getData(command);
      case kInsReadRecord: return readRecord(command);
      case kInsVerify: return verifyPin(command);
      case kInsChangeReferenceData: return changePin(command);
      case kInsResetRetryCounter: return resetRetryCounter(command);
      case kInsGenerateKeyPair: return generateKeyPair(command);
      default: break;
    }
  } else if (cla == kClaProprietary) {
    switch (ins) {
      case kInsPutIssuerKey: return putIssuerKey(command);
      case kInsPersonalise: return personalise(command);
      case kInsPutCertificate: return putCertificate(command);
      case kInsLoad: return load(command);
      case kInsUnload: return unload(command);
      case kInsStartFrom: return startFrom(command);
      case kInsStartTo: return startTo(command);
      case kInsReq: return req(command);
      case kInsVal: return val(command);
      case kInsAck: return ack(command);
      case kInsAbort: return abortCommand(command);
      case kInsAuditRead: return auditRead(command);
      case kInsClearExceptionLog: return clearExceptionLog(command);
      case kInsPutRevocationList: return putRevocationList(command);
      case kInsSetLifeCycle: return setLifeCycle(command);
      default: break;
    }
  } else {
    IsoException::throwIt(sw::kClaNotSupported);
  }
  IsoException::throwIt(sw::kInsNotSupported);
}

Bytes PurseApplet::getData(const CommandApdu& command) {
  requireNoData(command);
  const std::uint16_t tag = static_cast<std::uint16_t>(command.p1() << 8 | command.p2());
  PersistentRegion& m = card_->persistent();
  switch (tag) {
    case kDataPurseStatus: return statusRecord();
    case kDataCardPublicKey:
      if (!(m.readU8(kPersonalisation) & kPersoKeyPair)) IsoException::throwIt(sw::kReferencedDataNotFound);
      return protocol::encodePublicKeyTemplate(m.read(kCardPublicKey, kPublicKeySize));
    case kDataCardCertificate: {
      if (!(m.readU8(kPersonalisation) & kPersoCertificate)) IsoException::throwIt(sw::kReferencedDataNotFound);
      const ByteView cert = m.read(kCertificate, CardCertificate::kEncodedSize);
      return Bytes(cert.begin(), cert.end());
    }
    default: IsoException::throwIt(sw::kReferencedDataNotFound);
  }
}

Bytes PurseApplet::statusRecord() {
  PersistentRegion& m = card_->persistent();
  const TransactionLog log(m);
  const ExceptionLog exceptions(m);
  protocol::PurseStatus s;
  s.lifeCycle = lifeCycle();
  s.personalisation = m.readU8(kPersonalisation);
  s.protocol = protocolStatus();
  s.pinTriesLeft = m.readU8(kPinTriesLeft);
  s.pinVerified = pinVerified();
  s.purseId = purseId();
  s.currency = m.readU16(kCurrency);
  s.balance = m.readU32(kBalance);
  s.maxBalance = m.readU32(kMaxBalance);
  s.perTransferMax = m.readU32(kPerTransferMax);
  s.noPinLimit = m.readU32(kNoPinLimit);
  s.nextSeq = m.readU32(kNextSeq);
  s.loadCounter = m.readU32(kLoadCounter);
  s.adminCounter = m.readU32(kAdminCounter);
  s.date = m.readU32(kDate);
  s.logAppended = log.appended();
  s.logCapacity = kLogCapacity;
  s.exceptionsHeld = static_cast<std::uint8_t>(exceptions.held());
  s.exceptionCapacity = kExceptionCapacity;
  s.revocationVersion = m.readU32(kRevocationVersion);
  if (m.readU8(kPersonalisation) & kPersoIssuerKey) {
    s.issuerKeyId = protocol::issuerKeyIdOf(m.read(kIssuerPublicKey, kPublicKeySize));
  }
  s.certificateExpiry = m.readU32(kCertificateExpiry);
  return s.encode();
}

LifeCycle PurseApplet::lifeCycle() { return static_cast<LifeCycle>(card_->persistent().readU8(kLifeCycle)); }

void PurseApplet::requireLifeCycle(LifeCycle wanted) {
  if (lifeCycle() != wanted) IsoException::throwIt(sw::kConditionsNotSatisfied);
}

void PurseApplet::requireIssuedPurse() {
  const LifeCycle state = lifeCycle();
  if (state != LifeCycle::kPersonalised && state != LifeCycle::kBlocked) {
    IsoException::throwIt(sw::kConditionsNotSatisfied);
  }
}

PurseApplet::SignedOrder PurseApplet::splitVariableOrder(const CommandApdu& command) {
  const ByteView data = command.data();
  if (data.size() < protocol::kSignatureSize) IsoException::throwIt(sw::kWrongLength);
  return {data.first(data.size() - protocol::kSignatureSize), data.last(protocol::kSignatureSize)};
}

void PurseApplet::requireNoData(const CommandApdu& command) {
  if (!command.data().empty()) IsoException::throwIt(sw::kWrongLength);
}

void PurseApplet::requireP1P2(const CommandApdu& command, std::uint8_t p1, std::uint8_t p2) {
  if (command.p1() != p1 || command.p2() != p2) IsoException::throwIt(sw::kIncorrectP1P2);
}

protocol::PurseId PurseApplet::purseId() {
  return epurse::toArray<kPurseIdSize>(card_->persistent().read(kPurseId, kPurseIdSize)).value();
}

const protocol::EcPublicKey& PurseApplet::issuerKey() {
  PersistentRegion& m = card_->persistent();
  if (!(m.readU8(kPersonalisation) & kPersoIssuerKey)) IsoException::throwIt(sw::kConditionsNotSatisfied);
  const protocol::EcPublicKey* key = keys_.publicKey(m.read(kIssuerPublicKey, kPublicKeySize));
  if (!key) IsoException::throwIt(sw::kMemoryFailure);  // stored key unreadable: never happens after PUT
  return *key;
}

const protocol::EcPrivateKey& PurseApplet::cardKey() {
  PersistentRegion& m = card_->persistent();
  if (!(m.readU8(kPersonalisation) & kPersoKeyPair)) IsoException::throwIt(sw::kConditionsNotSatisfied);
  const protocol::EcPrivateKey* key =
      keys_.privateKey(m.read(kCardPrivateKey, kPrivateScalarSize), m.read(kCardPublicKey, kPublicKeySize));
  if (!key) IsoException::throwIt(sw::kMemoryFailure);
  return *key;
}

Bytes PurseApplet::signWithCardKey(ByteView payload) {
  auto signature = cardKey().sign(payload);
  if (!signature) IsoException::throwIt(sw::kUnknown);
  return std::move(*signature);
}

void PurseApplet::verifyIssuerSignature(ByteView payload, ByteView signature) {
  if (!issuerKey().verify(payload, signature)) IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
}

}  // namespace epurse::card
