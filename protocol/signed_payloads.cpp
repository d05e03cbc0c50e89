#include "protocol/signed_payloads.h"

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
  Bytes out;
  out.reserve(name.size() + PaymentDetails::kSize);
  for (char c : name) out.push_back(static_cast<std::uint8_t>(c));
  out.resize(name.size() + PaymentDetails::kSize);
  pd.encodeTo(out.data() + name.size());
  return out;
}

Bytes domainPayload(std::string_view domain, ByteView fields) {
  Bytes out;
  out.reserve(domain.size() + fields.size());
  for (char c : domain) out.push_back(static_cast<std::uint8_t>(c));
  appendBytes(out, fields);
  return out;
}

Bytes issuerOrderPayload(std::string_view domain, const PurseId& purse, ByteView fields) {
  Bytes out = domainPayload(domain, purse);
  appendBytes(out, fields);
  return out;
}

}  // namespace epurse::protocol
