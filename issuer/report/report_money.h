// The report's figures as text: signed amounts of any size in the currency's own units
// (a float of EUR 50 million is more minor units than a purse's 32-bit Amount holds), the
// currency's label, and times in UTC.
#pragma once

#include <string>

#include "issuer/books/report.h"

namespace epurse::issuer::report {

// "12.50", "-0.03", "1250" (JPY); host::formatAmount's digits, with a sign. A currency not
// in host/money.h's table is shown in minor units, as formatMoney does.
std::string moneyText(Money minorUnits, protocol::Currency currency);
// "EUR", or the three-digit numeric code ("999") for a currency not in the table.
std::string currencyLabel(protocol::Currency currency);
// "2026-12-01T11:42:06Z".
std::string utcText(ledger::UnixTime at);

}  // namespace epurse::issuer::report
