#include "card/purse/purse_logs.h"

#include <algorithm>

#include "card/purse/purse_layout.h"

namespace epurse::card {

using namespace purse_layout;

std::uint32_t TransactionLog::appended() const { return memory_.logAppended(); }

std::size_t TransactionLog::held() const { return std::min<std::size_t>(appended(), kLogCapacity); }

protocol::Digest TransactionLog::headHash() const { return memory_.logHeadHash(); }

std::uint32_t TransactionLog::append(protocol::LogType type, const protocol::PaymentDetails& details,
                                     protocol::Amount balanceAfter) {
  protocol::LogRecord record;
  record.number = appended() + 1;
  record.type = type;
  record.details = details;
  record.balanceAfter = balanceAfter;
  record.chainHash = record.expectedChainHash(headHash());
  memory_.setLogRecord((record.number - 1) % kLogCapacity, record.encode());
  memory_.setLogHead(record.number, record.chainHash);
  return record.number;
}

std::optional<Bytes> TransactionLog::record(std::size_t newestFirst) const {
  if (newestFirst == 0 || newestFirst > held()) return std::nullopt;
  const std::uint32_t number = appended() - static_cast<std::uint32_t>(newestFirst) + 1;
  const ByteView bytes = memory_.logRecord((number - 1) % kLogCapacity, number);
  return Bytes(bytes.begin(), bytes.end());
}

std::uint32_t ExceptionLog::appended() const { return memory_.exceptionsAppended(); }

std::size_t ExceptionLog::held() const { return memory_.exceptionsHeld(); }

bool ExceptionLog::full() const { return held() >= kExceptionCapacity; }

void ExceptionLog::append(protocol::ProtocolStatus abortedIn, const protocol::PaymentDetails& pd) {
  protocol::ExceptionRecord record;
  record.number = appended() + 1;
  record.abortedIn = abortedIn;
  record.pd = pd;
  memory_.appendExceptionRecord(record.encode(), record.number);
}

ByteView ExceptionLog::recordAt(std::size_t oldestFirst) const { return memory_.exceptionRecords(oldestFirst, 1); }

std::optional<Bytes> ExceptionLog::record(std::size_t newestFirst) const {
  const std::size_t n = held();
  if (newestFirst == 0 || newestFirst > n) return std::nullopt;
  const ByteView bytes = recordAt(n - newestFirst);
  return Bytes(bytes.begin(), bytes.end());
}

protocol::Digest ExceptionLog::digest() const {
  return protocol::exceptionRecordsDigest(memory_.exceptionRecords(0, held()));
}

std::optional<std::size_t> ExceptionLog::find(std::uint32_t number) const {
  const std::size_t n = held();
  for (std::size_t i = 0; i < n; ++i) {
    if (ByteReader(recordAt(i)).u32() == number) return i;
  }
  return std::nullopt;
}

void ExceptionLog::remove(const std::vector<std::size_t>& indices) {
  const std::size_t n = held();
  ByteWriter kept;
  kept.reserve(n * ExceptionRecord::kSize);
  for (std::size_t i = 0; i < n; ++i) {
    if (std::find(indices.begin(), indices.end(), i) == indices.end()) kept.bytes(recordAt(i));
  }
  memory_.setExceptionRecords(kept.view());
}

}  // namespace epurse::card
