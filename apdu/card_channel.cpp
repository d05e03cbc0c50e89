#include "apdu/card_channel.h"

namespace epurse {
namespace {

constexpr std::uint8_t kChannelBitsMask = 0x03;  // logical channel bits of an interindustry CLA
constexpr std::uint32_t numberFromSw2(std::uint8_t sw2) { return sw2 == 0 ? 256 : sw2; }

}  // namespace

std::optional<sw::StatusWord> ApduExchange::statusWord() const {
  if (error != nullptr || response.size() < ResponseApdu::kTrailerSize) return std::nullopt;
  return sw::make(response[response.size() - 2], response[response.size() - 1]);
}

Result<ResponseApdu> CardChannel::exchange(const CommandApdu& command, ApduExchange::Step step) {
  const Bytes bytes = command.serialize();
  const auto start = std::chrono::steady_clock::now();
  auto raw = transmitRaw(bytes);
  if (observer_ != nullptr) {
    ApduExchange seen;
    seen.step = step;
    seen.command = bytes;
    seen.elapsed = std::chrono::steady_clock::now() - start;
    if (raw) {
      seen.response = *raw;
    } else {
      seen.error = &raw.error();
    }
    observer_->onExchange(seen);
  }
  if (!raw) return raw.error();
  return ResponseApdu::parse(*raw);
}

Result<ResponseApdu> CardChannel::transmit(const CommandApdu& command) {
  using Step = ApduExchange::Step;
  auto first = exchange(command, Step::kCommand);
  if (!first) return first;
  ResponseApdu response = std::move(*first);

  if (response.sw1() == sw::kSw1WrongLe) {
    auto again = exchange(command.withNe(numberFromSw2(response.sw2())), Step::kResend);
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
    auto next = exchange(getResponse, Step::kGetResponse);
    if (!next) return next;
    response = std::move(*next);
    if (response.sw1() == sw::kSw1WrongLe) {
      next = exchange(getResponse.withNe(numberFromSw2(response.sw2())), Step::kGetResponse);
      if (!next) return next;
      response = std::move(*next);
    }
  }
  if (collected.empty()) return response;
  appendBytes(collected, response.data());
  return ResponseApdu(std::move(collected), response.sw());
}

}  // namespace epurse
