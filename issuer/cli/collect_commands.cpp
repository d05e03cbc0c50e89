// `collect` (a purse in a reader) and `import` (audit export files made by terminals): the
// evidence is verified and stored by Books::ingest/ingestBatch, all or nothing. Only after the
// books have stored a collection does `collect` push the revocation list and clear the card's
// exception log, naming exactly the records archived.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "base/hex.h"
#include "cli/audit_export.h"
#include "cli/exit_codes.h"
#include "host/evidence_reader.h"
#include "issuer/cli/card_session.h"
#include "issuer/cli/command.h"
#include "issuer/cli/findings_text.h"
#include "protocol/ec_key.h"

namespace epurse::issuer::cli {
namespace {

constexpr std::size_t kChallengeSize = 16;
// An export file of 10,000 purses is a few hundred MB at most; much larger is not one.
constexpr std::uintmax_t kMaxImportSize = std::uintmax_t{2} << 30;

nlohmann::json outcomeJson(const IngestOutcome& o, protocol::Currency currency) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : o.findings) findings.push_back(findingJson(f, currency));
  return {{"purseId", protocol::purseIdHex(o.purseId)},
          {"duplicate", o.duplicate},
          {"collectionId", o.collectionId},
          {"newRecords", o.newRecords},
          {"newExceptions", o.newExceptions},
          {"findings", findings},
          {"ordersConfirmed", o.ordersConfirmed},
          {"ordersVoided", o.ordersVoided},
          {"revoked", o.revoked}};
}

void printOutcome(std::ostream& out, const IngestOutcome& o, std::optional<protocol::Currency> currency) {
  out << "purse " << protocol::purseIdHex(o.purseId) << ": ";
  if (o.duplicate) {
    out << "nothing new (this signed reading was stored before)\n";
    return;
  }
  out << o.newRecords << " new log records, " << o.newExceptions << " new exception records";
  if (!o.ordersConfirmed.empty()) out << ", " << o.ordersConfirmed.size() << " pending orders confirmed";
  if (!o.ordersVoided.empty()) out << ", " << o.ordersVoided.size() << " pending orders voided";
  out << "\n";
  for (const auto& f : o.findings) out << "  finding: " << findingText(f, currency) << "\n";
  if (o.revoked) out << "  the purse is revoked\n";
}

class CollectCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("collect",
                                 "Read a purse's signed logs with a fresh challenge, store them, push the revocation "
                                 "list and clear the archived exception records on the card");
    addHomeOption(*c, options_);
    addPassphraseFileOption(*c, options_);
    reader_.addTo(*c);
    return c;
  }

  int run() override {
    epurse::cli::Output output(kProgram, options_.json, std::cout, std::cerr);
    Failure failure = Failure::unset();
    auto context = IssuerContext::open(options_, failure);
    if (!context) return fail(output, failure);
    auto card = openCard(reader_, failure);
    if (!card) return fail(output, failure);
    const auto& s = (*card)->status;
    if (s.lifeCycle == protocol::LifeCycle::kBlank) {
      return output.failWith("blank_card", "the card is blank: nothing to collect", epurse::cli::kExitFailed);
    }
    if (s.issuerKeyId != (*context)->config().keyId) {
      return output.failWith("other_issuer",
                             "purse " + protocol::purseIdHex(s.purseId) + " belongs to another issuer (key ID " +
                                 toHex(s.issuerKeyId) + "); nothing was stored",
                             epurse::cli::kExitFailed);
    }
    // The key first: a collection that cannot clear afterwards is better not started.
    if (Status unlocked = (*context)->unlock(options_, failure); !unlocked) return fail(output, failure);

    Bytes challenge(kChallengeSize);
    if (!protocol::randomBytes(challenge.data(), challenge.size())) {
      return output.fail(makeError(ErrorCode::kInternal, "no random bytes for the challenge"));
    }
    auto evidence = host::readEvidence((*card)->purse(), challenge);
    if (!evidence) return output.fail(evidence.failure().within("reading the purse's logs"));
    auto& books = (*context)->books();
    auto ingested = books.ingest(*evidence, {(*card)->reader(), true, now()});
    if (!ingested) {
      if (ingested.error().code == ErrorCode::kIo || ingested.error().code == ErrorCode::kBusy) {
        return fail(output, Failure::ledgerProblem(ingested.error()));
      }
      return output.failWith("check_failed",
                             "the purse's logs fail verification: " + ingested.error().message +
                                 "; nothing was stored and nothing on the card was cleared",
                             epurse::cli::kExitFailed);
    }
    nlohmann::json done = outcomeJson(*ingested, s.currency);
    done["reader"] = (*card)->session->readerName();

    auto pushed = pushRevocationList(**context, **card);
    if (!pushed) return output.fail(pushed.failure(), done);
    done["revocationListPushed"] = *pushed;

    std::size_t cleared = 0;
    auto clear = books.exceptionClearFor(s.purseId, evidence->exceptionRecords, now());
    if (!clear) return fail(output, Failure::ledgerProblem(clear.error()), done);
    if (*clear) {
      auto command = (*context)->signer()->clearExceptionLog(s.purseId, **clear);
      if (!command) return output.fail(command.error(), done);
      if (auto r = (*card)->purse().execute(*command); !r) {
        return output.fail(r.failure().within("CLEAR EXCEPTION LOG (the records are archived; collect again to clear)"),
                           done);
      }
      cleared = (*clear)->numbers.size();
    }
    done["exceptionsCleared"] = cleared;
    if (output.json()) return output.result(done);
    auto& out = output.text();
    out << "collected from " << (*card)->session->readerName() << "\n";
    printOutcome(out, *ingested, s.currency);
    if (*pushed) out << "revocation list version " << (*card)->status.revocationVersion << " sent\n";
    out << cleared << " exception records cleared on the card\n";
    return epurse::cli::kExitOk;
  }

 private:
  CommonOptions options_;
  epurse::cli::ReaderOptions reader_;
};

