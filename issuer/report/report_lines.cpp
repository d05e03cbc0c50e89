#include "issuer/report/report_lines.h"

namespace epurse::issuer::report {

std::span<const ReportLine> reportLines() {
  using C = CurrencyReport;
  static constexpr ReportLine kLines[] = {
      {"purses", "purses", nullptr, &C::purses},
      {"loaded", "loaded", &C::loaded, nullptr},
      {"refunded", "refunded", &C::refunded, nullptr},
      {"unloaded", "unloaded", &C::unloaded, nullptr},
      {"float", "float (loaded − unloaded − refunded)", &C::floatValue, nullptr},
      {"inCards", "in cards", &C::inCards, nullptr},
      {"movingOrders", "moving: orders", &C::movingOrders, nullptr},
      {"movingTransfers", "moving: transfers", &C::movingTransfers, nullptr},
      {"lostTotal", "lost", &C::lostTotal, nullptr},
      {"lostRefunded", "lost, refunded", &C::lostRefunded, nullptr},
      {"lostUnrefunded", "lost, not yet refunded", &C::lostUnrefunded, nullptr},
      {"hiddenInGaps", "hidden in gaps", &C::hiddenInGaps, nullptr},
      {"copiesCredits", "copies' credits", &C::copiesCredits, nullptr},
      {"pendingOrders", "pending orders", nullptr, &C::pendingOrders},
      {"pendingLoads", "pending loads", &C::pendingLoads, nullptr},
      {"pendingUnloads", "pending unloads", &C::pendingUnloads, nullptr},
      {"unresolvedTransfers", "unresolved transfers", nullptr, &C::unresolvedTransfers},
      {"unresolvedValue", "unresolved value", &C::unresolvedValue, nullptr},
      {"flaggedPurses", "flagged purses", nullptr, &C::flaggedPurses},
      {"valueAtRisk", "value at risk", &C::valueAtRisk, nullptr},
      {"identityRight", "in cards + moving + lost not yet refunded − hidden in gaps − copies' credits",
       &C::identityRight, nullptr},
  };
  return kLines;
}

const char* findingKindName(ledger::FindingKind kind) {
  switch (kind) {
    case ledger::FindingKind::kGap: return "gap";
    case ledger::FindingKind::kRollback: return "rollback";
    case ledger::FindingKind::kFork: return "fork";
    case ledger::FindingKind::kDuplicateSeq: return "duplicateSeq";
    case ledger::FindingKind::kUnexplained: return "unexplained";
  }
  return "unknown";
}

}  // namespace epurse::issuer::report
