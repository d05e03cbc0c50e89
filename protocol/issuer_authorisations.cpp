#include "protocol/issuer_authorisations.h"

#include <algorithm>

#include "protocol/signed_payloads.h"

namespace epurse::protocol {
namespace {

constexpr std::uint8_t kPinPad = 0xFF;
constexpr std::size_t kPurseIdFieldSize = kPurseIdSize;

Status exactSize(ByteView in, std::size_t size, const char* what) {
  if (in.size() != size) {
    return makeError(ErrorCode::kMalformed, std::string(what) + " is " + std::to_string(size) + " bytes");
  }
  return Status::ok();
}

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
  if (data.size() != fieldsSize + kSignatureSize) {
    return makeError(ErrorCode::kMalformed, "signed data must be " + std::to_string(fieldsSize) +
                                                " bytes of fields and a 64-byte signature");
  }
  return SignedData{data.first(fieldsSize), data.subspan(fieldsSize)};
}

Bytes Personalisation::encode() const {
  Bytes out;
  out.reserve(kSize);
  appendBytes(out, purseId);
  appendU16(out, currency);
  appendU32(out, maxBalance);
  appendU32(out, perTransferMax);
  appendU32(out, noPinLimit);
  appendBytes(out, pin);
  appendU32(out, date);
  return out;
}

Result<Personalisation> Personalisation::decode(ByteView in) {
  if (Status s = exactSize(in, kSize, "personalisation data"); !s) return s;
  Personalisation p;
  p.purseId = toArray<kPurseIdSize>(in.subspan(0, kPurseIdFieldSize));
  p.currency = loadU16(in.data() + 8);
  p.maxBalance = loadU32(in.data() + 10);
  p.perTransferMax = loadU32(in.data() + 14);
  p.noPinLimit = loadU32(in.data() + 18);
  p.pin = toArray<kPinBlockSize>(in.subspan(22, kPinBlockSize));
  p.date = loadU32(in.data() + 30);
  return p;
}

Bytes ValueOrder::encode() const {
  Bytes out;
  out.reserve(kSize);
  appendU32(out, counter);
  appendU32(out, amount);
  appendU16(out, currency);
  appendU32(out, date);
  return out;
}

Result<ValueOrder> ValueOrder::decode(ByteView in) {
  if (Status s = exactSize(in, kSize, "a load or unload order"); !s) return s;
  ValueOrder o;
  o.counter = loadU32(in.data());
  o.amount = loadU32(in.data() + 4);
  o.currency = loadU16(in.data() + 8);
  o.date = loadU32(in.data() + 10);
  return o;
}

Bytes ValueReceipt::encode() const {
  Bytes out;
  out.reserve(kSize);
  appendBytes(out, purseId);
  appendU32(out, counter);
  appendU32(out, amount);
  appendU16(out, currency);
  appendU32(out, balanceAfter);
  appendU32(out, logNumber);
  return out;
}

Result<ValueReceipt> ValueReceipt::decode(ByteView in) {
  if (Status s = exactSize(in, kSize, "a value receipt"); !s) return s;
  ValueReceipt r;
  r.purseId = toArray<kPurseIdSize>(in.subspan(0, kPurseIdFieldSize));
  r.counter = loadU32(in.data() + 8);
  r.amount = loadU32(in.data() + 12);
  r.currency = loadU16(in.data() + 16);
  r.balanceAfter = loadU32(in.data() + 18);
  r.logNumber = loadU32(in.data() + 22);
  return r;
}

Bytes PinUnblockOrder::encode() const {
  Bytes out;
  appendU32(out, adminCounter);
  appendBytes(out, newPin);
  return out;
}

Result<PinUnblockOrder> PinUnblockOrder::decode(ByteView in) {
  if (Status s = exactSize(in, kSize, "a PIN unblock order"); !s) return s;
  PinUnblockOrder o;
  o.adminCounter = loadU32(in.data());
  o.newPin = toArray<kPinBlockSize>(in.subspan(4, kPinBlockSize));
  return o;
}

Bytes LifeCycleOrder::encode() const {
  Bytes out;
  appendU32(out, adminCounter);
  out.push_back(static_cast<std::uint8_t>(change));
  return out;
}

Result<LifeCycleOrder> LifeCycleOrder::decode(ByteView in) {
  if (Status s = exactSize(in, kSize, "a life-cycle order"); !s) return s;
  LifeCycleOrder o;
  o.adminCounter = loadU32(in.data());
  const std::uint8_t change = in[4];
  if (change < static_cast<std::uint8_t>(LifeCycleChange::kBlock) ||
      change > static_cast<std::uint8_t>(LifeCycleChange::kTerminate)) {
    return makeError(ErrorCode::kMalformed, "unknown life-cycle change");
  }
  o.change = static_cast<LifeCycleChange>(change);
  return o;
}

Bytes ExceptionClearOrder::encode() const {
  Bytes out;
  out.push_back(static_cast<std::uint8_t>(numbers.size()));
  for (std::uint32_t n : numbers) appendU32(out, n);
  appendBytes(out, digest);
  return out;
}

Result<ExceptionClearOrder> ExceptionClearOrder::decode(ByteView in) {
  if (in.empty()) return makeError(ErrorCode::kMalformed, "an exception-log clear order is empty");
  const std::size_t n = in[0];
  if (n == 0 || n > kMaxRecords || in.size() != 1 + 4 * n + kSha256Size) {
    return makeError(ErrorCode::kMalformed, "an exception-log clear order names 1 to 8 records and a digest");
  }
  ExceptionClearOrder o;
  for (std::size_t i = 0; i < n; ++i) o.numbers.push_back(loadU32(in.data() + 1 + 4 * i));
  o.digest = toArray<kSha256Size>(in.subspan(1 + 4 * n));
  return o;
}

Bytes RevocationList::encode() const {
  Bytes out;
  appendU32(out, version);
  out.push_back(static_cast<std::uint8_t>(revoked.size()));
  for (const auto& id : revoked) appendBytes(out, id);
  return out;
}

Result<RevocationList> RevocationList::decode(ByteView in) {
  if (in.size() < 5) return makeError(ErrorCode::kMalformed, "a revocation list starts with version and count");
  const std::size_t n = in[4];
  if (n > kMaxEntries || in.size() != 5 + kPurseIdSize * n) {
    return makeError(ErrorCode::kMalformed, "a revocation list holds 0 to 32 purse IDs, 8 bytes each");
  }
  RevocationList l;
  l.version = loadU32(in.data());
  for (std::size_t i = 0; i < n; ++i) l.revoked.push_back(toArray<kPurseIdSize>(in.subspan(5 + kPurseIdSize * i)));
  return l;
}

Bytes AuditHead::encode() const {
  Bytes out;
  out.reserve(kSize);
  appendBytes(out, purseId);
  out.push_back(log);
  appendU32(out, appended);
  appendBytes(out, headHash);
  appendU32(out, balance);
  appendU32(out, nextSeq);
  out.push_back(held);
  return out;
}

Result<AuditHead> AuditHead::decode(ByteView in) {
  if (Status s = exactSize(in, kSize, "an audit head"); !s) return s;
  AuditHead a;
  a.purseId = toArray<kPurseIdSize>(in.subspan(0, kPurseIdFieldSize));
  a.log = in[8];
  a.appended = loadU32(in.data() + 9);
  a.headHash = toArray<kSha256Size>(in.subspan(13, kSha256Size));
  a.balance = loadU32(in.data() + 45);
  a.nextSeq = loadU32(in.data() + 49);
  a.held = in[53];
  return a;
}

Bytes auditPayload(ByteView challenge, const AuditHead& head) {
  Bytes fields;
  fields.push_back(static_cast<std::uint8_t>(challenge.size()));
  appendBytes(fields, challenge);
  appendBytes(fields, head.encode());
  return domainPayload(kDomainAudit, fields);
}

}  // namespace epurse::protocol
