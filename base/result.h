// Errors travel as values across layers (LevelDB's Status); exceptions are kept for the
// places where a program ends and for the card's applet-to-dispatcher path.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace epurse {

enum class ErrorCode {
  kInvalidArgument,  // the caller passed something malformed
  kMalformed,        // bytes from outside do not parse
  kIo,               // the operating system refused a file or socket operation
  kCorrupt,          // stored data fails its own checks
  kBusy,             // someone else holds the resource
  kNoService,        // the PC/SC daemon is not running
  kNoReader,         // no such reader
  kNoCard,           // the reader holds no card
  kCardRemoved,      // the card went away during use
  kCardReset,        // another program reset the card; selection state is gone
  kNoApplication,    // the card does not hold the application asked for (SELECT refused)
  kProtocol,         // the peer broke the protocol
  kTimeout,
  kUnsupported,
  kInternal,
};

const char* errorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;

  std::string toString() const { return std::string(errorCodeName(code)) + ": " + message; }
};

inline Error makeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

// Success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  static Status ok() { return Status(); }
  bool isOk() const { return !error_.has_value(); }
  explicit operator bool() const { return isOk(); }
  // The failure. Asking an ok Status for one is a programming error, reported as
  // std::logic_error (never undefined behaviour).
  const Error& error() const {
    if (!error_) throw std::logic_error("Status::error() called on an ok Status");
    return *error_;
  }
  std::string toString() const { return isOk() ? "ok" : error_->toString(); }

 private:
  std::optional<Error> error_;
};

// A value or a failure of type E, in the spirit of std::expected (C++23): the accessors that
// Result<T> below and the terminal's Outcome (whose failures carry a status word) share.
template <typename T, typename E>
class Expected {
 public:
  bool isOk() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return isOk(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 protected:
  explicit Expected(T value) : v_(std::move(value)) {}
  explicit Expected(E failure) : v_(std::move(failure)) {}
  const E& failureValue() const { return std::get<E>(v_); }

 private:
  std::variant<T, E> v_;
};

// A value or an Error.
template <typename T>
class [[nodiscard]] Result : public Expected<T, Error> {
 public:
  Result(T value) : Expected<T, Error>(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : Expected<T, Error>(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  // Only from a failed Status: a Result built from an ok one would hold neither a value nor
  // an error, so that is refused with std::logic_error.
  Result(Status status) : Expected<T, Error>(status.error()) {}  // NOLINT(google-explicit-constructor)

  const Error& error() const { return this->failureValue(); }
  Status status() const { return this->isOk() ? Status() : Status(error()); }
};

}  // namespace epurse
