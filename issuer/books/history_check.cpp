#include "issuer/books/history_check.h"

#include <algorithm>
#include <map>
#include <set>

#include "issuer/books/books_failure.h"
#include "issuer/books/value_effects.h"
#include "host/money.h"

namespace epurse::issuer::books_internal {

using protocol::LogRecord;
using protocol::LogType;
using ledger::FindingKind;
using ledger::FindingRow;

namespace {

// "EUR 12.50", "-EUR 3.00": amounts in a finding's words as the currency shows them.
std::string money(Money m, protocol::Currency currency) {
  if (m >= 0) return host::formatMoney(static_cast<protocol::Amount>(m), currency);
  std::string text = "-";
  text += host::formatMoney(static_cast<protocol::Amount>(-m), currency);
  return text;
}

FindingRow finding(const protocol::PurseId& purseId, FindingKind kind, Money atRisk, std::string detail) {
  FindingRow row;
  row.purseId = purseId;
  row.kind = kind;
  row.valueAtRisk = static_cast<protocol::Amount>(std::max<Money>(0, atRisk));
  row.detail = std::move(detail);
  return row;
}

// What the copies of a forked purse did after the fork: value out (debits, unloads) and in
// (credits, loads, each load counter once: one issuer order replayed on two copies is one load).
struct BranchFlows {
  Money out = 0;
  Money in = 0;
  std::set<std::uint32_t> loadCounters;
  void add(const LogRecord& r) {
    const Money change = balanceChange(r);
    if (change < 0) out -= change;
    if (r.type == LogType::kLoad) {
      if (loadCounters.insert(orderCounterOf(r)).second) in += change;
    } else if (change > 0) {
      in += change;
    }
  }
};

// Value spent beyond what the purse had at the fork: Σ out − (balance at the fork + Σ in).
FindingRow forkFinding(ledger::Transaction& tx, const ledger::PurseRow& purse, const std::vector<LogRecord>& collected,
                       std::uint32_t forkAt) {
  Money atFork = 0;
  if (forkAt > 1) {
    if (auto before = take(tx.findLogRecord(purse.purseId, forkAt - 1))) {
      atFork = before->record.balanceAfter;
    } else {
      auto first = std::find_if(collected.begin(), collected.end(), [&](const LogRecord& r) { return r.number >= forkAt; });
      atFork = first != collected.end() ? balanceBefore(*first) : 0;
    }
  }
  BranchFlows flows;
  Money storedEnd = atFork, collectedEnd = atFork;
  for (const auto& row : take(tx.logRecordsOf(purse.purseId))) {
    if (row.record.number < forkAt) continue;
    flows.add(row.record);
    storedEnd = row.record.balanceAfter;
  }
  for (const auto& r : collected) {
    if (r.number < forkAt) continue;
    flows.add(r);
    collectedEnd = r.balanceAfter;
  }
  const Money atRisk = flows.out - atFork - flows.in;
  const auto amount = [&](Money m) { return money(m, purse.certificate.currency); };
  return finding(purse.purseId, FindingKind::kFork, atRisk,
                 "record " + std::to_string(forkAt) +
                     " differs from the one collected before: the purse was copied or an older image restored; "
                     "balance at the fork " + amount(atFork) + ", spent after it " + amount(flows.out) + ", received " +
                     amount(flows.in) + ", balances now " + amount(storedEnd) + " (collected before) and " +
                     amount(collectedEnd) + " (this collection)");
}

// Loads and unloads must each be an order this issuer signed for this purse.
void checkOrders(ledger::Transaction& tx, const ledger::PurseRow& purse, const std::vector<LogRecord>& records,
                 const protocol::IssuerKeyId& issuerKeyId, std::vector<FindingRow>& findings) {
  std::vector<ledger::OrderRow> orders;
  bool ordersRead = false;
  for (const auto& r : records) {
    if (r.type != LogType::kLoad && r.type != LogType::kUnload) continue;
    if (!ordersRead) {
      orders = take(tx.ordersOf(purse.purseId));
      ordersRead = true;
    }
    const bool issuerNamed = (r.type == LogType::kLoad ? r.details.fromId == protocol::PurseId(issuerKeyId)
                                                       : r.details.toId == protocol::PurseId(issuerKeyId));
    const bool ordered = std::any_of(orders.begin(), orders.end(),
                                     [&](const ledger::OrderRow& o) { return recordMatchesOrder(r, o); });
    if (issuerNamed && ordered) continue;
    const Money atRisk = r.type == LogType::kLoad ? static_cast<Money>(r.details.value) : 0;
    findings.push_back(finding(purse.purseId, FindingKind::kUnexplained, atRisk,
                               std::string(protocol::logTypeName(r.type)) + " record " + std::to_string(r.number) +
                                   " (counter " + std::to_string(orderCounterOf(r)) + ", " + money(r.details.value, purse.certificate.currency) +
                                   ") matches no order this issuer signed"));
  }
}

// Each new record's balance follows from its predecessor's by its own change.
void checkBalances(const ledger::PurseRow& purse, const std::optional<LogRecord>& before,
                   const std::vector<LogRecord>& records, std::vector<FindingRow>& findings) {
  std::optional<LogRecord> previous = before;
  for (const auto& r : records) {
    Money expected = -1;
    if (r.number == 1) expected = balanceChange(r);
    else if (previous && previous->number + 1 == r.number) expected = previous->balanceAfter + balanceChange(r);
    if (expected >= 0 && expected != static_cast<Money>(r.balanceAfter)) {
      findings.push_back(finding(purse.purseId, FindingKind::kUnexplained,
                                 static_cast<Money>(r.balanceAfter) - expected,
                                 "record " + std::to_string(r.number) + " says balance " + money(r.balanceAfter, purse.certificate.currency) +
                                     " where its log explains " + money(expected, purse.certificate.currency)));
    }
    previous = r;
  }
}

// The same payer sequence number in two different transfers: two copies of the payer spent.
void checkSequences(ledger::Transaction& tx, const std::vector<LogRecord>& records, std::vector<FindingRow>& findings) {
  for (const auto& r : records) {
    if (r.type != LogType::kTransferIn && r.type != LogType::kTransferOut) continue;
    auto other = take(tx.conflictingTransfer(r.details));
    if (!other) continue;
    findings.push_back(finding(r.details.fromId, FindingKind::kDuplicateSeq, r.details.value,
                               "sequence number " + std::to_string(r.details.fromSeq) +
                                   " of the payer is in two different transfers (to " +
                                   protocol::purseIdHex(other->record.details.toId) + " and to " +
                                   protocol::purseIdHex(r.details.toId) + ")"));
  }
}

}  // namespace

bool meansClone(FindingKind kind) { return kind != FindingKind::kGap; }

bool isNewFinding(ledger::Transaction& tx, const FindingRow& row) {
  for (const auto& held : take(tx.findingsOf(row.purseId))) {
    if (held.kind == row.kind && held.detail == row.detail) return false;
  }
  return true;
}

HistoryCheck checkHistory(ledger::Transaction& tx, const ledger::PurseRow& purse, const host::VerifiedEvidence& evidence,
                          bool fresh, const protocol::IssuerKeyId& issuerKeyId) {
  HistoryCheck out;
  const protocol::PurseId& id = purse.purseId;
  const auto newest = take(tx.newestLogRecord(id));
  const std::uint32_t held = newest ? newest->record.number : 0;
  const auto& collected = evidence.transactionRecords;

  std::optional<std::uint32_t> forkAt;
  for (const auto& r : collected) {
    if (r.number > held) {
      out.newRecords.push_back(r);
      continue;
    }
    auto stored = take(tx.findLogRecord(id, r.number));
    if (!stored) {
      out.newRecords.push_back(r);  // fills part of an earlier gap; its links are checked below
    } else if (!(stored->record == r)) {
      forkAt = r.number;
      break;
    }
  }
  // A record that does not link to the stored one before it: the chain forked earlier.
  if (!forkAt) {
    // Records read together are chained to each other already (verifyTransactionLog); only
    // where one follows a stored record is the link to the ledger's history to be checked.
    for (std::size_t i = 0; i < out.newRecords.size(); ++i) {
      const LogRecord& r = out.newRecords[i];
      if (r.number <= 1 || (i > 0 && out.newRecords[i - 1].number + 1 == r.number)) continue;
      auto before = r.number == held + 1 && newest ? std::optional<ledger::LogRow>(newest)
                                                   : take(tx.findLogRecord(id, r.number - 1));
      if (before && r.expectedChainHash(before->record.chainHash) != r.chainHash) {
        forkAt = r.number;
        break;
      }
    }
  }
  if (forkAt) {
    out.forked = true;
    out.newRecords.clear();
    out.findings.push_back(forkFinding(tx, purse, collected, *forkAt));
  } else {
    const std::uint32_t appended = evidence.transactionHead.appended;
    if (appended < held && fresh) {
      out.findings.push_back(finding(id, FindingKind::kRollback,
                                     0,
                                     "the card's signed head says " + std::to_string(appended) +
                                         " records ever written; the ledger holds " + std::to_string(held) +
                                         ": an older image of the purse was put back (balance now " +
                                         money(evidence.transactionHead.balance, purse.certificate.currency) + ", last collected " +
                                         money(newest->record.balanceAfter, purse.certificate.currency) + ")"));
    }
    if (!out.newRecords.empty()) {
      const std::uint32_t first = out.newRecords.front().number;
      if (first > held + 1) {
        out.findings.push_back(finding(id, FindingKind::kGap, 0,
                                       "records " + std::to_string(held + 1) + " to " + std::to_string(first - 1) +
                                           " were overwritten on the card before they were collected"));
      }
      std::optional<LogRecord> before;
      if (newest && first == held + 1) before = newest->record;
      checkBalances(purse, before, out.newRecords, out.findings);
      checkOrders(tx, purse, out.newRecords, issuerKeyId, out.findings);
      checkSequences(tx, out.newRecords, out.findings);
    }
  }

  for (const auto& e : evidence.exceptionRecords) {
    auto stored = take(tx.findExceptionRecord(id, e.number));
    if (!stored) {
      out.newExceptions.push_back(e);
    } else if (!(stored->record == e)) {
      out.findings.push_back(finding(id, FindingKind::kFork, 0,
                                     "exception record " + std::to_string(e.number) +
                                         " differs from the one collected before: the purse was copied or restored"));
    }
  }
  return out;
}

}  // namespace epurse::issuer::books_internal
