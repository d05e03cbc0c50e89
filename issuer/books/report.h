// The issuer's report: where every unit of value is, by the ledger's evidence, one section per
// currency, and the identity that must hold to the minor unit (docs/issuer.md, "The report"):
//
//   float = in cards + moving + lost not yet refunded − hidden in log gaps − copies' credits
//
// Figures are in minor units of the section's currency; signed, because value moving between
// collections can be negative (a credit collected before its debit).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "issuer/ledger/ledger_rows.h"
#include "protocol/payment_details.h"
#include "protocol/purse_types.h"

namespace epurse::issuer {

using Money = std::int64_t;

struct CurrencyReport {
  protocol::Currency currency = 0;
  std::size_t purses = 0;

  // Issuer orders confirmed by a card receipt or the card's log.
  Money loaded = 0;    // every LOAD, refunds included
  Money refunded = 0;  // the LOADs that refund lost transfers
  Money unloaded = 0;
  Money floatValue = 0;  // loaded − unloaded − refunded: what cardholders paid in, net

  Money inCards = 0;          // Σ each purse's balance at its newest collected record
  Money movingOrders = 0;     // confirmed orders the purse's collected log does not reach yet
  Money movingTransfers = 0;  // debits collected without their credit (not lost) − credits without their debit
  Money lostTotal = 0;        // definitely lost (in both exception logs)
  Money lostRefunded = 0;
  Money lostUnrefunded = 0;
  Money hiddenInGaps = 0;     // balance changes in records overwritten before collection, not otherwise known
  Money copiesCredits = 0;    // credits from a flagged purse's other copy, with no debit in its collected log

  std::size_t pendingOrders = 0;  // authorised, not yet confirmed or voided
  Money pendingLoads = 0;
  Money pendingUnloads = 0;
  std::size_t unresolvedTransfers = 0;  // exception records waiting for the other purse's collection
  Money unresolvedValue = 0;
  std::size_t flaggedPurses = 0;  // with a rollback, fork, duplicate-sequence or unexplained finding
  Money valueAtRisk = 0;

  Money identityRight = 0;  // in cards + moving + lost unrefunded − hidden in gaps − copies' credits
  Money identityDifference = 0;  // floatValue − identityRight; 0 when the books add up
  bool identityHolds() const { return identityDifference == 0; }
};

// The float and the flows, cumulative, after each settled order (the chart).
struct ReportPoint {
  ledger::UnixTime at = 0;
  protocol::Currency currency = 0;
  Money loaded = 0;
  Money refunded = 0;
  Money unloaded = 0;
  Money floatValue = 0;
};

struct Report {
  ledger::UnixTime at = 0;
  std::vector<CurrencyReport> currencies;  // by numeric code
  std::vector<ReportPoint> timeline;       // by time
  std::vector<ledger::FindingRow> findings;
  std::vector<protocol::PaymentDetails> unresolved;
  bool identityHolds() const {
    for (const auto& c : currencies)
      if (!c.identityHolds()) return false;
    return true;
  }
};

}  // namespace epurse::issuer
