// The Mondex value-transfer protocol. The payer goes idle -> epr (START FROM) -> epa (REQ:
// debit) -> idle (ACK); the payee idle -> epv (START TO, answers REQ) -> idle (VAL: credit,
// answers ACK). Each step is one transaction, so a tear leaves a purse either before or after
// it, and the power-up abort turns "after" into an exception record wherever value may be in
// flight. docs/protocol.md has the argument why no value is ever created.
#include "card/purse/purse_applet.h"
#include "card/purse/purse_layout.h"
#include "card/purse/purse_logs.h"
#include "card/purse/require_decoded.h"
#include "card/runtime/iso_exception.h"
#include "protocol/signed_payloads.h"
#include "protocol/transfer_messages.h"

namespace epurse::card {

using namespace purse_layout;
using protocol::LifeCycle;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;
using protocol::TransferMessage;

void PurseApplet::abortTransfer() {
  PurseMemory m = memory();
  const ProtocolStatus status = m.protocolStatus();
  // In epr nothing has left the payer, so there is nothing to record.
  if (status == ProtocolStatus::kEpv || status == ProtocolStatus::kEpa) ExceptionLog(m).append(status, m.pendingPd());
  m.setProtocolStatus(ProtocolStatus::kIdle);
}

bool PurseApplet::abortIfBusy() {
  const PurseMemory m = memory();
  const ProtocolStatus status = m.protocolStatus();
  if (status == ProtocolStatus::kIdle) return false;
  // A transfer only starts with a free exception slot, so this holds; if memory ever said
  // otherwise the purse stays as it is rather than lose the record.
  if (status != ProtocolStatus::kEpr && ExceptionLog(m).full()) IsoException::throwIt(sw::kNotEnoughMemory);
  // Everything the abort will read is read (and checked) before the transaction opens.
  if (status != ProtocolStatus::kEpr) (void)m.pendingPd();
  card_->beginTransaction();
  abortTransfer();
  card_->commitTransaction();
  return true;
}

bool PurseApplet::isRevoked(const protocol::PurseId& id) {
  const PurseMemory m = memory();
  const std::size_t n = m.revocationCount();
  for (std::size_t i = 0; i < n; ++i) {
    const ByteView entry = m.revokedId(i);
    if (std::equal(entry.begin(), entry.end(), id.begin(), id.end())) return true;
  }
  return false;
}

Bytes PurseApplet::start(const CommandApdu& command, bool asPayer) {
  requireP1P2(command, 0, 0);
  requireLifeCycle(LifeCycle::kPersonalised);
  if (command.data().size() != protocol::StartOrder::kSize) IsoException::throwIt(sw::kWrongLength);
  const auto order = requireDecoded(protocol::StartOrder::decode(command.data()), sw::kWrongLength);
  PurseMemory m = memory();

  // Only authentic purses: the counterparty's key must be certified by our issuer, unexpired
  // and not revoked.
  const CardCertificate cert = requireDecoded(CardCertificate::decode(order.counterpartyCertificate), sw::kWrongData);
  if (!cert.verify(issuerKey())) IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  const protocol::Date today = m.date();
  if (cert.expiry < today || isRevoked(cert.purseId)) IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  if (m.certificateExpiry() < today) IsoException::throwIt(sw::kConditionsNotSatisfied);
  const protocol::PurseId self = m.purseId();
  const protocol::Currency currency = m.currency();
  if (cert.currency != currency || cert.purseId == self || order.value == 0) IsoException::throwIt(sw::kWrongData);

  const std::uint64_t balance = m.balance();
  if (asPayer) {
    if (order.value > m.perTransferMax()) IsoException::throwIt(purse_sw::kTransferLimitExceeded);
    if (order.value > balance) IsoException::throwIt(purse_sw::kInsufficientFunds);
    if (order.value > m.noPinLimit() && !pinVerified()) IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  } else if (balance + order.value > m.maxBalance()) {
    IsoException::throwIt(purse_sw::kMaxBalanceExceeded);
  }

  // A START while busy aborts the transfer in progress first (in this same transaction), and
  // that abort may take an exception slot: the new transfer needs one more free after it.
  const ProtocolStatus current = m.protocolStatus();
  const bool abortLogs = current == ProtocolStatus::kEpv || current == ProtocolStatus::kEpa;
  if (ExceptionLog(m).held() + (abortLogs ? 1 : 0) >= kExceptionCapacity) IsoException::throwIt(sw::kNotEnoughMemory);
  if (abortLogs) (void)m.pendingPd();  // the abort below logs it: checked before anything is written
  const std::uint32_t seq = m.nextSeq();
  if (seq == UINT32_MAX) IsoException::throwIt(purse_sw::kSequenceExhausted);  // never wraps
  // Record numbers never repeat either: a transfer may append two log records (the payer's
  // debit and acknowledgement) and one exception record.
  if (TransactionLog(m).appended() > UINT32_MAX - 2 || ExceptionLog(m).appended() > UINT32_MAX - 2) {
    IsoException::throwIt(purse_sw::kSequenceExhausted);
  }

  PaymentDetails pd;
  pd.fromId = asPayer ? self : cert.purseId;
  pd.fromSeq = asPayer ? seq : order.counterpartySeq;
  pd.toId = asPayer ? cert.purseId : self;
  pd.toSeq = asPayer ? order.counterpartySeq : seq;
  pd.value = order.value;
  pd.currency = currency;
  pd.reference = order.reference;
  Bytes response = pd.encode();
  if (!asPayer) appendBytes(response, signWithCardKey(protocol::transferPayload(TransferMessage::kReq, pd)));

  card_->beginTransaction();
  if (current != ProtocolStatus::kIdle) abortTransfer();
  m.setNextSeq(seq + 1);
  m.setPendingPd(ByteView(response.data(), PaymentDetails::kSize));
  m.setCounterpartyKey(cert.publicKey);
  m.setProtocolStatus(asPayer ? ProtocolStatus::kEpr : ProtocolStatus::kEpv);
  card_->commitTransaction();
  return response;
}

Bytes PurseApplet::startFrom(const CommandApdu& command) { return start(command, true); }

Bytes PurseApplet::startTo(const CommandApdu& command) { return start(command, false); }

PaymentDetails PurseApplet::acceptTransferMessage(const CommandApdu& command, ProtocolStatus expected,
                                                  TransferMessage message) {
  requireP1P2(command, 0, 0);
  const PurseMemory m = memory();
  if (m.protocolStatus() != expected) IsoException::throwIt(sw::kConditionsNotSatisfied);
  if (command.data().size() != protocol::SignedTransferMessage::kSize) IsoException::throwIt(sw::kWrongLength);
  const auto received = requireDecoded(protocol::SignedTransferMessage::decode(command.data()), sw::kWrongLength);
  const PaymentDetails pd = m.pendingPd();
  if (!(received.pd == pd)) IsoException::throwIt(sw::kConditionsNotSatisfied);
  const protocol::EcPublicKey* counterparty = keys_.publicKey(m.counterpartyKey());
  if (!counterparty || !counterparty->verify(protocol::transferPayload(message, pd), received.signature)) {
    IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  }
  return pd;
}

Bytes PurseApplet::req(const CommandApdu& command) {
  const PaymentDetails pd = acceptTransferMessage(command, ProtocolStatus::kEpr, TransferMessage::kReq);
  PurseMemory m = memory();
  const std::uint32_t balance = m.balance();
  if (pd.value > balance) IsoException::throwIt(purse_sw::kInsufficientFunds);
  Bytes response = pd.encode();
  appendBytes(response, signWithCardKey(protocol::transferPayload(TransferMessage::kVal, pd)));
  card_->beginTransaction();
  m.setBalance(balance - pd.value);
  m.setProtocolStatus(ProtocolStatus::kEpa);
  TransactionLog(m).append(protocol::LogType::kTransferOut, pd, balance - pd.value);
  card_->commitTransaction();
  return response;
}

Bytes PurseApplet::val(const CommandApdu& command) {
  const PaymentDetails pd = acceptTransferMessage(command, ProtocolStatus::kEpv, TransferMessage::kVal);
  PurseMemory m = memory();
  const std::uint64_t after = std::uint64_t{m.balance()} + pd.value;
  if (after > m.maxBalance()) IsoException::throwIt(purse_sw::kMaxBalanceExceeded);
  Bytes response = pd.encode();
  appendBytes(response, signWithCardKey(protocol::transferPayload(TransferMessage::kAck, pd)));
  card_->beginTransaction();
  m.setBalance(static_cast<protocol::Amount>(after));
  m.setProtocolStatus(ProtocolStatus::kIdle);
  TransactionLog(m).append(protocol::LogType::kTransferIn, pd, static_cast<protocol::Amount>(after));
  card_->commitTransaction();
  return response;
}

Bytes PurseApplet::ack(const CommandApdu& command) {
  const PaymentDetails pd = acceptTransferMessage(command, ProtocolStatus::kEpa, TransferMessage::kAck);
  PurseMemory m = memory();
  const protocol::Amount balance = m.balance();
  card_->beginTransaction();
  m.setProtocolStatus(ProtocolStatus::kIdle);
  TransactionLog(m).append(protocol::LogType::kTransferAcked, pd, balance);
  card_->commitTransaction();
  return {};
}

Bytes PurseApplet::abortCommand(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  requireNoData(command);
  if (lifeCycle() == LifeCycle::kBlank) IsoException::throwIt(sw::kConditionsNotSatisfied);
  abortIfBusy();
  return {};
}

}  // namespace epurse::card
