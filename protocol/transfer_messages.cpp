#include "protocol/transfer_messages.h"

namespace epurse::protocol {

Bytes StartOrder::encode() const {
  Bytes out;
  out.reserve(kSize);
  appendBytes(out, counterpartyCertificate);
  appendU32(out, value);
  appendU32(out, counterpartySeq);
  appendBytes(out, reference);
  return out;
}

Result<StartOrder> StartOrder::decode(ByteView in) {
  if (in.size() != kSize) return makeError(ErrorCode::kMalformed, "a START order is 217 bytes");
  StartOrder o;
  const std::size_t c = CardCertificate::kEncodedSize;
  o.counterpartyCertificate.assign(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(c));
  o.value = loadU32(in.data() + c);
  o.counterpartySeq = loadU32(in.data() + c + 4);
  o.reference = toArray<kReferenceSize>(in.subspan(c + 8));
  return o;
}

Bytes SignedTransferMessage::encode() const {
  Bytes out = pd.encode();
  appendBytes(out, signature);
  return out;
}

Result<SignedTransferMessage> SignedTransferMessage::decode(ByteView in) {
  if (in.size() != kSize) return makeError(ErrorCode::kMalformed, "a transfer message is pd (62) || signature (64)");
  SignedTransferMessage m;
  m.pd = *PaymentDetails::decode(in.first(PaymentDetails::kSize));
  m.signature.assign(in.begin() + PaymentDetails::kSize, in.end());
  return m;
}

}  // namespace epurse::protocol
