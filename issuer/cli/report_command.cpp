// `report [--html FILE]`: where every unit of value is, per currency, and whether the
// identity of issuer/books/report.h adds up. Text by default, --json via reportJson, and a
// self-contained HTML page via reportHtml, written atomically (a temporary file, then rename).

#include <cstdio>
#include <iostream>
#include <string_view>

#include "base/durable_file.h"
#include "cli/exit_codes.h"
#include "host/money.h"
#include "issuer/cli/command.h"
#include "issuer/cli/findings_text.h"
#include "issuer/cli/issuer_context.h"
#include "issuer/report/report_html.h"
#include "issuer/report/report_json.h"
#include "issuer/report/report_lines.h"

namespace epurse::issuer::cli {
namespace {

// Signed: value moving between collections may be negative.
std::string signedAmount(Money value, protocol::Currency currency) {
  const std::uint64_t magnitude = value < 0 ? static_cast<std::uint64_t>(-value) : static_cast<std::uint64_t>(value);
  std::string text = value < 0 ? "-" : "";
  if (magnitude <= 0xFFFFFFFFu) {
    text += amountText(static_cast<protocol::Amount>(magnitude), currency);
  } else {
    text += std::to_string(magnitude);
    text += " minor units";
  }
  return text;
}

// The lines of issuer/report/report_lines.h, the table the JSON and the HTML page use too, then
// the identity in words.
void printCurrency(std::ostream& out, const CurrencyReport& c) {
  const auto cur = c.currency;
  out << currencyText(cur) << "\n";
  for (const auto& line : issuer::report::reportLines()) {
    if (std::string_view(line.key) == "identityRight") continue;  // the identity line says it
    char head[40];
    std::snprintf(head, sizeof head, "  %-30s", line.label);
    out << head;
    if (line.money != nullptr) {
      out << signedAmount(c.*line.money, cur) << "\n";
    } else {
      out << c.*line.count << "\n";
    }
  }
  out << "  identity: float " << signedAmount(c.floatValue, cur)
      << " = in cards + moving + lost not refunded - hidden in gaps - copies' credits "
      << signedAmount(c.identityRight, cur) << ": ";
  if (c.identityHolds()) {
    out << "adds up\n";
  } else {
    out << "FAILS by " << signedAmount(c.identityDifference, cur) << "\n";
  }
}

class ReportCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("report",
                                 "The float, value in cards, moving, lost, pending, flagged, and the identity that ties "
                                 "them together");
    addHomeOption(*c, options_);
    c->add_option("--html", html_, "Also write the report as one self-contained HTML page to this file");
    return c;
  }

  int run() override {
    epurse::cli::Output output(kProgram, options_.json, std::cout, std::cerr);
    Failure failure = Failure::unset();
    auto context = IssuerContext::open(options_, failure);
    if (!context) return fail(output, failure);
    auto report = (*context)->books().report(now());
    if (!report) return fail(output, Failure::ledgerProblem(report.error()));
    const int code = report->identityHolds() ? epurse::cli::kExitOk : epurse::cli::kExitFailed;
    if (html_) {
      if (Status s = writeFileDurably(*html_, bytesOf(issuer::report::reportHtml(*report)), std::nullopt, IfExists::kReplace); !s) {
        return output.fail(s.error());
      }
    }
    if (output.json()) {
      output.result(issuer::report::reportJson(*report));
      return code;
    }
    auto& out = output.text();
    out << "report at " << formatTime(report->at) << "\n";
    for (const auto& c : report->currencies) printCurrency(out, c);
    if (report->currencies.empty()) out << "(nothing issued yet)\n";
    for (const auto& f : report->findings) out << "finding: " << findingText(f) << "\n";
    for (const auto& pd : report->unresolved) out << "unresolved: " << transferText(pd) << "\n";
    if (html_) out << "HTML report written to " << *html_ << "\n";
    out << (report->identityHolds() ? "the books add up\n" : "THE BOOKS DO NOT ADD UP\n");
    return code;
  }

 private:
  CommonOptions options_;
  std::optional<std::string> html_;
};

}  // namespace

void addReportCommand(Commands& commands) { commands.push_back(std::make_unique<ReportCommand>()); }

}  // namespace epurse::issuer::cli
