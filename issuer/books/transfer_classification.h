// Which transfers named by exception records are lost, which are not, and which cannot be
// decided yet (docs/issuer.md, "Reconciliation"). Read-only: reconcile() records the lost
// ones, report() counts the unresolved.
#pragma once

#include <vector>

#include "issuer/books/books.h"
#include "issuer/ledger/ledger.h"

namespace epurse::issuer::books_internal {

std::vector<ReconciledTransfer> classifyTransfers(ledger::Transaction& tx, const Progress& progress);

}  // namespace epurse::issuer::books_internal
