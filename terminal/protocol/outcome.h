// A value or a failure that says more than an Error: which status word the card refused a
// command with, and (for a transfer) at which step. Result<T> carries only an Error, and
// tests and operators need the exact status word of a refusal, not a string to parse.
#pragma once

#include <concepts>
#include <optional>
#include <utility>
#include <variant>

#include "apdu/result.h"
#include "apdu/status_word.h"

namespace epurse::terminal {

// Failure types have `Error error` and `std::optional<sw::StatusWord> sw` (set only when the
// card answered and refused).
template <typename T, typename Failure>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Outcome(Failure failure) : v_(std::move(failure)) {}  // NOLINT(google-explicit-constructor)
  // A failure that never reached the card, or whose answer did not parse: no status word.
  Outcome(Error error)  // NOLINT(google-explicit-constructor)
    requires std::constructible_from<Failure, Error>
      : v_(Failure(std::move(error))) {}
  // Commands that answer nothing succeed with `return {};`.
  Outcome()
    requires std::same_as<T, std::monostate>
      : v_(std::monostate{}) {}

  bool isOk() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return isOk(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Failure& failure() const { return std::get<Failure>(v_); }
  const Error& error() const { return failure().error; }
  // The status word the card refused with; nothing on success or when the exchange itself
  // failed (no card, unparsable answer).
  std::optional<sw::StatusWord> refusal() const { return isOk() ? std::nullopt : failure().sw; }
  bool refusedWith(sw::StatusWord s) const { return refusal() == s; }
  Status status() const { return isOk() ? Status() : Status(error()); }

 private:
  std::variant<T, Failure> v_;
};

}  // namespace epurse::terminal
