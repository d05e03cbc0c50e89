// What the issuer reads and orders after the fact: log records, signed log heads, clearing
// archived exception records, the revocation list and the life cycle.
#include <algorithm>

#include "card/purse/purse_applet.h"
#include "card/purse/purse_layout.h"
#include "card/purse/purse_logs.h"
#include "card/purse/require_decoded.h"
#include "card/runtime/iso_exception.h"
#include "protocol/signed_payloads.h"

namespace epurse::card {

using namespace purse_layout;
using protocol::LifeCycle;

Bytes PurseApplet::readRecord(const CommandApdu& command) {
  requireNoData(command);
  if ((command.p2() & 0x07) != kReadRecordP1IsNumber) IsoException::throwIt(sw::kIncorrectP1P2);
  if (command.p1() == 0) IsoException::throwIt(sw::kIncorrectP1P2);
  const std::uint8_t sfi = command.p2() >> 3;
  const PurseMemory m = memory();
  std::optional<Bytes> record;
  if (sfi == kSfiTransactionLog) {
    record = TransactionLog(m).record(command.p1());
  } else if (sfi == kSfiExceptionLog) {
    record = ExceptionLog(m).record(command.p1());
  } else {
    IsoException::throwIt(sw::kFileNotFound);
  }
  if (!record) IsoException::throwIt(sw::kRecordNotFound);
  return std::move(*record);
}

Bytes PurseApplet::auditRead(const CommandApdu& command) {
  if (command.p2() != 0) IsoException::throwIt(sw::kIncorrectP1P2);
  const std::uint8_t sfi = command.p1();
  if (sfi != kSfiTransactionLog && sfi != kSfiExceptionLog) IsoException::throwIt(sw::kIncorrectP1P2);
  const ByteView challenge = command.data();
  if (challenge.size() < kMinChallengeSize || challenge.size() > kMaxChallengeSize) {
    IsoException::throwIt(sw::kWrongLength);
  }
  const PurseMemory m = memory();
  if (!m.personalised(kPersoCertificate)) IsoException::throwIt(sw::kConditionsNotSatisfied);
  protocol::AuditHead head;
  head.purseId = m.purseId();
  head.log = sfi;
  head.balance = m.balance();
  head.nextSeq = m.nextSeq();
  if (sfi == kSfiTransactionLog) {
    const TransactionLog log(m);
    head.appended = log.appended();
    head.headHash = log.headHash();
    head.held = static_cast<std::uint8_t>(log.held());
  } else {
    const ExceptionLog log(m);
    head.appended = log.appended();
    head.headHash = log.digest();
    head.held = static_cast<std::uint8_t>(log.held());
  }
  Bytes response = head.encode();
  appendBytes(response, signWithCardKey(protocol::auditPayload(challenge, head)));
  return response;
}

Bytes PurseApplet::clearExceptionLog(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  requireIssuedPurse();
  const SignedOrder order = splitVariableOrder(command);
  const ByteView fields = order.fields;
  const auto clear = requireDecoded(protocol::ExceptionClearOrder::decode(fields), sw::kWrongLength);
  verifyIssuerSignature(protocol::issuerOrderPayload(protocol::kDomainExceptionClear, purseId(), fields),
                        order.signature);
  ExceptionLog log(memory());
  // Exactly the records named, each once, each still held, with the content the issuer
  // archived: record numbers never repeat, so a replayed order names nothing held.
  std::vector<std::size_t> indices;
  Bytes named;
  for (std::uint32_t number : clear.numbers) {
    const auto index = log.find(number);
    if (!index || std::find(indices.begin(), indices.end(), *index) != indices.end()) {
      IsoException::throwIt(sw::kReferencedDataNotFound);
    }
    indices.push_back(*index);
    appendBytes(named, log.recordAt(*index));
  }
  if (protocol::exceptionRecordsDigest(named) != clear.digest) IsoException::throwIt(sw::kWrongData);
  card_->beginTransaction();
  log.remove(indices);
  card_->commitTransaction();
  return {};
}

Bytes PurseApplet::putRevocationList(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  requireIssuedPurse();
  const SignedOrder order = splitVariableOrder(command);
  const ByteView fields = order.fields;
  const auto list = requireDecoded(protocol::RevocationList::decode(fields), sw::kWrongLength);
  verifyIssuerSignature(protocol::domainPayload(protocol::kDomainRevocationList, fields), order.signature);
  PurseMemory m = memory();
  if (list.version <= m.revocationVersion()) IsoException::throwIt(sw::kConditionsNotSatisfied);  // stale
  card_->beginTransaction();
  m.setRevocationList(list.version, list.revoked);
  card_->commitTransaction();
  return {};
}

Bytes PurseApplet::setLifeCycle(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  requireIssuedPurse();
  const LifeCycle state = lifeCycle();
  auto split = protocol::splitSigned(command.data(), protocol::LifeCycleOrder::kSize);
  if (!split) IsoException::throwIt(sw::kWrongLength);
  verifyIssuerSignature(protocol::issuerOrderPayload(protocol::kDomainLifeCycle, purseId(), split->fields),
                        split->signature);
  const auto order = requireDecoded(protocol::LifeCycleOrder::decode(split->fields), sw::kWrongData);
  PurseMemory m = memory();
  const std::uint32_t counter = m.adminCounter();
  if (order.adminCounter != counter) IsoException::throwIt(sw::kConditionsNotSatisfied);
  if (counter == UINT32_MAX) IsoException::throwIt(purse_sw::kSequenceExhausted);
  // A transfer in flight finishes (or aborts) first: changing state under it would strand pd.
  if (m.protocolStatus() != protocol::ProtocolStatus::kIdle) IsoException::throwIt(sw::kConditionsNotSatisfied);
  LifeCycle next = state;
  switch (order.change) {
    case protocol::LifeCycleChange::kBlock:
      if (state != LifeCycle::kPersonalised) IsoException::throwIt(sw::kConditionsNotSatisfied);
      next = LifeCycle::kBlocked;
      break;
    case protocol::LifeCycleChange::kUnblock:
      if (state != LifeCycle::kBlocked) IsoException::throwIt(sw::kConditionsNotSatisfied);
      next = LifeCycle::kPersonalised;
      break;
    case protocol::LifeCycleChange::kTerminate: next = LifeCycle::kTerminated; break;
  }
  card_->beginTransaction();
  m.setLifeCycle(next);
  m.setAdminCounter(counter + 1);
  card_->commitTransaction();
  setPinVerified(false);
  return {};
}

}  // namespace epurse::card
