// The data of every issuer-signed command, and of the card's signed answers to them. Each
// command's data is `fields || issuer signature (64)`; the signature covers
// issuerOrderPayload(domain, the card's own purse ID, fields), so the card rebuilds the payload
// from its own identity and a command made for another purse fails the signature check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "protocol/ec_key.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_types.h"

namespace epurse::protocol {

// A PIN on the wire and on the card: 4 to 8 ASCII digits, padded to 8 bytes with FF.
inline constexpr std::size_t kPinBlockSize = 8;
inline constexpr std::size_t kMinPinDigits = 4;
using PinBlock = std::array<std::uint8_t, kPinBlockSize>;
Result<PinBlock> makePinBlock(std::string_view digits);
bool isValidPinBlock(ByteView block);

// Splits `fields || signature`: kMalformed unless exactly `fieldsSize` + 64 bytes.
struct SignedData {
  ByteView fields;
  ByteView signature;
};
Result<SignedData> splitSigned(ByteView data, std::size_t fieldsSize);

// PERSONALISE, signed over "PERS" || card public key || fields.
//   0 8 purse ID  8 2 currency  10 4 max balance  14 4 per-transfer max  18 4 no-PIN limit
//   22 8 PIN block  30 4 date (the card's clock starts here)   34 total
struct Personalisation {
  static constexpr std::size_t kSize = 34;
  PurseId purseId{};
  Currency currency = 0;
  Amount maxBalance = 0;
  Amount perTransferMax = 0;
  Amount noPinLimit = 0;
  PinBlock pin{};
  Date date = 0;
  Bytes encode() const;
  static Result<Personalisation> decode(ByteView in);
  bool operator==(const Personalisation&) const = default;
};

// LOAD and UNLOAD orders, signed over "LOAD"/"ULOD" || purse ID || fields.
//   0 4 load counter (must equal the card's)  4 4 amount  8 2 currency  10 4 date   14 total
struct ValueOrder {
  static constexpr std::size_t kSize = 14;
  std::uint32_t counter = 0;
  Amount amount = 0;
  Currency currency = 0;
  Date date = 0;
  Bytes encode() const;
  static Result<ValueOrder> decode(ByteView in);
  bool operator==(const ValueOrder&) const = default;
};

// The card's receipt for a load or unload, signed over "LRCP"/"URCP" || fields; the response
// data is fields || card signature.
//   0 8 purse ID  8 4 load counter used  12 4 amount  16 2 currency  18 4 balance after
//   22 4 number of the log record   26 total
struct ValueReceipt {
  static constexpr std::size_t kSize = 26;
  PurseId purseId{};
  std::uint32_t counter = 0;
  Amount amount = 0;
  Currency currency = 0;
  Amount balanceAfter = 0;
  std::uint32_t logNumber = 0;
  Bytes encode() const;
  static Result<ValueReceipt> decode(ByteView in);
  bool operator==(const ValueReceipt&) const = default;
};

// RESET RETRY COUNTER (PIN unblock), signed over "UNBL" || purse ID || fields.
//   0 4 admin counter  4 8 new PIN block   12 total
struct PinUnblockOrder {
  static constexpr std::size_t kSize = 12;
  std::uint32_t adminCounter = 0;
  PinBlock newPin{};
  Bytes encode() const;
  static Result<PinUnblockOrder> decode(ByteView in);
  bool operator==(const PinUnblockOrder&) const = default;
};

// SET LIFE CYCLE, signed over "LIFE" || purse ID || fields.   0 4 admin counter  4 1 change
struct LifeCycleOrder {
  static constexpr std::size_t kSize = 5;
  std::uint32_t adminCounter = 0;
  LifeCycleChange change = LifeCycleChange::kBlock;
  Bytes encode() const;
  static Result<LifeCycleOrder> decode(ByteView in);
  bool operator==(const LifeCycleOrder&) const = default;
};

// CLEAR EXCEPTION LOG, signed over "XCLR" || purse ID || fields: exactly the records the
// issuer archived, by number, and SHA-256 over those records as READ RECORD returned them
// (in the order named).   0 1 n (1..8)  1 4n numbers  1+4n 32 digest
struct ExceptionClearOrder {
  static constexpr std::size_t kMaxRecords = 8;
  std::vector<std::uint32_t> numbers;
  Digest digest{};
  Bytes encode() const;
  static Result<ExceptionClearOrder> decode(ByteView in);
  bool operator==(const ExceptionClearOrder&) const = default;
};

// PUT REVOCATION LIST, signed over "REVL" || fields (one list for all purses; a card takes
// only a newer version).   0 4 version  4 1 n (0..32)  5 8n purse IDs
struct RevocationList {
  static constexpr std::size_t kMaxEntries = 32;
  std::uint32_t version = 0;
  std::vector<PurseId> revoked;
  Bytes encode() const;
  static Result<RevocationList> decode(ByteView in);
  bool operator==(const RevocationList&) const = default;
};

// AUDIT READ: the card signs "AUDT" || challenge length (1) || challenge || head. Response
// data is head || card signature.
//   0 8 purse ID  8 1 log (SFI)  9 4 records ever appended  13 32 head hash  45 4 balance
//   49 4 nextSeq  53 1 records now held   54 total
// The transaction log's head hash is the hash chain's newest link; the exception log's is
// SHA-256 over the records it holds, oldest first.
inline constexpr std::size_t kMinChallengeSize = 8;
inline constexpr std::size_t kMaxChallengeSize = 32;
struct AuditHead {
  static constexpr std::size_t kSize = 54;
  PurseId purseId{};
  std::uint8_t log = 0;
  std::uint32_t appended = 0;
  Digest headHash{};
  Amount balance = 0;
  std::uint32_t nextSeq = 0;
  std::uint8_t held = 0;
  Bytes encode() const;
  static Result<AuditHead> decode(ByteView in);
  bool operator==(const AuditHead&) const = default;
};
Bytes auditPayload(ByteView challenge, const AuditHead& head);

}  // namespace epurse::protocol
