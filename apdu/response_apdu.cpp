#include "apdu/response_apdu.h"

#include <string>

#include "base/byte_codec.h"

namespace epurse {

Result<ResponseApdu> ResponseApdu::parse(ByteView raw) {
  if (raw.size() < kTrailerSize) {
    return makeError(ErrorCode::kMalformed,
                     "response APDU of " + std::to_string(raw.size()) + " bytes has no SW1 SW2");
  }
  ByteReader r(raw);
  const ByteView data = r.bytes(raw.size() - kTrailerSize);
  const std::uint16_t sw = r.u16();
  return ResponseApdu(Bytes(data.begin(), data.end()), sw);
}

Bytes ResponseApdu::serialize() const {
  ByteWriter out;
  out.reserve(data_.size() + kTrailerSize).bytes(data_).u16(sw_);
  return out.take();
}

}  // namespace epurse
