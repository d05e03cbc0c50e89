// The purse applet's persistent memory, byte by byte (big-endian). Every field is written
// only inside a runtime transaction; docs/protocol.md explains what each one is for. The
// purse reads and writes these offsets only through PurseMemory (purse_memory.h), which
// checks each value it reads.
#pragma once

#include <cstddef>

#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"
#include "protocol/payment_details.h"

namespace epurse::card::purse_layout {

using namespace epurse::protocol;

inline constexpr std::size_t kLogCapacity = 32;        // cyclic transaction log records
inline constexpr std::size_t kExceptionCapacity = 8;   // exception log records
inline constexpr std::size_t kRevocationCapacity = RevocationList::kMaxEntries;
inline constexpr std::uint8_t kPinTries = 3;

// Identity, limits, counters.
inline constexpr std::size_t kLifeCycle = 0;            // 1  LifeCycle
inline constexpr std::size_t kPersonalisation = 1;      // 1  kPerso* flags
inline constexpr std::size_t kPurseId = 2;              // 8
inline constexpr std::size_t kCurrency = 10;            // 2
inline constexpr std::size_t kBalance = 12;             // 4
inline constexpr std::size_t kMaxBalance = 16;          // 4
inline constexpr std::size_t kPerTransferMax = 20;      // 4
inline constexpr std::size_t kNoPinLimit = 24;          // 4
inline constexpr std::size_t kNextSeq = 28;             // 4
inline constexpr std::size_t kLoadCounter = 32;         // 4  next LOAD/UNLOAD order number
inline constexpr std::size_t kAdminCounter = 36;        // 4  next PIN unblock / life-cycle order number
inline constexpr std::size_t kDate = 40;                // 4  latest date an issuer order carried
// The transfer in progress.
inline constexpr std::size_t kProtocolStatus = 44;      // 1  ProtocolStatus
inline constexpr std::size_t kPendingPd = 45;           // 62 pd of the transfer in progress
inline constexpr std::size_t kCounterpartyKey = kPendingPd + PaymentDetails::kSize;     // 65
// PIN.
inline constexpr std::size_t kPin = kCounterpartyKey + kPublicKeySize;                  // 8  PIN block
inline constexpr std::size_t kPinTriesLeft = kPin + kPinBlockSize;                      // 1
// Keys and certificate.
inline constexpr std::size_t kCardPrivateKey = kPinTriesLeft + 1;                       // 32 scalar
inline constexpr std::size_t kCardPublicKey = kCardPrivateKey + kPrivateScalarSize;     // 65
inline constexpr std::size_t kIssuerPublicKey = kCardPublicKey + kPublicKeySize;        // 65
inline constexpr std::size_t kCertificate = kIssuerPublicKey + kPublicKeySize;          // 177
inline constexpr std::size_t kCertificateExpiry = kCertificate + CardCertificate::kEncodedSize;  // 4
// Revocation list.
inline constexpr std::size_t kRevocationVersion = kCertificateExpiry + 4;               // 4
inline constexpr std::size_t kRevocationCount = kRevocationVersion + 4;                 // 1
inline constexpr std::size_t kRevokedIds = kRevocationCount + 1;                        // 32 x 8
// Transaction log: records ever appended, the newest chain hash, then the ring; record
// number k lives in ring slot (k - 1) mod kLogCapacity.
inline constexpr std::size_t kLogAppended = kRevokedIds + kRevocationCapacity * kPurseIdSize;  // 4
inline constexpr std::size_t kLogHeadHash = kLogAppended + 4;                           // 32
inline constexpr std::size_t kLogRing = kLogHeadHash + kSha256Size;                     // 32 x 103
// Exception log: records ever appended, records held, then the held records oldest first.
inline constexpr std::size_t kExceptionsAppended = kLogRing + kLogCapacity * LogRecord::kSize;  // 4
inline constexpr std::size_t kExceptionsHeld = kExceptionsAppended + 4;                 // 1
inline constexpr std::size_t kExceptionSlots = kExceptionsHeld + 1;                     // 8 x 67

inline constexpr std::size_t kTotalSize = kExceptionSlots + kExceptionCapacity * ExceptionRecord::kSize;

static_assert(kTotalSize <= 16 * 1024, "the purse must fit a real card's 16 KiB");

}  // namespace epurse::card::purse_layout
