#include "apdu/response_apdu.h"

#include <string>

namespace epurse {

Result<ResponseApdu> ResponseApdu::parse(ByteView raw) {
  if (raw.size() < kTrailerSize) {
    return makeError(ErrorCode::kMalformed,
                     "response APDU of " + std::to_string(raw.size()) + " bytes has no SW1 SW2");
  }
  const std::size_t n = raw.size() - kTrailerSize;
  return ResponseApdu(Bytes(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(n)),
                      loadU16(raw.data() + n));
}

Bytes ResponseApdu::serialize() const {
  Bytes out;
  out.reserve(data_.size() + kTrailerSize);
  appendBytes(out, data_);
  appendU16(out, sw_);
  return out;
}

}  // namespace epurse
