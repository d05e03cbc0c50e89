// The audit export file (docs/protocol.md "Audit export"): readings of purses' logs
// (CollectedEvidence) written by a terminal (`epurse export`) and carried to the issuer, who
// imports them in batch (the CEPS model: merchant terminals collect, the issuer settles).
//
// The file is untrusted. Decoding only parses, strictly: an unknown format or version, a
// missing, extra or repeated field, a wrong type, bad hex or a wrong length is kMalformed
// naming the field ("exports[3].transaction_records[7]"). Whether the bytes are what a purse
// signed is host::verifyEvidence's question, asked after decoding.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "host/collected_evidence.h"

namespace epurse::cli {

inline constexpr std::string_view kAuditExportFormat = "epurse-audit-export";
inline constexpr std::uint64_t kAuditExportVersion = 1;
inline constexpr std::size_t kMaxTerminalDescription = 256;  // bytes of UTF-8
inline constexpr std::size_t kMaxExportedRecords = 255;  // per log: READ RECORD numbers 1..255

// Where and when a reading was made. Informational: nothing in it is signed.
struct AuditExportMetadata {
  std::string exportedAt;  // UTC, "2026-12-01T11:42:06Z" (exportTime() makes one)
  std::string terminal;    // the terminal and reader, e.g. "shop 12 till 3, ACS ACR39U 00 00"
  bool operator==(const AuditExportMetadata&) const = default;
};

struct AuditExport {
  host::CollectedEvidence evidence;
  AuditExportMetadata metadata;
  bool operator==(const AuditExport&) const = default;
};

// "YYYY-MM-DDTHH:MM:SSZ" for `when`, to the second.
std::string exportTime(std::chrono::system_clock::time_point when);

// Whether `entry` can be written as a file that decodes: exportedAt in the form above, the
// terminal description at most kMaxTerminalDescription bytes without control characters,
// every byte field of the length its format has. kMalformed naming the field, as decoding
// would. The encoders write what they are given; a terminal checks with this first.
Status checkAuditExport(const AuditExport& entry);

// A file holding one reading.
std::string encodeAuditExport(const host::CollectedEvidence& evidence, const AuditExportMetadata& metadata);
// Exactly one reading: a batch of several is refused (decodeAuditBatch reads those).
Result<host::CollectedEvidence> decodeAuditExport(std::string_view text);

// A file holding many purses' readings (any number, none included), in the order given.
std::string encodeAuditBatch(const std::vector<AuditExport>& entries);
Result<std::vector<AuditExport>> decodeAuditBatch(std::string_view text);

}  // namespace epurse::cli
