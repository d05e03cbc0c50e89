#include "issuer/ledger/postgres_rows.h"

#include <algorithm>
#include <limits>
#include <string>

#include "base/hex.h"

namespace epurse::issuer::ledger::postgres {
namespace {

// Reads one row's columns left to right; the first value that does not fit its field is
// remembered, and finish() turns it into kCorrupt naming the table, the key and the column.
class RowReader {
 public:
  RowReader(const PgResult& r, int row, const char* table) : r_(r), row_(row), table_(table) {}

  std::int64_t i64(const char* column) {
    (void)column;
    return r_.integer(row_, next_++);
  }
  template <typename T>
  T integer(const char* column, std::int64_t lowest = 0,
            std::int64_t highest = static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
    const int index = next_++;
    const std::int64_t value = r_.integer(row_, index);
    if (r_.isNull(row_, index) || value < lowest || value > highest) fail(column, "is out of range");
    return static_cast<T>(value);
  }
  template <typename E>
  E enumeration(const char* column, E lowest, E highest) {
    using U = std::underlying_type_t<E>;
    return static_cast<E>(integer<U>(column, static_cast<U>(lowest), static_cast<U>(highest)));
  }
  Bytes bytes(const char* column) {
    const ByteView value = r_.bytes(row_, next_++);
    (void)column;
    return Bytes(value.begin(), value.end());
  }
  bool isNull() const { return r_.isNull(row_, next_); }
  void skip() { ++next_; }
  std::string text(const char* column) {
    (void)column;
    return r_.text(row_, next_++);
  }
  template <std::size_t N>
  std::array<std::uint8_t, N> fixed(const char* column) {
    const ByteView value = r_.bytes(row_, next_++);
    std::array<std::uint8_t, N> out{};
    if (value.size() != N) {
      fail(column, "has the wrong length");
    } else {
      std::copy(value.begin(), value.end(), out.begin());
    }
    return out;
  }
  template <typename T>
  T decoded(const char* column, Result<T> (*decode)(ByteView)) {
    Result<T> value = decode(r_.bytes(row_, next_++));
    if (!value) {
      fail(column, "does not decode: " + value.error().message);
      return T{};
    }
    return std::move(*value);
  }
  // Records a failure found by the caller (a decoded field that disagrees with its column).
  void fail(const char* column, std::string why) {
    if (failure_.empty()) {
      failure_ = column;
      failure_ += ' ';
      failure_ += why;
    }
  }

  template <typename Row>
  Result<Row> finish(Row&& row, const std::string& key) const {
    if (failure_.empty()) return std::move(row);
    std::string message = "ledger table ";
    message += table_;
    message += ", row ";
    message += key;
    message += ": ";
    message += failure_;
    return makeError(ErrorCode::kCorrupt, std::move(message));
  }

