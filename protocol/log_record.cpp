#include "protocol/log_record.h"

namespace epurse::protocol {

const char* logTypeName(LogType type) {
  switch (type) {
    case LogType::kLoad: return "load";
    case LogType::kUnload: return "unload";
    case LogType::kTransferIn: return "transfer in";
    case LogType::kTransferOut: return "transfer out";
    case LogType::kTransferAcked: return "transfer out acknowledged";
  }
  return "?";
}

void LogRecord::hashedPartTo(ByteWriter& out) const {
  out.u32(number).u8(static_cast<std::uint8_t>(type));
  details.encodeTo(out);
  out.u32(balanceAfter);
}

Bytes LogRecord::hashedPart() const {
  ByteWriter out;
  hashedPartTo(out.reserve(kHashedSize));
  return out.take();
}

Bytes LogRecord::encode() const {
  ByteWriter out;
  hashedPartTo(out.reserve(kSize));
  out.bytes(chainHash);
  return out.take();
}

Digest LogRecord::expectedChainHash(const Digest& previous) const { return sha256(previous, hashedPart()); }

Result<LogRecord> LogRecord::decode(ByteView in) {
  ByteReader r(in);
  LogRecord record;
  record.number = r.u32();
  const std::uint8_t type = r.u8();
  record.details = PaymentDetails::readFrom(r);
  record.balanceAfter = r.u32();
  record.chainHash = r.array<kSha256Size>();
  if (Status s = r.finish("a log record (103 bytes)"); !s) return s;
  if (type < static_cast<std::uint8_t>(LogType::kLoad) || type > static_cast<std::uint8_t>(LogType::kTransferAcked)) {
    return makeError(ErrorCode::kMalformed, "log record: unknown type");
  }
  record.type = static_cast<LogType>(type);
  return record;
}

Digest exceptionRecordsDigest(ByteView concatenatedRecords) { return sha256(concatenatedRecords); }

Digest exceptionRecordsDigest(const std::vector<Bytes>& records) {
  ByteWriter all;
  all.reserve(records.size() * ExceptionRecord::kSize);
  for (const Bytes& record : records) all.bytes(record);
  return exceptionRecordsDigest(all.view());
}

Bytes ExceptionRecord::encode() const {
  ByteWriter out;
  out.reserve(kSize).u32(number).u8(static_cast<std::uint8_t>(abortedIn));
  pd.encodeTo(out);
  return out.take();
}

Result<ExceptionRecord> ExceptionRecord::decode(ByteView in) {
  ByteReader r(in);
  ExceptionRecord record;
  record.number = r.u32();
  const std::uint8_t abortedIn = r.u8();
  record.pd = PaymentDetails::readFrom(r);
  if (Status s = r.finish("an exception record (67 bytes)"); !s) return s;
  if (abortedIn != static_cast<std::uint8_t>(ProtocolStatus::kEpv) &&
      abortedIn != static_cast<std::uint8_t>(ProtocolStatus::kEpa)) {
    return makeError(ErrorCode::kMalformed, "exception record: aborted in neither epv nor epa");
  }
  record.abortedIn = static_cast<ProtocolStatus>(abortedIn);
  return record;
}

}  // namespace epurse::protocol
