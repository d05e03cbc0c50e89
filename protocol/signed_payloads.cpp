#include "protocol/signed_payloads.h"

#include "base/byte_codec.h"

namespace epurse::protocol {

const char* transferMessageName(TransferMessage message) {
  switch (message) {
    case TransferMessage::kReq: return "REQ";
    case TransferMessage::kVal: return "VAL";
    case TransferMessage::kAck: return "ACK";
  }
  return "?";
}

Bytes transferPayload(TransferMessage message, const PaymentDetails& pd) {
  const std::string_view name = transferMessageName(message);
  ByteWriter out;
  pd.encodeTo(out.reserve(name.size() + PaymentDetails::kSize).ascii(name));
  return out.take();
}

Bytes domainPayload(std::string_view domain, ByteView fields) {
  ByteWriter out;
  out.reserve(domain.size() + fields.size()).ascii(domain).bytes(fields);
  return out.take();
}

Bytes issuerOrderPayload(std::string_view domain, const PurseId& purse, ByteView fields) {
  ByteWriter out;
  out.reserve(domain.size() + purse.size() + fields.size()).ascii(domain).bytes(purse).bytes(fields);
  return out.take();
}

}  // namespace epurse::protocol
