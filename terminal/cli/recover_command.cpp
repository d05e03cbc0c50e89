#include "terminal/cli/recover_command.h"

#include <iostream>
#include <map>

#include "cli/exit_codes.h"
#include "cli/json_values.h"
#include "cli/output.h"
#include "cli/payment_details_text.h"
#include "cli/reader_options.h"
#include "host/money.h"
#include "protocol/purse_commands.h"
#include "terminal/transfer/transfer_recovery.h"

namespace epurse::terminal {
namespace {

using protocol::PaymentDetails;

// The stable --json names of the fates (docs/terminal.md).
const char* fateKey(TransferFate fate) {
  switch (fate) {
    case TransferFate::kValueLost: return "lost";
    case TransferFate::kNothingMoved: return "nothing_moved";
    case TransferFate::kArrivedUnacknowledged: return "arrived";
  }
  return "?";
}

constexpr const char* kRefundAdvice =
    "the issuer refunds it after collecting both cards: epurse export / epurse-issuer collect, then reconcile "
    "and refund";

std::string pdText(const PaymentDetails& pd) {
  std::string text = host::formatMoney(pd.value, pd.currency);
  text += " from purse ";
  text += protocol::purseIdHex(pd.fromId);
  text += " (seq ";
  text += std::to_string(pd.fromSeq);
  text += ") to purse ";
  text += protocol::purseIdHex(pd.toId);
  text += " (seq ";
  text += std::to_string(pd.toSeq);
  text += ")";
  return text;
}

// One sentence per finding: what happened to the value and what to do.
std::string findingText(const TransferFinding& finding) {
  std::string text = pdText(finding.pd);
  switch (finding.fate) {
    case TransferFate::kValueLost:
      text += " was lost in transit: the payer was debited and the payee never credited; ";
      text += kRefundAdvice;
      text += ".";
      break;
    case TransferFate::kNothingMoved:
      text += ": nothing moved, the payer was never debited; nothing to do.";
      break;
    case TransferFate::kArrivedUnacknowledged:
      text += " arrived: the payee was credited, only its acknowledgement was lost; nothing to do.";
      break;
  }
  return text;
}

nlohmann::json findingJson(const TransferFinding& finding) {
  nlohmann::json j{{"fate", fateKey(finding.fate)}, {"pd", cli::pdJson(finding.pd)}};
  j["refundable"] = finding.fate == TransferFate::kValueLost;
  j["text"] = findingText(finding);
  return j;
}

// What each purse was doing before the ABORT.
struct Party {
  std::unique_ptr<host::ReaderSession> session;
  protocol::PurseStatus before;
};

nlohmann::json partyJson(const Party& party) {
  return {{"reader", party.session->readerName()},
          {"purseId", protocol::purseIdHex(party.before.purseId)},
          {"stateBefore", protocol::protocolStatusName(party.before.protocol)}};
}

}  // namespace

CLI::App* RecoverCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand(
      "recover", "After an interrupted transfer: abort both purses and say what happened to the value");
  command->add_option("--from", from, "Reader of the paying purse (number or part of its name)")->required();
  command->add_option("--to", to, "Reader of the paid purse (number or part of its name)")->required();
  static const std::map<std::string, Protocol> kProtocols = {
      {"t0", Protocol::kT0}, {"t1", Protocol::kT1}, {"any", Protocol::kAny}};
  command->add_option("--protocol", protocol, "Transport protocol: t0, t1 or any (default)")
      ->transform(CLI::CheckedTransformer(kProtocols, CLI::ignore_case));
  command->add_flag("--trace", trace, "Print every APDU and response with its time on stderr");
  cli::addJsonFlag(*command, json);
  return command;
}

int RecoverCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", json, out, err);
  if (trace) printer_ = std::make_unique<host::ApduTracePrinter>(err);
  Party parties[2];
  const std::string* names[2] = {&from, &to};
  std::shared_ptr<PcscContext> context;  // one pcscd connection for both readers
  for (int i = 0; i < 2; ++i) {
    host::ReaderSessionOptions options;
    options.reader = host::ReaderSelector::parse(*names[i]);
    options.protocol = protocol;
    options.trace = printer_.get();
    options.context = context;
    auto session = host::ReaderSession::open(options);
    if (!session) return output.fail(session.error());
    parties[i].session = std::move(*session);
    context = parties[i].session->context();
  }
  if (parties[0].session->readerName() == parties[1].session->readerName()) {
    return output.usage("--from and --to name the same reader (" + parties[0].session->readerName() +
                        "): a transfer has two purses");
  }
  for (auto& party : parties) {
    auto status = party.session->purse().status();
    if (!status) return output.fail(status.failure());
    party.before = *status;
  }

  auto report = recover(parties[0].session->purse(), parties[1].session->purse());
  const nlohmann::json purses = {{"from", partyJson(parties[0])}, {"to", partyJson(parties[1])}};
  if (!report) return output.fail(report.failure(), {{"purses", purses}});

  const bool wasInTransfer = parties[0].before.protocol != protocol::ProtocolStatus::kIdle ||
                             parties[1].before.protocol != protocol::ProtocolStatus::kIdle;
  if (json) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : report->findings) findings.push_back(findingJson(f));
    return output.result({{"purses", purses}, {"aborted", wasInTransfer}, {"findings", findings}});
  }
  for (const auto& party : parties) {
    if (party.before.protocol == protocol::ProtocolStatus::kIdle) continue;
    out << "Purse " << protocol::purseIdHex(party.before.purseId) << " in " << party.session->readerName()
        << " was in a transfer (" << protocol::protocolStatusName(party.before.protocol)
        << "): aborted, it is idle again.\n";
  }
  if (report->findings.empty()) {
    out << (wasInTransfer ? "No value was in flight between the two purses: nothing moved, nothing to do.\n"
                          : "Neither purse was in a transfer and no transfer between them is pending: "
                            "nothing to recover.\n");
  }
  for (const auto& f : report->findings) out << findingText(f) << "\n";
  return cli::kExitOk;
}

int RecoverCommand::run() { return run(std::cout, std::cerr); }

void addRecoverCommand(Commands& commands) { commands.push_back(std::make_unique<RecoverCommand>()); }

}  // namespace epurse::terminal
