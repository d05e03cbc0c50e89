// The ledger's rows as the SQLite backend stores them: the column lists each SELECT reads,
// and their decoding back into ledger_rows.h. A stored value that does not decode (a blob of
// the wrong length, a number out of range, an enum value the program does not know) is
// kCorrupt naming the table, the row's key and the column. Internal to the SQLite backend.
#pragma once

#include <optional>
#include <vector>

#include "base/result.h"
#include "issuer/ledger/ledger_rows.h"
#include "issuer/ledger/sqlite_statement.h"

namespace epurse::issuer::ledger::sqlite {

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

Result<PurseRow> readPurse(const Statement& st);
Result<OrderRow> readOrder(const Statement& st);
Result<SettlementRow> readSettlement(const Statement& st);
Result<CollectionRow> readCollection(const Statement& st);
Result<LogRow> readLogRecord(const Statement& st);
Result<ExceptionRow> readExceptionRecord(const Statement& st);
Result<FindingRow> readFinding(const Statement& st);
Result<LostTransferRow> readLostTransfer(const Statement& st);
Result<RevocationRow> readRevocation(const Statement& st);
Result<ExceptionClearRow> readExceptionClear(const Statement& st);


// Steps `st` to its end, decoding every row with `read`.
template <typename Row>
Result<std::vector<Row>> readRows(Statement& st, Result<Row> (*read)(const Statement&)) {
  std::vector<Row> rows;
  for (;;) {
    Result<bool> more = st.step();
    if (!more) return more.error();
    if (!*more) return rows;
    Result<Row> row = read(st);
    if (!row) return row.error();
    rows.push_back(std::move(*row));
  }
}

// The first row of `st`, if any.
template <typename Row>
Result<std::optional<Row>> readFirst(Statement& st, Result<Row> (*read)(const Statement&)) {
  Result<bool> found = st.step();
  if (!found) return found.error();
  if (!*found) return std::optional<Row>();
  Result<Row> row = read(st);
  if (!row) return row.error();
  return std::optional<Row>(std::move(*row));
}

}  // namespace epurse::issuer::ledger::sqlite
