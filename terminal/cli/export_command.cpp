#include "terminal/cli/export_command.h"

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "base/durable_file.h"
#include "base/hex.h"
#include "cli/audit_export.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "host/evidence_reader.h"
#include "host/reader_session.h"
#include "protocol/ec_key.h"
#include "terminal/cli/purse_at_hand.h"

namespace epurse::terminal {
namespace {

constexpr std::size_t kChallengeSize = 16;

// Anything at the name, a dangling link included.
bool fileExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found && !ec;
}

}  // namespace

CLI::App* ExportCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand(
      "export", "Write the card's signed audit, log records and exception log to a file for epurse-issuer import");
  reader.addTo(*command);
  cli::addJsonFlag(*command, json);
  command->add_option("--out,-o", outFile, "The audit export file to write")->required();
  command->add_flag("--force", force, "Replace FILE if it exists");
  command->add_option("--terminal", terminal,
                      "Where the reading was made, for the issuer's records (default: epurse and the reader's name)");
  return command;
}

constexpr mode_t kExportFileMode = 0600;

int ExportCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", json, out, err);
  if (!force && fileExists(outFile)) return output.usage(outFile + " exists; --force replaces it; nothing was read");
  // Created before the card is read, so that a FILE that cannot be written costs no reading.
  // Owner-only: it holds the purse's whole history (amounts, counterparties, balances).
  auto file = DurableFile::create(outFile, kExportFileMode, force ? IfExists::kReplace : IfExists::kRefuse);
  if (!file) return output.usage(file.error().message + "; nothing was read");
  int code = cli::kExitOk;
  auto card = openPurse(output, reader, err, code);
  if (!card) return code;
  host::PurseClient& purse = card->purse();
  const protocol::PurseStatus& status = card->status;
  const auto& session = card->session;
  nlohmann::json j = card->identityJson();
  if (status.lifeCycle == protocol::LifeCycle::kBlank) {
    return output.failWith("not_personalised",
                           std::string("the card in '") + session->readerName() +
                               "' is a blank purse: it has no certificate and no log to export; nothing was written",
                           cli::kExitFailed, j);
  }

  cli::AuditExportMetadata metadata;
  metadata.exportedAt = cli::exportTime(std::chrono::system_clock::now());
  metadata.terminal = terminal ? *terminal : std::string("epurse, ") + session->readerName();
  Bytes challenge(kChallengeSize);
  if (!protocol::randomBytes(challenge.data(), challenge.size())) {
    return output.fail(makeError(ErrorCode::kInternal, "no random challenge: the random generator failed"), j);
  }
  // The reading is some 40 exchanges; on a slow real reader say what is going on.
  if (!json && ::isatty(STDERR_FILENO)) err << "reading the logs of purse " << j["purseId"].get<std::string>() << " ...\n";
  auto evidence = host::readEvidence(purse, challenge);
  if (!evidence) return output.fail(evidence.failure(), j);
  const cli::AuditExport entry{*evidence, metadata};
  if (Status ok = cli::checkAuditExport(entry); !ok) {
    return output.usage(std::string("--terminal: ") + ok.error().message + "; nothing was written");
  }
  const std::string text = cli::encodeAuditExport(*evidence, metadata);
  if (Status written = (*file)->commit(bytesOf(text)); !written) {
    if (!force && fileExists(outFile)) return output.usage(outFile + " appeared meanwhile; --force replaces it");
    return output.fail(written.error(), j);
  }
  j["file"] = outFile;
  j["bytes"] = text.size();
  j["transactionRecords"] = evidence->transactionRecords.size();
  j["exceptionRecords"] = evidence->exceptionRecords.size();
  j["challenge"] = toHex(challenge);
  j["exportedAt"] = metadata.exportedAt;
  j["terminal"] = metadata.terminal;
  if (json) return output.result(j);
  out << "exported purse " << j["purseId"].get<std::string>() << " from " << session->readerName() << " to "
      << outFile << ": " << evidence->transactionRecords.size() << " log record(s), "
      << evidence->exceptionRecords.size() << " exception record(s), signed over challenge " << toHex(challenge)
      << "\nthe issuer takes it with: epurse-issuer import " << outFile << "\n";
  return output.result({});
}

int ExportCommand::run() { return run(std::cout, std::cerr); }

void addExportCommand(Commands& commands) { commands.push_back(std::make_unique<ExportCommand>()); }

}  // namespace epurse::terminal
