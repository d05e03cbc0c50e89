#include "terminal/cli/status_command.h"

#include <iostream>

#include "cli/exit_codes.h"
#include "cli/json_values.h"
#include "cli/output.h"
#include "host/reader_session.h"
#include "terminal/cli/purse_at_hand.h"
#include "terminal/cli/purse_status_text.h"

namespace epurse::terminal {
namespace {

// In epa the newest log record is the "transfer out" REQ wrote in the same commit that
// entered epa: the pd of the transfer in progress. In epr and epv the card logs nothing yet.
std::optional<PendingTransfer> pendingTransfer(host::PurseClient& purse, const protocol::PurseStatus& s) {
  if (s.protocol == protocol::ProtocolStatus::kIdle) return std::nullopt;
  PendingTransfer pending;
  pending.state = s.protocol;
  pending.ownSeq = s.nextSeq - 1;  // START took nextSeq and counted it up
  if (s.protocol != protocol::ProtocolStatus::kEpa) return pending;
  auto log = purse.readTransactionLog();
  if (log && !log->empty()) {
    const auto& newest = log->back();
    if (newest.type == protocol::LogType::kTransferOut && newest.details.fromId == s.purseId &&
        newest.details.fromSeq == pending.ownSeq) {
      pending.pd = newest.details;
    }
  }
  return pending;
}

}  // namespace

CLI::App* StatusCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand(
      "status", "Show a purse: ID, issuer key, balance, limits, transfer state, log fill, PIN tries left");
  reader.addTo(*command);
  cli::addJsonFlag(*command, json);
  return command;
}

int StatusCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", json, out, err);
  int code = cli::kExitOk;
  auto card = openPurse(output, reader, err, code);
  if (!card) return code;
  host::PurseClient& purse = card->purse();
  const protocol::PurseStatus& status = card->status;
  const auto& session = card->session;
  std::optional<host::PinResult> pin;
  if (status.lifeCycle != protocol::LifeCycle::kBlank) {
    auto state = purse.pinState();
    if (state) pin = *state;  // a card that will not say (terminated) falls back on the status record
  }
  const auto pending = pendingTransfer(purse, status);
  if (json) {
    nlohmann::json j = statusJson(status, pin, pending);
    j["reader"] = session->readerName();
    j["index"] = session->readerIndex();
    j["protocol"] = cli::protocolText(session->protocol());
    return output.result(j);
  }
  out << "reader        " << session->readerIndex() << "  " << session->readerName() << "\n";
  out << statusText(status, pin, pending);
  return output.result({});
}

int StatusCommand::run() { return run(std::cout, std::cerr); }

void addStatusCommand(Commands& commands) { commands.push_back(std::make_unique<StatusCommand>()); }

}  // namespace epurse::terminal
