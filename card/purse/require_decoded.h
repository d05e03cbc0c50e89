// A decoded order, record or field, or the command's documented refusal: the purse never
// dereferences a failed decode. `refusal` is the status word docs/apdu.md gives for that
// command's malformed data (6700, 6A80), or 6581 for memory that does not decode.
#pragma once

#include <utility>

#include "apdu/status_word.h"
#include "base/result.h"
#include "card/runtime/iso_exception.h"

namespace epurse::card {

template <typename T>
T requireDecoded(Result<T> result, sw::StatusWord refusal) {
  if (!result) IsoException::throwIt(refusal);
  return std::move(*result);
}

}  // namespace epurse::card
