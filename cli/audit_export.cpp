#include "cli/audit_export.h"

#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>
#include <utility>

#include "base/hex.h"
#include "cli/json_fields.h"
#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"

namespace epurse::cli {
namespace {

using host::CollectedEvidence;
using nlohmann::json;
using nlohmann::ordered_json;  // the fields in the order docs/protocol.md lists them

// The deepest a valid file goes: document { exports [ export { records [ "hex" ] } ] }.
constexpr int kMaxDepth = 4;
constexpr std::size_t kAuditSize = protocol::AuditHead::kSize + protocol::kSignatureSize;

constexpr std::string_view kFormat = "format";
constexpr std::string_view kVersion = "version";
constexpr std::string_view kExports = "exports";
constexpr std::string_view kExportedAt = "exported_at";
constexpr std::string_view kTerminal = "terminal";
constexpr std::string_view kCertificate = "certificate";
constexpr std::string_view kChallenge = "challenge";
constexpr std::string_view kTransactionAudit = "transaction_audit";
constexpr std::string_view kTransactionRecords = "transaction_records";
constexpr std::string_view kExceptionAudit = "exception_audit";
constexpr std::string_view kExceptionRecords = "exception_records";

std::string sizeText(std::size_t size) {
  std::string text = std::to_string(size);
  text += size == 1 ? " byte" : " bytes";
  return text;
}

// Hex digits only, in pairs, either case: no separators, no spaces, no "0x" (base/hex.h
// forgives those for people typing; a file from a program need not be forgiven).
Result<Bytes> strictHex(const std::string& text, const std::string& path) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(text[i]))) {
      std::string what = "not hex: character ";
      what += std::to_string(i);
      what += " is not 0-9, A-F or a-f";
      return malformedAt(path, what);
    }
  }
  if (text.size() % 2 != 0) return malformedAt(path, "not hex: an odd number of digits");
  auto bytes = fromHex(text);
  if (!bytes) return malformedAt(path, bytes.error().message);
  return *bytes;
}

Status requireSize(ByteView bytes, std::size_t expected, const std::string& path, const char* what) {
  if (bytes.size() == expected) return Status::ok();
  std::string message = sizeText(bytes.size());
  message += "; ";
  message += what;
  message += " is ";
  message += sizeText(expected);
  return malformedAt(path, message);
}

bool digitsAt(std::string_view text, std::size_t from, std::size_t count, int& value) {
  value = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

Status checkExportedAt(std::string_view text, const std::string& path) {
  static constexpr std::string_view kShape = "YYYY-MM-DDTHH:MM:SSZ";
  const Error wrong = malformedAt(path, "not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ");
  if (text.size() != kShape.size()) return wrong;
  for (std::size_t i : {4u, 7u, 10u, 13u, 16u, 19u}) {
    if (text[i] != kShape[i]) return wrong;
  }
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digitsAt(text, 0, 4, year) || !digitsAt(text, 5, 2, month) || !digitsAt(text, 8, 2, day) ||
      !digitsAt(text, 11, 2, hour) || !digitsAt(text, 14, 2, minute) || !digitsAt(text, 17, 2, second)) {
    return wrong;
  }
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return wrong;
  return Status::ok();
}

Status checkTerminal(const std::string& text, const std::string& path) {
  if (text.size() > kMaxTerminalDescription) {
    std::string what = "longer than ";
    what += std::to_string(kMaxTerminalDescription);
    what += " bytes";
    return malformedAt(path, what);
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return malformedAt(path, "holds a control character");
  }
  try {
    (void)json(text).dump();  // nlohmann refuses ill-formed UTF-8 here, as it would writing it
  } catch (const json::exception&) {
    return malformedAt(path, "not UTF-8");
  }
  return Status::ok();
}

Status checkRecords(const std::vector<Bytes>& records, std::size_t size, const std::string& path, const char* what) {
  if (records.size() > kMaxExportedRecords) {
    std::string tooMany = "more than ";
    tooMany += std::to_string(kMaxExportedRecords);
    tooMany += " records";
    return malformedAt(path, tooMany);
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (Status s = requireSize(records[i], size, elementPath(path, i), what); !s) return s;
  }
  return Status::ok();
}

