// `init`: the key ceremony. A new P-256 key, its public half, the ledger, issuer.json.
#include <iostream>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "issuer/cli/command.h"
#include "issuer/cli/home_ledger.h"
#include "issuer/cli/issuer_context.h"
#include "cli/secret_input.h"

namespace epurse::issuer::cli {
using epurse::cli::Secret;
using epurse::cli::readNewSecret;
namespace {

class InitCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* command = app.add_subcommand("init", "Create the issuer: key pair, key ID, ledger, in the home directory");
    addHomeOption(*command, options_);
    auto* file = command->add_option("--passphrase-file", options_.passphraseFile,
                                     "Encrypt the key with the passphrase in this file");
    command->add_flag("--no-passphrase", noPassphrase_, "Store the key unencrypted (mode 0600), for scripts")
        ->excludes(file);
    return command;
  }

  int run() override {
    epurse::cli::Output output(kProgram, options_.json, std::cout, std::cerr);
    auto dir = home::resolveHomeDir(options_.home);
    if (!dir) return output.usage(dir.error().message);
    // Refuse before asking for a passphrase: an existing issuer is never touched.
    const home::HomePaths paths(*dir);
    if (auto existing = home::readHome(*dir); existing) {
      return output.failWith("exists",
                             "an issuer exists in " + *dir + " already (key ID " + toHex(existing->keyId) +
                                 "); nothing was changed",
                             epurse::cli::kExitFailed);
    }
    std::optional<Secret> passphrase;
    if (!noPassphrase_) {
      auto read = readNewSecret({"passphrase", "--passphrase-file or --no-passphrase", options_.passphraseFile,
                                 !options_.passphraseFile.has_value()});
      if (!read) return output.fail(read.error());
      passphrase = std::move(*read);
    }
    auto key = IssuerKey::generate();
    if (!key) return output.fail(key.error());
    const std::optional<std::string> text = passphrase ? std::optional<std::string>(passphrase->text()) : std::nullopt;
    auto created = home::createHome(*dir, *key, text, createHomeLedger, now());
    if (!created) {
      if (created.error().code == ErrorCode::kInvalidArgument) {
        return output.failWith("exists", created.error().message, epurse::cli::kExitFailed);
      }
      return fail(output, Failure::ledgerProblem(created.error()));
    }
    if (output.json()) {
      return output.result({{"keyId", toHex(created->keyId)},
                            {"home", *dir},
                            {"ledger", created->ledgerPath},
                            {"keyEncrypted", created->keyEncrypted}});
    }
    output.text() << "issuer key ID " << toHex(created->keyId) << "\n"
                  << "home          " << *dir << "\n"
                  << "private key   " << paths.key << (created->keyEncrypted ? " (encrypted)" : " (unencrypted)")
                  << "\n"
                  << "ledger        " << created->ledgerPath << "\n";
    return epurse::cli::kExitOk;
  }

 private:
  CommonOptions options_;
  bool noPassphrase_ = false;
};

}  // namespace

void addInitCommand(Commands& commands) { commands.push_back(std::make_unique<InitCommand>()); }

}  // namespace epurse::issuer::cli
