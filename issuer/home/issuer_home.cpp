#include "issuer/home/issuer_home.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "base/hex.h"
#include "base/durable_file.h"
#include "protocol/card_certificate.h"

namespace epurse::issuer::home {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kHomeMode = 0700;
constexpr mode_t kConfigMode = 0644;
constexpr int kConfigVersion = 1;

bool exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

Status makeHomeDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), kHomeMode) == 0 || errno == EEXIST) {
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
      return makeError(ErrorCode::kInvalidArgument, "issuer home " + dir + " exists and is not a directory");
    }
    return Status::ok();
  }
  return makeError(ErrorCode::kIo, "cannot create the issuer home " + dir + ": " + std::strerror(errno));
}

// Removes what a failed creation wrote, newest first.
class Undo {
 public:
  void wrote(const std::string& path) { paths_.push_back(path); }
  void keep() { paths_.clear(); }
  ~Undo() {
    for (auto it = paths_.rbegin(); it != paths_.rend(); ++it) {
      std::error_code ignored;
      fs::remove(*it, ignored);
      fs::remove(*it + "-wal", ignored);
      fs::remove(*it + "-shm", ignored);
    }
  }

 private:
  std::vector<std::string> paths_;
};

std::string configText(const HomeConfig& config) {
  nlohmann::json j;
  j["version"] = kConfigVersion;
  j["keyId"] = toHex(config.keyId);
  j["publicKey"] = toHex(config.publicKey);
  j["createdAt"] = config.createdAt;
  j["keyEncrypted"] = config.keyEncrypted;
  j["ledger"] = {{"engine", config.ledgerEngine}, {"path", config.ledgerPath}};
  return j.dump(2) + "\n";
}

}  // namespace

HomePaths::HomePaths(const std::string& homeDir)
    : dir(homeDir),
      key((fs::path(homeDir) / kKeyFile).string()),
      publicKey((fs::path(homeDir) / kPublicKeyFile).string()),
      ledger((fs::path(homeDir) / kLedgerFile).string()),
      config((fs::path(homeDir) / kConfigFile).string()) {}

Result<std::string> resolveHomeDir(const std::optional<std::string>& flag) {
  std::string dir;
  if (flag) {
    dir = *flag;
  } else if (const char* env = std::getenv(kHomeEnvironment); env && *env) {
    dir = env;
  } else if (const char* user = std::getenv("HOME"); user && *user) {
    dir = (fs::path(user) / kDefaultHomeName).string();
  } else {
    return makeError(ErrorCode::kInvalidArgument,
                     "no issuer home: give --home DIR or set EPURSE_ISSUER_HOME (HOME is not set either)");
  }
  if (dir.empty()) return makeError(ErrorCode::kInvalidArgument, "the issuer home must not be empty");
  std::error_code ec;
  const fs::path absolute = fs::absolute(dir, ec);
  return ec ? dir : absolute.lexically_normal().string();
}

Result<HomeConfig> createHome(const std::string& homeDir, const IssuerKey& key,
                              const std::optional<std::string>& passphrase, const LedgerCreator& createLedger,
                              std::int64_t now) {
  const HomePaths paths(homeDir);
  for (const std::string* path : {&paths.key, &paths.publicKey, &paths.ledger, &paths.config}) {
    if (exists(*path)) {
      return makeError(ErrorCode::kInvalidArgument,
                       "an issuer exists in " + homeDir + " already (" + *path + "); nothing was changed");
    }
  }
  if (Status s = makeHomeDir(homeDir); !s) return s.error();

  HomeConfig config;
  config.keyId = key.keyId();
  config.publicKey = key.publicKey();
  config.createdAt = now;
  config.keyEncrypted = passphrase && !passphrase->empty();
  config.ledgerPath = paths.ledger;

  Undo undo;
  if (Status s = key.savePem(paths.key, passphrase); !s) return s.error();
  undo.wrote(paths.key);
  if (Status s = key.savePublicPem(paths.publicKey); !s) return s.error();
  undo.wrote(paths.publicKey);
  undo.wrote(paths.ledger);
  if (Status s = createLedger(paths.ledger, config.keyId); !s) return s.error();
  const std::string text = configText(config);
  if (Status s = writeFileDurably(paths.config, bytesOf(text), kConfigMode, IfExists::kRefuse);
      !s) {
    return s.error();
  }
  undo.keep();
  return config;
}

Result<HomeConfig> readHome(const std::string& homeDir) {
  const HomePaths paths(homeDir);
  std::ifstream in(paths.config, std::ios::binary);
  if (!in) {
    return makeError(ErrorCode::kIo, "no issuer in " + homeDir + " (" + paths.config +
                                         " is missing): run 'epurse-issuer init' first, or give --home");
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&](const std::string& what) {
    return makeError(ErrorCode::kCorrupt, paths.config + " is damaged: " + what);
  };
  if (!j.is_object()) return bad("not a JSON object");
  if (!j.contains("keyId") || !j["keyId"].is_string()) return bad("no keyId");
  if (!j.contains("ledger") || !j["ledger"].is_object() || !j["ledger"].contains("path") ||
      !j["ledger"]["path"].is_string()) {
    return bad("no ledger path");
  }
  HomeConfig config;
  auto id = fromHex(j["keyId"].get<std::string>());
  if (!id || id->size() != config.keyId.size()) return bad("keyId is not " + std::to_string(config.keyId.size()) + " bytes of hex");
  std::copy(id->begin(), id->end(), config.keyId.begin());
  if (!j.contains("publicKey") || !j["publicKey"].is_string()) return bad("no publicKey");
  auto publicKey = fromHex(j["publicKey"].get<std::string>());
  if (!publicKey || protocol::issuerKeyIdOf(*publicKey) != config.keyId) return bad("publicKey does not have keyId");
  config.publicKey = std::move(*publicKey);
  config.createdAt = j.value("createdAt", std::int64_t{0});
  config.keyEncrypted = j.value("keyEncrypted", false);
  config.ledgerPath = j["ledger"]["path"].get<std::string>();
  config.ledgerEngine = j["ledger"].value("engine", std::string(kSqliteEngine));
  if (config.ledgerEngine != kSqliteEngine) return bad("ledger engine '" + config.ledgerEngine + "' is not supported");
  return config;
}

}  // namespace epurse::issuer::home
