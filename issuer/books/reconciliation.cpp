// reconcile(): the lost transfers among those the exception logs name, recorded once.
#include "issuer/books/books.h"
#include "issuer/books/books_failure.h"
#include "issuer/books/books_steps.h"
#include "issuer/books/transfer_classification.h"

namespace epurse::issuer {

using namespace books_internal;

Result<Reconciliation> Books::reconcile(ledger::UnixTime now, const Progress& progress) {
  return guarded([&] {
    auto tx = take(ledger_.beginWrite());
    Reconciliation result;
    result.transfers = classifyTransfers(*tx, progress);
    const RefundState refunds = refundStateWithin(*tx);
    for (auto& t : result.transfers) {
      switch (t.outcome) {
        case TransferClass::kLost:
          ++result.lost;
          t.newlyLost = take(tx->addLostTransfer({t.pd, now}));
          if (t.newlyLost) ++result.newlyLost;
          t.refunded = refunds.confirmed.count(pdKey(t.pd)) > 0;
          break;
        case TransferClass::kNotLost:
          ++result.notLost;
          break;
        case TransferClass::kUnresolved:
          ++result.unresolved;
          break;
      }
    }
    check(tx->commit());
    return result;
  });
}

}  // namespace epurse::issuer
