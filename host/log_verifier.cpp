#include "host/log_verifier.h"

#include "protocol/purse_commands.h"

namespace epurse::host {
namespace {

using namespace protocol;

constexpr std::uint32_t kFirstRecordNumber = 1;

Error corrupt(const std::string& what) { return makeError(ErrorCode::kCorrupt, what); }

std::string recordName(std::uint32_t number) { return "record " + std::to_string(number); }

Status requireLog(const AuditHead& head, std::uint8_t sfi, const char* name) {
  if (head.log != sfi) return corrupt(std::string("the audit head is not of the ") + name);
  return Status::ok();
}

}  // namespace

Status verifyTransactionLog(const std::vector<LogRecord>& oldestFirst) {
  if (oldestFirst.empty()) return Status::ok();
  const LogRecord& first = oldestFirst.front();
  if (first.number < kFirstRecordNumber) return corrupt("a transaction log record is numbered 0");
  if (first.number == kFirstRecordNumber && first.chainHash != first.expectedChainHash(Digest{})) {
    return corrupt("record 1 does not chain from the zero hash");
  }
  for (std::size_t i = 1; i < oldestFirst.size(); ++i) {
    const LogRecord& previous = oldestFirst[i - 1];
    const LogRecord& record = oldestFirst[i];
    if (record.number != previous.number + 1) {
      return corrupt(recordName(record.number) + " follows " + recordName(previous.number) +
                     ": records are missing or out of order");
    }
    if (record.chainHash != record.expectedChainHash(previous.chainHash)) {
      return corrupt(recordName(record.number) + " does not chain from " + recordName(previous.number));
    }
  }
  return Status::ok();
}

Status verifyTransactionHead(const std::vector<LogRecord>& oldestFirst, const AuditHead& head) {
  if (Status s = requireLog(head, kSfiTransactionLog, "transaction log"); !s) return s;
  if (head.held != oldestFirst.size()) {
    return corrupt("the audit head says " + std::to_string(head.held) + " records are held, " +
                   std::to_string(oldestFirst.size()) + " were read");
  }
  const std::uint32_t newestNumber = oldestFirst.empty() ? 0 : oldestFirst.back().number;
  const Digest newestHash = oldestFirst.empty() ? Digest{} : oldestFirst.back().chainHash;
  if (head.appended != newestNumber) {
    return corrupt("the audit head says " + std::to_string(head.appended) + " records were appended, the newest read is " +
                   recordName(newestNumber));
  }
  if (head.headHash != newestHash) return corrupt("the audit head's hash is not the newest record's chain hash");
  return Status::ok();
}

Status verifyExceptionHead(const std::vector<ExceptionRecord>& oldestFirst, const AuditHead& head) {
  if (Status s = requireLog(head, kSfiExceptionLog, "exception log"); !s) return s;
  if (head.held != oldestFirst.size()) {
    return corrupt("the audit head says " + std::to_string(head.held) + " exception records are held, " +
                   std::to_string(oldestFirst.size()) + " were read");
  }
  std::vector<Bytes> encoded;
  encoded.reserve(oldestFirst.size());
  for (std::size_t i = 0; i < oldestFirst.size(); ++i) {
    if (i > 0 && oldestFirst[i].number <= oldestFirst[i - 1].number) {
      return corrupt("exception " + recordName(oldestFirst[i].number) + " is out of order");
    }
    encoded.push_back(oldestFirst[i].encode());
  }
  if (!oldestFirst.empty() && head.appended < oldestFirst.back().number) {
    return corrupt("the audit head says fewer exceptions were appended than the newest record's number");
  }
  if (head.headHash != protocol::exceptionRecordsDigest(encoded)) {
    return corrupt("the exception log's records do not hash to the audit head");
  }
  return Status::ok();
}

}  // namespace epurse::host
