#include "protocol/transfer_messages.h"

#include "base/byte_codec.h"

namespace epurse::protocol {

Bytes StartOrder::encode() const {
  ByteWriter out;
  out.reserve(kSize).bytes(counterpartyCertificate).u32(value).u32(counterpartySeq).bytes(reference);
  return out.take();
}

Result<StartOrder> StartOrder::decode(ByteView in) {
  ByteReader r(in);
  StartOrder o;
  const ByteView certificate = r.bytes(CardCertificate::kEncodedSize);
  o.counterpartyCertificate.assign(certificate.begin(), certificate.end());
  o.value = r.u32();
  o.counterpartySeq = r.u32();
  o.reference = r.array<kReferenceSize>();
  if (Status s = r.finish("a START order (217 bytes)"); !s) return s;
  return o;
}

Bytes SignedTransferMessage::encode() const {
  ByteWriter out;
  pd.encodeTo(out.reserve(kSize));
  out.bytes(signature);
  return out.take();
}

Result<SignedTransferMessage> SignedTransferMessage::decode(ByteView in) {
  ByteReader r(in);
  SignedTransferMessage m;
  m.pd = PaymentDetails::readFrom(r);
  const ByteView signature = r.bytes(kSignatureSize);
  m.signature.assign(signature.begin(), signature.end());
  if (Status s = r.finish("a transfer message, pd (62) || signature (64)"); !s) return s;
  return m;
}

}  // namespace epurse::protocol
