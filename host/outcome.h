// A value or a failure that says more than an Error: which status word the card refused a
// command with, and (for a transfer) at which step. Result<T> carries only an Error, and
// tests and operators need the exact status word of a refusal, not a string to parse.
#pragma once

#include <concepts>
#include <optional>
#include <utility>

#include "apdu/status_word.h"
#include "base/result.h"

namespace epurse::host {

// Failure types have `Error error` and `std::optional<sw::StatusWord> sw` (set only when the
// card answered and refused).
template <typename T, typename Failure>
class [[nodiscard]] Outcome : public Expected<T, Failure> {
 public:
  Outcome(T value) : Expected<T, Failure>(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Outcome(Failure failure) : Expected<T, Failure>(std::move(failure)) {}  // NOLINT(google-explicit-constructor)
  // A failure that never reached the card, or whose answer did not parse: no status word.
  Outcome(Error error)  // NOLINT(google-explicit-constructor)
    requires std::constructible_from<Failure, Error>
      : Expected<T, Failure>(Failure(std::move(error))) {}
  // Commands that answer nothing succeed with `return {};`.
  Outcome()
    requires std::same_as<T, std::monostate>
      : Expected<T, Failure>(std::monostate{}) {}

  const Failure& failure() const { return this->failureValue(); }
  const Error& error() const { return failure().error; }
  // The status word the card refused with; nothing on success or when the exchange itself
  // failed (no card, unparsable answer).
  std::optional<sw::StatusWord> refusal() const { return this->isOk() ? std::nullopt : failure().sw; }
  bool refusedWith(sw::StatusWord s) const { return refusal() == s; }
  Status status() const { return this->isOk() ? Status() : Status(error()); }
};

}  // namespace epurse::host
