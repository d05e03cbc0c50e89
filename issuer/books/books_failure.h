// Inside the books, one failure anywhere ends the whole transaction: the Transaction's
// destructor rolls it back. Every step is a ledger call that can fail, so rather than check
// each by hand the books unwind with a BooksFailure and each public Books method turns it back
// into the Error it carries (guarded()). Nothing outside issuer/books sees the exception.
#pragma once

#include <string>
#include <utility>

#include "base/result.h"

namespace epurse::issuer::books_internal {

struct BooksFailure {
  Error error;
};

[[noreturn]] inline void fail(ErrorCode code, std::string message) {
  throw BooksFailure{makeError(code, std::move(message))};
}

template <typename T>
T take(Result<T> result) {
  if (!result) throw BooksFailure{result.error()};
  return std::move(result).value();
}

inline void check(const Status& status) {
  if (!status) throw BooksFailure{status.error()};
}

// Runs `body`, returning its value, or the Error a BooksFailure carried.
template <typename Body>
auto guarded(Body&& body) -> Result<decltype(body())> {
  try {
    return body();
  } catch (const BooksFailure& failure) {
    return failure.error;
  }
}

template <typename Body>
Status guardedStatus(Body&& body) {
  try {
    body();
    return Status::ok();
  } catch (const BooksFailure& failure) {
    return failure.error;
  }
}

}  // namespace epurse::issuer::books_internal
