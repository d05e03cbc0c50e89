#include "card/purse/purse_memory.h"

#include <stdexcept>
#include <string>

#include "card/purse/purse_layout.h"
#include "card/purse/require_decoded.h"
#include "card/runtime/iso_exception.h"
#include "protocol/issuer_authorisations.h"

namespace epurse::card {

using namespace purse_layout;
using protocol::LifeCycle;
using protocol::ProtocolStatus;

namespace {

constexpr std::uint8_t kPersoAll = kPersoIssuerKey | kPersoKeyPair | kPersoData | kPersoCertificate;

bool isPersonalisationPrefix(std::uint8_t flags) {
  return flags == 0 || flags == kPersoIssuerKey || flags == (kPersoIssuerKey | kPersoKeyPair) ||
         flags == (kPersoIssuerKey | kPersoKeyPair | kPersoData) || flags == kPersoAll;
}

// A field of fixed size written whole: a value of another length is an applet bug (6F00),
// never a silently shortened or overlong write.
ByteView exactly(ByteView value, std::size_t size, const char* field) {
  if (value.size() != size) throw std::logic_error(std::string(field) + " has the wrong length");
  return value;
}

}  // namespace

void PurseMemory::corrupt() { IsoException::throwIt(kSwCorruptMemory); }

LifeCycle PurseMemory::lifeCycle() const {
  const std::uint8_t raw = m_->readU8(kLifeCycle);
  if (raw > static_cast<std::uint8_t>(LifeCycle::kTerminated)) corrupt();
  const auto state = static_cast<LifeCycle>(raw);
  if ((state == LifeCycle::kBlank) == (personalisation() == kPersoAll)) corrupt();
  return state;
}

void PurseMemory::setLifeCycle(LifeCycle state) { m_->writeU8(kLifeCycle, static_cast<std::uint8_t>(state)); }

std::uint8_t PurseMemory::personalisation() const {
  const std::uint8_t flags = m_->readU8(kPersonalisation);
  if (!isPersonalisationPrefix(flags)) corrupt();
  return flags;
}

void PurseMemory::setPersonalisation(std::uint8_t flags) { m_->writeU8(kPersonalisation, flags); }

protocol::PurseId PurseMemory::purseId() const { return m_->reader(kPurseId, kPurseIdSize).array<kPurseIdSize>(); }

void PurseMemory::setPurseId(const protocol::PurseId& id) { m_->write(kPurseId, id); }

protocol::Currency PurseMemory::currency() const { return m_->readU16(kCurrency); }
void PurseMemory::setCurrency(protocol::Currency currency) { m_->writeU16(kCurrency, currency); }

protocol::Amount PurseMemory::balance() const {
  const protocol::Amount balance = m_->readU32(kBalance);
  if (balance > maxBalance()) corrupt();
  return balance;
}
void PurseMemory::setBalance(protocol::Amount balance) { m_->writeU32(kBalance, balance); }

protocol::Amount PurseMemory::maxBalance() const { return m_->readU32(kMaxBalance); }
void PurseMemory::setMaxBalance(protocol::Amount amount) { m_->writeU32(kMaxBalance, amount); }
protocol::Amount PurseMemory::perTransferMax() const { return m_->readU32(kPerTransferMax); }
void PurseMemory::setPerTransferMax(protocol::Amount amount) { m_->writeU32(kPerTransferMax, amount); }
protocol::Amount PurseMemory::noPinLimit() const { return m_->readU32(kNoPinLimit); }
void PurseMemory::setNoPinLimit(protocol::Amount amount) { m_->writeU32(kNoPinLimit, amount); }
std::uint32_t PurseMemory::nextSeq() const { return m_->readU32(kNextSeq); }
void PurseMemory::setNextSeq(std::uint32_t seq) { m_->writeU32(kNextSeq, seq); }
std::uint32_t PurseMemory::loadCounter() const { return m_->readU32(kLoadCounter); }
void PurseMemory::setLoadCounter(std::uint32_t counter) { m_->writeU32(kLoadCounter, counter); }
std::uint32_t PurseMemory::adminCounter() const { return m_->readU32(kAdminCounter); }
void PurseMemory::setAdminCounter(std::uint32_t counter) { m_->writeU32(kAdminCounter, counter); }
protocol::Date PurseMemory::date() const { return m_->readU32(kDate); }
void PurseMemory::setDate(protocol::Date date) { m_->writeU32(kDate, date); }

ProtocolStatus PurseMemory::protocolStatus() const {
  const std::uint8_t raw = m_->readU8(kProtocolStatus);
  if (raw > static_cast<std::uint8_t>(ProtocolStatus::kEpa)) corrupt();
  return static_cast<ProtocolStatus>(raw);
}

void PurseMemory::setProtocolStatus(ProtocolStatus status) {
  m_->writeU8(kProtocolStatus, static_cast<std::uint8_t>(status));
}

protocol::PaymentDetails PurseMemory::pendingPd() const {
  const ProtocolStatus status = protocolStatus();
  if (status == ProtocolStatus::kIdle) throw std::logic_error("pd read with no transfer in progress");
  const PaymentDetails pd =
      requireDecoded(protocol::PaymentDetails::decode(m_->read(kPendingPd, PaymentDetails::kSize)), kSwCorruptMemory);
  // START wrote this purse on its own side of pd, in its own currency, for a non-zero value.
  const bool payer = status != ProtocolStatus::kEpv;
  if ((payer ? pd.fromId : pd.toId) != purseId() || pd.currency != currency() || pd.value == 0) corrupt();
  return pd;
}

void PurseMemory::setPendingPd(ByteView encodedPd) {
  if (encodedPd.size() != PaymentDetails::kSize) throw std::logic_error("pd is 62 bytes");
  m_->write(kPendingPd, encodedPd);
}

ByteView PurseMemory::counterpartyKey() const { return m_->read(kCounterpartyKey, kPublicKeySize); }
void PurseMemory::setCounterpartyKey(ByteView point) { m_->write(kCounterpartyKey, exactly(point, kPublicKeySize, "a public key")); }

ByteView PurseMemory::pin() const {
  const ByteView block = m_->read(kPin, kPinBlockSize);
  if (!protocol::isValidPinBlock(block)) corrupt();
  return block;
}

void PurseMemory::setPin(ByteView pinBlock) { m_->write(kPin, exactly(pinBlock, kPinBlockSize, "a PIN block")); }

std::uint8_t PurseMemory::pinTriesLeft() const {
  const std::uint8_t tries = m_->readU8(kPinTriesLeft);
  if (tries > kPinTries) corrupt();
  return tries;
}

void PurseMemory::setPinTriesLeft(std::uint8_t tries) { m_->writeU8(kPinTriesLeft, tries); }

ByteView PurseMemory::cardPrivateScalar() const { return m_->read(kCardPrivateKey, kPrivateScalarSize); }
ByteView PurseMemory::cardPublicKey() const { return m_->read(kCardPublicKey, kPublicKeySize); }

void PurseMemory::setCardKeyPair(ByteView scalar, ByteView point) {
  m_->write(kCardPrivateKey, exactly(scalar, kPrivateScalarSize, "a private scalar"));
  m_->write(kCardPublicKey, exactly(point, kPublicKeySize, "a public key"));
}

ByteView PurseMemory::issuerPublicKey() const { return m_->read(kIssuerPublicKey, kPublicKeySize); }
void PurseMemory::setIssuerPublicKey(ByteView point) { m_->write(kIssuerPublicKey, exactly(point, kPublicKeySize, "a public key")); }

ByteView PurseMemory::certificate() const { return m_->read(kCertificate, CardCertificate::kEncodedSize); }
protocol::Date PurseMemory::certificateExpiry() const { return m_->readU32(kCertificateExpiry); }

void PurseMemory::setCertificate(ByteView encoded, protocol::Date expiry) {
  m_->write(kCertificate, exactly(encoded, CardCertificate::kEncodedSize, "a certificate"));
  m_->writeU32(kCertificateExpiry, expiry);
}

std::uint32_t PurseMemory::revocationVersion() const { return m_->readU32(kRevocationVersion); }

std::size_t PurseMemory::revocationCount() const {
  const std::size_t n = m_->readU8(kRevocationCount);
  if (n > kRevocationCapacity) corrupt();
  return n;
}

ByteView PurseMemory::revokedId(std::size_t index) const {
  if (index >= revocationCount()) throw std::logic_error("revoked ID index beyond the list");
  return m_->read(kRevokedIds + index * kPurseIdSize, kPurseIdSize);
}

void PurseMemory::setRevocationList(std::uint32_t version, const std::vector<protocol::PurseId>& ids) {
  if (ids.size() > kRevocationCapacity) throw std::logic_error("revocation list beyond capacity");
  ByteWriter entries;
  entries.reserve(kRevocationCapacity * kPurseIdSize);
  for (const auto& id : ids) entries.bytes(id);
  Bytes all = entries.take();
  all.resize(kRevocationCapacity * kPurseIdSize, 0);  // unused entries zeroed
  m_->writeU32(kRevocationVersion, version);
  m_->writeU8(kRevocationCount, static_cast<std::uint8_t>(ids.size()));
  m_->write(kRevokedIds, all);
}

std::uint32_t PurseMemory::logAppended() const { return m_->readU32(kLogAppended); }

protocol::Digest PurseMemory::logHeadHash() const { return m_->reader(kLogHeadHash, kSha256Size).array<kSha256Size>(); }

ByteView PurseMemory::logRecord(std::size_t slot, std::uint32_t number) const {
  if (slot >= kLogCapacity) throw std::logic_error("log ring slot beyond capacity");
  const ByteView record = m_->read(kLogRing + slot * LogRecord::kSize, LogRecord::kSize);
  // The ring and the appended counter disagree: the record there is not the one counted.
  if (ByteReader(record).u32() != number) corrupt();
  return record;
}

void PurseMemory::setLogRecord(std::size_t slot, ByteView encoded) {
  if (slot >= kLogCapacity || encoded.size() != LogRecord::kSize) throw std::logic_error("log record out of place");
  m_->write(kLogRing + slot * LogRecord::kSize, encoded);
}

void PurseMemory::setLogHead(std::uint32_t appended, const protocol::Digest& headHash) {
  m_->write(kLogHeadHash, headHash);
  m_->writeU32(kLogAppended, appended);
}

std::uint32_t PurseMemory::exceptionsAppended() const { return m_->readU32(kExceptionsAppended); }

std::size_t PurseMemory::exceptionsHeld() const {
  const std::size_t held = m_->readU8(kExceptionsHeld);
  if (held > kExceptionCapacity || held > exceptionsAppended()) corrupt();
  return held;
}

ByteView PurseMemory::exceptionRecords(std::size_t first, std::size_t count) const {
  if (first > exceptionsHeld() || count > exceptionsHeld() - first) {
    throw std::logic_error("exception records beyond those held");
  }
  return m_->read(kExceptionSlots + first * ExceptionRecord::kSize, count * ExceptionRecord::kSize);
}

void PurseMemory::appendExceptionRecord(ByteView encoded, std::uint32_t number) {
  const std::size_t index = exceptionsHeld();
  if (index >= kExceptionCapacity || encoded.size() != ExceptionRecord::kSize) {
    throw std::logic_error("no room for the exception record");
  }
  m_->write(kExceptionSlots + index * ExceptionRecord::kSize, encoded);
  m_->writeU8(kExceptionsHeld, static_cast<std::uint8_t>(index + 1));
  m_->writeU32(kExceptionsAppended, number);
}

void PurseMemory::setExceptionRecords(ByteView records) {
  const std::size_t count = records.size() / ExceptionRecord::kSize;
  const std::size_t held = exceptionsHeld();
  if (records.size() % ExceptionRecord::kSize != 0 || count > held) {
    throw std::logic_error("exception records replaced by more than were held");
  }
  Bytes slots(records.begin(), records.end());
  slots.resize(held * ExceptionRecord::kSize, 0);  // clear the freed slots too
  m_->write(kExceptionSlots, slots);
  m_->writeU8(kExceptionsHeld, static_cast<std::uint8_t>(count));
}

}  // namespace epurse::card
