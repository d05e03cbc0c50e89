// Rows for the ledger's tests: every field set to a value that differs from its default and
// from the same field of another sample, so a round trip that drops or swaps a field shows.
// A scratch directory that removes itself. The bytes are not valid signatures: the ledger
// stores evidence, it does not verify it.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <stdexcept>
#include <string>

#include "base/hex.h"
#include "base/result.h"
#include "issuer/ledger/ledger_rows.h"
#include "protocol/ec_key.h"

// How BOOST_TEST prints the rows' enums and a pd when a check fails.
namespace boost::test_tools::tt_detail {
template <>
struct print_log_value<epurse::issuer::ledger::OrderKind> {
  void operator()(std::ostream& os, epurse::issuer::ledger::OrderKind v) { os << "OrderKind " << int(v); }
};
template <>
struct print_log_value<epurse::issuer::ledger::Settlement> {
  void operator()(std::ostream& os, epurse::issuer::ledger::Settlement v) { os << "Settlement " << int(v); }
};
template <>
struct print_log_value<epurse::protocol::PaymentDetails> {
  void operator()(std::ostream& os, const epurse::protocol::PaymentDetails& v) { os << epurse::toHex(v.encode()); }
};
}  // namespace boost::test_tools::tt_detail

namespace epurse::testing::ledger {

namespace il = epurse::issuer::ledger;

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "epurse-ledger-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline Bytes fileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline Bytes pattern(std::size_t size, std::uint8_t seed) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 7);
  return out;
}

inline protocol::PurseId purseId(std::uint8_t n) { return {0xE0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, n}; }
inline protocol::IssuerKeyId issuerId(std::uint8_t n = 1) { return {0x15, 0x50, 0xE2, 0x00, 0x00, 0x00, 0x00, n}; }

inline il::PurseRow purseRow(std::uint8_t n) {
  il::PurseRow row;
  row.purseId = purseId(n);
  row.certificate.purseId = row.purseId;
  row.certificate.publicKey = pattern(65, n);
  row.certificate.publicKey[0] = 0x04;
  row.certificate.currency = 978;
  row.certificate.expiry = 20301231;
  row.certificate.issuerKeyId = issuerId();
  row.certificate.signature = pattern(64, static_cast<std::uint8_t>(n + 100));
  row.maxBalance = 100000 + n;
  row.perTransferMax = 50000 + n;
  row.noPinLimit = 2000 + n;
  row.registeredAt = 1'764'000'000 + n;
  return row;
}

inline protocol::PaymentDetails pd(std::uint8_t from, std::uint32_t fromSeq, std::uint8_t to, std::uint32_t toSeq,
                                   protocol::Amount value) {
  protocol::PaymentDetails p;
  p.fromId = purseId(from);
  p.fromSeq = fromSeq;
  p.toId = purseId(to);
  p.toSeq = toSeq;
  p.value = value;
  p.currency = 978;
  const Bytes ref = pattern(32, static_cast<std::uint8_t>(from ^ fromSeq));
  std::copy(ref.begin(), ref.end(), p.reference.begin());
  return p;
}

inline il::OrderRow orderRow(std::uint8_t purse, std::uint32_t counter, protocol::Amount amount) {
  il::OrderRow row;
  row.purseId = purseId(purse);
  row.kind = il::OrderKind::kLoad;
  row.order = protocol::ValueOrder{counter, amount, 978, 20261201};
  row.authorisedAt = 1'764'100'000 + counter;
  return row;
}

inline protocol::AuditHead auditHead(std::uint8_t purse, std::uint8_t log, std::uint32_t appended) {
  protocol::AuditHead head;
  head.purseId = purseId(purse);
  head.log = log;
  head.appended = appended;
  const Bytes hash = pattern(32, static_cast<std::uint8_t>(purse + appended));
  std::copy(hash.begin(), hash.end(), head.headHash.begin());
  head.balance = 4321 + appended;
  head.nextSeq = 7 + appended;
  head.held = static_cast<std::uint8_t>(appended % 30);
  return head;
}

inline il::CollectionRow collectionRow(std::uint8_t purse, std::uint32_t appended) {
  il::CollectionRow row;
  row.purseId = purseId(purse);
  row.collectedAt = 1'764'200'000 + appended;
  row.source = "reader Virtual PCD 00 " + std::to_string(appended);
  row.challenge = pattern(16, static_cast<std::uint8_t>(appended));
  row.transactionHead = auditHead(purse, 1, appended);
  row.exceptionHead = auditHead(purse, 2, appended + 1);
  row.transactionAudit = row.transactionHead.encode();
  appendBytes(row.transactionAudit, pattern(64, 1));
  row.exceptionAudit = row.exceptionHead.encode();
  appendBytes(row.exceptionAudit, pattern(64, 2));
  return row;
}

