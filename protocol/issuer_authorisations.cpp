#include "protocol/issuer_authorisations.h"

#include <algorithm>

#include "base/byte_codec.h"
#include "protocol/signed_payloads.h"

namespace epurse::protocol {
namespace {

constexpr std::uint8_t kPinPad = 0xFF;

}  // namespace

Result<PinBlock> makePinBlock(std::string_view digits) {
  if (digits.size() < kMinPinDigits || digits.size() > kPinBlockSize ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return makeError(ErrorCode::kInvalidArgument, "a PIN is 4 to 8 digits");
  }
  PinBlock block;
  block.fill(kPinPad);
  std::copy(digits.begin(), digits.end(), block.begin());
  return block;
}

bool isValidPinBlock(ByteView block) {
  if (block.size() != kPinBlockSize) return false;
  std::size_t digits = 0;
  while (digits < block.size() && block[digits] >= '0' && block[digits] <= '9') ++digits;
  if (digits < kMinPinDigits) return false;
  return std::all_of(block.begin() + static_cast<std::ptrdiff_t>(digits), block.end(),
                     [](std::uint8_t b) { return b == kPinPad; });
}

Result<SignedData> splitSigned(ByteView data, std::size_t fieldsSize) {
  ByteReader r(data);
  const SignedData out{r.bytes(fieldsSize), r.bytes(kSignatureSize)};
  if (!r.finish("signed data")) {
    return makeError(ErrorCode::kMalformed, "signed data must be " + std::to_string(fieldsSize) +
                                                " bytes of fields and a 64-byte signature");
  }
  return out;
}

Bytes Personalisation::encode() const {
  ByteWriter out;
  out.reserve(kSize)
      .bytes(purseId)
      .u16(currency)
      .u32(maxBalance)
      .u32(perTransferMax)
      .u32(noPinLimit)
      .bytes(pin)
      .u32(date);
  return out.take();
}

Result<Personalisation> Personalisation::decode(ByteView in) {
  ByteReader r(in);
  Personalisation p;
  p.purseId = r.array<kPurseIdSize>();
  p.currency = r.u16();
  p.maxBalance = r.u32();
  p.perTransferMax = r.u32();
  p.noPinLimit = r.u32();
  p.pin = r.array<kPinBlockSize>();
  p.date = r.u32();
  if (Status s = r.finish("personalisation data (34 bytes)"); !s) return s;
  return p;
}

Bytes ValueOrder::encode() const {
  ByteWriter out;
  out.reserve(kSize).u32(counter).u32(amount).u16(currency).u32(date);
  return out.take();
}

Result<ValueOrder> ValueOrder::decode(ByteView in) {
  ByteReader r(in);
  ValueOrder o;
  o.counter = r.u32();
  o.amount = r.u32();
  o.currency = r.u16();
  o.date = r.u32();
  if (Status s = r.finish("a load or unload order (14 bytes)"); !s) return s;
  return o;
}

Bytes ValueReceipt::encode() const {
  ByteWriter out;
  out.reserve(kSize).bytes(purseId).u32(counter).u32(amount).u16(currency).u32(balanceAfter).u32(logNumber);
  return out.take();
}

Result<ValueReceipt> ValueReceipt::decode(ByteView in) {
  ByteReader r(in);
  ValueReceipt receipt;
  receipt.purseId = r.array<kPurseIdSize>();
  receipt.counter = r.u32();
  receipt.amount = r.u32();
  receipt.currency = r.u16();
  receipt.balanceAfter = r.u32();
  receipt.logNumber = r.u32();
  if (Status s = r.finish("a value receipt (26 bytes)"); !s) return s;
  return receipt;
}

Bytes PinUnblockOrder::encode() const {
  ByteWriter out;
  out.reserve(kSize).u32(adminCounter).bytes(newPin);
  return out.take();
}

Result<PinUnblockOrder> PinUnblockOrder::decode(ByteView in) {
  ByteReader r(in);
  PinUnblockOrder o;
  o.adminCounter = r.u32();
  o.newPin = r.array<kPinBlockSize>();
  if (Status s = r.finish("a PIN unblock order (12 bytes)"); !s) return s;
  return o;
}

Bytes LifeCycleOrder::encode() const {
  ByteWriter out;
  out.reserve(kSize).u32(adminCounter).u8(static_cast<std::uint8_t>(change));
  return out.take();
}

Result<LifeCycleOrder> LifeCycleOrder::decode(ByteView in) {
  ByteReader r(in);
  LifeCycleOrder o;
  o.adminCounter = r.u32();
  const std::uint8_t change = r.u8();
  if (Status s = r.finish("a life-cycle order (5 bytes)"); !s) return s;
  if (change < static_cast<std::uint8_t>(LifeCycleChange::kBlock) ||
      change > static_cast<std::uint8_t>(LifeCycleChange::kTerminate)) {
    return makeError(ErrorCode::kMalformed, "unknown life-cycle change");
  }
  o.change = static_cast<LifeCycleChange>(change);
  return o;
}

Bytes ExceptionClearOrder::encode() const {
  ByteWriter out;
  out.reserve(1 + 4 * numbers.size() + kSha256Size).u8(static_cast<std::uint8_t>(numbers.size()));
  for (std::uint32_t n : numbers) out.u32(n);
  out.bytes(digest);
  return out.take();
}

Result<ExceptionClearOrder> ExceptionClearOrder::decode(ByteView in) {
  constexpr const char* kShape = "an exception-log clear order names 1 to 8 records and a digest";
  ByteReader r(in);
  const std::size_t n = r.u8();
  if (n == 0 || n > kMaxRecords) return makeError(ErrorCode::kMalformed, kShape);
  ExceptionClearOrder o;
  for (std::size_t i = 0; i < n; ++i) o.numbers.push_back(r.u32());
  o.digest = r.array<kSha256Size>();
  if (!r.finish("an exception-log clear order")) return makeError(ErrorCode::kMalformed, kShape);
  return o;
}

Bytes RevocationList::encode() const {
  ByteWriter out;
  out.reserve(5 + kPurseIdSize * revoked.size()).u32(version).u8(static_cast<std::uint8_t>(revoked.size()));
  for (const PurseId& id : revoked) out.bytes(id);
  return out.take();
}

Result<RevocationList> RevocationList::decode(ByteView in) {
  constexpr const char* kShape = "a revocation list holds 0 to 32 purse IDs, 8 bytes each";
  ByteReader r(in);
  RevocationList l;
  l.version = r.u32();
  const std::size_t n = r.u8();
  if (!r.check("a revocation list")) {
    return makeError(ErrorCode::kMalformed, "a revocation list starts with version and count");
  }
  if (n > kMaxEntries) return makeError(ErrorCode::kMalformed, kShape);
  for (std::size_t i = 0; i < n; ++i) l.revoked.push_back(r.array<kPurseIdSize>());
  if (!r.finish("a revocation list")) return makeError(ErrorCode::kMalformed, kShape);
  return l;
}

Bytes AuditHead::encode() const {
  ByteWriter out;
  out.reserve(kSize).bytes(purseId).u8(log).u32(appended).bytes(headHash).u32(balance).u32(nextSeq).u8(held);
  return out.take();
}

Result<AuditHead> AuditHead::decode(ByteView in) {
  ByteReader r(in);
  AuditHead a;
  a.purseId = r.array<kPurseIdSize>();
  a.log = r.u8();
  a.appended = r.u32();
  a.headHash = r.array<kSha256Size>();
  a.balance = r.u32();
  a.nextSeq = r.u32();
  a.held = r.u8();
  if (Status s = r.finish("an audit head (54 bytes)"); !s) return s;
  return a;
}

Bytes auditPayload(ByteView challenge, const AuditHead& head) {
  // The length byte is the challenge size's low byte, as a plain byte rather than
  // lengthPrefixed8: a challenge over 255 bytes (never valid, 8 to 32) then yields a payload no
  // card signed, and verifying it fails instead of throwing.
  ByteWriter out;
  out.reserve(kDomainAudit.size() + 1 + challenge.size() + AuditHead::kSize)
      .ascii(kDomainAudit)
      .u8(static_cast<std::uint8_t>(challenge.size()))
      .bytes(challenge)
      .bytes(head.encode());
  return out.take();
}

}  // namespace epurse::protocol
