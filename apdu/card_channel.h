// The terminal's view of a card: one command in, one response out.
//
// Implementations move raw bytes (transmitRaw). transmit() adds the ISO 7816-4 transport
// rules once, here, so no caller ever sees them: 61xx is followed by GET RESPONSE until the
// card has nothing left, and 6Cxx makes us resend the same command with Le = xx.
#pragma once

#include "base/bytes.h"
#include "apdu/command_apdu.h"
#include "apdu/response_apdu.h"
#include "base/result.h"

namespace epurse {

class CardChannel {
 public:
  virtual ~CardChannel() = default;

  // Exactly one exchange with the card, no transport rules applied.
  virtual Result<Bytes> transmitRaw(ByteView command) = 0;

  // A full exchange: the response as if the card had answered in one go.
  Result<ResponseApdu> transmit(const CommandApdu& command);

  // Upper bound on data collected through GET RESPONSE, against a card that never stops.
  static constexpr std::size_t kMaxChainedResponse = CommandApdu::kMaxExtendedNe + 256;
};

// INS of GET RESPONSE (ISO 7816-4 clause 11.6.1).
inline constexpr std::uint8_t kInsGetResponse = 0xC0;

}  // namespace epurse
