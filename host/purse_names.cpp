#include "host/purse_names.h"

#include <cstdio>

#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"

namespace epurse::host {
namespace {

using namespace protocol;

const char* isoCommandName(std::uint8_t ins) {
  switch (ins) {
    case kInsVerify: return "VERIFY";
    case kInsChangeReferenceData: return "CHANGE REFERENCE DATA";
    case kInsResetRetryCounter: return "RESET RETRY COUNTER";
    case kInsGenerateKeyPair: return "GENERATE KEY PAIR";
    case kInsReadRecord: return "READ RECORD";
    case kInsGetData: return "GET DATA";
    default: return nullptr;
  }
}

const char* proprietaryCommandName(std::uint8_t ins) {
  switch (ins) {
    case kInsPutIssuerKey: return "PUT ISSUER KEY";
    case kInsPersonalise: return "PERSONALISE";
    case kInsPutCertificate: return "PUT CERTIFICATE";
    case kInsLoad: return "LOAD";
    case kInsUnload: return "UNLOAD";
    case kInsStartFrom: return "START FROM";
    case kInsStartTo: return "START TO";
    case kInsReq: return "REQ";
    case kInsVal: return "VAL";
    case kInsAck: return "ACK";
    case kInsAbort: return "ABORT";
    case kInsAuditRead: return "AUDIT READ";
    case kInsClearExceptionLog: return "CLEAR EXCEPTION LOG";
    case kInsPutRevocationList: return "PUT REVOCATION LIST";
    case kInsSetLifeCycle: return "SET LIFE CYCLE";
    default: return nullptr;
  }
}

}  // namespace

std::string describePurseSw(sw::StatusWord s) {
  const char* name = nullptr;
  switch (s) {
    case purse_sw::kInsufficientFunds: name = "insufficient funds"; break;
    case purse_sw::kMaxBalanceExceeded: name = "maximum balance exceeded"; break;
    case purse_sw::kTransferLimitExceeded: name = "per-transfer limit exceeded"; break;
    case purse_sw::kSequenceExhausted: name = "sequence number exhausted"; break;
    default: return sw::describe(s);
  }
  char hex[8];
  std::snprintf(hex, sizeof hex, "%04X", s);
  return std::string(hex) + " " + name;
}

std::string purseCommandName(const CommandApdu& command) {
  const CommandApdu select = apdus::selectPurse();
  if (command.cla() == select.cla() && command.ins() == select.ins()) return "SELECT";
  const char* name = nullptr;
  if (command.cla() == kClaIso) name = isoCommandName(command.ins());
  if (command.cla() == kClaProprietary) name = proprietaryCommandName(command.ins());
  if (name) return name;
  char header[16];
  std::snprintf(header, sizeof header, "command %02X %02X", command.cla(), command.ins());
  return header;
}

}  // namespace epurse::host
