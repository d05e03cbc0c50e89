// What a purse command returns: the card's answer, or why there is none. A refusal keeps the
// card's status word so that callers can act on it (and tests can assert it) without parsing
// messages.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "apdu/status_word.h"
#include "base/result.h"
#include "host/outcome.h"

namespace epurse::host {

struct CardFailure {
  Error error;                        // the message names the command and the status word
  std::optional<sw::StatusWord> sw;   // set when the card answered with anything but 9000

  CardFailure(Error e) : error(std::move(e)) {}  // NOLINT(google-explicit-constructor)
  CardFailure(Error e, sw::StatusWord refusal) : error(std::move(e)), sw(refusal) {}

  // "LOAD refused: 9402 maximum balance exceeded", ErrorCode::kProtocol.
  static CardFailure refused(const std::string& command, sw::StatusWord refusal);
  // The same failure, its message prefixed with "context: " (which purse, which step).
  CardFailure within(const std::string& context) const;
};

template <typename T>
using CardResult = Outcome<T, CardFailure>;
using CardStatus = CardResult<std::monostate>;

}  // namespace epurse::host