// Every length and bound a decoder checks, on an entry at `path` ("exports[3]").
Status checkEntry(const AuditExport& entry, const std::string& path) {
  const CollectedEvidence& e = entry.evidence;
  if (Status s = checkExportedAt(entry.metadata.exportedAt, fieldPath(path, kExportedAt)); !s) return s;
  if (Status s = checkTerminal(entry.metadata.terminal, fieldPath(path, kTerminal)); !s) return s;
  const Bytes certificate = e.certificate.encode();
  auto decoded = protocol::CardCertificate::decode(certificate);
  if (!decoded || !(*decoded == e.certificate)) {
    return malformedAt(fieldPath(path, kCertificate), "does not encode as a card certificate");
  }
  if (e.challenge.size() < protocol::kMinChallengeSize || e.challenge.size() > protocol::kMaxChallengeSize) {
    std::string what = sizeText(e.challenge.size());
    what += "; a challenge is 8 to 32 bytes";
    return malformedAt(fieldPath(path, kChallenge), what);
  }
  if (Status s = requireSize(e.transactionAudit, kAuditSize, fieldPath(path, kTransactionAudit), "an audit answer");
      !s) {
    return s;
  }
  if (Status s = checkRecords(e.transactionRecords, protocol::LogRecord::kSize, fieldPath(path, kTransactionRecords),
                              "a transaction log record");
      !s) {
    return s;
  }
  if (Status s = requireSize(e.exceptionAudit, kAuditSize, fieldPath(path, kExceptionAudit), "an audit answer"); !s) {
    return s;
  }
  return checkRecords(e.exceptionRecords, protocol::ExceptionRecord::kSize, fieldPath(path, kExceptionRecords),
                      "an exception log record");
}

ordered_json entryJson(const AuditExport& entry) {
  const CollectedEvidence& e = entry.evidence;
  ordered_json out;
  out[kExportedAt] = entry.metadata.exportedAt;
  out[kTerminal] = entry.metadata.terminal;
  out[kCertificate] = toHex(e.certificate.encode());
  out[kChallenge] = toHex(e.challenge);
  out[kTransactionAudit] = toHex(e.transactionAudit);
  out[kTransactionRecords] = ordered_json::array();
  for (const Bytes& record : e.transactionRecords) out[kTransactionRecords].push_back(toHex(record));
  out[kExceptionAudit] = toHex(e.exceptionAudit);
  out[kExceptionRecords] = ordered_json::array();
  for (const Bytes& record : e.exceptionRecords) out[kExceptionRecords].push_back(toHex(record));
  return out;
}

Result<Bytes> hexField(const JsonFields& fields, std::string_view key) {
  auto text = fields.string(key);
  if (!text) return text.error();
  return strictHex(*text, fieldPath(fields.path(), key));
}

Result<std::vector<Bytes>> hexArray(const JsonFields& fields, std::string_view key) {
  auto items = fields.array(key);
  if (!items) return items.error();
  const std::string path = fieldPath(fields.path(), key);
  std::vector<Bytes> out;
  out.reserve((*items)->size());
  for (std::size_t i = 0; i < (*items)->size(); ++i) {
    const json& item = (**items)[i];
    if (!item.is_string()) {
      return malformedAt(elementPath(path, i), std::string("expected a string of hex, found ") + item.type_name());
    }
    auto bytes = strictHex(item.get<std::string>(), elementPath(path, i));
    if (!bytes) return bytes.error();
    out.push_back(std::move(*bytes));
  }
  return out;
}

