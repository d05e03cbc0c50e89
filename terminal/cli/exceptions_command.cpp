#include "terminal/cli/exceptions_command.h"

#include <iostream>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/payment_details_text.h"
#include "host/money.h"
#include "host/reader_session.h"
#include "terminal/cli/purse_at_hand.h"

namespace epurse::terminal {
namespace {

using protocol::ExceptionRecord;
using protocol::ProtocolStatus;

struct Explanation {
  const char* side;          // "payer" or "payee"
  std::string counterparty;  // the other purse
  std::string meaning;       // what the record says on its own
  std::string ifBoth;        // when the other purse's log names the same pd
  std::string ifOnlyThis;    // when it does not
};

Explanation explain(const ExceptionRecord& r) {
  const auto& pd = r.pd;
  const std::string value = host::formatMoney(pd.value, pd.currency);
  if (r.abortedIn == ProtocolStatus::kEpa) {
    const std::string payee = protocol::purseIdHex(pd.toId);
    return {"payer", payee,
            std::string("this card paid ") + value + " to purse " + payee + " (it was debited) and never got the acknowledgement",
            std::string("if purse ") + payee + "'s exception log names this pd too, it was never credited: the value was lost in "
            "transit and the issuer refunds " + value + " to this card (epurse-issuer reconcile, then refund)",
            std::string("if it does not, purse ") + payee + " was credited: the value arrived and there is nothing to settle"};
  }
  const std::string payer = protocol::purseIdHex(pd.fromId);
  return {"payee", payer, std::string("this card was to receive ") + value + " from purse " + payer + " and was never credited",
          std::string("if purse ") + payer + "'s exception log names this pd too, that purse was debited: the value was lost in "
          "transit and the issuer refunds " + value + " to purse " + payer,
          std::string("if it does not, purse ") + payer + " was never debited: nothing moved and there is nothing to settle"};
}

constexpr const char* kSettlement =
    "The issuer settles once it holds both purses' logs: epurse-issuer collect (or epurse export here and "
    "epurse-issuer import), then reconcile; it clears the records from the card when it collects them.";

}  // namespace

CLI::App* ExceptionsCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand(
      "exceptions", "Show the card's exception log, explained: what was in transit and what the issuer will settle");
  reader.addTo(*command);
  cli::addJsonFlag(*command, json);
  return command;
}

int ExceptionsCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", json, out, err);
  int code = cli::kExitOk;
  auto card = openPurse(output, reader, err, code);
  if (!card) return code;
  host::PurseClient& purse = card->purse();
  const protocol::PurseStatus& status = card->status;
  const auto& session = card->session;
  auto log = purse.readExceptionLog();
  nlohmann::json j = card->identityJson();
  j["capacity"] = status.exceptionCapacity;
  if (!log) return output.fail(log.failure(), j);

  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (auto it = log->rbegin(); it != log->rend(); ++it) {
      const auto e = explain(*it);
      list.push_back({{"number", it->number},
                      {"abortedIn", protocol::protocolStatusName(it->abortedIn)},
                      {"side", e.side},
                      {"counterparty", e.counterparty},
                      {"transfer", cli::pdJson(it->pd)},
                      {"meaning", e.meaning},
                      {"ifBothLogs", e.ifBoth},
                      {"ifOnlyThisLog", e.ifOnlyThis}});
    }
    j["records"] = list;
    j["settlement"] = list.empty() ? nlohmann::json(nullptr) : nlohmann::json(kSettlement);
    return output.result(j);
  }
  out << "purse " << protocol::purseIdHex(status.purseId) << " in " << session->readerName() << ": "
      << log->size() << " of " << static_cast<int>(status.exceptionCapacity) << " exception records";
  if (log->empty()) {
    out << "; no transfer was left half-way\n";
    return output.result({});
  }
  out << ", newest first\n";
  for (auto it = log->rbegin(); it != log->rend(); ++it) {
    const auto e = explain(*it);
    out << "\n#" << it->number << "  " << e.side << " (aborted in " << protocol::protocolStatusName(it->abortedIn)
        << ")  " << cli::transferText(it->pd) << "\n"
        << "  " << e.meaning << ";\n"
        << "  " << e.ifBoth << ";\n"
        << "  " << e.ifOnlyThis << ".\n"
        << "  pd " << toHex(it->pd.encode()) << "\n";
  }
  out << "\n" << kSettlement << "\n";
  return output.result({});
}

int ExceptionsCommand::run() { return run(std::cout, std::cerr); }

void addExceptionsCommand(Commands& commands) { commands.push_back(std::make_unique<ExceptionsCommand>()); }

}  // namespace epurse::terminal
