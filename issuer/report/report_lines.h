// The lines of a currency's section, in report.h's order, with the names the JSON and the
// HTML page both use (and the findings' kinds): one table, so the two outputs cannot list
// different figures.
#pragma once

#include <cstddef>
#include <span>

#include "issuer/books/report.h"

namespace epurse::issuer::report {

struct ReportLine {
  const char* key;    // JSON key and the HTML page's data-figure suffix: "inCards"
  const char* label;  // what a person reads: "in cards"
  Money CurrencyReport::*money = nullptr;        // an amount, or
  std::size_t CurrencyReport::*count = nullptr;  // a number of things
};

// purses, loaded, refunded, unloaded, float, in cards, ... valueAtRisk, identityRight.
std::span<const ReportLine> reportLines();

// "gap", "rollback", "fork", "duplicateSeq", "unexplained".
const char* findingKindName(ledger::FindingKind kind);

}  // namespace epurse::issuer::report
