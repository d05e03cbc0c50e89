// How the model reports: a check that fails stops the run with a ModelFailure carrying its
// message (the run then adds the seed, the step and the last operations), and the short forms
// the model prints pd and states in.
#pragma once

#include <array>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "apdu/status_word.h"
#include "base/byte_codec.h"
#include "base/hex.h"
#include "base/result.h"
#include "protocol/payment_details.h"
#include "protocol/purse_commands.h"
#include "tests/support/test_printing.h"

namespace epurse::testing::model {

using protocol::PaymentDetails;
using protocol::ProtocolStatus;

// A check failed or the card did something the model cannot explain.
struct ModelFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void failNow(const std::string& what) { throw ModelFailure(what); }

#define MODEL_CHECK(condition, message)  \
  do {                                   \
    if (!(condition)) {                  \
      std::ostringstream model_check_;   \
      model_check_ << message;           \
      failNow(model_check_.str());       \
    }                                    \
  } while (0)


inline std::string pdText(const PaymentDetails& pd) {
  std::ostringstream os;
  os << "pd{" << toHex(ByteView(pd.fromId).last(1)) << "#" << pd.fromSeq << " -> " << toHex(ByteView(pd.toId).last(1))
     << "#" << pd.toSeq << " " << pd.value << "}";
  return os.str();
}

inline const char* stateName(ProtocolStatus s) { return protocol::protocolStatusName(s); }

// A transfer's identity in the model's maps: its pd, encoded. A fixed-size array, whose
// ordering GCC 12 compiles cleanly at -O3 (a vector<uint8_t> key trips a bogus
// -Wstringop-overread in its three-way compare).
using PdKey = std::array<std::uint8_t, PaymentDetails::kSize>;
inline PdKey keyOf(const PaymentDetails& pd) { return toArray<PaymentDetails::kSize>(pd.encode()).value(); }

template <typename T>
T need(Result<T> r, const std::string& what) {
  if (!r) failNow(what + ": " + r.error().toString());
  return std::move(*r);
}

// The status word a terminal result carries: 9000 on success, the refusal otherwise. A result
// with no status word (the exchange failed, or the answer does not parse or is not what the
// transfer asked for) is a failure of the card.
template <typename R>
sw::StatusWord swOf(const R& r, const std::string& what) {
  if (r) return sw::kSuccess;
  if (auto s = r.refusal()) return *s;
  failNow(what + ": no status word: " + r.error().toString());
}

}  // namespace epurse::testing::model
