// The issuer's report for the report page tests: one built by hand (two currencies, value
// moving backwards, a failing identity, a finding whose text is markup), and reading the
// figures back out of a page, as written or as a browser rendered it.
#pragma once

#include <boost/test/unit_test.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "issuer/books/report.h"
#include "protocol/purse_types.h"

namespace epurse::testing {

inline constexpr protocol::Currency kReportEuro = 978;
inline constexpr protocol::Currency kReportYen = 392;
inline constexpr issuer::ledger::UnixTime kReportAt = 1764589326;  // 2025-12-01T11:42:06Z

inline issuer::Report sampleReport() {
  issuer::Report report;
  report.at = kReportAt;

  issuer::CurrencyReport eur;
  eur.currency = kReportEuro;
  eur.purses = 3;
  eur.loaded = 1250;
  eur.refunded = 50;
  eur.unloaded = 200;
  eur.floatValue = 1000;
  eur.inCards = 1303;
  eur.movingOrders = -100;
  eur.movingTransfers = -300;  // credits collected before their debits
  eur.lostTotal = 150;
  eur.lostRefunded = 50;
  eur.lostUnrefunded = 100;
  eur.hiddenInGaps = 0;
  eur.copiesCredits = 0;
  eur.pendingOrders = 2;
  eur.pendingLoads = 700;
  eur.pendingUnloads = 5;
  eur.unresolvedTransfers = 1;
  eur.unresolvedValue = 75;
  eur.flaggedPurses = 1;
  eur.valueAtRisk = 40;
  eur.identityRight = 1003;
  eur.identityDifference = -3;  // fails by 0.03

  issuer::CurrencyReport jpy;
  jpy.currency = kReportYen;
  jpy.purses = 1;
  jpy.loaded = 5000000000;  // beyond a purse's 32-bit amount: the issuer's totals can be
  jpy.floatValue = 5000000000;
  jpy.inCards = 5000000000;
  jpy.identityRight = 5000000000;
  report.currencies = {jpy, eur};  // by numeric code

  // EUR: loads, an unload, a refund; JPY: a single point.
  report.timeline = {
      {kReportAt - 7200, kReportEuro, 1000, 0, 0, 1000},
      {kReportAt - 3600, kReportEuro, 1000, 0, 200, 800},
      {kReportAt - 3000, kReportYen, 5000000000, 0, 0, 5000000000},
      {kReportAt - 1800, kReportEuro, 1200, 0, 200, 1000},
      {kReportAt - 60, kReportEuro, 1250, 50, 200, 1000},
  };

  issuer::ledger::FindingRow finding;
  finding.id = 1;
  finding.purseId = protocol::PurseId{1, 2, 3, 4, 5, 6, 7, 9};
  finding.kind = issuer::ledger::FindingKind::kFork;
  finding.collectionId = 7;
  finding.valueAtRisk = 40;
  finding.detail = "record 5 differs: <script>alert(\"x\")</script> & 'more'";
  finding.foundAt = kReportAt - 600;
  report.findings = {finding};

  protocol::PaymentDetails pd;
  pd.fromId = protocol::PurseId{1, 2, 3, 4, 5, 6, 7, 1};
  pd.fromSeq = 4;
  pd.toId = protocol::PurseId{1, 2, 3, 4, 5, 6, 7, 2};
  pd.toSeq = 9;
  pd.value = 75;
  pd.currency = kReportEuro;
  report.unresolved = {pd};
  return report;
}

inline std::string unescapeHtml(std::string text) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : entities) {
    for (std::size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1)) {
      text.replace(at, std::string(entity).size(), plain);
    }
  }
  return text;
}

struct PageFigure {
  std::string text;   // the element's text
  std::string minor;  // its data-minor attribute, if any
};

// Every element with a data-figure attribute: name -> its text and data-minor. Reads both
// the page as written and a browser's serialisation of its DOM (attributes in source order,
// values in double quotes).
inline std::map<std::string, PageFigure> figuresIn(const std::string& html) {
  std::map<std::string, PageFigure> figures;
  const std::string marker = "data-figure=\"";
  for (std::size_t at = html.find(marker); at != std::string::npos; at = html.find(marker, at + 1)) {
    const std::size_t nameFrom = at + marker.size();
    const std::string name = unescapeHtml(html.substr(nameFrom, html.find('"', nameFrom) - nameFrom));
    const std::size_t tagEnd = html.find('>', nameFrom);
    const std::string rest = html.substr(nameFrom, tagEnd - nameFrom);
    PageFigure figure;
    const std::string minorMarker = "data-minor=\"";
    if (const std::size_t m = rest.find(minorMarker); m != std::string::npos) {
      const std::size_t from = m + minorMarker.size();
      figure.minor = rest.substr(from, rest.find('"', from) - from);
    }
    figure.text = unescapeHtml(html.substr(tagEnd + 1, html.find('<', tagEnd) - tagEnd - 1));
    figures[name] = figure;
  }
  return figures;
}

// Every figure of `reportJson` is on the page, with the same text and minor units: each line
// of each currency, its identity, the report's time, the counts of findings and unresolved.
inline void checkFiguresEqualJson(const std::map<std::string, PageFigure>& figures, const nlohmann::json& json) {
  auto expect = [&](const std::string& name, const std::string& text, const std::string& minor) {
    const auto found = figures.find(name);
    BOOST_TEST_REQUIRE((found != figures.end()), "no figure " << name << " on the page");
    BOOST_TEST(found->second.text == text, name << ": the page says '" << found->second.text << "', the JSON '" << text
                                                << "'");
    BOOST_TEST(found->second.minor == minor, name << ": data-minor " << found->second.minor << ", the JSON " << minor);
  };
  std::size_t expected = 0;
  for (const auto& section : json["currencies"]) {
    const std::string code = section["code"];
    for (const auto& [key, value] : section.items()) {
      if (key == "currency" || key == "code") continue;
      std::string name = code;
      name += '.';
      name += key;
      ++expected;
      if (key == "identity") {
        std::string verdict = "adds up";
        if (!value["holds"].get<bool>()) {
          verdict = "fails by ";
          verdict += value["difference"]["text"].get<std::string>();
        }
        expect(name, verdict, std::to_string(value["difference"]["minor"].get<std::int64_t>()));
      } else if (value.is_object()) {
        expect(name, value["text"], std::to_string(value["minor"].get<std::int64_t>()));
      } else {
        expect(name, std::to_string(value.get<std::uint64_t>()), "");
      }
    }
  }
  expect("at", json["atText"], "");
  expect("identityHolds", json["identityHolds"].get<bool>() ? "Every currency adds up." : "The books do not add up.", "");
  expect("findings", std::to_string(json["findings"].size()), "");
  expect("unresolved", std::to_string(json["unresolved"].size()), "");
  BOOST_TEST(figures.size() == expected + 4, "figures on the page that the JSON does not have");
}

}  // namespace epurse::testing
