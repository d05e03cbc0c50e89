// The report as JSON (`epurse-issuer report --json`; docs/issuer.md "--json and --html"):
// every amount both as an integer of minor units and as the currency writes it, so scripts
// compute with the one and people read the other.
#pragma once

#include <nlohmann/json.hpp>

#include "issuer/books/report.h"

namespace epurse::issuer::report {

// {"minor": -1250, "text": "-12.50"}
nlohmann::json moneyJson(Money minorUnits, protocol::Currency currency);

// {"at", "atText", "identityHolds",
//  "currencies": [{"currency": 978, "code": "EUR", "purses": 2, "loaded": money, ...
//                  (report_lines.h, in that order), "identity": {"holds", "difference": money}}],
//  "timeline": [{"at", "atText", "currency", "code", "loaded", "refunded", "unloaded", "float"}],
//  "findings": [{"purse", "kind", "collection", "valueAtRisk", "detail", "foundAt"}],
//  "unresolved": [{"pd": hex, "from", "to", "value"}]}
nlohmann::json reportJson(const Report& report);

}  // namespace epurse::issuer::report
