#include "issuer/cli/home_ledger.h"

#include <sys/stat.h>

#include "base/hex.h"
#include "issuer/ledger/ledger_locator.h"
#include "issuer/ledger/postgres_ledger.h"

namespace epurse::issuer::cli {

Status createHomeLedger(const std::string& path, const protocol::IssuerKeyId& keyId) {
  // `path` is the home's ledger locator: an SQLite file, or a postgresql:// database.
  auto created = ledger::createLedger(path, keyId);
  if (!created) return created.error();
  return Status::ok();
}

Result<std::unique_ptr<ledger::Ledger>> openHomeLedger(const home::HomeConfig& config) {
  // Opening must never create: a missing ledger is an error, not a new empty book.
  struct stat info {};
  if (!ledger::isPostgresLocator(config.ledgerPath) && ::stat(config.ledgerPath.c_str(), &info) != 0) {
    return makeError(ErrorCode::kIo, "the ledger " + config.ledgerPath + " is missing; nothing was changed");
  }
  auto opened = ledger::openLedger(config.ledgerPath);
  if (!opened) return opened.error();
  if ((*opened)->issuerKeyId() != config.keyId) {
    return makeError(ErrorCode::kCorrupt, "the ledger " + config.ledgerPath + " belongs to issuer " +
                                              toHex((*opened)->issuerKeyId()) + ", not to this home's " +
                                              toHex(config.keyId));
  }
  return opened;
}

}  // namespace epurse::issuer::cli
