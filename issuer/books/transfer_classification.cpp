#include "issuer/books/transfer_classification.h"

#include <map>

#include "issuer/books/books_failure.h"
#include "issuer/books/value_effects.h"

namespace epurse::issuer::books_internal {

using protocol::LogType;

namespace {

struct Named {
  protocol::PaymentDetails pd;
  bool byPayer = false;  // the payer's exception log names it (it was debited: epa)
  bool byPayee = false;  // the payee's (it was waiting for VAL: epv)
};

// A purse's newest signed head says it has started a transfer after the one with sequence
// number `seq`: that one is over (a START aborts a transfer in progress; nothing resumes it).
bool movedPast(const std::map<protocol::PurseId, protocol::AuditHead>& heads, const protocol::PurseId& id,
               std::uint32_t seq) {
  auto it = heads.find(id);
  return it != heads.end() && it->second.nextSeq > seq + 1;
}

}  // namespace

std::vector<ReconciledTransfer> classifyTransfers(ledger::Transaction& tx, const Progress& progress) {
  std::map<PdKey, Named> named;
  for (const auto& row : take(tx.exceptionRecords())) {
    const auto& pd = row.record.pd;
    Named& n = named[pdKey(pd)];
    n.pd = pd;
    if (row.purseId == pd.fromId) n.byPayer = true;
    if (row.purseId == pd.toId) n.byPayee = true;
  }
  std::map<protocol::PurseId, protocol::AuditHead> heads;
  for (const auto& c : take(tx.latestCollections())) heads[c.purseId] = c.transactionHead;

  std::vector<ReconciledTransfer> out;
  out.reserve(named.size());
  std::size_t done = 0;
  for (const auto& [key, n] : named) {
    ReconciledTransfer t;
    t.pd = n.pd;
    if (n.byPayer && n.byPayee) {
      t.outcome = TransferClass::kLost;
      t.reason = "in both exception logs: the payer was debited, the payee never credited";
    } else {
      bool credited = false, debited = false;
      for (const auto& r : take(tx.transferRecordsWithPd(n.pd))) {
        if (r.record.type == LogType::kTransferIn && r.purseId == n.pd.toId) credited = true;
        if (r.record.type == LogType::kTransferOut && r.purseId == n.pd.fromId) debited = true;
      }
      if (credited) {
        t.outcome = TransferClass::kNotLost;
        t.reason = "the payee's log shows the credit";
      } else if (n.byPayee && !debited && movedPast(heads, n.pd.fromId, n.pd.fromSeq)) {
        t.outcome = TransferClass::kNotLost;
        t.reason = "the payer never debited (its log, collected after the transfer ended, has no debit)";
      } else {
        t.outcome = TransferClass::kUnresolved;
        t.reason = n.byPayee ? "waiting for the payer's collection" : "waiting for the payee's collection";
      }
    }
    out.push_back(std::move(t));
    ++done;
    if (progress && (done % 512 == 0 || done == named.size())) progress(done, named.size());
  }
  return out;
}

}  // namespace epurse::issuer::books_internal
