// The model's prediction for every command: the exact status word and the purse afterwards,
// from the protocol's rules and the model's own state only.
#include "tests/model/model_run.h"

#include <algorithm>
#include <iostream>

#include "host/log_verifier.h"
#include "protocol/purse_apdus.h"
#include "protocol/signed_payloads.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/fault_injection_env.h"

namespace epurse::testing::model {

PaymentDetails ModelRun::issuerSide(std::size_t i, std::uint32_t counter, Amount amount, bool isLoad) {
  PurseId issuerId{};
  const auto keyId = issuerOf(i).key().keyId();
  std::copy(keyId.begin(), keyId.end(), issuerId.begin());
  PaymentDetails d;
  d.fromId = isLoad ? issuerId : purses_[i].id;
  d.toId = isLoad ? purses_[i].id : issuerId;
  d.fromSeq = counter;
  d.value = amount;
  d.currency = purses_[i].profile.currency;
  return d;
}

Prediction ModelRun::predictValueOrder(std::size_t i, const ValueOrder& order, bool isLoad) {
  const PurseState& m = model_[i];
  const PurseProfile& limits = purses_[i].profile;
  Prediction p{sw::kSuccess, m};
  if (m.state != ProtocolStatus::kIdle) p.sw = sw::kConditionsNotSatisfied;
  else if (!isLoad && !m.pinVerified) p.sw = sw::kSecurityStatusNotSatisfied;
  else if (order.counter != m.loadCounter) p.sw = sw::kConditionsNotSatisfied;
  else if (isLoad && std::uint64_t{m.balance} + order.amount > limits.maxBalance) {
    p.sw = protocol::purse_sw::kMaxBalanceExceeded;
  } else if (!isLoad && order.amount > m.balance) {
    p.sw = protocol::purse_sw::kInsufficientFunds;
  }
  if (p.sw != sw::kSuccess) return p;
  p.after.balance = isLoad ? m.balance + order.amount : m.balance - order.amount;
  p.after.loadCounter = m.loadCounter + 1;
  p.after.appendLog(isLoad ? LogType::kLoad : LogType::kUnload, issuerSide(i, order.counter, order.amount, isLoad));
  return p;
}

Prediction ModelRun::predictStart(std::size_t x, bool asPayer, const StartOrder& order, PaymentDetails& pd) {
  const PurseState& m = model_[x];
  const PurseProfile& limits = purses_[x].profile;
  const std::size_t j = purseWithCertificate(order.counterpartyCertificate);
  Prediction p{sw::kSuccess, m};
  const bool abortLogs = m.state == ProtocolStatus::kEpv || m.state == ProtocolStatus::kEpa;
  if (purses_[j].issuer != purses_[x].issuer) p.sw = sw::kSecurityStatusNotSatisfied;
  else if (j == x || order.value == 0) p.sw = sw::kWrongData;
  else if (asPayer && order.value > limits.perTransferMax) p.sw = protocol::purse_sw::kTransferLimitExceeded;
  else if (asPayer && order.value > m.balance) p.sw = protocol::purse_sw::kInsufficientFunds;
  else if (asPayer && order.value > limits.noPinLimit && !m.pinVerified) p.sw = sw::kSecurityStatusNotSatisfied;
  else if (!asPayer && std::uint64_t{m.balance} + order.value > limits.maxBalance) {
    p.sw = protocol::purse_sw::kMaxBalanceExceeded;
  } else if (m.exceptions.size() + (abortLogs ? 1 : 0) >= kExceptionCapacity) {
    p.sw = sw::kNotEnoughMemory;
  }
  pd.fromId = asPayer ? purses_[x].id : purses_[j].id;
  pd.fromSeq = asPayer ? m.nextSeq : order.counterpartySeq;
  pd.toId = asPayer ? purses_[j].id : purses_[x].id;
  pd.toSeq = asPayer ? order.counterpartySeq : m.nextSeq;
  pd.value = order.value;
  pd.currency = limits.currency;
  pd.reference = order.reference;
  if (p.sw != sw::kSuccess) return p;
  p.after.abortTransfer();
  p.after.nextSeq = m.nextSeq + 1;
  p.after.state = asPayer ? ProtocolStatus::kEpr : ProtocolStatus::kEpv;
  p.after.pd = pd;
  return p;
}

ProtocolStatus ModelRun::stateFor(TransferMessage kind) {
  switch (kind) {
    case TransferMessage::kReq: return ProtocolStatus::kEpr;
    case TransferMessage::kVal: return ProtocolStatus::kEpv;
    case TransferMessage::kAck: return ProtocolStatus::kEpa;
  }
  return ProtocolStatus::kIdle;
}

Prediction ModelRun::predictMessage(std::size_t x, TransferMessage kind, const SignedTransferMessage& msg) {
  const PurseState& m = model_[x];
  Prediction p{sw::kSuccess, m};
  if (m.state != stateFor(kind) || !(msg.pd == m.pd)) {
    p.sw = sw::kConditionsNotSatisfied;
    return p;
  }
  const auto counterparty = purseWithId(m.state == ProtocolStatus::kEpv ? m.pd.fromId : m.pd.toId);
  MODEL_CHECK(counterparty.has_value(), "a purse in a transfer with an unknown purse");
  if (!purses_[*counterparty].key->verify(protocol::transferPayload(kind, m.pd), msg.signature)) {
    p.sw = sw::kSecurityStatusNotSatisfied;
    return p;
  }
  switch (kind) {
    case TransferMessage::kReq:
      if (m.pd.value > m.balance) {
        p.sw = protocol::purse_sw::kInsufficientFunds;
        return p;
      }
      p.after.balance = m.balance - m.pd.value;
      p.after.state = ProtocolStatus::kEpa;
      p.after.appendLog(LogType::kTransferOut, m.pd);
      break;
    case TransferMessage::kVal:
      if (std::uint64_t{m.balance} + m.pd.value > purses_[x].profile.maxBalance) {
        p.sw = protocol::purse_sw::kMaxBalanceExceeded;
        return p;
      }
      p.after.balance = m.balance + m.pd.value;
      p.after.state = ProtocolStatus::kIdle;
      p.after.appendLog(LogType::kTransferIn, m.pd);
      break;
    case TransferMessage::kAck:
      p.after.state = ProtocolStatus::kIdle;
      p.after.appendLog(LogType::kTransferAcked, m.pd);
      break;
  }
  return p;
}

Prediction ModelRun::predictAbort(std::size_t i) {
  Prediction p{sw::kSuccess, model_[i]};
  p.after.abortTransfer();
  return p;
}

}  // namespace epurse::testing::model
