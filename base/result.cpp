#include "base/result.h"

namespace epurse {

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kMalformed: return "malformed";
    case ErrorCode::kIo: return "I/O error";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kBusy: return "busy";
    case ErrorCode::kNoService: return "no PC/SC service";
    case ErrorCode::kNoReader: return "no reader";
    case ErrorCode::kNoCard: return "no card";
    case ErrorCode::kCardRemoved: return "card removed";
    case ErrorCode::kCardReset: return "card reset";
    case ErrorCode::kNoApplication: return "no such application";
    case ErrorCode::kProtocol: return "protocol error";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown error";
}

}  // namespace epurse
