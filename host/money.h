// Amounts of money as people write them: the purse counts minor units (cents, fils, yen) in
// a 32-bit Amount, and the currency's ISO 4217 minor-unit exponent says where the decimal
// point goes: EUR 1250 is "12.50", JPY 1250 is "1250", BHD 1250 is "1.250".
//
// Only the currencies in the table are known. An unknown numeric code is refused by
// formatAmount and parseAmount (guessing an exponent would misstate the value a hundredfold
// or more); formatMoney, for display only, then shows the raw minor units with the code.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "protocol/purse_types.h"

namespace epurse::host {

struct CurrencyInfo {
  protocol::Currency numeric;  // ISO 4217 numeric code, e.g. 978
  std::string_view code;       // ISO 4217 alphabetic code, e.g. "EUR"
  std::uint8_t exponent;       // minor-unit digits, e.g. 2
};

// Every known currency, in numeric order.
std::span<const CurrencyInfo> knownCurrencies();

std::optional<CurrencyInfo> findCurrency(protocol::Currency numeric);
// By alphabetic code, exactly as ISO writes it ("EUR"; "eur" is refused).
Result<CurrencyInfo> currencyByCode(std::string_view code);
// By alphabetic code or by a three-digit numeric code ("EUR" or "978").
Result<CurrencyInfo> parseCurrency(std::string_view text);

// "12.50" for 1250 in EUR. kInvalidArgument for a currency not in the table.
Result<std::string> formatAmount(protocol::Amount minorUnits, protocol::Currency currency);
// "EUR 12.50"; for an unknown currency "1250 minor units of currency 999". Never fails.
std::string formatMoney(protocol::Amount minorUnits, protocol::Currency currency);

// "12.5" in EUR → 1250. Digits, optionally one '.' followed by 1 to `exponent` digits.
// Refused with kInvalidArgument: empty, a sign, white space anywhere, any other character,
// a lone or trailing '.', more decimals than the currency has, more than 2^32 - 1 minor
// units, an unknown currency.
Result<protocol::Amount> parseAmount(std::string_view text, protocol::Currency currency);

}  // namespace epurse::host
