// The ledger backends a test runs on: SQLite always, PostgreSQL when EPURSE_TEST_POSTGRES
// names a server (tests/postgres/with-private-postgres.sh sets it). Each test case gets a
// LedgerPlace of its own: a scratch file, or a fresh database (CREATE DATABASE t_<random>
// through the maintenance connection, dropped again with the place). A server that was named
// but cannot be reached throws: the test fails, it is never skipped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "issuer/ledger/ledger.h"

namespace epurse::testing::ledger {

inline constexpr const char* kSqlite = "sqlite";
inline constexpr const char* kPostgres = "postgres";

// {"sqlite"}, and "postgres" when EPURSE_TEST_POSTGRES is set; only {"postgres"} when
// EPURSE_TEST_REQUIRE_POSTGRES=1 (then a missing server fails each case).
std::vector<std::string> ledgerBackends();
// The maintenance conninfo from EPURSE_TEST_POSTGRES, empty if unset.
std::string postgresServer();

class LedgerPlace {
 public:
  virtual ~LedgerPlace() = default;
  virtual const std::string& backend() const = 0;
  // The file's path or the database's libpq URI.
  virtual const std::string& locator() const = 0;
  // What describe() starts with, and a part of it naming this place.
  virtual std::string describedPrefix() const = 0;
  virtual std::string describedPlace() const = 0;
  virtual Result<std::unique_ptr<issuer::ledger::Ledger>> create(const protocol::IssuerKeyId& issuer) = 0;
  virtual Result<std::unique_ptr<issuer::ledger::Ledger>> open() = 0;
};

// Runs one SQL statement on a new connection to `conninfo` (behind the ledger's back);
// throws std::runtime_error with the server's message.
void runOnDatabase(const std::string& conninfo, const std::string& sql);

// Throws std::runtime_error if the place cannot be made (a named server that is unreachable).
std::unique_ptr<LedgerPlace> makeLedgerPlace(const std::string& backend);

}  // namespace epurse::testing::ledger
