#include "cli/exit_codes.h"

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
    case ErrorCode::kNoReader: return {"no_reader", kExitUnavailable};
    case ErrorCode::kNoCard: return {"no_card", kExitUnavailable};
    case ErrorCode::kCardRemoved: return {"card_removed", kExitUnavailable};
    case ErrorCode::kBusy: return {"busy", kExitUnavailable};
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

}  // namespace

int exitCodeFor(ErrorCode code) { return rowFor(code).exitCode; }

int exitCodeFor(const host::CardFailure& failure) {
  return failure.sw ? kExitFailed : exitCodeFor(failure.error.code);
}

std::string errorKey(ErrorCode code) { return rowFor(code).key; }

std::string errorKey(const host::CardFailure& failure) {
  return failure.sw ? "card_refused" : errorKey(failure.error.code);
}

}  // namespace epurse::cli
