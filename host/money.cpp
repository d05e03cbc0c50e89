#include "host/money.h"

#include <algorithm>
#include <array>
#include <limits>

namespace epurse::host {
namespace {

using protocol::Amount;
using protocol::Currency;

// ISO 4217 (list one), the currencies a purse issuer is likely to meet, with every exponent
// the standard uses (0, 2, 3 and 4). In numeric order: findCurrency searches by halves.
constexpr std::array kCurrencies = {
    CurrencyInfo{32, "ARS", 2},  CurrencyInfo{36, "AUD", 2},  CurrencyInfo{48, "BHD", 3},
    CurrencyInfo{108, "BIF", 0}, CurrencyInfo{124, "CAD", 2}, CurrencyInfo{152, "CLP", 0},
    CurrencyInfo{156, "CNY", 2}, CurrencyInfo{170, "COP", 2}, CurrencyInfo{174, "KMF", 0},
    CurrencyInfo{203, "CZK", 2}, CurrencyInfo{208, "DKK", 2}, CurrencyInfo{262, "DJF", 0},
    CurrencyInfo{324, "GNF", 0}, CurrencyInfo{344, "HKD", 2}, CurrencyInfo{348, "HUF", 2},
    CurrencyInfo{352, "ISK", 0}, CurrencyInfo{356, "INR", 2}, CurrencyInfo{360, "IDR", 2},
    CurrencyInfo{368, "IQD", 3}, CurrencyInfo{376, "ILS", 2}, CurrencyInfo{392, "JPY", 0},
    CurrencyInfo{400, "JOD", 3}, CurrencyInfo{404, "KES", 2}, CurrencyInfo{410, "KRW", 0},
    CurrencyInfo{414, "KWD", 3}, CurrencyInfo{434, "LYD", 3}, CurrencyInfo{458, "MYR", 2},
    CurrencyInfo{484, "MXN", 2}, CurrencyInfo{504, "MAD", 2}, CurrencyInfo{512, "OMR", 3},
    CurrencyInfo{548, "VUV", 0}, CurrencyInfo{554, "NZD", 2}, CurrencyInfo{566, "NGN", 2},
    CurrencyInfo{578, "NOK", 2}, CurrencyInfo{586, "PKR", 2}, CurrencyInfo{600, "PYG", 0},
    CurrencyInfo{604, "PEN", 2}, CurrencyInfo{608, "PHP", 2}, CurrencyInfo{634, "QAR", 2},
    CurrencyInfo{643, "RUB", 2}, CurrencyInfo{646, "RWF", 0}, CurrencyInfo{682, "SAR", 2},
    CurrencyInfo{702, "SGD", 2}, CurrencyInfo{704, "VND", 0}, CurrencyInfo{710, "ZAR", 2},
    CurrencyInfo{752, "SEK", 2}, CurrencyInfo{756, "CHF", 2}, CurrencyInfo{764, "THB", 2},
    CurrencyInfo{784, "AED", 2}, CurrencyInfo{788, "TND", 3}, CurrencyInfo{800, "UGX", 0},
    CurrencyInfo{818, "EGP", 2}, CurrencyInfo{826, "GBP", 2}, CurrencyInfo{840, "USD", 2},
    CurrencyInfo{901, "TWD", 2}, CurrencyInfo{927, "UYW", 4}, CurrencyInfo{940, "UYI", 0},
    CurrencyInfo{941, "RSD", 2}, CurrencyInfo{946, "RON", 2}, CurrencyInfo{949, "TRY", 2},
    CurrencyInfo{950, "XAF", 0}, CurrencyInfo{952, "XOF", 0}, CurrencyInfo{953, "XPF", 0},
    CurrencyInfo{975, "BGN", 2}, CurrencyInfo{978, "EUR", 2}, CurrencyInfo{980, "UAH", 2},
    CurrencyInfo{985, "PLN", 2}, CurrencyInfo{986, "BRL", 2}, CurrencyInfo{990, "CLF", 4},
};

constexpr std::size_t kMaxExponent = 4;
constexpr std::size_t kNumericCodeDigits = 3;

std::string threeDigits(Currency numeric) {
  std::string digits = std::to_string(numeric);
  if (digits.size() < kNumericCodeDigits) digits.insert(0, kNumericCodeDigits - digits.size(), '0');
  return digits;
}

Error unknownCurrency(Currency numeric) {
  return makeError(ErrorCode::kInvalidArgument,
                   "currency " + threeDigits(numeric) + " is not a known ISO 4217 currency, so its minor unit is unknown");
}

std::uint64_t powerOfTen(std::size_t exponent) {
  std::uint64_t p = 1;
  for (std::size_t i = 0; i < exponent; ++i) p *= 10;
  return p;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

Error badAmount(std::string_view text, const std::string& why) {
  return makeError(ErrorCode::kInvalidArgument, "amount '" + std::string(text) + "': " + why);
}

}  // namespace

std::span<const CurrencyInfo> knownCurrencies() { return kCurrencies; }

std::optional<CurrencyInfo> findCurrency(Currency numeric) {
  const auto it = std::lower_bound(kCurrencies.begin(), kCurrencies.end(), numeric,
                                   [](const CurrencyInfo& c, Currency n) { return c.numeric < n; });
  if (it == kCurrencies.end() || it->numeric != numeric) return std::nullopt;
  return *it;
}

Result<CurrencyInfo> currencyByCode(std::string_view code) {
  for (const CurrencyInfo& c : kCurrencies) {
    if (c.code == code) return c;
  }
  std::string message = "'";
  message += code;
  message += "' is not a known ISO 4217 currency code";
  return makeError(ErrorCode::kInvalidArgument, std::move(message));
}

Result<CurrencyInfo> parseCurrency(std::string_view text) {
  if (text.size() == kNumericCodeDigits && std::all_of(text.begin(), text.end(), isDigit)) {
    const auto numeric = static_cast<Currency>(std::stoi(std::string(text)));
    if (auto c = findCurrency(numeric)) return *c;
    return unknownCurrency(numeric);
  }
  return currencyByCode(text);
}

Result<std::string> formatAmount(Amount minorUnits, Currency currency) {
  const auto info = findCurrency(currency);
  if (!info) return unknownCurrency(currency);
  const std::uint64_t scale = powerOfTen(info->exponent);
  std::string out = std::to_string(minorUnits / scale);
  if (info->exponent > 0) {
    std::string fraction = std::to_string(minorUnits % scale);
    fraction.insert(0, info->exponent - fraction.size(), '0');
    out += '.';
    out += fraction;
  }
  return out;
}

std::string formatMoney(Amount minorUnits, Currency currency) {
  const auto info = findCurrency(currency);
  if (!info) return std::to_string(minorUnits) + " minor units of currency " + threeDigits(currency);
  return std::string(info->code) + " " + *formatAmount(minorUnits, currency);
}

Result<Amount> parseAmount(std::string_view text, Currency currency) {
  const auto info = findCurrency(currency);
  if (!info) return unknownCurrency(currency);
  if (text.empty()) return badAmount(text, "empty");
  if (text.front() == '-') return badAmount(text, "an amount cannot be negative");
  if (text.front() == '+') return badAmount(text, "write the amount without a sign");
  if (std::any_of(text.begin(), text.end(), isSpace)) return badAmount(text, "white space is not allowed");

  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  const auto allDigits = [](std::string_view s) { return std::all_of(s.begin(), s.end(), isDigit); };
  if (!allDigits(whole) || !allDigits(fraction)) {
    return badAmount(text, "only digits and one '.' as the decimal point are allowed");
  }
  if (whole.empty()) return badAmount(text, "write a digit before the decimal point (0.50)");
  if (point != std::string_view::npos && fraction.empty()) {
    return badAmount(text, "write the decimals after the decimal point, or no decimal point");
  }
  if (fraction.size() > info->exponent) {
    if (info->exponent == 0) return badAmount(text, std::string(info->code) + " has no minor unit: no decimals");
    return badAmount(text, std::string(info->code) + " has " + std::to_string(info->exponent) + " decimals at most");
  }

  // Enough digits to exceed 2^32 - 1 minor units are refused before they can overflow the
  // 64-bit accumulator below.
  constexpr Amount kMax = std::numeric_limits<Amount>::max();
  const Error tooLarge = badAmount(text, "more than the largest amount a purse holds (" + *formatAmount(kMax, currency) +
                                             " " + std::string(info->code) + ")");
  std::size_t significant = whole.find_first_not_of('0');
  if (significant == std::string_view::npos) significant = whole.size();
  if (whole.size() - significant > std::numeric_limits<Amount>::digits10 + 1) return tooLarge;

  std::uint64_t value = 0;
  for (const char c : whole) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  value *= powerOfTen(info->exponent);
  std::uint64_t minor = 0;
  for (const char c : fraction) minor = minor * 10 + static_cast<std::uint64_t>(c - '0');
  minor *= powerOfTen(info->exponent - fraction.size());
  value += minor;
  if (value > kMax) return tooLarge;
  static_assert(kMaxExponent + std::numeric_limits<Amount>::digits10 + 1 < std::numeric_limits<std::uint64_t>::digits10);
  return static_cast<Amount>(value);
}

}  // namespace epurse::host
