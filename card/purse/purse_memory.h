// The purse's persistent fields, one typed accessor each, over the layout in purse_layout.h.
// Every read checks what no command could have written: a life cycle, personalisation step,
// protocol status, try counter or record count out of its range, or fields that contradict
// each other. Such memory is corrupt and the command refuses with kSwCorruptMemory (6581)
// before it acts on it or writes anything; a count is never trusted to index memory. The
// purse's code reads and writes its memory only through this class.
#pragma once

#include <cstdint>
#include <vector>

#include "apdu/status_word.h"
#include "card/runtime/persistent_region.h"
#include "protocol/log_record.h"
#include "protocol/payment_details.h"
#include "protocol/purse_commands.h"

namespace epurse::card {

// Persistent memory holds what no command could have written (docs/apdu.md, 6581).
inline constexpr sw::StatusWord kSwCorruptMemory = sw::kMemoryFailure;

class PurseMemory {
 public:
  explicit PurseMemory(PersistentRegion& region) : m_(&region) {}

  // Life cycle and personalisation. A blank purse has not finished personalisation; any
  // other life cycle has (all four flags).
  protocol::LifeCycle lifeCycle() const;
  void setLifeCycle(protocol::LifeCycle state);
  // kPerso* flags: always a prefix of the four steps (00, 01, 03, 07, 0F).
  std::uint8_t personalisation() const;
  bool personalised(std::uint8_t step) const { return (personalisation() & step) != 0; }
  void setPersonalisation(std::uint8_t flags);

  // Identity, limits, counters.
  protocol::PurseId purseId() const;
  void setPurseId(const protocol::PurseId& id);
  protocol::Currency currency() const;
  void setCurrency(protocol::Currency currency);
  // Never above the maximum balance.
  protocol::Amount balance() const;
  void setBalance(protocol::Amount balance);
  protocol::Amount maxBalance() const;
  void setMaxBalance(protocol::Amount amount);
  protocol::Amount perTransferMax() const;
  void setPerTransferMax(protocol::Amount amount);
  protocol::Amount noPinLimit() const;
  void setNoPinLimit(protocol::Amount amount);
  std::uint32_t nextSeq() const;
  void setNextSeq(std::uint32_t seq);
  std::uint32_t loadCounter() const;
  void setLoadCounter(std::uint32_t counter);
  std::uint32_t adminCounter() const;
  void setAdminCounter(std::uint32_t counter);
  protocol::Date date() const;
  void setDate(protocol::Date date);

  // The transfer in progress. The pd and counterparty key mean something only while the
  // protocol status is not idle; pendingPd is read only then, and must name this purse on
  // its side of the transfer (payer in epr and epa, payee in epv), in its currency.
  protocol::ProtocolStatus protocolStatus() const;
  void setProtocolStatus(protocol::ProtocolStatus status);
  protocol::PaymentDetails pendingPd() const;
  void setPendingPd(ByteView encodedPd);
  ByteView counterpartyKey() const;
  void setCounterpartyKey(ByteView point);

  // PIN: a valid PIN block once personalised; at most kPinTries tries left.
  ByteView pin() const;
  void setPin(ByteView pinBlock);
  std::uint8_t pinTriesLeft() const;
  void setPinTriesLeft(std::uint8_t tries);

  // Keys and certificate.
  ByteView cardPrivateScalar() const;
  ByteView cardPublicKey() const;
  void setCardKeyPair(ByteView scalar, ByteView point);
  ByteView issuerPublicKey() const;
  void setIssuerPublicKey(ByteView point);
  ByteView certificate() const;
  protocol::Date certificateExpiry() const;
  void setCertificate(ByteView encoded, protocol::Date expiry);

  // Revocation list: at most kRevocationCapacity entries.
  std::uint32_t revocationVersion() const;
  std::size_t revocationCount() const;
  ByteView revokedId(std::size_t index) const;  // index < revocationCount()
  void setRevocationList(std::uint32_t version, const std::vector<protocol::PurseId>& ids);

  // Transaction log: records ever appended, newest chain hash, the ring of kLogCapacity.
  std::uint32_t logAppended() const;
  protocol::Digest logHeadHash() const;
  // The record in ring slot `slot`, whose number must be `number` (else corrupt).
  ByteView logRecord(std::size_t slot, std::uint32_t number) const;
  void setLogRecord(std::size_t slot, ByteView encoded);
  void setLogHead(std::uint32_t appended, const protocol::Digest& headHash);

  // Exception log: records ever appended; held, at most kExceptionCapacity and never more
  // than were appended; the held records, oldest first.
  std::uint32_t exceptionsAppended() const;
  std::size_t exceptionsHeld() const;
  ByteView exceptionRecords(std::size_t first, std::size_t count) const;  // within the held ones
  // One more held record, numbered `number` (the new count of records ever appended).
  void appendExceptionRecord(ByteView encoded, std::uint32_t number);
  // Replaces the held records (records.size() / record size of them), zeroing freed slots.
  void setExceptionRecords(ByteView records);

 private:
  [[noreturn]] static void corrupt();
  PersistentRegion* m_;
};

}  // namespace epurse::card
