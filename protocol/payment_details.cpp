#include "protocol/payment_details.h"

namespace epurse::protocol {

void PaymentDetails::encodeTo(ByteWriter& out) const {
  out.bytes(fromId).u32(fromSeq).bytes(toId).u32(toSeq).u32(value).u16(currency).bytes(reference);
}

Bytes PaymentDetails::encode() const {
  ByteWriter out;
  encodeTo(out.reserve(kSize));
  return out.take();
}

PaymentDetails PaymentDetails::readFrom(ByteReader& in) {
  PaymentDetails pd;
  pd.fromId = in.array<kPurseIdSize>();
  pd.fromSeq = in.u32();
  pd.toId = in.array<kPurseIdSize>();
  pd.toSeq = in.u32();
  pd.value = in.u32();
  pd.currency = in.u16();
  pd.reference = in.array<kReferenceSize>();
  return pd;
}

Result<PaymentDetails> PaymentDetails::decode(ByteView in) {
  ByteReader reader(in);
  const PaymentDetails pd = readFrom(reader);
  if (Status s = reader.finish("payment details (62 bytes)"); !s) return s;
  return pd;
}

}  // namespace epurse::protocol
