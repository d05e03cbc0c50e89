// The exit codes of epurse and epurse-issuer, one table for both (docs/cli.md):
//
//   0  done
//   1  the operation failed: the card refused (a status word not named below) or what it
//      answered failed a check
//   2  usage: a bad option, argument, amount or APDU; an ambiguous reader; nothing was sent
//   3  no PC/SC service (pcscd not running)
//   4  the card is not a purse (it refuses the purse's SELECT)
//   5  the exchange with the card failed: I/O, protocol, timeout, reset mid-command,
//      unparsable answers
//   6, 7  epurse-issuer's own (issuer/cli/issuer_exit_codes.h)
//   8  no reader: none at all, none by that name or index, or the reader went away
//   9  no card in the reader, the card was removed, or another program holds it exclusively
//  10  a transfer stopped half-way: `epurse recover` settles it (terminal only)
//  11  wrong PIN (63Cx)
//  12  PIN blocked (6983): the issuer unblocks it
//  13  insufficient funds (9401)
//  14  over a limit: the payee's maximum balance or the transfer limit (9402, 9403)
//
// and the stable names that --json output gives errors ("no_card", "card_refused", ...).
#pragma once

#include <string>

#include "base/result.h"
#include "host/card_result.h"

namespace epurse::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,
  kExitUsage = 2,
  kExitUnavailable = 3,
  kExitNotAPurse = 4,
  kExitCommunication = 5,
  kExitNoReader = 8,
  kExitNoCard = 9,
  kExitRecoveryNeeded = 10,
  kExitWrongPin = 11,
  kExitPinBlocked = 12,
  kExitInsufficientFunds = 13,
  kExitLimit = 14,
};

int exitCodeFor(ErrorCode code);
// A refusal by the card (a status word) is kExitFailed, or the code the table above gives
// its status word, whatever its ErrorCode.
int exitCodeFor(const host::CardFailure& failure);
int exitCodeForRefusal(sw::StatusWord refusal);

// "no_card", "not_a_purse", ...; "card_refused" for a failure with a status word.
std::string errorKey(ErrorCode code);
std::string errorKey(const host::CardFailure& failure);  // "wrong_pin", ..., else "card_refused"
std::string refusalKey(sw::StatusWord refusal);

}  // namespace epurse::cli
