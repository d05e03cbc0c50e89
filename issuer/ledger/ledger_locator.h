// One way to name a ledger, whatever its engine: a locator starting with postgresql:// or
// postgres:// is a PostgreSQL database (a libpq URI, postgres_ledger.h); anything else is the
// path of an SQLite file (sqlite_ledger.h). The options are each backend's defaults.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "issuer/ledger/ledger.h"

namespace epurse::issuer::ledger {

// The errors are the chosen backend's (openSqliteLedger / openPostgresLedger).
Result<std::unique_ptr<Ledger>> openLedger(const std::string& locator);
Result<std::unique_ptr<Ledger>> createLedger(const std::string& locator, const protocol::IssuerKeyId& issuer);

}  // namespace epurse::issuer::ledger