 private:
  const PgResult& r_;
  int row_;
  const char* table_;
  int next_ = 0;
  std::string failure_;
};

std::string purseKey(const protocol::PurseId& id) { return "purse " + toHex(id); }

std::string purseNumberKey(const protocol::PurseId& id, std::uint32_t number) {
  std::string key = purseKey(id);
  key += " number ";
  key += std::to_string(number);
  return key;
}

}  // namespace

Result<PurseRow> readPurse(const PgResult& res, int index) {
  RowReader r(res, index, "purses");
  PurseRow row;
  row.purseId = r.fixed<protocol::kPurseIdSize>("purse_id");
  row.certificate = r.decoded("certificate", &protocol::CardCertificate::decode);
  row.maxBalance = r.integer<protocol::Amount>("max_balance");
  row.perTransferMax = r.integer<protocol::Amount>("per_transfer_max");
  row.noPinLimit = r.integer<protocol::Amount>("no_pin_limit");
  row.registeredAt = r.i64("registered_at");
  return r.finish(std::move(row), purseKey(row.purseId));
}

Result<OrderRow> readOrder(const PgResult& res, int index) {
  RowReader r(res, index, "orders");
  OrderRow row;
  row.id = r.i64("id");
  row.purseId = r.fixed<protocol::kPurseIdSize>("purse_id");
  row.kind = r.enumeration("kind", OrderKind::kLoad, OrderKind::kRefund);
  row.order = r.decoded("value_order", &protocol::ValueOrder::decode);
  if (r.isNull()) {
    r.skip();
  } else {
    row.refundOf = r.decoded("refund_of", &protocol::PaymentDetails::decode);
  }
  row.authorisedAt = r.i64("authorised_at");
  return r.finish(std::move(row), "id " + std::to_string(row.id));
}

Result<SettlementRow> readSettlement(const PgResult& res, int index) {
  RowReader r(res, index, "settlements");
  SettlementRow row;
  row.orderId = r.i64("order_id");
  row.outcome = r.enumeration("outcome", Settlement::kConfirmed, Settlement::kVoided);
  row.source = r.enumeration("source", SettlementSource::kReceipt, SettlementSource::kLog);
  row.logNumber = r.integer<std::uint32_t>("log_number");
  row.evidence = r.bytes("evidence");
  row.settledAt = r.i64("settled_at");
  return r.finish(std::move(row), "order " + std::to_string(row.orderId));
}

Result<CollectionRow> readCollection(const PgResult& res, int index) {
  RowReader r(res, index, "collections");
  CollectionRow row;
  row.id = r.i64("id");
  row.purseId = r.fixed<protocol::kPurseIdSize>("purse_id");
  row.collectedAt = r.i64("collected_at");
  row.source = r.text("source");
  row.challenge = r.bytes("challenge");
  row.transactionAudit = r.bytes("transaction_audit");
  row.exceptionAudit = r.bytes("exception_audit");
  row.transactionHead = r.decoded("transaction_head", &protocol::AuditHead::decode);
  row.exceptionHead = r.decoded("exception_head", &protocol::AuditHead::decode);
  return r.finish(std::move(row), "id " + std::to_string(row.id));
}

Result<LogRow> readLogRecord(const PgResult& res, int index) {
  RowReader r(res, index, "log_records");
  LogRow row;
  row.purseId = r.fixed<protocol::kPurseIdSize>("purse_id");
  const auto number = r.integer<std::uint32_t>("number");
  row.record = r.decoded("record", &protocol::LogRecord::decode);
  if (row.record.number != number) r.fail("record", "carries another number");
  row.collectionId = r.i64("collection_id");
  return r.finish(std::move(row), purseNumberKey(row.purseId, number));
}

Result<ExceptionRow> readExceptionRecord(const PgResult& res, int index) {
  RowReader r(res, index, "exception_records");
  ExceptionRow row;
  row.purseId = r.fixed<protocol::kPurseIdSize>("purse_id");
  const auto number = r.integer<std::uint32_t>("number");
  row.record = r.decoded("record", &protocol::ExceptionRecord::decode);
  if (row.record.number != number) r.fail("record", "carries another number");
  row.collectionId = r.i64("collection_id");
  return r.finish(std::move(row), purseNumberKey(row.purseId, number));
}

Result<FindingRow> readFinding(const PgResult& res, int index) {
  RowReader r(res, index, "findings");
  FindingRow row;
  row.id = r.i64("id");
  row.purseId = r.fixed<protocol::kPurseIdSize>("purse_id");
  row.kind = r.enumeration("kind", FindingKind::kGap, FindingKind::kUnexplained);
  // A finding made outside any collection (reconciliation) has none: NULL, 0 in the row.
  row.collectionId = r.i64("collection_id");
  row.valueAtRisk = r.integer<protocol::Amount>("value_at_risk");
  row.detail = r.text("detail");
  row.foundAt = r.i64("found_at");
  return r.finish(std::move(row), "id " + std::to_string(row.id));
}

Result<LostTransferRow> readLostTransfer(const PgResult& res, int index) {
  RowReader r(res, index, "lost_transfers");
  LostTransferRow row;
  const Bytes pd = r.bytes("pd");
  Result<protocol::PaymentDetails> decoded = protocol::PaymentDetails::decode(pd);
  if (decoded) {
    row.pd = *decoded;
  } else {
    r.fail("pd", "does not decode: " + decoded.error().message);
  }
  row.decidedAt = r.i64("decided_at");
  return r.finish(std::move(row), "pd " + toHex(pd));
}

Result<RevocationRow> readRevocation(const PgResult& res, int index) {
  RowReader r(res, index, "revocations");
  RevocationRow row;
  const auto version = r.integer<std::uint32_t>("version");
  row.list = r.decoded("list", &protocol::RevocationList::decode);
  if (row.list.version != version) r.fail("list", "carries another version");
  row.command = r.bytes("command");
  row.reason = r.text("reason");
  row.issuedAt = r.i64("issued_at");
  return r.finish(std::move(row), "version " + std::to_string(version));
}

Result<ExceptionClearRow> readExceptionClear(const PgResult& res, int index) {
  RowReader r(res, index, "exception_clears");
  ExceptionClearRow row;
  row.purseId = r.fixed<protocol::kPurseIdSize>("purse_id");
  row.order = r.decoded("clear_order", &protocol::ExceptionClearOrder::decode);
  row.issuedAt = r.i64("issued_at");
  return r.finish(std::move(row), purseKey(row.purseId));
}

}  // namespace epurse::issuer::ledger::postgres
