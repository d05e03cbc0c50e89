#include "tests/support/ledger_backends.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "issuer/ledger/postgres_ledger.h"
#include "issuer/ledger/sqlite_ledger.h"

namespace epurse::testing::ledger {
namespace {

namespace il = epurse::issuer::ledger;

class SqlitePlace final : public LedgerPlace {
 public:
  SqlitePlace() {
    std::string pattern = (std::filesystem::temp_directory_path() / "epurse-ledger-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    path_ = dir_ + "/books.db";
  }
  ~SqlitePlace() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  const std::string& backend() const override { return name_; }
  const std::string& locator() const override { return path_; }
  std::string describedPrefix() const override { return "SQLite 3."; }
  std::string describedPlace() const override { return path_; }
  Result<std::unique_ptr<il::Ledger>> create(const protocol::IssuerKeyId& issuer) override {
    return il::createSqliteLedger(path_, issuer);
  }
  Result<std::unique_ptr<il::Ledger>> open() override { return il::openSqliteLedger(path_); }

 private:
  std::string name_ = kSqlite;
  std::string dir_;
  std::string path_;
};

// Runs one statement on a new connection to `conninfo`; throws with the server's message.
void runOnServer(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::string failure;
  if (PQstatus(conn) != CONNECTION_OK) {
    failure = "cannot reach the test PostgreSQL server (EPURSE_TEST_POSTGRES): ";
    failure += PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) failure = sql + ": " + PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  if (!failure.empty()) throw std::runtime_error(failure);
}

// The server's URI with another database: postgresql://[who@][where]/DB[?options].
std::string withDatabase(const std::string& uri, const std::string& database) {
  const std::size_t scheme = uri.find("://");
  if (scheme == std::string::npos) throw std::runtime_error("EPURSE_TEST_POSTGRES is not a postgresql:// URI: " + uri);
  const std::size_t query = uri.find('?', scheme + 3);
  const std::size_t slash = uri.find('/', scheme + 3);
  const std::size_t authorityEnd = slash != std::string::npos && slash < query ? slash : std::min(query, uri.size());
  std::string out = uri.substr(0, authorityEnd) + "/" + database;
  if (query != std::string::npos) out += uri.substr(query);
  return out;
}

class PostgresPlace final : public LedgerPlace {
 public:
  explicit PostgresPlace(std::string server) : server_(std::move(server)) {
    std::random_device random;
    database_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(random() % 1000000000u);
    runOnServer(server_, "CREATE DATABASE " + database_);
    locator_ = withDatabase(server_, database_);
  }
  ~PostgresPlace() override {
    try {
      runOnServer(server_, "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // A test that stopped the server and failed to start it again: its cluster is thrown away.
    }
  }
  const std::string& backend() const override { return name_; }
  const std::string& locator() const override { return locator_; }
  std::string describedPrefix() const override { return "PostgreSQL 1"; }
  std::string describedPlace() const override { return "database " + database_; }
  Result<std::unique_ptr<il::Ledger>> create(const protocol::IssuerKeyId& issuer) override {
    return il::createPostgresLedger(locator_, issuer);
  }
  Result<std::unique_ptr<il::Ledger>> open() override { return il::openPostgresLedger(locator_); }

 private:
  std::string name_ = kPostgres;
  std::string server_;
  std::string database_;
  std::string locator_;
};

}  // namespace

void runOnDatabase(const std::string& conninfo, const std::string& sql) { runOnServer(conninfo, sql); }

std::string postgresServer() {
  const char* server = std::getenv("EPURSE_TEST_POSTGRES");
  return server == nullptr ? "" : server;
}

std::vector<std::string> ledgerBackends() {
  // The PostgreSQL entries of ctest: PostgreSQL only (the plain entry runs SQLite), and a
  // wrapper that failed to name a server fails every case instead of passing on SQLite alone.
  const char* only = std::getenv("EPURSE_TEST_REQUIRE_POSTGRES");
  if (only != nullptr && std::string(only) == "1") return {kPostgres};
  std::vector<std::string> backends = {kSqlite};
  if (!postgresServer().empty()) backends.emplace_back(kPostgres);
  return backends;
}

std::unique_ptr<LedgerPlace> makeLedgerPlace(const std::string& backend) {
  if (backend == kSqlite) return std::make_unique<SqlitePlace>();
  if (backend == kPostgres) {
    if (postgresServer().empty()) throw std::runtime_error("the postgres backend needs EPURSE_TEST_POSTGRES");
    return std::make_unique<PostgresPlace>(postgresServer());
  }
  throw std::runtime_error("no ledger backend " + backend);
}

}  // namespace epurse::testing::ledger
