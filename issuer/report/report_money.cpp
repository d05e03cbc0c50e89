#include "issuer/report/report_money.h"

#include <cstdio>
#include <ctime>
#include <limits>

#include "host/money.h"

namespace epurse::issuer::report {

std::string moneyText(Money minorUnits, protocol::Currency currency) {
  // The magnitude, computed unsigned so that the most negative value has one too.
  const std::uint64_t magnitude = minorUnits < 0 ? 0 - static_cast<std::uint64_t>(minorUnits)
                                                 : static_cast<std::uint64_t>(minorUnits);
  std::string text = minorUnits < 0 ? "-" : "";
  const auto info = host::findCurrency(currency);
  if (!info) {
    text += std::to_string(magnitude);
    return text;
  }
  if (magnitude <= std::numeric_limits<protocol::Amount>::max()) {
    text += *host::formatAmount(static_cast<protocol::Amount>(magnitude), currency);
    return text;
  }
  // Beyond a purse's range: the same digits host::formatAmount writes, by the same exponent.
  std::uint64_t unit = 1;
  for (int i = 0; i < info->exponent; ++i) unit *= 10;
  text += std::to_string(magnitude / unit);
  if (info->exponent > 0) {
    std::string fraction = std::to_string(magnitude % unit);
    text += '.';
    text.append(info->exponent - fraction.size(), '0');
    text += fraction;
  }
  return text;
}

std::string currencyLabel(protocol::Currency currency) {
  if (const auto info = host::findCurrency(currency)) return std::string(info->code);
  char digits[8];
  std::snprintf(digits, sizeof digits, "%03u", static_cast<unsigned>(currency));
  return digits;
}

std::string utcText(ledger::UnixTime at) {
  const std::time_t seconds = static_cast<std::time_t>(at);
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr) return std::to_string(at);
  char text[40];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, n);
}

}  // namespace epurse::issuer::report
