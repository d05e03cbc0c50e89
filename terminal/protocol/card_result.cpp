#include "terminal/protocol/card_result.h"

#include "terminal/protocol/purse_names.h"

namespace epurse::terminal {

CardFailure CardFailure::refused(const std::string& command, sw::StatusWord refusal) {
  return CardFailure(makeError(ErrorCode::kProtocol, command + " refused: " + describePurseSw(refusal)), refusal);
}

CardFailure CardFailure::within(const std::string& context) const {
  CardFailure out = *this;
  out.error.message = context + ": " + error.message;
  return out;
}

}  // namespace epurse::terminal
