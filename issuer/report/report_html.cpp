#include "issuer/report/report_html.h"

#include "base/hex.h"
#include "issuer/report/html_text.h"
#include "issuer/report/report_chart.h"
#include "issuer/report/report_lines.h"
#include "issuer/report/report_money.h"

namespace epurse::issuer::report {
namespace {

constexpr std::string_view kHead = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>epurse issuer report</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.75em; text-align: left; }
td.amount { text-align: right; font-variant-numeric: tabular-nums; }
.holds { color: #1b5e20; font-weight: bold; }
.fails { color: #b71c1c; font-weight: bold; }
</style>
</head>
<body>
)";

void appendFigureRow(std::string& html, std::string_view label, const std::string& figure, const std::string& text,
                     const std::string* minor) {
  appendAll(html, {"<tr><th>", escapeHtml(label), "</th><td class=\"amount\" data-figure=\"", escapeHtml(figure), "\""});
  if (minor) appendAll(html, {" data-minor=\"", *minor, "\""});
  appendAll(html, {">", escapeHtml(text), "</td></tr>\n"});
}

void appendSection(std::string& html, const CurrencyReport& section, const std::vector<ReportPoint>& timeline) {
  const std::string label = currencyLabel(section.currency);
  appendAll(html, {"<section data-currency=\"", escapeHtml(label), "\">\n<h2>", escapeHtml(label), " (",
                   std::to_string(section.currency), ")</h2>\n<table>\n"});
  for (const ReportLine& line : reportLines()) {
    std::string figure = label;
    figure += '.';
    figure += line.key;
    if (line.money) {
      const Money value = section.*line.money;
      const std::string minor = std::to_string(value);
      appendFigureRow(html, line.label, figure, moneyText(value, section.currency), &minor);
    } else {
      appendFigureRow(html, line.label, figure, std::to_string(section.*line.count), nullptr);
    }
  }
  const bool holds = section.identityHolds();
  std::string verdict = "adds up";
  if (!holds) {
    verdict = "fails by ";
    verdict += moneyText(section.identityDifference, section.currency);
  }
  const std::string difference = std::to_string(section.identityDifference);
  appendAll(html, {"<tr><th>identity: float = in cards + moving + lost not yet refunded − hidden in gaps − copies' "
                   "credits</th><td class=\"",
                   holds ? "holds" : "fails", "\" data-figure=\"", escapeHtml(label), ".identity\" data-minor=\"",
                   difference, "\">", escapeHtml(verdict), "</td></tr>\n</table>\n"});

  std::vector<ReportPoint> points;
  for (const ReportPoint& p : timeline)
    if (p.currency == section.currency) points.push_back(p);
  if (points.empty()) {
    appendAll(html, {"<p data-chart-empty=\"", escapeHtml(label), "\">No order settled yet: nothing to chart.</p>\n"});
  } else {
    appendAll(html, {"<figure>\n", timelineSvg(points, section.currency), "\n<figcaption>", escapeHtml(label),
                     ": the float and the cumulative loaded, unloaded and refunded amounts after each settled "
                     "order.</figcaption>\n</figure>\n"});
  }
  html += "</section>\n";
}

void appendFindings(std::string& html, const Report& report) {
  appendAll(html, {"<h2>Findings</h2>\n<p data-figure=\"findings\">", std::to_string(report.findings.size()),
                   "</p>\n"});
  if (report.findings.empty()) return;
  html += "<table>\n<tr><th>purse</th><th>kind</th><th>value at risk (minor units)</th><th>found</th><th>detail</th></tr>\n";
  for (const ledger::FindingRow& f : report.findings) {
    appendAll(html, {"<tr><td>", escapeHtml(protocol::purseIdHex(f.purseId)), "</td><td>",
                     findingKindName(f.kind), "</td><td>", std::to_string(f.valueAtRisk), "</td><td>",
                     escapeHtml(utcText(f.foundAt)), "</td><td>", escapeHtml(f.detail), "</td></tr>\n"});
  }
  html += "</table>\n";
}

void appendUnresolved(std::string& html, const Report& report) {
  appendAll(html, {"<h2>Unresolved transfers</h2>\n<p data-figure=\"unresolved\">",
                   std::to_string(report.unresolved.size()), "</p>\n"});
  if (report.unresolved.empty()) return;
  html += "<table>\n<tr><th>from</th><th>to</th><th>value</th><th>pd</th></tr>\n";
  for (const protocol::PaymentDetails& pd : report.unresolved) {
    appendAll(html, {"<tr><td>", escapeHtml(protocol::purseIdHex(pd.fromId)), "</td><td>",
                     escapeHtml(protocol::purseIdHex(pd.toId)), "</td><td class=\"amount\">",
                     escapeHtml(currencyLabel(pd.currency)), " ", escapeHtml(moneyText(pd.value, pd.currency)),
                     "</td><td><code>", escapeHtml(toHex(pd.encode())), "</code></td></tr>\n"});
  }
  html += "</table>\n";
}

}  // namespace

std::string reportHtml(const Report& report) {
  std::string html(kHead);
  appendAll(html, {"<h1>Issuer report</h1>\n<p>As of <time data-figure=\"at\" datetime=\"", escapeHtml(utcText(report.at)),
                   "\">", escapeHtml(utcText(report.at)), "</time>.</p>\n<p class=\"",
                   report.identityHolds() ? "holds" : "fails", "\" data-figure=\"identityHolds\">",
                   report.identityHolds() ? "Every currency adds up." : "The books do not add up.", "</p>\n"});
  for (const CurrencyReport& section : report.currencies) appendSection(html, section, report.timeline);
  appendFindings(html, report);
  appendUnresolved(html, report);
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace epurse::issuer::report
