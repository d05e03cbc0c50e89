#include "host/card_result.h"

#include "host/purse_names.h"

namespace epurse::host {

CardFailure CardFailure::refused(const std::string& command, sw::StatusWord refusal) {
  return CardFailure(makeError(ErrorCode::kProtocol, command + " refused: " + describePurseSw(refusal)), refusal);
}

CardFailure CardFailure::within(const std::string& context) const {
  CardFailure out = *this;
  out.error.message = context + ": " + error.message;
  return out;
}

}  // namespace epurse::host
