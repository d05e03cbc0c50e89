// The model of one purse: what it holds after every command the model has seen it accept,
// computed from the protocol's rules alone (docs/protocol.md), never read from the card. A
// later issuer reconciliation can compare its own books with these states.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "protocol/log_record.h"
#include "protocol/payment_details.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_status.h"

namespace epurse::testing::model {

using protocol::Amount;
using protocol::Digest;
using protocol::ExceptionRecord;
using protocol::LogRecord;
using protocol::LogType;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;

inline constexpr std::size_t kExceptionCapacity = 8;  // docs: the exception log holds 8 records
inline constexpr std::size_t kLogCapacity = 32;       // docs: the transaction log keeps the last 32
inline constexpr std::uint8_t kPinTries = 3;

// One transaction log record as the model expects it.
struct LogEntry {
  std::uint32_t number = 0;
  LogType type = LogType::kLoad;
  PaymentDetails details;
  Amount balanceAfter = 0;
  Digest chainHash{};
};

// Everything the model says one purse holds. Copyable: predictions are copies with the
// command applied.
struct PurseState {
  Amount balance = 0;
  std::uint32_t nextSeq = 1;
  std::uint32_t loadCounter = 0;
  std::uint32_t logAppended = 0;
  std::uint32_t exceptionsAppended = 0;
  ProtocolStatus state = ProtocolStatus::kIdle;
  PaymentDetails pd;  // meaningful unless idle
  bool pinVerified = false;
  std::uint8_t pinTries = kPinTries;
  std::vector<ExceptionRecord> exceptions;  // held, oldest first
  std::deque<LogEntry> log;                 // the newest kLogCapacity records
  Digest headHash{};

  // Mondex abort: back to idle, pd logged where value may be in flight.
  void abortTransfer();
  // Power-up: a transfer in progress aborts, the PIN verification is lost.
  void powerUp();
  // The record the purse appends, with its chain hash; the oldest beyond kLogCapacity drops.
  void appendLog(LogType type, const PaymentDetails& details);
};

// What the card says, for comparing with a PurseState.
struct Observed {
  protocol::PurseStatus status;
  std::vector<ExceptionRecord> exceptions;
};

// "" when the card is in state `m`, else the first difference.
std::string difference(const PurseState& m, const Observed& o);

}  // namespace epurse::testing::model
