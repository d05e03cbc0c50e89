#include "terminal/cli/log_command.h"

#include <iomanip>
#include <iostream>
#include <sstream>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "cli/json_values.h"
#include "cli/output.h"
#include "cli/payment_details_text.h"
#include "host/evidence_reader.h"
#include "host/evidence_verifier.h"
#include "host/money.h"
#include "host/reader_session.h"
#include "protocol/ec_key.h"
#include "protocol/purse_commands.h"
#include "terminal/cli/purse_at_hand.h"
#include "terminal/receipt/issuer_public_key.h"

namespace epurse::terminal {
namespace {

using protocol::LogRecord;
using protocol::LogType;

constexpr std::size_t kChallengeSize = 16;

// Which way the value went for this purse: +1 credited, -1 debited, 0 no change (an ACK).
int direction(LogType type) {
  switch (type) {
    case LogType::kLoad:
    case LogType::kTransferIn: return 1;
    case LogType::kUnload:
    case LogType::kTransferOut: return -1;
    case LogType::kTransferAcked: return 0;
  }
  return 0;
}

// The other party of a record: the issuer (by key ID) for loads and unloads, else the other
// purse and its sequence number in the pd.
struct Counterparty {
  const char* kind;
  std::string id;
  std::optional<std::uint32_t> seq;
};

Counterparty counterpartyOf(const LogRecord& r) {
  const auto& pd = r.details;
  switch (r.type) {
    case LogType::kLoad: return {"issuer", toHex(pd.fromId), std::nullopt};
    case LogType::kUnload: return {"issuer", toHex(pd.toId), std::nullopt};
    case LogType::kTransferIn: return {"purse", protocol::purseIdHex(pd.fromId), pd.fromSeq};
    case LogType::kTransferOut:
    case LogType::kTransferAcked: return {"purse", protocol::purseIdHex(pd.toId), pd.toSeq};
  }
  return {"?", "", std::nullopt};
}

std::string counterpartyText(const LogRecord& r) {
  const auto c = counterpartyOf(r);
  std::string text = r.type == LogType::kTransferIn ? "from " : (r.type == LogType::kLoad ? "from " : "to ");
  text += c.kind;
  text += ' ';
  text += c.id;
  if (c.seq) {
    text += " #";
    text += std::to_string(*c.seq);
  }
  return text;
}

std::string amountText(const LogRecord& r) {
  const int d = direction(r.type);
  std::string text = d > 0 ? "+" : (d < 0 ? "-" : " ");
  text += host::formatMoney(r.details.value, r.details.currency);
  return text;
}

void printTable(std::ostream& out, const std::vector<LogRecord>& oldestFirst, protocol::Currency currency) {
  if (oldestFirst.empty()) {
    out << "the log is empty\n";
    return;
  }
  out << std::left << std::setw(6) << "#" << std::setw(27) << "kind" << std::setw(36) << "counterparty"
      << std::setw(15) << "amount" << "balance after\n";
  for (auto it = oldestFirst.rbegin(); it != oldestFirst.rend(); ++it) {
    out << std::left << std::setw(6) << it->number << std::setw(27) << protocol::logTypeName(it->type) << std::setw(36)
        << counterpartyText(*it) << std::setw(15) << amountText(*it) << host::formatMoney(it->balanceAfter, currency)
        << "\n";
  }
  out << "(the card's log records carry no date)\n";
}

nlohmann::json recordJson(const LogRecord& r, protocol::Currency currency) {
  const auto c = counterpartyOf(r);
  const int d = direction(r.type);
  return {{"number", r.number},
          {"kind", protocol::logTypeName(r.type)},
          {"type", static_cast<int>(r.type)},
          {"counterparty", {{"kind", c.kind}, {"id", c.id}, {"seq", c.seq ? nlohmann::json(*c.seq) : nullptr}}},
          {"direction", d > 0 ? "in" : (d < 0 ? "out" : "none")},
          {"amount", cli::moneyJson(r.details.value, r.details.currency)},
          {"balanceAfter", cli::moneyJson(r.balanceAfter, currency)},
          {"pd", cli::pdJson(r.details)},
          {"chainHash", toHex(r.chainHash)},
          {"date", nullptr}};
}

}  // namespace

CLI::App* LogCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand("log", "Show the card's transaction log, newest first; --verify checks it signed");
  reader.addTo(*command);
  cli::addJsonFlag(*command, json);
  auto* key = command->add_option("--issuer-key", issuerKeyFile,
                                  "The issuer's public key (PEM, issuer-public.pem in the issuer's home)");
  command->add_flag("--verify", verify,
                    "Read the log with a signed AUDIT READ over a fresh challenge and check chain and signatures")
      ->needs(key);
  return command;
}

int LogCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", json, out, err);
  std::optional<protocol::EcPublicKey> issuerKey;
  if (verify) {
    auto key = loadIssuerPublicKey(issuerKeyFile);
    if (!key) return output.usage(key.error().message + "; nothing was sent");
    issuerKey = *key;
  }
  int code = cli::kExitOk;
  auto card = openPurse(output, reader, err, code);
  if (!card) return code;
  host::PurseClient& purse = card->purse();
  const protocol::PurseStatus& status = card->status;
  const auto& session = card->session;
  nlohmann::json j = card->identityJson();
  j["verified"] = nullptr;

  std::vector<LogRecord> records;
  std::string verifiedText;
  if (verify) {
    if (status.lifeCycle == protocol::LifeCycle::kBlank) {
      return output.failWith("not_personalised",
                             std::string("the card in '") + session->readerName() +
                                 "' is a blank purse: it has no certificate, so nothing it says can be verified",
                             cli::kExitFailed, j);
    }
    Bytes challenge(kChallengeSize);
    if (!protocol::randomBytes(challenge.data(), challenge.size())) {
      return output.fail(makeError(ErrorCode::kInternal, "no random challenge: the random generator failed"), j);
    }
    auto evidence = host::readEvidence(purse, challenge);
    if (!evidence) return output.fail(evidence.failure(), j);
    auto checked = host::verifyEvidence(*evidence, *issuerKey);
    if (!checked) {
      return output.failWith("check_failed", std::string("the card's log failed the check: ") + checked.error().message,
                             cli::kExitFailed, j);
    }
    records = checked->transactionRecords;
    j["verified"] = {{"challenge", toHex(challenge)},
                     {"issuerKeyId", toHex(checked->certificate.issuerKeyId)},
                     {"appended", checked->transactionHead.appended},
                     {"held", checked->transactionHead.held},
                     {"headHash", toHex(checked->transactionHead.headHash)},
                     {"balance", cli::moneyJson(checked->transactionHead.balance, status.currency)},
                     {"exceptionsHeld", checked->exceptionHead.held}};
    verifiedText = std::string("verified: the certificate under issuer key ") + toHex(checked->certificate.issuerKeyId) +
                   ", both audit heads signed by the card over a fresh challenge, the chain of " +
                   std::to_string(records.size()) + " record(s) up to the signed head (" +
                   std::to_string(checked->transactionHead.appended) + " written in all), the exception log's digest (" +
                   std::to_string(checked->exceptionHead.held) + " held)\n";
  } else {
    auto log = purse.readTransactionLog();
    if (!log) return output.fail(log.failure(), j);
    records = *log;
  }
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (auto it = records.rbegin(); it != records.rend(); ++it) list.push_back(recordJson(*it, status.currency));
    j["records"] = list;
    return output.result(j);
  }
  out << "purse " << protocol::purseIdHex(status.purseId) << " in " << session->readerName() << ", "
      << records.size() << " record(s), newest first\n";
  printTable(out, records, status.currency);
  if (verify) out << verifiedText;
  return output.result({});
}

int LogCommand::run() { return run(std::cout, std::cerr); }

void addLogCommand(Commands& commands) { commands.push_back(std::make_unique<LogCommand>()); }

}  // namespace epurse::terminal
