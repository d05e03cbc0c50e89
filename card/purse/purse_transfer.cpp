// The Mondex value-transfer protocol. The payer goes idle -> epr (START FROM) -> epa (REQ:
// debit) -> idle (ACK); the payee idle -> epv (START TO, answers REQ) -> idle (VAL: credit,
// answers ACK). Each step is one transaction, so a tear leaves a purse either before or after
// it, and the power-up abort turns "after" into an exception record wherever value may be in
// flight. docs/protocol.md has the argument why no value is ever created.
#include "card/purse/purse_applet.h"
#include "card/purse/purse_layout.h"
#include "card/purse/purse_logs.h"
#include "card/runtime/iso_exception.h"
#include "protocol/signed_payloads.h"
#include "protocol/transfer_messages.h"

namespace epurse::card {

using namespace purse_layout;
using protocol::LifeCycle;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;
using protocol::TransferMessage;

protocol::PaymentDetails PurseApplet::pendingPd() {
  return *PaymentDetails::decode(card_->persistent().read(kPendingPd, PaymentDetails::kSize));
}

ProtocolStatus PurseApplet::protocolStatus() {
  const std::uint8_t raw = card_->persistent().readU8(kProtocolStatus);
  if (raw > static_cast<std::uint8_t>(ProtocolStatus::kEpa)) IsoException::throwIt(sw::kMemoryFailure);
  return static_cast<ProtocolStatus>(raw);
}

void PurseApplet::abortTransfer() {
  const ProtocolStatus status = protocolStatus();
  PersistentRegion& m = card_->persistent();
  // In epr nothing has left the payer, so there is nothing to record.
  if (status == ProtocolStatus::kEpv || status == ProtocolStatus::kEpa) ExceptionLog(m).append(status, pendingPd());
  m.writeU8(kProtocolStatus, static_cast<std::uint8_t>(ProtocolStatus::kIdle));
}

bool PurseApplet::abortIfBusy() {
  const ProtocolStatus status = protocolStatus();
  if (status == ProtocolStatus::kIdle) return false;
  // A transfer only starts with a free exception slot, so this holds; if memory ever said
  // otherwise the purse stays as it is rather than lose the record.
  if (status != ProtocolStatus::kEpr && ExceptionLog(card_->persistent()).full()) {
    IsoException::throwIt(sw::kNotEnoughMemory);
  }
  card_->beginTransaction();
  abortTransfer();
  card_->commitTransaction();
  return true;
}

bool PurseApplet::isRevoked(const protocol::PurseId& id) {
  PersistentRegion& m = card_->persistent();
  const std::size_t n = m.readU8(kRevocationCount);
  for (std::size_t i = 0; i < n && i < kRevocationCapacity; ++i) {
    const ByteView entry = m.read(kRevokedIds + i * kPurseIdSize, kPurseIdSize);
    if (std::equal(entry.begin(), entry.end(), id.begin(), id.end())) return true;
  }
  return false;
}

Bytes PurseApplet::start(const CommandApdu& command, bool asPayer) {
  requireP1P2(command, 0, 0);
  requireLifeCycle(LifeCycle::kPersonalised);
  if (command.data().size() != protocol::StartOrder::kSize) IsoException::throwIt(sw::kWrongLength);
  const auto order = *protocol::StartOrder::decode(command.data());
  PersistentRegion& m = card_->persistent();

  // Only authentic purses: the counterparty's key must be certified by our issuer, unexpired
  // and not revoked.
  auto cert = CardCertificate::decode(order.counterpartyCertificate);
  if (!cert) IsoException::throwIt(sw::kWrongData);
  if (!cert->verify(issuerKey())) IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  const protocol::Date today = m.readU32(kDate);
  if (cert->expiry < today || isRevoked(cert->purseId)) IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  if (m.readU32(kCertificateExpiry) < today) IsoException::throwIt(sw::kConditionsNotSatisfied);
  const protocol::PurseId self = purseId();
  const protocol::Currency currency = m.readU16(kCurrency);
  if (cert->currency != currency || cert->purseId == self || order.value == 0) IsoException::throwIt(sw::kWrongData);

  const std::uint64_t balance = m.readU32(kBalance);
  if (asPayer) {
    if (order.value > m.readU32(kPerTransferMax)) IsoException::throwIt(purse_sw::kTransferLimitExceeded);
    if (order.value > balance) IsoException::throwIt(purse_sw::kInsufficientFunds);
    if (order.value > m.readU32(kNoPinLimit) && !pinVerified()) IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  } else if (balance + order.value > m.readU32(kMaxBalance)) {
    IsoException::throwIt(purse_sw::kMaxBalanceExceeded);
  }

  // A START while busy aborts the transfer in progress first (in this same transaction), and
  // that abort may take an exception slot: the new transfer needs one more free after it.
  const ProtocolStatus current = protocolStatus();
  const bool abortLogs = current == ProtocolStatus::kEpv || current == ProtocolStatus::kEpa;
  if (ExceptionLog(m).held() + (abortLogs ? 1 : 0) >= kExceptionCapacity) IsoException::throwIt(sw::kNotEnoughMemory);
  const std::uint32_t seq = m.readU32(kNextSeq);
  if (seq == UINT32_MAX) IsoException::throwIt(purse_sw::kSequenceExhausted);  // never wraps
  // Record numbers never repeat either: a transfer may append two log records (the payer's
  // debit and acknowledgement) and one exception record.
  if (TransactionLog(m).appended() > UINT32_MAX - 2 || ExceptionLog(m).appended() > UINT32_MAX - 2) {
    IsoException::throwIt(purse_sw::kSequenceExhausted);
  }

  PaymentDetails pd;
  pd.fromId = asPayer ? self : cert->purseId;
  pd.fromSeq = asPayer ? seq : order.counterpartySeq;
  pd.toId = asPayer ? cert->purseId : self;
  pd.toSeq = asPayer ? order.counterpartySeq : seq;
  pd.value = order.value;
  pd.currency = currency;
  pd.reference = order.reference;
  Bytes response = pd.encode();
  if (!asPayer) appendBytes(response, signWithCardKey(protocol::transferPayload(TransferMessage::kReq, pd)));

  card_->beginTransaction();
  if (current != ProtocolStatus::kIdle) abortTransfer();
  m.writeU32(kNextSeq, seq + 1);
  m.write(kPendingPd, ByteView(response.data(), PaymentDetails::kSize));
  m.write(kCounterpartyKey, cert->publicKey);
  m.writeU8(kProtocolStatus, static_cast<std::uint8_t>(asPayer ? ProtocolStatus::kEpr : ProtocolStatus::kEpv));
  card_->commitTransaction();
  return response;
}

Bytes PurseApplet::startFrom(const CommandApdu& command) { return start(command, true); }

Bytes PurseApplet::startTo(const CommandApdu& command) { return start(command, false); }

PaymentDetails PurseApplet::acceptTransferMessage(const CommandApdu& command, ProtocolStatus expected,
                                                  TransferMessage message) {
  requireP1P2(command, 0, 0);
  if (protocolStatus() != expected) IsoException::throwIt(sw::kConditionsNotSatisfied);
  if (command.data().size() != protocol::SignedTransferMessage::kSize) IsoException::throwIt(sw::kWrongLength);
  const auto received = *protocol::SignedTransferMessage::decode(command.data());
  const PaymentDetails pd = pendingPd();
  if (!(received.pd == pd)) IsoException::throwIt(sw::kConditionsNotSatisfied);
  const protocol::EcPublicKey* counterparty =
      keys_.publicKey(card_->persistent().read(kCounterpartyKey, kPublicKeySize));
  if (!counterparty || !counterparty->verify(protocol::transferPayload(message, pd), received.signature)) {
    IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  }
  return pd;
}

Bytes PurseApplet::req(const CommandApdu& command) {
  const PaymentDetails pd = acceptTransferMessage(command, ProtocolStatus::kEpr, TransferMessage::kReq);
  PersistentRegion& m = card_->persistent();
  const std::uint32_t balance = m.readU32(kBalance);
  if (pd.value > balance) IsoException::throwIt(purse_sw::kInsufficientFunds);
  Bytes response = pd.encode();
  appendBytes(response, signWithCardKey(protocol::transferPayload(TransferMessage::kVal, pd)));
  card_->beginTransaction();
  m.writeU32(kBalance, balance - pd.value);
  m.writeU8(kProtocolStatus, static_cast<std::uint8_t>(ProtocolStatus::kEpa));
  TransactionLog(m).append(protocol::LogType::kTransferOut, pd, balance - pd.value);
  card_->commitTransaction();
  return response;
}

Bytes PurseApplet::val(const CommandApdu& command) {
  const PaymentDetails pd = acceptTransferMessage(command, ProtocolStatus::kEpv, TransferMessage::kVal);
  PersistentRegion& m = card_->persistent();
  const std::uint64_t after = std::uint64_t{m.readU32(kBalance)} + pd.value;
  if (after > m.readU32(kMaxBalance)) IsoException::throwIt(purse_sw::kMaxBalanceExceeded);
  Bytes response = pd.encode();
  appendBytes(response, signWithCardKey(protocol::transferPayload(TransferMessage::kAck, pd)));
  card_->beginTransaction();
  m.writeU32(kBalance, static_cast<std::uint32_t>(after));
  m.writeU8(kProtocolStatus, static_cast<std::uint8_t>(ProtocolStatus::kIdle));
  TransactionLog(m).append(protocol::LogType::kTransferIn, pd, static_cast<protocol::Amount>(after));
  card_->commitTransaction();
  return response;
}

Bytes PurseApplet::ack(const CommandApdu& command) {
  const PaymentDetails pd = acceptTransferMessage(command, ProtocolStatus::kEpa, TransferMessage::kAck);
  PersistentRegion& m = card_->persistent();
  card_->beginTransaction();
  m.writeU8(kProtocolStatus, static_cast<std::uint8_t>(ProtocolStatus::kIdle));
  TransactionLog(m).append(protocol::LogType::kTransferAcked, pd, m.readU32(kBalance));
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
