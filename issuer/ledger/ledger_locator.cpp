#include "issuer/ledger/ledger_locator.h"

#include "issuer/ledger/postgres_ledger.h"
#include "issuer/ledger/sqlite_ledger.h"

namespace epurse::issuer::ledger {

Result<std::unique_ptr<Ledger>> openLedger(const std::string& locator) {
  if (isPostgresLocator(locator)) return openPostgresLedger(locator);
  return openSqliteLedger(locator);
}

Result<std::unique_ptr<Ledger>> createLedger(const std::string& locator, const protocol::IssuerKeyId& issuer) {
  if (isPostgresLocator(locator)) return createPostgresLedger(locator, issuer);
  return createSqliteLedger(locator, issuer);
}

}  // namespace epurse::issuer::ledger
