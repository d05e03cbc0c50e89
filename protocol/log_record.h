// Records of the purse's two logs, as READ RECORD returns them.
//
// Transaction log record (cyclic, hash-chained), 103 bytes:
//   0   4 number: 1 for the first record the purse ever wrote, +1 for each
//   4   1 type (LogType)
//   5  62 details in pd form: transfers carry their pd; a load has from = issuer key ID,
//         from seq = load counter, to = this purse, to seq = 0; an unload has from = this
//         purse, from seq = load counter, to = issuer key ID, to seq = 0
//   67  4 balance after
//   71 32 chain hash = SHA-256(previous record's chain hash || bytes 0..70); the first
//         record's predecessor hash is 32 zero bytes
// A record missing, altered or out of order breaks the chain.
//
// The audit head of the transaction log is the newest record's chain hash; that of an empty
// log is 32 zero bytes (the chain's starting point).
//
// Exception log record, 67 bytes:
//   0 4 number (1 for the first exception ever, +1 each)   4 1 protocol status the transfer
//   was aborted in (epv on the payee, epa on the payer)     5 62 pd
#pragma once

#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "protocol/ec_key.h"
#include "protocol/payment_details.h"
#include "protocol/purse_commands.h"

namespace epurse::protocol {

enum class LogType : std::uint8_t {
  kLoad = 1,
  kUnload = 2,
  kTransferIn = 3,     // VAL accepted: credited
  kTransferOut = 4,    // REQ accepted: debited
  kTransferAcked = 5,  // ACK accepted: the payer's transfer is complete
};
const char* logTypeName(LogType type);

struct LogRecord {
  static constexpr std::size_t kSize = 103;
  static constexpr std::size_t kHashedSize = 71;

  std::uint32_t number = 0;
  LogType type = LogType::kLoad;
  PaymentDetails details;
  Amount balanceAfter = 0;
  Digest chainHash{};

  // Bytes 0..70, which the chain hash covers.
  Bytes hashedPart() const;
  Bytes encode() const;
  static Result<LogRecord> decode(ByteView in);
  bool operator==(const LogRecord&) const = default;
  // The chain hash this record must carry after `previous`.
  Digest expectedChainHash(const Digest& previous) const;

 private:
  void hashedPartTo(ByteWriter& out) const;
};

// The exception log's digest: SHA-256 over held records concatenated oldest first (the audit
// head), or over archived records in the order an issuer's clear order names them.
// The one definition of that digest; the second form takes the records one by one, as READ
// RECORD returned them.
Digest exceptionRecordsDigest(ByteView concatenatedRecords);
Digest exceptionRecordsDigest(const std::vector<Bytes>& records);

struct ExceptionRecord {
  static constexpr std::size_t kSize = 67;
  std::uint32_t number = 0;
  ProtocolStatus abortedIn = ProtocolStatus::kEpv;
  PaymentDetails pd;
  Bytes encode() const;
  static Result<ExceptionRecord> decode(ByteView in);
  bool operator==(const ExceptionRecord&) const = default;
};

}  // namespace epurse::protocol