Result<std::string> readFile(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return makeError(ErrorCode::kIo, "cannot read " + path + ": " + ec.message());
  if (size > kMaxImportSize) return makeError(ErrorCode::kInvalidArgument, path + " is far too large for an export");
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::kIo, "cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// One reading or a batch of many: a file of one reading is a batch of one
// (docs/protocol.md "Audit export").
Result<std::vector<host::CollectedEvidence>> decodeExports(std::string_view text) {
  auto batch = epurse::cli::decodeAuditBatch(text);
  if (!batch) return batch.error();
  std::vector<host::CollectedEvidence> out;
  out.reserve(batch->size());
  for (auto& entry : *batch) out.push_back(std::move(entry.evidence));
  return out;
}

class ImportCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("import",
                                 "Verify and store purses' signed audit exports made by terminals (epurse export); "
                                 "each file all or nothing");
    addHomeOption(*c, options_);
    c->add_option("FILE", files_, "Audit export files (one purse or a batch)")->required();
    return c;
  }

  int run() override {
    epurse::cli::Output output(kProgram, options_.json, std::cout, std::cerr);
    Failure failure = Failure::unset();
    auto context = IssuerContext::open(options_, failure);
    if (!context) return fail(output, failure);
    nlohmann::json files = nlohmann::json::array();
    for (const auto& file : files_) {
      auto text = readFile(file);
      if (!text) return output.fail(text.error(), {{"files", files}});
      auto batch = decodeExports(*text);
      if (!batch) {
        return output.failWith("check_failed", file + " is not a readable audit export: " + batch.error().message +
                                                   "; nothing from it was stored",
                               epurse::cli::kExitFailed, {{"files", files}});
      }
      auto outcomes = (*context)->books().ingestBatch(*batch, {"import " + file, false, now()},
                                                      progressPrinter(options_, "imported"));
      if (!outcomes) {
        if (outcomes.error().code == ErrorCode::kIo || outcomes.error().code == ErrorCode::kBusy) {
          return fail(output, Failure::ledgerProblem(outcomes.error()), {{"files", files}});
        }
        return output.failWith("check_failed", file + " fails verification: " + outcomes.error().message +
                                                   "; nothing from it was stored",
                               epurse::cli::kExitFailed, {{"files", files}});
      }
      nlohmann::json purses = nlohmann::json::array();
      bool anything = false;
      // ingestBatch answers each export in order: its certificate names the currency.
      for (std::size_t k = 0; k < outcomes->size(); ++k) {
        purses.push_back(outcomeJson((*outcomes)[k], (*batch)[k].certificate.currency));
        anything = anything || !(*outcomes)[k].duplicate;
      }
      files.push_back({{"file", file}, {"purses", purses}, {"nothingNew", !anything}});
      if (output.json()) continue;
      output.text() << file << ": " << outcomes->size() << " purse exports" << (anything ? "" : ", nothing new")
                    << "\n";
      for (std::size_t k = 0; k < outcomes->size(); ++k) {
        printOutcome(output.text(), (*outcomes)[k], (*batch)[k].certificate.currency);
      }
    }
    return output.json() ? output.result({{"files", files}}) : epurse::cli::kExitOk;
  }

 private:
  CommonOptions options_;
  std::vector<std::string> files_;
};

}  // namespace

void addCollectCommands(Commands& commands) {
  commands.push_back(std::make_unique<CollectCommand>());
  commands.push_back(std::make_unique<ImportCommand>());
}

}  // namespace epurse::issuer::cli
