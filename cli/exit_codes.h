// The exit codes of epurse and epurse-issuer, one table for both (docs/cli.md):
//
//   0  done
//   1  the operation failed: the card refused (a status word other than 9000) or what it
//      answered failed a check
//   2  usage: a bad option, argument, amount or APDU; an ambiguous reader; nothing was sent
//   3  no PC/SC service, no reader, no card, card removed, card in use by another program
//   4  the card is not a purse (it refuses the purse's SELECT)
//   5  the exchange with the card failed: I/O, protocol, timeout, reset mid-command,
//      unparsable answers
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
};

int exitCodeFor(ErrorCode code);
// A refusal by the card (a status word) is kExitFailed whatever its ErrorCode.
int exitCodeFor(const host::CardFailure& failure);

// "no_card", "not_a_purse", ...; "card_refused" for a failure with a status word.
std::string errorKey(ErrorCode code);
std::string errorKey(const host::CardFailure& failure);

}  // namespace epurse::cli
