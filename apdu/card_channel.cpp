#include "apdu/card_channel.h"

namespace epurse {
namespace {

constexpr std::uint8_t kChannelBitsMask = 0x03;  // logical channel bits of an interindustry CLA
constexpr std::uint32_t numberFromSw2(std::uint8_t sw2) { return sw2 == 0 ? 256 : sw2; }

}  // namespace

Result<ResponseApdu> CardChannel::transmit(const CommandApdu& command) {
  auto exchange = [this](const CommandApdu& c) -> Result<ResponseApdu> {
    auto raw = transmitRaw(c.serialize());
    if (!raw) return raw.error();
    return ResponseApdu::parse(*raw);
  };

  auto first = exchange(command);
  if (!first) return first;
  ResponseApdu response = std::move(*first);

  if (response.sw1() == sw::kSw1WrongLe) {
    auto again = exchange(command.withNe(numberFromSw2(response.sw2())));
    if (!again) return again;
    response = std::move(*again);
  }

  Bytes collected;
  while (response.sw1() == sw::kSw1BytesAvailable) {
    appendBytes(collected, response.data());
    if (collected.size() > kMaxChainedResponse) {
      return makeError(ErrorCode::kProtocol, "card keeps answering 61xx beyond 64 KiB");
    }
    const CommandApdu getResponse(static_cast<std::uint8_t>(command.cla() & kChannelBitsMask), kInsGetResponse, 0,
                                  0, {}, numberFromSw2(response.sw2()));
    auto next = exchange(getResponse);
    if (!next) return next;
    response = std::move(*next);
    if (response.sw1() == sw::kSw1WrongLe) {
      next = exchange(getResponse.withNe(numberFromSw2(response.sw2())));
      if (!next) return next;
      response = std::move(*next);
    }
  }
  if (collected.empty()) return response;
  appendBytes(collected, response.data());
  return ResponseApdu(std::move(collected), response.sw());
}

}  // namespace epurse
