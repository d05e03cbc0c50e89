// ISO/IEC 7816-4 response APDU: optional data, then SW1 SW2.
#pragma once

#include "apdu/status_word.h"
#include "base/bytes.h"
#include "base/result.h"

namespace epurse {

class ResponseApdu {
 public:
  static constexpr std::size_t kTrailerSize = 2;

  ResponseApdu() = default;
  ResponseApdu(Bytes data, sw::StatusWord status) : data_(std::move(data)), sw_(status) {}
  explicit ResponseApdu(sw::StatusWord status) : sw_(status) {}

  // Anything shorter than SW1 SW2 is kMalformed.
  static Result<ResponseApdu> parse(ByteView raw);

  const Bytes& data() const { return data_; }
  sw::StatusWord sw() const { return sw_; }
  std::uint8_t sw1() const { return sw::sw1(sw_); }
  std::uint8_t sw2() const { return sw::sw2(sw_); }
  bool isSuccess() const { return sw_ == sw::kSuccess; }

  Bytes serialize() const;
  bool operator==(const ResponseApdu&) const = default;

 private:
  Bytes data_;
  sw::StatusWord sw_ = sw::kUnknown;
};

}  // namespace epurse
