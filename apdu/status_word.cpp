#include "apdu/status_word.h"

#include <cstdio>

namespace epurse::sw {
namespace {

const char* fixedName(StatusWord s) {
  switch (s) {
    case kSuccess: return "success";
    case kWarningNoInformation: return "warning: state unchanged";
    case kMemoryFailure: return "memory failure";
    case kWrongLength: return "wrong length";
    case kLogicalChannelNotSupported: return "logical channel not supported";
    case kSecureMessagingNotSupported: return "secure messaging not supported";
    case kSecurityStatusNotSatisfied: return "security status not satisfied";
    case kAuthenticationMethodBlocked: return "authentication method blocked";
    case kReferenceDataNotUsable: return "reference data not usable";
    case kConditionsNotSatisfied: return "conditions of use not satisfied";
    case kCommandNotAllowed: return "command not allowed";
    case kAppletSelectFailed: return "applet selection failed";
    case kWrongData: return "incorrect data";
    case kFunctionNotSupported: return "function not supported";
    case kFileNotFound: return "file or application not found";
    case kRecordNotFound: return "record not found";
    case kNotEnoughMemory: return "not enough memory";
    case kIncorrectP1P2: return "incorrect P1-P2";
    case kReferencedDataNotFound: return "referenced data not found";
    case kWrongP1P2: return "wrong parameters P1-P2";
    case kInsNotSupported: return "instruction not supported";
    case kClaNotSupported: return "class not supported";
    case kUnknown: return "no precise diagnosis";
    default: return nullptr;
  }
}

}  // namespace

std::string describe(StatusWord s) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "%04X", s);
  std::string out = hex;
  if (const char* name = fixedName(s)) return out + " " + name;
  const unsigned n2 = sw2(s);
  if (sw1(s) == kSw1BytesAvailable) {
    return out + " " + std::to_string(n2 == 0 ? 256 : n2) + " bytes available";
  }
  if (sw1(s) == kSw1WrongLe) return out + " wrong Le, exact length " + std::to_string(n2 == 0 ? 256 : n2);
  if ((s & 0xFFF0) == kVerifyFailedBase) {
    return out + " verification failed, " + std::to_string(s & 0x0F) + " tries left";
  }
  return out + " unknown status";
}

}  // namespace epurse::sw
