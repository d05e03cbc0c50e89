#include "protocol/purse_apdus.h"

#include "apdu/iso_instructions.h"
#include "base/byte_codec.h"

namespace epurse::protocol::apdus {
namespace {

constexpr std::size_t kShortLe = 256;

CommandApdu command(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, Bytes data,
                    bool expectsData) {
  CommandApdu c(cla, ins, p1, p2, std::move(data));
  return expectsData ? c.withNe(kShortLe) : c;
}

Bytes signedFields(const Bytes& fields, ByteView signature) {
  ByteWriter out;
  out.reserve(fields.size() + signature.size()).bytes(fields).bytes(signature);
  return out.take();
}

}  // namespace

CommandApdu selectPurse() {
  return command(kClaIso, kInsSelect, kSelectByDfName, 0x00, Bytes(kPurseAid.begin(), kPurseAid.end()), true);
}

CommandApdu getData(std::uint16_t p1p2) {
  return command(kClaIso, kInsGetData, static_cast<std::uint8_t>(p1p2 >> 8), static_cast<std::uint8_t>(p1p2), {},
                 true);
}

CommandApdu readRecord(std::uint8_t sfi, std::uint8_t recordNumber) {
  return command(kClaIso, kInsReadRecord, recordNumber, readRecordP2(sfi), {}, true);
}

CommandApdu verifyPin(const PinBlock& pin) {
  return command(kClaIso, kInsVerify, 0x00, kP2CardholderPin, Bytes(pin.begin(), pin.end()), false);
}

CommandApdu pinTriesLeft() { return command(kClaIso, kInsVerify, 0x00, kP2CardholderPin, {}, false); }

CommandApdu changePin(const PinBlock& oldPin, const PinBlock& newPin) {
  ByteWriter data;
  data.bytes(oldPin).bytes(newPin);
  return command(kClaIso, kInsChangeReferenceData, 0x00, kP2CardholderPin, data.take(), false);
}

CommandApdu auditRead(std::uint8_t sfi, ByteView challenge) {
  return command(kClaProprietary, kInsAuditRead, sfi, 0x00, Bytes(challenge.begin(), challenge.end()), true);
}

CommandApdu putIssuerKey(ByteView issuerPublicKey) {
  return command(kClaProprietary, kInsPutIssuerKey, 0x00, 0x00, Bytes(issuerPublicKey.begin(), issuerPublicKey.end()),
                 false);
}

CommandApdu generateKeyPair() { return command(kClaIso, kInsGenerateKeyPair, 0x00, 0x00, {}, true); }

CommandApdu personalise(const Personalisation& data, ByteView issuerSignature) {
  return command(kClaProprietary, kInsPersonalise, 0x00, 0x00, signedFields(data.encode(), issuerSignature), false);
}

CommandApdu putCertificate(ByteView certificate) {
  return command(kClaProprietary, kInsPutCertificate, 0x00, 0x00, Bytes(certificate.begin(), certificate.end()),
                 false);
}

CommandApdu load(const ValueOrder& order, ByteView issuerSignature) {
  return command(kClaProprietary, kInsLoad, 0x00, 0x00, signedFields(order.encode(), issuerSignature), true);
}

CommandApdu unload(const ValueOrder& order, ByteView issuerSignature) {
  return command(kClaProprietary, kInsUnload, 0x00, 0x00, signedFields(order.encode(), issuerSignature), true);
}

CommandApdu resetRetryCounter(const PinUnblockOrder& order, ByteView issuerSignature) {
  return command(kClaIso, kInsResetRetryCounter, kP1ResetCodeAndNewPin, kP2CardholderPin,
                 signedFields(order.encode(), issuerSignature), false);
}

CommandApdu setLifeCycle(const LifeCycleOrder& order, ByteView issuerSignature) {
  return command(kClaProprietary, kInsSetLifeCycle, 0x00, 0x00, signedFields(order.encode(), issuerSignature), false);
}

CommandApdu clearExceptionLog(const ExceptionClearOrder& order, ByteView issuerSignature) {
  return command(kClaProprietary, kInsClearExceptionLog, 0x00, 0x00, signedFields(order.encode(), issuerSignature),
                 false);
}

CommandApdu putRevocationList(const RevocationList& list, ByteView issuerSignature) {
  return command(kClaProprietary, kInsPutRevocationList, 0x00, 0x00, signedFields(list.encode(), issuerSignature),
                 false);
}

CommandApdu startFrom(const StartOrder& order) {
  return command(kClaProprietary, kInsStartFrom, 0x00, 0x00, order.encode(), true);
}

CommandApdu startTo(const StartOrder& order) {
  return command(kClaProprietary, kInsStartTo, 0x00, 0x00, order.encode(), true);
}

CommandApdu req(const SignedTransferMessage& message) {
  return command(kClaProprietary, kInsReq, 0x00, 0x00, message.encode(), true);
}

CommandApdu val(const SignedTransferMessage& message) {
  return command(kClaProprietary, kInsVal, 0x00, 0x00, message.encode(), true);
}

CommandApdu ack(const SignedTransferMessage& message) {
  return command(kClaProprietary, kInsAck, 0x00, 0x00, message.encode(), false);
}

CommandApdu abortTransfer() { return command(kClaProprietary, kInsAbort, 0x00, 0x00, {}, false); }

}  // namespace epurse::protocol::apdus
