#include "host/purse_names.h"

#include <cstdio>

#include "protocol/purse_command_table.h"

namespace epurse::host {

using namespace protocol;

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
  if (const PurseCommand* known = findPurseCommand(command.cla(), command.ins())) return std::string(known->name);
  char header[16];
  std::snprintf(header, sizeof header, "command %02X %02X", command.cla(), command.ins());
  return header;
}

}  // namespace epurse::host
