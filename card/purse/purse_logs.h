// The purse's two logs over its persistent memory (fields in purse_memory.h). Appends write
// into the open transaction; they never commit on their own.
#pragma once

#include <optional>
#include <vector>

#include "card/purse/purse_memory.h"
#include "protocol/log_record.h"

namespace epurse::card {

class TransactionLog {
 public:
  explicit TransactionLog(PurseMemory memory) : memory_(memory) {}

  std::uint32_t appended() const;
  std::size_t held() const;
  protocol::Digest headHash() const;
  // Chains and writes a record; returns its number.
  std::uint32_t append(protocol::LogType type, const protocol::PaymentDetails& details,
                       protocol::Amount balanceAfter);
  // 1 = newest. Nothing when there is no such record; 6581 when the ring does not hold the
  // record the counter says it does.
  std::optional<Bytes> record(std::size_t newestFirst) const;

 private:
  PurseMemory memory_;
};

class ExceptionLog {
 public:
  explicit ExceptionLog(PurseMemory memory) : memory_(memory) {}

  std::uint32_t appended() const;
  std::size_t held() const;
  bool full() const;
  void append(protocol::ProtocolStatus abortedIn, const protocol::PaymentDetails& pd);
  std::optional<Bytes> record(std::size_t newestFirst) const;  // 1 = newest
  // SHA-256 over the held records, oldest first (the audit head of this log).
  protocol::Digest digest() const;
  // Index (0 = oldest) of the held record with this number.
  std::optional<std::size_t> find(std::uint32_t number) const;
  ByteView recordAt(std::size_t oldestFirst) const;
  // Removes the held records at these indices, keeping the rest in order.
  void remove(const std::vector<std::size_t>& indices);

 private:
  PurseMemory memory_;
};

}  // namespace epurse::card
