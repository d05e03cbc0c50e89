// The issuer's home directory (`--home DIR`, else $EPURSE_ISSUER_HOME, else ~/.epurse-issuer):
//
//   issuer-key.pem     the private key, PKCS#8, mode 0600; AES-256 encrypted under a passphrase
//                      or not (issuer.json says which)
//   issuer-public.pem  the public key, for anyone who verifies
//   ledger.db          the books (SQLite), created for this key ID
//   issuer.json        key ID and public key (hex), created at, whether the key is encrypted, ledger path and
//                      engine; written last, so a home without it was never finished
//
// A home is created once: if any of these exists, nothing is written.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "issuer/signing/issuer_key.h"
#include "protocol/purse_types.h"

namespace epurse::issuer::home {

inline constexpr const char* kHomeEnvironment = "EPURSE_ISSUER_HOME";
inline constexpr const char* kDefaultHomeName = ".epurse-issuer";
inline constexpr const char* kKeyFile = "issuer-key.pem";
inline constexpr const char* kPublicKeyFile = "issuer-public.pem";
inline constexpr const char* kLedgerFile = "ledger.db";
inline constexpr const char* kConfigFile = "issuer.json";
inline constexpr const char* kSqliteEngine = "sqlite";

// --home, else $EPURSE_ISSUER_HOME, else $HOME/.epurse-issuer; kInvalidArgument when none
// can be worked out (no HOME).
Result<std::string> resolveHomeDir(const std::optional<std::string>& flag);

struct HomeConfig {
  protocol::IssuerKeyId keyId{};
  Bytes publicKey;             // 65-byte uncompressed point: read-only commands verify with it
  std::int64_t createdAt = 0;  // seconds since 1970, UTC
  bool keyEncrypted = false;
  std::string ledgerPath;      // absolute
  std::string ledgerEngine = kSqliteEngine;
};

struct HomePaths {
  std::string dir, key, publicKey, ledger, config;
  explicit HomePaths(const std::string& homeDir);
};

// Creates the ledger file at the path given, for the key ID given (the SQLite backend).
using LedgerCreator = std::function<Status(const std::string& ledgerPath, const protocol::IssuerKeyId& keyId)>;

// The ceremony's files: the directory (mode 0700) if missing, the key (encrypted when
// `passphrase` is non-empty), the public key, the ledger, then issuer.json. kInvalidArgument
// naming the file if any of the four exists (nothing written); on a failure part-way the files
// this call wrote are removed again.
Result<HomeConfig> createHome(const std::string& homeDir, const IssuerKey& key,
                              const std::optional<std::string>& passphrase, const LedgerCreator& createLedger,
                              std::int64_t now);

// issuer.json of an existing home. kIo when the home or its issuer.json is missing (the
// message says to run init), kCorrupt when it does not parse, lacks a field, or its public key
// does not have its key ID.
Result<HomeConfig> readHome(const std::string& homeDir);

}  // namespace epurse::issuer::home
