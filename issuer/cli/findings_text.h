// How the books' conclusions read, in text and in --json, the same in every command.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>
#include <string>

#include "issuer/books/books.h"
#include "issuer/ledger/ledger_rows.h"

namespace epurse::issuer::cli {

const char* findingKindName(ledger::FindingKind kind);  // "gap", "rollback", ...
const char* orderKindName(ledger::OrderKind kind);      // "load", "unload", "refund"
const char* transferClassName(TransferClass outcome);   // "lost", "not lost", "unresolved"
// "rollback of purse 0102...: DETAIL (value at risk 12.50)"; amounts in the purse's currency
// when known, else minor units.
// With the purse's currency when the caller knows it: the value at risk as the currency
// shows it ("EUR 10.00"), else in minor units.
std::string findingText(const ledger::FindingRow& finding, std::optional<protocol::Currency> currency = std::nullopt);
nlohmann::json findingJson(const ledger::FindingRow& finding, std::optional<protocol::Currency> currency = std::nullopt);
// "0102... #3 → 0a0b... #7, EUR 12.50"
std::string transferText(const protocol::PaymentDetails& pd);
nlohmann::json pdJson(const protocol::PaymentDetails& pd);
// "12.50" in the currency's format; raw minor units for a currency the table does not know.
std::string amountText(protocol::Amount minorUnits, protocol::Currency currency);
std::string currencyText(protocol::Currency currency);  // "EUR", or the numeric code

}  // namespace epurse::issuer::cli
