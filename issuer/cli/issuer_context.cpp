#include "issuer/cli/issuer_context.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "issuer/cli/home_ledger.h"
#include "issuer/cli/issuer_exit_codes.h"
#include "cli/secret_input.h"

namespace epurse::issuer::cli {
using epurse::cli::Secret;
using epurse::cli::readSecret;

void addHomeOption(CLI::App& command, CommonOptions& options) {
  command.add_option("--home", options.home,
                     "The issuer's home directory (default: $EPURSE_ISSUER_HOME, else ~/.epurse-issuer)");
  command.add_flag("--json", options.json, "Print one JSON object on stdout (errors too)");
}

void addPassphraseFileOption(CLI::App& command, CommonOptions& options) {
  command.add_option("--passphrase-file", options.passphraseFile,
                     "Read the issuer key's passphrase from this file (default: asked without echo)");
}

Failure Failure::of(const Error& e) {
  return {e, epurse::cli::exitCodeFor(e.code), epurse::cli::errorKey(e.code)};
}
Failure Failure::ledgerProblem(const Error& e) {
  return {e, kExitLedger, e.code == ErrorCode::kIo ? "no_issuer" : "ledger"};
}
Failure Failure::keyLocked(const Error& e) { return {e, kExitKey, "wrong_passphrase"}; }

int fail(epurse::cli::Output& output, const Failure& failure, const nlohmann::json& extra) {
  return output.failWith(failure.key, failure.error.message, failure.exitCode, extra);
}

IssuerContext::IssuerContext(std::string homeDir, home::HomeConfig config, std::unique_ptr<ledger::Ledger> ledger,
                             protocol::EcPublicKey publicKey)
    : homeDir_(std::move(homeDir)),
      config_(std::move(config)),
      ledger_(std::move(ledger)),
      publicKey_(std::move(publicKey)) {}

Result<std::unique_ptr<IssuerContext>> IssuerContext::open(const CommonOptions& options, Failure& failure) {
  auto dir = home::resolveHomeDir(options.home);
  if (!dir) {
    failure = Failure::of(dir.error());
    return dir.error();
  }
  auto config = home::readHome(*dir);
  if (!config) {
    failure = Failure::ledgerProblem(config.error());
    return config.error();
  }
  auto publicKey = protocol::EcPublicKey::fromUncompressed(config->publicKey);
  if (!publicKey) {
    failure = Failure::ledgerProblem(makeError(ErrorCode::kCorrupt, "issuer.json's public key does not load"));
    return failure.error;
  }
  auto ledger = openHomeLedger(*config);
  if (!ledger) {
    failure = Failure::ledgerProblem(ledger.error());
    return ledger.error();
  }
  return std::unique_ptr<IssuerContext>(
      new IssuerContext(*dir, std::move(*config), std::move(*ledger), std::move(*publicKey)));
}

Status IssuerContext::unlock(const CommonOptions& options, Failure& failure) {
  const home::HomePaths paths(homeDir_);
  std::optional<Secret> passphrase;
  if (config_.keyEncrypted || options.passphraseFile) {
    auto read = readSecret({"passphrase", "--passphrase-file", options.passphraseFile, false});
    if (!read) {
      failure = Failure::of(read.error());
      return read.error();
    }
    passphrase = std::move(*read);
  }
  auto key = passphrase ? IssuerKey::loadPem(paths.key, passphrase->text()) : IssuerKey::loadPem(paths.key);
  if (!key) {
    failure = key.error().code == ErrorCode::kIo ? Failure::ledgerProblem(key.error()) : Failure::keyLocked(key.error());
    return key.error();
  }
  if (key->keyId() != config_.keyId) {
    failure = Failure::keyLocked(makeError(ErrorCode::kCorrupt, paths.key + " is not the key of issuer " + toHex(config_.keyId)));
    return failure.error;
  }
  key_.emplace(std::move(*key));
  signer_ = std::make_unique<IssuerSigner>(*key_);
  books_.reset();
  return Status::ok();
}

Books& IssuerContext::books() {
  if (!books_) books_ = std::make_unique<Books>(*ledger_, publicKey_, signer_.get());
  return *books_;
}

ledger::UnixTime now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

protocol::Date today() {
  const std::time_t t = static_cast<std::time_t>(now());
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  return static_cast<protocol::Date>((utc.tm_year + 1900) * 10000 + (utc.tm_mon + 1) * 100 + utc.tm_mday);
}

Result<protocol::Date> parseDate(const std::string& text) {
  unsigned y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || text[4] != '-' ||
      text[7] != '-' || m < 1 || m > 12 || d < 1 || d > 31 || y < 2000 || y > 9999) {
    return makeError(ErrorCode::kInvalidArgument, "date '" + text + "' is not YYYY-MM-DD");
  }
  return static_cast<protocol::Date>(y * 10000 + m * 100 + d);
}

std::string formatDate(protocol::Date date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04u-%02u-%02u", date / 10000, date / 100 % 100, date % 100);
  return text;
}

std::string formatTime(ledger::UnixTime time) {
  const std::time_t t = static_cast<std::time_t>(time);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

Result<protocol::PurseId> parsePurseId(const std::string& hex) {
  auto bytes = fromHex(hex);
  protocol::PurseId id{};
  if (!bytes || bytes->size() != id.size()) {
    return makeError(ErrorCode::kInvalidArgument, "purse ID '" + hex + "' is not 16 hex digits");
  }
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

Progress progressPrinter(const CommonOptions& options, const std::string& verb) {
  if (options.json || !::isatty(STDERR_FILENO)) return {};
  return [verb](std::size_t done, std::size_t total) {
    std::cerr << "\r" << verb << " " << done << "/" << total << std::flush;
    if (done == total) std::cerr << "\n";
  };
}

}  // namespace epurse::issuer::cli
