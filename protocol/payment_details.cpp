#include "protocol/payment_details.h"

#include <algorithm>

namespace epurse::protocol {

void PaymentDetails::encodeTo(std::uint8_t* out) const {
  std::copy(fromId.begin(), fromId.end(), out);
  storeU32(out + 8, fromSeq);
  std::copy(toId.begin(), toId.end(), out + 12);
  storeU32(out + 20, toSeq);
  storeU32(out + 24, value);
  out[28] = static_cast<std::uint8_t>(currency >> 8);
  out[29] = static_cast<std::uint8_t>(currency);
  std::copy(reference.begin(), reference.end(), out + 30);
}

Bytes PaymentDetails::encode() const {
  Bytes out(kSize);
  encodeTo(out.data());
  return out;
}

Result<PaymentDetails> PaymentDetails::decode(ByteView in) {
  if (in.size() != kSize) return makeError(ErrorCode::kMalformed, "payment details are 62 bytes");
  PaymentDetails pd;
  pd.fromId = toArray<kPurseIdSize>(in.subspan(0, 8));
  pd.fromSeq = loadU32(in.data() + 8);
  pd.toId = toArray<kPurseIdSize>(in.subspan(12, 8));
  pd.toSeq = loadU32(in.data() + 20);
  pd.value = loadU32(in.data() + 24);
  pd.currency = loadU16(in.data() + 28);
  pd.reference = toArray<kReferenceSize>(in.subspan(30, 32));
  return pd;
}

}  // namespace epurse::protocol