Result<AuditExport> decodeEntry(const json& value, const std::string& path) {
  auto fields = JsonFields::of(value, path,
                               {kExportedAt, kTerminal, kCertificate, kChallenge, kTransactionAudit,
                                kTransactionRecords, kExceptionAudit, kExceptionRecords});
  if (!fields) return fields.error();
  AuditExport entry;
  auto exportedAt = fields->string(kExportedAt);
  if (!exportedAt) return exportedAt.error();
  entry.metadata.exportedAt = std::move(*exportedAt);
  auto terminal = fields->string(kTerminal);
  if (!terminal) return terminal.error();
  entry.metadata.terminal = std::move(*terminal);

  auto certificate = hexField(*fields, kCertificate);
  if (!certificate) return certificate.error();
  const std::string certificatePath = fieldPath(path, kCertificate);
  if (Status s = requireSize(*certificate, protocol::CardCertificate::kEncodedSize, certificatePath,
                             "a card certificate");
      !s) {
    return s.error();
  }
  auto decoded = protocol::CardCertificate::decode(*certificate);
  if (!decoded) return malformedAt(certificatePath, decoded.error().message);
  entry.evidence.certificate = std::move(*decoded);

  auto challenge = hexField(*fields, kChallenge);
  if (!challenge) return challenge.error();
  entry.evidence.challenge = std::move(*challenge);
  auto transactionAudit = hexField(*fields, kTransactionAudit);
  if (!transactionAudit) return transactionAudit.error();
  entry.evidence.transactionAudit = std::move(*transactionAudit);
  auto transactionRecords = hexArray(*fields, kTransactionRecords);
  if (!transactionRecords) return transactionRecords.error();
  entry.evidence.transactionRecords = std::move(*transactionRecords);
  auto exceptionAudit = hexField(*fields, kExceptionAudit);
  if (!exceptionAudit) return exceptionAudit.error();
  entry.evidence.exceptionAudit = std::move(*exceptionAudit);
  auto exceptionRecords = hexArray(*fields, kExceptionRecords);
  if (!exceptionRecords) return exceptionRecords.error();
  entry.evidence.exceptionRecords = std::move(*exceptionRecords);

  if (Status s = checkEntry(entry, path); !s) return s.error();
  return entry;
}

}  // namespace

std::string exportTime(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(when));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, n);
}

Status checkAuditExport(const AuditExport& entry) { return checkEntry(entry, "export"); }

std::string encodeAuditExport(const CollectedEvidence& evidence, const AuditExportMetadata& metadata) {
  return encodeAuditBatch({AuditExport{evidence, metadata}});
}

Result<CollectedEvidence> decodeAuditExport(std::string_view text) {
  auto batch = decodeAuditBatch(text);
  if (!batch) return batch.error();
  if (batch->size() != 1) {
    std::string what = "holds ";
    what += std::to_string(batch->size());
    what += " readings; one was expected";
    return malformedAt(std::string(kExports), what);
  }
  return std::move(batch->front().evidence);
}

std::string encodeAuditBatch(const std::vector<AuditExport>& entries) {
  ordered_json out;
  out[kFormat] = std::string(kAuditExportFormat);
  out[kVersion] = kAuditExportVersion;
  out[kExports] = ordered_json::array();
  for (const AuditExport& entry : entries) out[kExports].push_back(entryJson(entry));
  // Replace rather than throw on ill-formed UTF-8: checkAuditExport is where that is refused.
  std::string text = out.dump(2, ' ', false, ordered_json::error_handler_t::replace);
  text += '\n';
  return text;
}

Result<std::vector<AuditExport>> decodeAuditBatch(std::string_view text) {
  auto document = parseStrictJson(text, kMaxDepth);
  if (!document) return document.error();
  auto fields = JsonFields::of(*document, "", {kFormat, kVersion, kExports});
  if (!fields) return fields.error();
  auto format = fields->string(kFormat);
  if (!format) return format.error();
  if (*format != kAuditExportFormat) {
    std::string what = "\"";
    what += *format;
    what += "\" is not ";
    what += kAuditExportFormat;
    return malformedAt(std::string(kFormat), what);
  }
  auto version = fields->unsignedInteger(kVersion);
  if (!version) return version.error();
  if (*version != kAuditExportVersion) {
    std::string what = "version ";
    what += std::to_string(*version);
    what += " is not known (this program reads version ";
    what += std::to_string(kAuditExportVersion);
    what += ")";
    return malformedAt(std::string(kVersion), what);
  }
  auto exports = fields->array(kExports);
  if (!exports) return exports.error();
  std::vector<AuditExport> entries;
  entries.reserve((*exports)->size());
  for (std::size_t i = 0; i < (*exports)->size(); ++i) {
    auto entry = decodeEntry((**exports)[i], elementPath(std::string(kExports), i));
    if (!entry) return entry.error();
    entries.push_back(std::move(*entry));
  }
  return entries;
}

}  // namespace epurse::cli
