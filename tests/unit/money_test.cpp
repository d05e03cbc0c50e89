// Money as people write it: formatting and parsing by the currency's ISO 4217 exponent,
// every refusal, round trips, and the 32-bit Amount bound exactly.
#define BOOST_TEST_MODULE money_test
#include <boost/test/unit_test.hpp>

#include <limits>
#include <set>
#include <string>

#include "host/money.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::host;
using epurse::testing::why;
using protocol::Amount;

namespace {

constexpr protocol::Currency kEur = 978, kUsd = 840, kGbp = 826, kChf = 756, kJpy = 392, kBhd = 48, kKwd = 414,
                             kClf = 990;
constexpr Amount kMax = std::numeric_limits<Amount>::max();  // 4294967295

std::string format(Amount a, protocol::Currency c) {
  auto r = formatAmount(a, c);
  BOOST_TEST_REQUIRE(r.isOk(), why(r));
  return *r;
}

Amount parse(const std::string& text, protocol::Currency c) {
  auto r = parseAmount(text, c);
  BOOST_TEST_REQUIRE(r.isOk(), "'" << text << "': " << (r ? "" : r.error().toString()));
  return *r;
}

// The refusal and the words its message must hold.
void refused(const std::string& text, protocol::Currency c, const std::string& because) {
  auto r = parseAmount(text, c);
  BOOST_TEST_REQUIRE(!r.isOk(), "'" << text << "' parsed as " << (r ? *r : 0));
  BOOST_TEST((r.error().code == ErrorCode::kInvalidArgument));
  BOOST_TEST(r.error().message.find(because) != std::string::npos, "'" << text << "': " << r.error().message);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_table_knows_the_common_currencies_with_their_exponents) {
  const std::pair<const char*, std::pair<protocol::Currency, int>> expected[] = {
      {"EUR", {978, 2}}, {"USD", {840, 2}}, {"GBP", {826, 2}}, {"CHF", {756, 2}}, {"JPY", {392, 0}},
      {"BHD", {48, 3}},  {"KWD", {414, 3}}, {"KRW", {410, 0}}, {"CLF", {990, 4}}, {"SEK", {752, 2}}};
  for (const auto& [code, numericAndExponent] : expected) {
    auto byCode = currencyByCode(code);
    BOOST_TEST_REQUIRE(byCode.isOk(), code);
    BOOST_TEST(byCode->numeric == numericAndExponent.first, code);
    BOOST_TEST(byCode->exponent == numericAndExponent.second, code);
    auto byNumber = findCurrency(numericAndExponent.first);
    BOOST_TEST_REQUIRE(byNumber.has_value(), code);
    BOOST_TEST(byNumber->code == code);
  }
  BOOST_TEST(parseCurrency("978")->code == "EUR");
  BOOST_TEST(parseCurrency("048")->code == "BHD");
  BOOST_TEST(parseCurrency("EUR")->numeric == 978);
}

BOOST_AUTO_TEST_CASE(the_table_is_ordered_unique_and_within_the_exponents_parsing_handles) {
  std::set<std::string_view> codes;
  protocol::Currency previous = 0;
  for (const CurrencyInfo& c : knownCurrencies()) {
    BOOST_TEST(c.numeric > previous, c.code);  // findCurrency searches by halves
    previous = c.numeric;
    BOOST_TEST(codes.insert(c.code).second, c.code);
    BOOST_TEST(c.code.size() == 3u);
    BOOST_TEST(c.exponent <= 4);
    BOOST_TEST(findCurrency(c.numeric)->code == c.code);
  }
  BOOST_TEST(knownCurrencies().size() >= 40u);
}

BOOST_AUTO_TEST_CASE(unknown_currencies_and_codes_are_refused) {
  BOOST_TEST(!findCurrency(999).has_value());
  BOOST_TEST(!findCurrency(0).has_value());  // a blank purse's currency
  auto f = formatAmount(1250, 999);
  BOOST_TEST_REQUIRE(!f.isOk());
  BOOST_TEST(f.error().message.find("999") != std::string::npos, f.error().message);
  BOOST_TEST(!parseAmount("12", 999).isOk());
  BOOST_TEST(formatMoney(1250, 999) == "1250 minor units of currency 999");
  BOOST_TEST(formatMoney(0, 0) == "0 minor units of currency 000");
  BOOST_TEST(!currencyByCode("eur").isOk());
  BOOST_TEST(!currencyByCode("XXX").isOk());
  BOOST_TEST(!currencyByCode("").isOk());
  BOOST_TEST(!parseCurrency("999").isOk());
  BOOST_TEST(!parseCurrency("97").isOk());
}

BOOST_AUTO_TEST_CASE(formatting_puts_the_decimal_point_by_exponent) {
  BOOST_TEST(format(1250, kEur) == "12.50");
  BOOST_TEST(format(1250, kJpy) == "1250");
  BOOST_TEST(format(1250, kBhd) == "1.250");
  BOOST_TEST(format(1250, kClf) == "0.1250");
  BOOST_TEST(format(0, kEur) == "0.00");
  BOOST_TEST(format(0, kJpy) == "0");
  BOOST_TEST(format(0, kKwd) == "0.000");
  BOOST_TEST(format(5, kEur) == "0.05");
  BOOST_TEST(format(5, kBhd) == "0.005");
  BOOST_TEST(format(100, kUsd) == "1.00");
  BOOST_TEST(format(kMax, kEur) == "42949672.95");
  BOOST_TEST(format(kMax, kJpy) == "4294967295");
  BOOST_TEST(format(kMax, kKwd) == "4294967.295");
  BOOST_TEST(format(kMax, kClf) == "429496.7295");
  BOOST_TEST(formatMoney(1250, kEur) == "EUR 12.50");
  BOOST_TEST(formatMoney(1250, kJpy) == "JPY 1250");
  BOOST_TEST(formatMoney(1250, kBhd) == "BHD 1.250");
  BOOST_TEST(formatMoney(99, kGbp) == "GBP 0.99");
  BOOST_TEST(formatMoney(100000, kChf) == "CHF 1000.00");
}

BOOST_AUTO_TEST_CASE(parsing_accepts_up_to_the_exponents_decimals) {
  BOOST_TEST(parse("12.5", kEur) == 1250u);
  BOOST_TEST(parse("12.50", kEur) == 1250u);
  BOOST_TEST(parse("12", kEur) == 1200u);
  BOOST_TEST(parse("0.01", kEur) == 1u);
  BOOST_TEST(parse("0", kEur) == 0u);
  BOOST_TEST(parse("0012.50", kEur) == 1250u);  // leading zeros are only zeros
  BOOST_TEST(parse("1250", kJpy) == 1250u);
  BOOST_TEST(parse("1.250", kBhd) == 1250u);
  BOOST_TEST(parse("1.25", kBhd) == 1250u);
  BOOST_TEST(parse("1", kBhd) == 1000u);
  BOOST_TEST(parse("0.001", kKwd) == 1u);
  BOOST_TEST(parse("0.1250", kClf) == 1250u);
}

BOOST_AUTO_TEST_CASE(the_32_bit_bound_exactly) {
  BOOST_TEST(parse("42949672.95", kEur) == kMax);
  refused("42949672.96", kEur, "largest amount");
  BOOST_TEST(parse("4294967295", kJpy) == kMax);
  refused("4294967296", kJpy, "largest amount");
  BOOST_TEST(parse("4294967.295", kBhd) == kMax);
  refused("4294967.296", kBhd, "largest amount");
  BOOST_TEST(parse("429496.7295", kClf) == kMax);
  refused("429496.7296", kClf, "largest amount");
  refused("42949673", kEur, "largest amount");
  refused("99999999999999999999999999", kEur, "largest amount");  // would overflow 64 bits too
  refused("18446744073709551617", kJpy, "largest amount");        // 2^64 + 1
  BOOST_TEST(parse("000000000000000000000042949672.95", kEur) == kMax);
}

BOOST_AUTO_TEST_CASE(every_malformed_amount_is_refused_with_its_reason) {
  refused("", kEur, "empty");
  refused("-1", kEur, "negative");
  refused("-0.01", kEur, "negative");
  refused("+1", kEur, "sign");
  refused("12.505", kEur, "2 decimals at most");
  refused("12.5", kJpy, "no minor unit");
  refused("12.0", kJpy, "no minor unit");
  refused("1.2500", kBhd, "3 decimals at most");
  refused("12 .50", kEur, "white space");
  refused("12. 50", kEur, "white space");
  refused(" 12.50", kEur, "white space");
  refused("12.50 ", kEur, "white space");
  refused("12\t50", kEur, "white space");
  refused("12,50", kEur, "only digits");
  refused("1.2.3", kEur, "only digits");
  refused("12a", kEur, "only digits");
  refused("EUR 12", kEur, "white space");
  refused("1e3", kEur, "only digits");
  refused("0x10", kEur, "only digits");
  refused("abc", kEur, "only digits");
  refused(".50", kEur, "before the decimal point");
  refused(".", kEur, "before the decimal point");
  refused("12.", kEur, "after the decimal point");
}

BOOST_AUTO_TEST_CASE(formatting_then_parsing_gives_the_amount_back) {
  const protocol::Currency currencies[] = {kEur, kJpy, kBhd, kClf};
  const Amount amounts[] = {0, 1, 9, 10, 99, 100, 101, 999, 1000, 1250, 123456789, kMax - 1, kMax};
  for (protocol::Currency c : currencies) {
    for (Amount a : amounts) {
      BOOST_TEST(parse(format(a, c), c) == a, c << " " << a);
    }
  }
  for (const CurrencyInfo& c : knownCurrencies()) BOOST_TEST(parse(format(123456, c.numeric), c.numeric) == 123456u);
}
