#include "terminal/cli/readers_command.h"

#include <iostream>

#include "apdu/atr.h"
#include "apdu/pcsc_channel.h"
#include "base/hex.h"
#include "cli/exit_codes.h"
#include "cli/json_values.h"
#include "host/apdu_trace.h"
#include "host/money.h"
#include "host/reader_session.h"
#include "protocol/purse_commands.h"

namespace epurse::terminal {
namespace {

std::vector<int> protocolsOf(const Bytes& atr) {
  auto info = parseAtr(atr);
  if (!info) return {};
  return std::vector<int>(info->protocols.begin(), info->protocols.end());
}

std::string purseText(const protocol::PurseStatus& s) {
  std::string text = "  purse " + protocol::purseIdHex(s.purseId) + "  " + protocol::lifeCycleName(s.lifeCycle);
  if (s.lifeCycle != protocol::LifeCycle::kBlank) text += "  " + host::formatMoney(s.balance, s.currency);
  return text;
}

void printHuman(std::ostream& out, const host::ReaderReport& r) {
  out << r.index << "  " << r.name << "  ";
  if (!r.cardPresent) {
    out << "no card";
    if (r.problem) out << "  (" << r.problem->message << ")";
    out << "\n";
    return;
  }
  out << "card present  ATR " << toHex(r.atr);
  const auto protocols = protocolsOf(r.atr);
  if (!protocols.empty()) {
    out << "  (T=";
    for (std::size_t p = 0; p < protocols.size(); ++p) out << (p ? ",T=" : "") << protocols[p];
    out << ")";
  }
  if (r.inUseExclusively) out << "  in exclusive use";
  if (r.status) {
    out << purseText(*r.status);
  } else if (r.probed && !r.isPurse && !r.problem) {
    out << "  not a purse";
  }
  if (r.problem) out << "  (" << r.problem->message << ")";
  out << "\n";
}

nlohmann::json readerJson(const host::ReaderReport& r) {
  nlohmann::json j;
  j["index"] = r.index;
  j["name"] = r.name;
  j["cardPresent"] = r.cardPresent;
  j["exclusive"] = r.inUseExclusively;
  j["atr"] = r.cardPresent ? nlohmann::json(toHex(r.atr)) : nlohmann::json(nullptr);
  nlohmann::json protocols = nlohmann::json::array();
  for (int p : protocolsOf(r.atr)) protocols.push_back("T=" + std::to_string(p));
  j["protocols"] = protocols;
  j["isPurse"] = r.probed ? nlohmann::json(r.isPurse) : nlohmann::json(nullptr);
  j["purse"] = r.status ? cli::purseStatusJson(*r.status) : nlohmann::json(nullptr);
  j["problem"] = r.problem ? nlohmann::json(r.problem->message) : nlohmann::json(nullptr);
  return j;
}

}  // namespace

CLI::App* ReadersCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand(
      "readers", "List PC/SC readers, whether each holds a card, its ATR, and for a purse its ID and balance");
  cli::addJsonFlag(*command, json);
  command->add_flag("--trace", trace, "Print every APDU and response with its time on stderr");
  return command;
}

int ReadersCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", json, out, err);
  auto context = PcscContext::establish();
  if (!context) return output.fail(context.error());
  host::ApduTracePrinter printer(err);
  auto readers = host::surveyReaders(**context, true, trace ? &printer : nullptr);
  if (!readers) return output.fail(readers.error());
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : *readers) list.push_back(readerJson(r));
    return output.result({{"readers", list}});
  }
  if (readers->empty()) {
    out << "no smart card readers found\n";
    return cli::kExitOk;
  }
  for (const auto& r : *readers) printHuman(out, r);
  return cli::kExitOk;
}

int ReadersCommand::run() { return run(std::cout, std::cerr); }

void addReadersCommand(Commands& commands) { commands.push_back(std::make_unique<ReadersCommand>()); }

}  // namespace epurse::terminal
