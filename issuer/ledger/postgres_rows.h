// The ledger's rows as the PostgreSQL backend stores them (the same columns as SQLite's, sqlite_rows.h): the column lists each SELECT reads,
// and their decoding back into ledger_rows.h. A stored value that does not decode (a blob of
// the wrong length, a number out of range, an enum value the program does not know) is
// kCorrupt naming the table, the row's key and the column. Internal to the PostgreSQL backend.
#pragma once

#include <optional>
#include <vector>

#include "base/result.h"
#include "issuer/ledger/ledger_rows.h"
#include "issuer/ledger/postgres_connection.h"

namespace epurse::issuer::ledger::postgres {

// The columns each reader below expects, in this order.
inline constexpr const char* kPurseColumns =
    "purse_id, certificate, max_balance, per_transfer_max, no_pin_limit, registered_at";
inline constexpr const char* kOrderColumns = "id, purse_id, kind, value_order, refund_of, authorised_at";
inline constexpr const char* kSettlementColumns = "order_id, outcome, source, log_number, evidence, settled_at";
inline constexpr const char* kCollectionColumns =
    "id, purse_id, collected_at, source, challenge, transaction_audit, exception_audit, transaction_head, "
    "exception_head";
inline constexpr const char* kLogColumns = "purse_id, number, record, collection_id";
inline constexpr const char* kExceptionColumns = "purse_id, number, record, collection_id";
inline constexpr const char* kFindingColumns = "id, purse_id, kind, collection_id, value_at_risk, detail, found_at";
inline constexpr const char* kLostTransferColumns = "pd, decided_at";
inline constexpr const char* kRevocationColumns = "version, list, command, reason, issued_at";
inline constexpr const char* kExceptionClearColumns = "purse_id, clear_order, issued_at";

Result<PurseRow> readPurse(const PgResult& r, int row);
Result<OrderRow> readOrder(const PgResult& r, int row);
Result<SettlementRow> readSettlement(const PgResult& r, int row);
Result<CollectionRow> readCollection(const PgResult& r, int row);
Result<LogRow> readLogRecord(const PgResult& r, int row);
Result<ExceptionRow> readExceptionRecord(const PgResult& r, int row);
Result<FindingRow> readFinding(const PgResult& r, int row);
Result<LostTransferRow> readLostTransfer(const PgResult& r, int row);
Result<RevocationRow> readRevocation(const PgResult& r, int row);
Result<ExceptionClearRow> readExceptionClear(const PgResult& r, int row);


// Every row of `r`, decoded with `read`.
template <typename Row>
Result<std::vector<Row>> readRows(const PgResult& r, Result<Row> (*read)(const PgResult&, int)) {
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    Result<Row> row = read(r, i);
    if (!row) return row.error();
    rows.push_back(std::move(*row));
  }
  return rows;
}

// The first row of `r`, if any.
template <typename Row>
Result<std::optional<Row>> readFirst(const PgResult& r, Result<Row> (*read)(const PgResult&, int)) {
  if (r.rows() == 0) return std::optional<Row>();
  Result<Row> row = read(r, 0);
  if (!row) return row.error();
  return std::optional<Row>(std::move(*row));
}

}  // namespace epurse::issuer::ledger::postgres
