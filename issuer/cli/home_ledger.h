// The one place the program names the ledger's engine (issuer/ledger/sqlite_ledger.h).
#pragma once

#include <memory>

#include "base/result.h"
#include "issuer/home/issuer_home.h"
#include "issuer/ledger/ledger.h"

namespace epurse::issuer::cli {

Status createHomeLedger(const std::string& path, const protocol::IssuerKeyId& keyId);
// The home's ledger, which must exist, be sound and belong to the home's key ID.
Result<std::unique_ptr<ledger::Ledger>> openHomeLedger(const home::HomeConfig& config);

}  // namespace epurse::issuer::cli