inline protocol::LogRecord logRecord(std::uint32_t number, protocol::LogType type, const protocol::PaymentDetails& details,
                                     protocol::Amount balanceAfter) {
  protocol::LogRecord record;
  record.number = number;
  record.type = type;
  record.details = details;
  record.balanceAfter = balanceAfter;
  const Bytes hash = pattern(32, static_cast<std::uint8_t>(number * 3));
  std::copy(hash.begin(), hash.end(), record.chainHash.begin());
  return record;
}

inline il::LogRow logRow(std::uint8_t purse, std::uint32_t number, protocol::LogType type,
                         const protocol::PaymentDetails& details, il::RowId collection) {
  return il::LogRow{purseId(purse), logRecord(number, type, details, 1000 + number), collection};
}

inline il::ExceptionRow exceptionRow(std::uint8_t purse, std::uint32_t number, const protocol::PaymentDetails& details,
                                     il::RowId collection) {
  il::ExceptionRow row;
  row.purseId = purseId(purse);
  row.record.number = number;
  row.record.abortedIn = protocol::ProtocolStatus::kEpa;
  row.record.pd = details;
  row.collectionId = collection;
  return row;
}

inline il::RevocationRow revocationRow(std::uint32_t version) {
  il::RevocationRow row;
  row.list.version = version;
  for (std::uint32_t i = 0; i < version; ++i) row.list.revoked.push_back(purseId(static_cast<std::uint8_t>(200 + i)));
  row.command = pattern(20 + version, static_cast<std::uint8_t>(version));
  row.reason = "clone of purse " + std::to_string(version);
  row.issuedAt = 1'764'300'000 + version;
  return row;
}

// Field by field (the rows have no operator==: the ledger's callers never compare them).
inline bool same(const il::PurseRow& a, const il::PurseRow& b) {
  return a.purseId == b.purseId && a.certificate == b.certificate && a.maxBalance == b.maxBalance &&
         a.perTransferMax == b.perTransferMax && a.noPinLimit == b.noPinLimit && a.registeredAt == b.registeredAt;
}
inline bool same(const il::OrderRow& a, const il::OrderRow& b) {  // ids aside
  return a.purseId == b.purseId && a.kind == b.kind && a.order == b.order && a.refundOf == b.refundOf &&
         a.authorisedAt == b.authorisedAt;
}
inline bool same(const il::SettlementRow& a, const il::SettlementRow& b) {
  return a.orderId == b.orderId && a.outcome == b.outcome && a.source == b.source && a.logNumber == b.logNumber &&
         a.evidence == b.evidence && a.settledAt == b.settledAt;
}
inline bool same(const il::CollectionRow& a, const il::CollectionRow& b) {  // ids aside
  return a.purseId == b.purseId && a.collectedAt == b.collectedAt && a.source == b.source &&
         a.challenge == b.challenge && a.transactionAudit == b.transactionAudit &&
         a.exceptionAudit == b.exceptionAudit && a.transactionHead == b.transactionHead &&
         a.exceptionHead == b.exceptionHead;
}
inline bool same(const il::LogRow& a, const il::LogRow& b) {
  return a.purseId == b.purseId && a.record == b.record && a.collectionId == b.collectionId;
}
inline bool same(const il::ExceptionRow& a, const il::ExceptionRow& b) {
  return a.purseId == b.purseId && a.record == b.record && a.collectionId == b.collectionId;
}
inline bool same(const il::FindingRow& a, const il::FindingRow& b) {  // ids aside
  return a.purseId == b.purseId && a.kind == b.kind && a.collectionId == b.collectionId &&
         a.valueAtRisk == b.valueAtRisk && a.detail == b.detail && a.foundAt == b.foundAt;
}
inline bool same(const il::LostTransferRow& a, const il::LostTransferRow& b) {
  return a.pd == b.pd && a.decidedAt == b.decidedAt;
}
inline bool same(const il::RevocationRow& a, const il::RevocationRow& b) {
  return a.list == b.list && a.command == b.command && a.reason == b.reason && a.issuedAt == b.issuedAt;
}
inline bool same(const il::ExceptionClearRow& a, const il::ExceptionClearRow& b) {
  return a.purseId == b.purseId && a.order == b.order && a.issuedAt == b.issuedAt;
}

// `value` of an ok Result, or the test stops here saying what failed.
template <typename T>
T required(Result<T> result) {
  if (!result) BOOST_FAIL("unexpected failure: " + result.error().toString());
  return std::move(*result);
}
inline void required(const Status& status) {
  if (!status) BOOST_FAIL("unexpected failure: " + status.error().toString());
}

}  // namespace epurse::testing::ledger
