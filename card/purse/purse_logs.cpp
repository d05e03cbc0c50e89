#include "card/purse/purse_logs.h"

#include <algorithm>

#include "card/purse/purse_layout.h"

namespace epurse::card {

using namespace purse_layout;

std::uint32_t TransactionLog::appended() const { return memory_.readU32(kLogAppended); }

std::size_t TransactionLog::held() const { return std::min<std::size_t>(appended(), kLogCapacity); }

protocol::Digest TransactionLog::headHash() const {
  return epurse::toArray<kSha256Size>(memory_.read(kLogHeadHash, kSha256Size)).value();
}

std::uint32_t TransactionLog::append(protocol::LogType type, const protocol::PaymentDetails& details,
                                     protocol::Amount balanceAfter) {
  protocol::LogRecord record;
  record.number = appended() + 1;
  record.type = type;
  record.details = details;
  record.balanceAfter = balanceAfter;
  record.chainHash = record.expectedChainHash(headHash());
  const std::size_t slot = (record.number - 1) % kLogCapacity;
  memory_.write(kLogRing + slot * LogRecord::kSize, record.encode());
  memory_.write(kLogHeadHash, record.chainHash);
  memory_.writeU32(kLogAppended, record.number);
  return record.number;
}

std::optional<Bytes> TransactionLog::record(std::size_t newestFirst) const {
  if (newestFirst == 0 || newestFirst > held()) return std::nullopt;
  const std::uint32_t number = appended() - static_cast<std::uint32_t>(newestFirst) + 1;
  const ByteView bytes = memory_.read(kLogRing + ((number - 1) % kLogCapacity) * LogRecord::kSize, LogRecord::kSize);
  return Bytes(bytes.begin(), bytes.end());
}

std::uint32_t ExceptionLog::appended() const { return memory_.readU32(kExceptionsAppended); }

std::size_t ExceptionLog::held() const { return memory_.readU8(kExceptionsHeld); }

bool ExceptionLog::full() const { return held() >= kExceptionCapacity; }

void ExceptionLog::append(protocol::ProtocolStatus abortedIn, const protocol::PaymentDetails& pd) {
  protocol::ExceptionRecord record;
  record.number = appended() + 1;
  record.abortedIn = abortedIn;
  record.pd = pd;
  const std::size_t index = held();
  memory_.write(kExceptionSlots + index * ExceptionRecord::kSize, record.encode());
  memory_.writeU8(kExceptionsHeld, static_cast<std::uint8_t>(index + 1));
  memory_.writeU32(kExceptionsAppended, record.number);
}

ByteView ExceptionLog::recordAt(std::size_t oldestFirst) const {
  return memory_.read(kExceptionSlots + oldestFirst * ExceptionRecord::kSize, ExceptionRecord::kSize);
}

std::optional<Bytes> ExceptionLog::record(std::size_t newestFirst) const {
  const std::size_t n = held();
  if (newestFirst == 0 || newestFirst > n) return std::nullopt;
  const ByteView bytes = recordAt(n - newestFirst);
  return Bytes(bytes.begin(), bytes.end());
}

protocol::Digest ExceptionLog::digest() const {
  return protocol::exceptionRecordsDigest(memory_.read(kExceptionSlots, held() * ExceptionRecord::kSize));
}

std::optional<std::size_t> ExceptionLog::find(std::uint32_t number) const {
  for (std::size_t i = 0; i < held(); ++i) {
    if (loadU32(recordAt(i).data()) == number) return i;
  }
  return std::nullopt;
}

void ExceptionLog::remove(const std::vector<std::size_t>& indices) {
  const std::size_t n = held();
  Bytes kept;
  kept.reserve(n * ExceptionRecord::kSize);
  for (std::size_t i = 0; i < n; ++i) {
    if (std::find(indices.begin(), indices.end(), i) == indices.end()) appendBytes(kept, recordAt(i));
  }
  const std::size_t remaining = kept.size() / ExceptionRecord::kSize;
  kept.resize(n * ExceptionRecord::kSize, 0);  // clear the freed slots too
  memory_.write(kExceptionSlots, kept);
  memory_.writeU8(kExceptionsHeld, static_cast<std::uint8_t>(remaining));
}

}  // namespace epurse::card
