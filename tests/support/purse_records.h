// What the purse's logs and receipts say, checked field by field: READ RECORD and AUDIT READ
// answers and LOAD/UNLOAD receipts are decoded with the protocol's own decoders (their byte
// layouts are pinned by the golden vectors of tests/unit/wire_format_test.cpp) and compared
// with the values the test expects. What the test must check independently of the protocol
// code, it computes here itself: the chain hash of a log record (SHA-256 over the previous
// hash and the bytes the card answered) and the digest of exception records.
#pragma once

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"
#include "protocol/payment_details.h"
#include "protocol/purse_apdus.h"
#include "tests/support/purse_command_checks.h"

namespace epurse::testing::checks {

constexpr std::uint8_t kTxLog = protocol::kSfiTransactionLog;
constexpr std::uint8_t kExLog = protocol::kSfiExceptionLog;

inline Bytes bytesOf(const protocol::Digest& d) { return Bytes(d.begin(), d.end()); }

// SHA-256 over the parts concatenated, computed here (not with protocol::exceptionRecordsDigest).
inline protocol::Digest digestOf(const std::vector<Bytes>& parts) {
  Bytes all;
  for (const Bytes& p : parts) appendBytes(all, p);
  return protocol::sha256(all);
}

// READ RECORD 1, 2, ... of `sfi` until 6A83, newest first, each answer as the card sent it.
inline std::vector<Bytes> recordsNewestFirst(TestPurse& purse, std::uint8_t sfi) {
  std::vector<Bytes> out;
  for (int n = 1; n <= 255; ++n) {
    const auto command = protocol::apdus::readRecord(sfi, static_cast<std::uint8_t>(n));
    const auto r = exchange(purse, command, "READ RECORD");
    if (r.sw() == sw::kRecordNotFound) break;
    BOOST_TEST_REQUIRE(r.sw() == sw::kSuccess, "READ RECORD " << n << " answered " << swHex(r.sw()));
    out.push_back(r.data());
  }
  return out;
}

// The exception log as the purse client reads it, oldest first.
inline std::vector<protocol::ExceptionRecord> exceptionsOf(TestPurse& purse) {
  auto log = purse.client().readExceptionLog();
  BOOST_TEST_REQUIRE(log.isOk(), "exception log: " << why(log));
  return *log;
}

// Whether `log` holds a record of `pd` (aborted in `abortedIn`, if given).
inline bool holds(const std::vector<protocol::ExceptionRecord>& log, const protocol::PaymentDetails& pd,
                  std::optional<protocol::ProtocolStatus> abortedIn = std::nullopt) {
  return std::any_of(log.begin(), log.end(), [&](const protocol::ExceptionRecord& r) {
    return r.pd == pd && (!abortedIn || r.abortedIn == *abortedIn);
  });
}

inline Bytes newestRecord(TestPurse& purse) {
  return expectOkUnchanged(purse, protocol::apdus::readRecord(kTxLog, 1), "READ RECORD 1");
}

inline Bytes auditOf(TestPurse& purse, std::uint8_t sfi, const Bytes& challenge) {
  return expectOkUnchanged(purse, protocol::apdus::auditRead(sfi, challenge), "AUDIT READ " + std::to_string(sfi));
}

// --- Decoding what the card answered; a wrong size or a record that does not decode fails. ---

inline protocol::LogRecord logRecordOf(const Bytes& raw) {
  BOOST_TEST_REQUIRE(raw.size() == protocol::LogRecord::kSize, "log record of " << raw.size() << " bytes");
  return required(protocol::LogRecord::decode(raw), "log record");
}

inline protocol::ExceptionRecord exceptionRecordOf(const Bytes& raw) {
  BOOST_TEST_REQUIRE(raw.size() == protocol::ExceptionRecord::kSize, "exception record of " << raw.size() << " bytes");
  return required(protocol::ExceptionRecord::decode(raw), "exception record");
}

inline protocol::PaymentDetails pdOf(ByteView raw) {
  BOOST_TEST_REQUIRE(raw.size() == protocol::PaymentDetails::kSize, "pd of " << raw.size() << " bytes");
  return required(protocol::PaymentDetails::decode(raw), "pd");
}

// The first `prefix` bytes of an answer (the signed part before the card's signature).
inline Bytes headOf(const Bytes& answer, std::size_t prefix) {
  BOOST_TEST_REQUIRE(answer.size() >= prefix);
  return Bytes(answer.begin(), answer.begin() + static_cast<std::ptrdiff_t>(prefix));
}
inline Bytes tailOf(const Bytes& answer, std::size_t prefix) {
  BOOST_TEST_REQUIRE(answer.size() >= prefix);
  return Bytes(answer.begin() + static_cast<std::ptrdiff_t>(prefix), answer.end());
}

inline Bytes chainHashOf(const Bytes& record) { return bytesOf(logRecordOf(record).chainHash); }

// --- Expected values, field by field. --------------------------------------------------------

inline protocol::PaymentDetails paymentDetails(const protocol::PurseId& from, std::uint32_t fromSeq,
                                               const protocol::PurseId& to, std::uint32_t toSeq,
                                               protocol::Amount value, protocol::Currency currency,
                                               const protocol::PurchaseReference& reference = {}) {
  protocol::PaymentDetails pd;
  pd.fromId = from;
  pd.fromSeq = fromSeq;
  pd.toId = to;
  pd.toSeq = toSeq;
  pd.value = value;
  pd.currency = currency;
  pd.reference = reference;
  return pd;
}

// The transaction-log record `raw` must carry exactly these fields, and the chain hash this
// test computes: SHA-256(previous chain hash || the record's bytes 0..70 as the card sent them).
inline void checkLogRecord(const Bytes& raw, std::uint32_t number, protocol::LogType type,
                           const protocol::PaymentDetails& pd, protocol::Amount balanceAfter,
                           const Bytes& previousHash, const std::string& what) {
  const protocol::LogRecord r = logRecordOf(raw);
  BOOST_TEST(r.number == number, what << ": number " << r.number << ", expected " << number);
  BOOST_TEST((r.type == type), what << ": type " << int(r.type) << ", expected " << int(type));
  BOOST_TEST((r.details == pd), what << ": pd " << hx(r.details.encode()) << ", expected " << hx(pd.encode()));
  BOOST_TEST(r.balanceAfter == balanceAfter, what << ": balance after " << r.balanceAfter);
  const protocol::Digest chain =
      protocol::sha256(previousHash, ByteView(raw.data(), protocol::LogRecord::kHashedSize));
  BOOST_TEST(hx(r.chainHash) == hx(chain), what << ": the chain hash does not follow from the previous one");
}

inline void checkExceptionRecord(const Bytes& raw, std::uint32_t number, protocol::ProtocolStatus abortedIn,
                                 const protocol::PaymentDetails& pd, const std::string& what) {
  const protocol::ExceptionRecord r = exceptionRecordOf(raw);
  protocol::ExceptionRecord expected;
  expected.number = number;
  expected.abortedIn = abortedIn;
  expected.pd = pd;
  BOOST_TEST((r == expected), what << ": exception record " << hx(raw) << ", expected number " << number
                                   << " aborted in " << int(abortedIn) << " pd " << hx(pd.encode()));
}

inline void checkValueReceipt(const Bytes& raw, const protocol::PurseId& id, std::uint32_t counter,
                              protocol::Amount amount, protocol::Currency currency, protocol::Amount balanceAfter,
                              std::uint32_t logNumber, const std::string& what) {
  BOOST_TEST_REQUIRE(raw.size() == protocol::ValueReceipt::kSize, what << ": receipt of " << raw.size() << " bytes");
  const auto r = required(protocol::ValueReceipt::decode(raw), what);
  BOOST_TEST(hx(r.purseId) == hx(id), what << ": purse ID");
  BOOST_TEST(r.counter == counter, what << ": counter " << r.counter);
  BOOST_TEST(r.amount == amount, what << ": amount " << r.amount);
  BOOST_TEST(r.currency == currency, what << ": currency " << r.currency);
  BOOST_TEST(r.balanceAfter == balanceAfter, what << ": balance after " << r.balanceAfter);
  BOOST_TEST(r.logNumber == logNumber, what << ": log record number " << r.logNumber);
}

inline void checkAuditHead(const Bytes& raw, const protocol::PurseId& id, std::uint8_t log, std::uint32_t appended,
                           const Bytes& headHash, protocol::Amount balance, std::uint32_t nextSeq, std::uint8_t held,
                           const std::string& what) {
  BOOST_TEST_REQUIRE(raw.size() == protocol::AuditHead::kSize, what << ": audit head of " << raw.size() << " bytes");
  const auto a = required(protocol::AuditHead::decode(raw), what);
  BOOST_TEST(hx(a.purseId) == hx(id), what << ": purse ID");
  BOOST_TEST(a.log == log, what << ": log " << int(a.log));
  BOOST_TEST(a.appended == appended, what << ": records ever appended " << a.appended);
  BOOST_TEST(hx(a.headHash) == hx(headHash), what << ": head hash");
  BOOST_TEST(a.balance == balance, what << ": balance " << a.balance);
  BOOST_TEST(a.nextSeq == nextSeq, what << ": nextSeq " << a.nextSeq);
  BOOST_TEST(a.held == held, what << ": records held " << int(a.held));
}

}  // namespace epurse::testing::checks
