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

Bytes LogRecord::hashedPart() const {
  Bytes out;
  out.reserve(kSize);
  appendU32(out, number);
  out.push_back(static_cast<std::uint8_t>(type));
  appendBytes(out, details.encode());
  appendU32(out, balanceAfter);
  return out;
}

Bytes LogRecord::encode() const {
  Bytes out = hashedPart();
  appendBytes(out, chainHash);
  return out;
}

Digest LogRecord::expectedChainHash(const Digest& previous) const { return sha256(previous, hashedPart()); }

Result<LogRecord> LogRecord::decode(ByteView in) {
  if (in.size() != kSize) return makeError(ErrorCode::kMalformed, "a log record is 103 bytes");
  if (in[4] < static_cast<std::uint8_t>(LogType::kLoad) || in[4] > static_cast<std::uint8_t>(LogType::kTransferAcked)) {
    return makeError(ErrorCode::kMalformed, "log record: unknown type");
  }
  LogRecord r;
  r.number = loadU32(in.data());
  r.type = static_cast<LogType>(in[4]);
  r.details = *PaymentDetails::decode(in.subspan(5, PaymentDetails::kSize));
  r.balanceAfter = loadU32(in.data() + 67);
  r.chainHash = toArray<kSha256Size>(in.subspan(71, kSha256Size));
  return r;
}

Digest exceptionRecordsDigest(ByteView concatenatedRecords) { return sha256(concatenatedRecords); }

Digest exceptionRecordsDigest(const std::vector<Bytes>& records) {
  Bytes all;
  all.reserve(records.size() * ExceptionRecord::kSize);
  for (const Bytes& record : records) appendBytes(all, record);
  return exceptionRecordsDigest(all);
}

Bytes ExceptionRecord::encode() const {
  Bytes out;
  out.reserve(kSize);
  appendU32(out, number);
  out.push_back(static_cast<std::uint8_t>(abortedIn));
  appendBytes(out, pd.encode());
  return out;
}

Result<ExceptionRecord> ExceptionRecord::decode(ByteView in) {
  if (in.size() != kSize) return makeError(ErrorCode::kMalformed, "an exception record is 67 bytes");
  if (in[4] != static_cast<std::uint8_t>(ProtocolStatus::kEpv) &&
      in[4] != static_cast<std::uint8_t>(ProtocolStatus::kEpa)) {
    return makeError(ErrorCode::kMalformed, "exception record: aborted in neither epv nor epa");
  }
  ExceptionRecord r;
  r.number = loadU32(in.data());
  r.abortedIn = static_cast<ProtocolStatus>(in[4]);
  r.pd = *PaymentDetails::decode(in.subspan(5, PaymentDetails::kSize));
  return r;
}

}  // namespace epurse::protocol
