// How the books' conclusions read, in text and in --json, the same in every command.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>
#include <string>

#include "cli/payment_details_text.h"
#include "issuer/books/books.h"
#include "issuer/ledger/ledger_rows.h"

namespace epurse::issuer::cli {

using epurse::cli::transferText;

const char* findingKindName(ledger::FindingKind kind);  // "gap", "rollback", ...
const char* orderKindName(ledger::OrderKind kind);      // "load", "unload", "refund"
const char* transferClassName(TransferClass outcome);   // "lost", "not lost", "unresolved"
// "rollback on purse 0102...: DETAIL (value at risk: EUR 10.00)": with the purse's currency
// when the caller knows it, else the value at risk in minor units.
std::string findingText(const ledger::FindingRow& finding, std::optional<protocol::Currency> currency = std::nullopt);
nlohmann::json findingJson(const ledger::FindingRow& finding, std::optional<protocol::Currency> currency = std::nullopt);
// epurse-issuer's --json of a pd (reconcile, refund); the text is cli::transferText.
nlohmann::json pdJson(const protocol::PaymentDetails& pd);
// "12.50" in the currency's format; raw minor units for a currency the table does not know.
std::string amountText(protocol::Amount minorUnits, protocol::Currency currency);
std::string currencyText(protocol::Currency currency);  // "EUR", or the numeric code

}  // namespace epurse::issuer::cli
