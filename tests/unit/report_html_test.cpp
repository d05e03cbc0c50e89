// The issuer's report as JSON and as an HTML page (issuer/report/): a report built by hand
// with two currencies, value moving backwards and a failing identity. The JSON's figures are
// the report's, in minor units and as the currency writes them; the page shows exactly the
// JSON's figures, escapes every string, loads nothing, and charts each currency's timeline.
#define BOOST_TEST_MODULE report_html
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "host/money.h"
#include "issuer/report/html_text.h"
#include "issuer/report/report_chart.h"
#include "issuer/report/report_html.h"
#include "issuer/report/report_json.h"
#include "issuer/report/report_lines.h"
#include "issuer/report/report_money.h"
#include "tests/support/report_pages.h"

namespace epurse::testing {
namespace {

namespace report = issuer::report;
using nlohmann::json;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

const json& sectionOf(const json& j, const std::string& code) {
  for (const json& s : j["currencies"])
    if (s["code"] == code) return s;
  throw std::runtime_error(std::string("no section ") + code);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_report)

BOOST_AUTO_TEST_CASE(amounts_are_minor_units_and_the_currencys_text) {
  const json j = report::reportJson(sampleReport());
  const json& eur = sectionOf(j, "EUR");
  BOOST_TEST(eur["currency"] == 978);
  BOOST_TEST(eur["purses"] == 3);
  BOOST_TEST(eur["loaded"] == json({{"minor", 1250}, {"text", "12.50"}}));
  BOOST_TEST(eur["refunded"] == json({{"minor", 50}, {"text", "0.50"}}));
  BOOST_TEST(eur["float"] == json({{"minor", 1000}, {"text", "10.00"}}));
  BOOST_TEST(eur["movingTransfers"] == json({{"minor", -300}, {"text", "-3.00"}}));
  BOOST_TEST(eur["movingOrders"] == json({{"minor", -100}, {"text", "-1.00"}}));
  BOOST_TEST(eur["pendingOrders"] == 2);
  BOOST_TEST(eur["identity"] == json({{"holds", false}, {"difference", {{"minor", -3}, {"text", "-0.03"}}}}));
  const json& jpy = sectionOf(j, "JPY");
  BOOST_TEST(jpy["loaded"] == json({{"minor", 5000000000}, {"text", "5000000000"}}));
  BOOST_TEST(jpy["identity"]["holds"] == true);
  BOOST_TEST(j["identityHolds"] == false);
  BOOST_TEST(j["atText"] == "2025-12-01T11:42:06Z");
  // Every line of report.h, each once, in its order after currency and code.
  std::vector<std::string> keys;
  for (const auto& [key, value] : eur.items()) keys.push_back(key);
  BOOST_TEST(eur.size() == report::reportLines().size() + 3);
}

BOOST_AUTO_TEST_CASE(findings_timeline_and_unresolved) {
  const json j = report::reportJson(sampleReport());
  BOOST_TEST_REQUIRE(j["findings"].size() == 1u);
  BOOST_TEST(j["findings"][0]["purse"] == "0102030405060709");
  BOOST_TEST(j["findings"][0]["kind"] == "fork");
  BOOST_TEST(j["findings"][0]["valueAtRisk"] == 40);
  BOOST_TEST(j["findings"][0]["detail"] == sampleReport().findings[0].detail);
  BOOST_TEST_REQUIRE(j["unresolved"].size() == 1u);
  BOOST_TEST(j["unresolved"][0]["pd"] == toHex(sampleReport().unresolved[0].encode()));
  BOOST_TEST(j["unresolved"][0]["from"] == "0102030405060701");
  BOOST_TEST(j["unresolved"][0]["value"]["text"] == "0.75");
  BOOST_TEST_REQUIRE(j["timeline"].size() == 5u);
  BOOST_TEST(j["timeline"][1]["unloaded"]["text"] == "2.00");
  BOOST_TEST(j["timeline"][1]["float"]["minor"] == 800);
  BOOST_TEST(j["timeline"][2]["code"] == "JPY");
}

BOOST_AUTO_TEST_CASE(signed_amounts_of_any_size_read_as_host_money_writes_them) {
  for (protocol::Amount v : {0u, 1u, 9u, 10u, 99u, 100u, 1250u, 4294967295u}) {
    for (protocol::Currency c : {protocol::Currency{978}, protocol::Currency{392}, protocol::Currency{48}}) {
      BOOST_TEST(report::moneyText(v, c) == *host::formatAmount(v, c));
      std::string negative = "-";
      negative += *host::formatAmount(v, c);
      if (v != 0) BOOST_TEST(report::moneyText(-static_cast<issuer::Money>(v), c) == negative);
    }
  }
  BOOST_TEST(report::moneyText(0, 978) == "0.00");
  BOOST_TEST(report::moneyText(4294967296, 978) == "42949672.96");
  BOOST_TEST(report::moneyText(-5000000001, 48) == "-5000000.001");  // BHD: three decimals
  BOOST_TEST(report::moneyText(INT64_MIN, 978) == "-92233720368547758.08");
  BOOST_TEST(report::moneyText(-5, 999) == "-5");  // unknown: minor units
  BOOST_TEST(report::currencyLabel(999) == "999");
  BOOST_TEST(report::currencyLabel(36) == "AUD");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(html_page)

BOOST_AUTO_TEST_CASE(the_page_shows_exactly_the_jsons_figures) {
  const std::string html = report::reportHtml(sampleReport());
  const auto figures = figuresIn(html);
  checkFiguresEqualJson(figures, report::reportJson(sampleReport()));
  BOOST_TEST(figures.at("EUR.identity").text == "fails by -0.03");
  BOOST_TEST(figures.at("EUR.movingTransfers").text == "-3.00");
  BOOST_TEST(figures.at("EUR.movingTransfers").minor == "-300");
  BOOST_TEST(figures.at("JPY.identity").text == "adds up");
  BOOST_TEST(figures.at("JPY.loaded").text == "5000000000");
}

BOOST_AUTO_TEST_CASE(the_lines_come_in_report_hs_order) {
  const std::string html = report::reportHtml(sampleReport());
  const std::size_t eur = html.find("data-currency=\"EUR\"");
  BOOST_TEST_REQUIRE(eur != std::string::npos);
  std::size_t previous = eur;
  for (const report::ReportLine& line : report::reportLines()) {
    std::string figure = "data-figure=\"EUR.";
    figure += line.key;
    figure += '"';
    const std::size_t at = html.find(figure);
    BOOST_TEST_REQUIRE(at != std::string::npos, line.key);
    BOOST_TEST(at > previous, line.key << " out of order");
    previous = at;
  }
  BOOST_TEST(html.find("data-figure=\"EUR.identity\"") > previous);
  BOOST_TEST(html.find("data-currency=\"JPY\"") < eur, "sections in the report's order");
}

BOOST_AUTO_TEST_CASE(every_string_is_escaped) {
  BOOST_TEST(report::escapeHtml("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  const std::string html = report::reportHtml(sampleReport());
  BOOST_TEST(html.find("<script") == std::string::npos);
  BOOST_TEST(html.find("record 5 differs: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39;") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_page_loads_nothing) {
  const std::string html = report::reportHtml(sampleReport());
  // The only URL is the SVG namespace, an identifier that is never fetched.
  BOOST_TEST(count(html, "://") == count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  BOOST_TEST(count(html, "//") == count(html, "://"));
  for (const char* loader : {"<link", "<script", "<img", "<iframe", "<object", "src=", "href=", "url(", "@import"}) {
    BOOST_TEST(html.find(loader) == std::string::npos, loader);
  }
  BOOST_TEST(html.find("Content-Security-Policy\" content=\"default-src 'none'") != std::string::npos);
  BOOST_TEST(html.rfind("<!DOCTYPE html>", 0) == 0u);
  BOOST_TEST(html.find("<meta charset=\"utf-8\">") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(each_currency_is_charted_with_its_points) {
  const std::string html = report::reportHtml(sampleReport());
  BOOST_TEST(count(html, "<svg") == 2u);
  BOOST_TEST(html.find("data-chart=\"EUR\" data-points=\"4\"") != std::string::npos);
  BOOST_TEST(html.find("data-chart=\"JPY\" data-points=\"1\"") != std::string::npos);
  for (const char* series : report::kChartSeries) {
    BOOST_TEST(count(html, std::string("data-series=\"EUR.") + series + "\"") == 1u, series);
    BOOST_TEST(count(html, std::string("data-series=\"JPY.") + series + "\"") == 1u, series);
  }
  BOOST_TEST(html.find(">time (UTC)</text>") != std::string::npos);
  BOOST_TEST(html.find("2025-12-01 09:42</text>") != std::string::npos, "the first instant labels the time axis");
}

BOOST_AUTO_TEST_CASE(a_chart_of_no_point_is_not_drawn_and_one_point_is_a_line) {
  issuer::Report r = sampleReport();
  r.timeline.clear();
  const std::string none = report::reportHtml(r);
  BOOST_TEST(count(none, "<svg") == 0u);
  BOOST_TEST(count(none, "No order settled yet: nothing to chart.") == 2u);
  BOOST_TEST(report::timelineSvg({}, 978).empty());

  const std::string one = report::timelineSvg({issuer::ReportPoint{kReportAt, 978, 1250, 0, 0, 1250}}, 978);
  BOOST_TEST(one.find("data-points=\"1\"") != std::string::npos);
  // From the point to the right edge: a line, not a lone move.
  const std::string marker = "data-series=\"EUR.float\" d=\"";
  const std::size_t path = one.find(marker);
  BOOST_TEST_REQUIRE(path != std::string::npos);
  const std::size_t from = path + marker.size();
  const std::string d = one.substr(from, one.find('"', from) - from);
  BOOST_TEST(d.rfind("M", 0) == 0u, d);
  BOOST_TEST(d.find(" H") != std::string::npos, d);
  BOOST_TEST(one.find("nan") == std::string::npos);
  BOOST_TEST(one.find("inf") == std::string::npos);
  // All values zero: still a chart with a range.
  const std::string zero = report::timelineSvg({issuer::ReportPoint{kReportAt, 978, 0, 0, 0, 0}}, 978);
  BOOST_TEST(zero.find("nan") == std::string::npos);
  BOOST_TEST(zero.find(">0.00</text>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_empty_report_is_a_page_too) {
  const issuer::Report empty{};
  const std::string html = report::reportHtml(empty);
  const auto figures = figuresIn(html);
  checkFiguresEqualJson(figures, report::reportJson(empty));
  BOOST_TEST(figures.at("identityHolds").text == "Every currency adds up.");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
