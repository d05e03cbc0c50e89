#include "cli/exit_codes.h"

#include "protocol/purse_commands.h"

namespace epurse::cli {
namespace {

struct ErrorRow {
  const char* key;
  int exitCode;
};

// Every ErrorCode once: the switch has no default, so a new code that is not added here
// fails the build (-Wswitch is an error).
ErrorRow rowFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return {"usage", kExitUsage};
    case ErrorCode::kNoService: return {"no_service", kExitUnavailable};
    case ErrorCode::kNoReader: return {"no_reader", kExitNoReader};
    case ErrorCode::kNoCard: return {"no_card", kExitNoCard};
    case ErrorCode::kCardRemoved: return {"card_removed", kExitNoCard};
    case ErrorCode::kBusy: return {"busy", kExitNoCard};
    case ErrorCode::kNoApplication: return {"not_a_purse", kExitNotAPurse};
    case ErrorCode::kCorrupt: return {"check_failed", kExitFailed};
    case ErrorCode::kUnsupported: return {"unsupported", kExitFailed};
    case ErrorCode::kCardReset: return {"card_reset", kExitCommunication};
    case ErrorCode::kMalformed: return {"malformed_answer", kExitCommunication};
    case ErrorCode::kProtocol: return {"protocol", kExitCommunication};
    case ErrorCode::kIo: return {"io", kExitCommunication};
    case ErrorCode::kTimeout: return {"timeout", kExitCommunication};
    case ErrorCode::kInternal: return {"internal", kExitCommunication};
  }
  return {"internal", kExitCommunication};
}

// The refusals a person can act on, each with its own code; any other status word is
// "card_refused", exit 1.
ErrorRow rowForRefusal(sw::StatusWord refusal) {
  if (sw::isVerifyFailed(refusal)) return {"wrong_pin", kExitWrongPin};
  switch (refusal) {
    case sw::kAuthenticationMethodBlocked: return {"pin_blocked", kExitPinBlocked};
    case protocol::purse_sw::kInsufficientFunds: return {"insufficient_funds", kExitInsufficientFunds};
    case protocol::purse_sw::kMaxBalanceExceeded: return {"max_balance_exceeded", kExitLimit};
    case protocol::purse_sw::kTransferLimitExceeded: return {"transfer_limit_exceeded", kExitLimit};
    default: return {"card_refused", kExitFailed};
  }
}

}  // namespace

int exitCodeFor(ErrorCode code) { return rowFor(code).exitCode; }

int exitCodeForRefusal(sw::StatusWord refusal) { return rowForRefusal(refusal).exitCode; }

int exitCodeFor(const host::CardFailure& failure) {
  return failure.sw ? exitCodeForRefusal(*failure.sw) : exitCodeFor(failure.error.code);
}

std::string errorKey(ErrorCode code) { return rowFor(code).key; }

std::string refusalKey(sw::StatusWord refusal) { return rowForRefusal(refusal).key; }

std::string errorKey(const host::CardFailure& failure) {
  return failure.sw ? refusalKey(*failure.sw) : errorKey(failure.error.code);
}

}  // namespace epurse::cli
