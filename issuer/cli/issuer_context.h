// What every epurse-issuer command starts from: the home (--home), the ledger in it, and for
// the commands that sign, the issuer key (its passphrase read without echo, or from
// --passphrase-file). Read-only commands never ask for the key.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "cli/output.h"
#include "issuer/books/books.h"
#include "issuer/home/issuer_home.h"
#include "issuer/ledger/ledger.h"
#include "issuer/signing/issuer_key.h"
#include "issuer/signing/issuer_orders.h"

namespace epurse::issuer::cli {

inline constexpr const char* kProgram = "epurse-issuer";

struct CommonOptions {
  std::optional<std::string> home;
  bool json = false;
  std::optional<std::string> passphraseFile;  // only on the commands that sign
};

void addHomeOption(CLI::App& command, CommonOptions& options);
void addPassphraseFileOption(CLI::App& command, CommonOptions& options);

// A failure with its exit code and JSON key: epurse's table (cli/exit_codes.h) unless the
// failure is the ledger's or the key's (issuer_exit_codes.h).
struct Failure {
  Error error;
  int exitCode;
  std::string key;
  static Failure of(const Error& error);
  // What a command holds before anything failed; every path that fails overwrites it.
  static Failure unset() { return of(makeError(ErrorCode::kInternal, "no failure recorded")); }
  static Failure ledgerProblem(const Error& error);
  static Failure keyLocked(const Error& error);
};
int fail(epurse::cli::Output& output, const Failure& failure,
         const nlohmann::json& extra = nlohmann::json::object());

// The opened home: its configuration, the ledger, the public key; the signing key and the
// books once asked for.
class IssuerContext {
 public:
  // Reads issuer.json and opens the ledger (never creates one).
  static Result<std::unique_ptr<IssuerContext>> open(const CommonOptions& options, Failure& failure);

  const home::HomeConfig& config() const { return config_; }
  const std::string& homeDir() const { return homeDir_; }
  ledger::Ledger& ledger() { return *ledger_; }
  const protocol::EcPublicKey& publicKey() const { return publicKey_; }

  // Loads the private key (asking for the passphrase when the key is encrypted) and the
  // signer over it. Failure::key on a wrong passphrase.
  Status unlock(const CommonOptions& options, Failure& failure);
  const IssuerSigner* signer() const { return signer_.get(); }

  // The books; with the signer when unlock() succeeded before.
  Books& books();

 private:
  IssuerContext(std::string homeDir, home::HomeConfig config, std::unique_ptr<ledger::Ledger> ledger,
                protocol::EcPublicKey publicKey);

  std::string homeDir_;
  home::HomeConfig config_;
  std::unique_ptr<ledger::Ledger> ledger_;
  protocol::EcPublicKey publicKey_;
  std::optional<IssuerKey> key_;
  std::unique_ptr<IssuerSigner> signer_;
  std::unique_ptr<Books> books_;
};

// Seconds since 1970 and today's date as the purse counts it (YYYYMMDD, UTC).
ledger::UnixTime now();
protocol::Date today();
// "2030-12-31" → 20301231; kInvalidArgument otherwise. And back.
Result<protocol::Date> parseDate(const std::string& text);
std::string formatDate(protocol::Date date);
std::string formatTime(ledger::UnixTime time);  // "2026-12-01 11:35:48 UTC"
Result<protocol::PurseId> parsePurseId(const std::string& hex);

// Progress on stderr ("\rimported 1200/10000") only when stderr is a terminal and not --json.
Progress progressPrinter(const CommonOptions& options, const std::string& verb);

}  // namespace epurse::issuer::cli
