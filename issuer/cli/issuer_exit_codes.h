// epurse-issuer's exit codes beyond the table both programs share (cli/exit_codes.h, 0..5,
// which keep their meaning here): docs/cli.md, "epurse-issuer".
#pragma once

namespace epurse::issuer::cli {

// No issuer home, or its ledger is missing, corrupt, of another issuer or busy beyond the
// timeout. JSON error.code "no_issuer" or "ledger".
inline constexpr int kExitLedger = 6;
// The issuer key does not unlock: wrong passphrase or damaged key file. "wrong_passphrase".
inline constexpr int kExitKey = 7;

}  // namespace epurse::issuer::cli
