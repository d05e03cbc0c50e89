// What each piece of evidence does to value, in one place for ingestion, reconciliation and the
// report: the signed change a log record makes to its purse's balance, the change an issuer
// order makes to the float, and a pd as a fixed-size key.
#pragma once

#include <array>
#include <cstdint>

#include "issuer/books/report.h"
#include "issuer/ledger/ledger_rows.h"
#include "protocol/log_record.h"
#include "protocol/payment_details.h"

namespace epurse::issuer {

// + for a load or a credit, − for an unload or a debit, 0 for an acknowledgement.
Money balanceChange(const protocol::LogRecord& record);
// The balance before `record`, as the record itself implies.
Money balanceBefore(const protocol::LogRecord& record);
// + for a load or refund, − for an unload.
Money orderChange(const ledger::OrderRow& order);

bool isTransfer(protocol::LogType type);

// pd, encoded: a map key (a fixed array: GCC 12 misreads vector<uint8_t>'s <=> at -O3).
using PdKey = std::array<std::uint8_t, protocol::PaymentDetails::kSize>;
PdKey pdKey(const protocol::PaymentDetails& pd);

// The load counter a load or unload record names (its pd's from sequence number).
inline std::uint32_t orderCounterOf(const protocol::LogRecord& record) { return record.details.fromSeq; }
// The log type an order's record carries.
protocol::LogType logTypeOf(ledger::OrderKind kind);
// The record is the one this order made: same type, counter, amount and currency.
bool recordMatchesOrder(const protocol::LogRecord& record, const ledger::OrderRow& order);

}  // namespace epurse::issuer
