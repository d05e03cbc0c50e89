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
  const PurseMemory m = memory();
  ByteWriter out;
  out.bytes(m.purseId()).u8(static_cast<std::uint8_t>(m.lifeCycle()));
  return out.take();
}

namespace {

using protocol::CommandGroup;
using protocol::kPurseCommands;

// Every command of the table that reaches the applet has exactly one handler, and nothing
// else has one.
template <std::size_t N, typename Entry>
constexpr bool oneHandlerPerAppletCommand(const Entry (&handlers)[N]) {
  for (const protocol::PurseCommand& command : kPurseCommands) {
    std::size_t count = 0;
    for (const Entry& h : handlers) count += h.command == command.id ? 1 : 0;
    if (count != (command.group == CommandGroup::kCardOs ? 0u : 1u)) return false;
  }
  return true;
}

}  // namespace

Bytes PurseApplet::process(CardContext& card, const CommandApdu& command) {
  card_ = &card;
  using Id = protocol::PurseCommandId;
  static constexpr HandlerEntry kHandlers[] = {
      {Id::kGetData, &PurseApplet::getData},
      {Id::kReadRecord, &PurseApplet::readRecord},
      {Id::kVerify, &PurseApplet::verifyPin},
      {Id::kChangeReferenceData, &PurseApplet::changePin},
      {Id::kResetRetryCounter, &PurseApplet::resetRetryCounter},
      {Id::kGenerateKeyPair, &PurseApplet::generateKeyPair},
      {Id::kPutIssuerKey, &PurseApplet::putIssuerKey},
      {Id::kPersonalise, &PurseApplet::personalise},
      {Id::kPutCertificate, &PurseApplet::putCertificate},
      {Id::kLoad, &PurseApplet::load},
      {Id::kUnload, &PurseApplet::unload},
      {Id::kStartFrom, &PurseApplet::startFrom},
      {Id::kStartTo, &PurseApplet::startTo},
      {Id::kReq, &PurseApplet::req},
      {Id::kVal, &PurseApplet::val},
      {Id::kAck, &PurseApplet::ack},
      {Id::kAbort, &PurseApplet::abortCommand},
      {Id::kAuditRead, &PurseApplet::auditRead},
      {Id::kClearExceptionLog, &PurseApplet::clearExceptionLog},
      {Id::kPutRevocationList, &PurseApplet::putRevocationList},
      {Id::kSetLifeCycle, &PurseApplet::setLifeCycle},
  };
  static_assert(oneHandlerPerAppletCommand(kHandlers), "every applet command of the table has one handler");

  if (command.cla() != kClaIso && command.cla() != kClaProprietary) IsoException::throwIt(sw::kClaNotSupported);
  const protocol::PurseCommand* entry = protocol::findPurseCommand(command.cla(), command.ins());
  if (entry && entry->group != CommandGroup::kCardOs) {
    for (const HandlerEntry& h : kHandlers) {
      if (h.command == entry->id) return (this->*h.handler)(command);
    }
  }
  IsoException::throwIt(sw::kInsNotSupported);
}

Bytes PurseApplet::getData(const CommandApdu& command) {
  requireNoData(command);
  const std::uint16_t tag = static_cast<std::uint16_t>(command.p1() << 8 | command.p2());
  const PurseMemory m = memory();
  switch (tag) {
    case kDataPurseStatus: return statusRecord();
    case kDataCardPublicKey:
      if (!m.personalised(kPersoKeyPair)) IsoException::throwIt(sw::kReferencedDataNotFound);
      return protocol::encodePublicKeyTemplate(m.cardPublicKey());
    case kDataCardCertificate: {
      if (!m.personalised(kPersoCertificate)) IsoException::throwIt(sw::kReferencedDataNotFound);
      const ByteView cert = m.certificate();
      return Bytes(cert.begin(), cert.end());
    }
    default: IsoException::throwIt(sw::kReferencedDataNotFound);
  }
}

Bytes PurseApplet::statusRecord() {
  const PurseMemory m = memory();
  const TransactionLog log(m);
  const ExceptionLog exceptions(m);
  protocol::PurseStatus s;
  s.lifeCycle = m.lifeCycle();
  s.personalisation = m.personalisation();
  s.protocol = m.protocolStatus();
  s.pinTriesLeft = m.pinTriesLeft();
  s.pinVerified = pinVerified();
  s.purseId = m.purseId();
  s.currency = m.currency();
  s.balance = m.balance();
  s.maxBalance = m.maxBalance();
  s.perTransferMax = m.perTransferMax();
  s.noPinLimit = m.noPinLimit();
  s.nextSeq = m.nextSeq();
  s.loadCounter = m.loadCounter();
  s.adminCounter = m.adminCounter();
  s.date = m.date();
  s.logAppended = log.appended();
  s.logCapacity = kLogCapacity;
  s.exceptionsHeld = static_cast<std::uint8_t>(exceptions.held());
  s.exceptionCapacity = kExceptionCapacity;
  s.revocationVersion = m.revocationVersion();
  if (m.personalised(kPersoIssuerKey)) s.issuerKeyId = protocol::issuerKeyIdOf(m.issuerPublicKey());
  s.certificateExpiry = m.certificateExpiry();
  return s.encode();
}

LifeCycle PurseApplet::lifeCycle() { return memory().lifeCycle(); }

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

protocol::PurseId PurseApplet::purseId() { return memory().purseId(); }

const protocol::EcPublicKey& PurseApplet::issuerKey() {
  const PurseMemory m = memory();
  if (!m.personalised(kPersoIssuerKey)) IsoException::throwIt(sw::kConditionsNotSatisfied);
  const protocol::EcPublicKey* key = keys_.publicKey(m.issuerPublicKey());
  if (!key) IsoException::throwIt(kSwCorruptMemory);  // stored key unreadable: never happens after PUT
  return *key;
}

const protocol::EcPrivateKey& PurseApplet::cardKey() {
  const PurseMemory m = memory();
  if (!m.personalised(kPersoKeyPair)) IsoException::throwIt(sw::kConditionsNotSatisfied);
  const protocol::EcPrivateKey* key = keys_.privateKey(m.cardPrivateScalar(), m.cardPublicKey());
  if (!key) IsoException::throwIt(kSwCorruptMemory);
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
