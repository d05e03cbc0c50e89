#include "issuer/books/value_effects.h"

#include <algorithm>

namespace epurse::issuer {

using protocol::LogType;

Money balanceChange(const protocol::LogRecord& record) {
  const Money value = record.details.value;
  switch (record.type) {
    case LogType::kLoad:
    case LogType::kTransferIn:
      return value;
    case LogType::kUnload:
    case LogType::kTransferOut:
      return -value;
    case LogType::kTransferAcked:
      return 0;
  }
  return 0;
}

Money balanceBefore(const protocol::LogRecord& record) {
  return static_cast<Money>(record.balanceAfter) - balanceChange(record);
}

Money orderChange(const ledger::OrderRow& order) {
  const Money amount = order.order.amount;
  return order.kind == ledger::OrderKind::kUnload ? -amount : amount;
}

bool isTransfer(LogType type) {
  return type == LogType::kTransferIn || type == LogType::kTransferOut || type == LogType::kTransferAcked;
}

PdKey pdKey(const protocol::PaymentDetails& pd) {
  PdKey key{};
  const Bytes encoded = pd.encode();
  std::copy_n(encoded.begin(), key.size(), key.begin());
  return key;
}

LogType logTypeOf(ledger::OrderKind kind) {
  return kind == ledger::OrderKind::kUnload ? LogType::kUnload : LogType::kLoad;
}

bool recordMatchesOrder(const protocol::LogRecord& record, const ledger::OrderRow& order) {
  return record.type == logTypeOf(order.kind) && orderCounterOf(record) == order.order.counter &&
         record.details.value == order.order.amount && record.details.currency == order.order.currency;
}

}  // namespace epurse::issuer
