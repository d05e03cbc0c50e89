#include "tests/bench/synthetic_archive.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "issuer/signing/issuer_orders.h"
#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"
#include "protocol/purse_commands.h"

namespace epurse::bench {

using protocol::LogRecord;
using protocol::LogType;
using protocol::PaymentDetails;

namespace {

constexpr protocol::Amount kFirstLoad = 100000;  // enough for every debit the simulation makes
constexpr protocol::Amount kMaxValue = 500;      // transfers, later loads and unloads
constexpr std::size_t kChallengeSize = 16;

// One purse as the simulation runs it: what its card would hold.
struct SimPurse {
  protocol::PurseId id{};
  protocol::Amount balance = 0;
  std::uint32_t nextSeq = 1;  // as personalisation sets it
  std::uint32_t loadCounter = 0;
  protocol::Digest head{};  // the chain's newest link (zero for an empty log)
  std::vector<Bytes> records;
  std::vector<Bytes> exceptions;
};

// The part each purse plays in the exception cases; each purse has exactly one role.
enum class Role { kLostPayer, kLostPayee, kCreditedPayer, kPayeeOnly };

// What happens to the purses, in the order it happens.
enum class EventKind { kTransfer, kLost, kCreditedNoAck, kPayeeOnly, kLoadOrUnload };
struct Event {
  EventKind kind;
  std::size_t payer;  // the purse, for kLoadOrUnload
  std::size_t payee;
};

class Simulation {
 public:
  Simulation(SyntheticArchive& out, const protocol::IssuerKeyId& issuerId, std::uint64_t seed)
      : out_(out), rng_(seed) {
    std::copy(issuerId.begin(), issuerId.end(), issuerSide_.begin());
  }

  std::mt19937_64& rng() { return rng_; }

  void append(SimPurse& p, LogType type, const PaymentDetails& pd) {
    LogRecord r;
    r.number = static_cast<std::uint32_t>(p.records.size() + 1);
    r.type = type;
    r.details = pd;
    r.balanceAfter = p.balance;
    r.chainHash = r.expectedChainHash(p.head);
    p.head = r.chainHash;
    p.records.push_back(r.encode());
  }

  void exception(SimPurse& p, protocol::ProtocolStatus abortedIn, const PaymentDetails& pd) {
    protocol::ExceptionRecord e;
    e.number = static_cast<std::uint32_t>(p.exceptions.size() + 1);
    e.abortedIn = abortedIn;
    e.pd = pd;
    p.exceptions.push_back(e.encode());
  }

  void valueOrder(std::size_t index, SimPurse& p, bool isLoad, protocol::Amount amount) {
    PaymentDetails d;
    d.fromId = isLoad ? issuerSide_ : p.id;
    d.toId = isLoad ? p.id : issuerSide_;
    d.fromSeq = p.loadCounter;
    d.value = amount;
    d.currency = out_.currency;
    out_.orders.push_back(AuthorisedOrder{index, isLoad, p.loadCounter, amount});
    ++p.loadCounter;
    p.balance = isLoad ? p.balance + amount : p.balance - amount;
    append(p, isLoad ? LogType::kLoad : LogType::kUnload, d);
  }

  // START FROM on the payer and START TO on the payee: both take a sequence number.
  PaymentDetails start(SimPurse& payer, SimPurse& payee) {
    PaymentDetails pd;
    pd.fromId = payer.id;
    pd.fromSeq = payer.nextSeq++;
    pd.toId = payee.id;
    pd.toSeq = payee.nextSeq++;
    pd.value = std::min<protocol::Amount>(payer.balance, 1 + static_cast<protocol::Amount>(rng_() % kMaxValue));
    pd.currency = out_.currency;
    if (rng_() % 2 == 0) {  // half the transfers carry a merchant's purchase reference
      for (auto& b : pd.reference) b = static_cast<std::uint8_t>(rng_());
    }
    return pd;
  }

  void run(std::size_t index, SimPurse& p, const Event& e, std::vector<SimPurse>& purses) {
    using protocol::ProtocolStatus;
    if (e.kind == EventKind::kLoadOrUnload) {
      const bool load = p.balance < 2 * kMaxValue || rng_() % 2 == 0;
      valueOrder(index, p, load, 1 + static_cast<protocol::Amount>(rng_() % kMaxValue));
      return;
    }
    SimPurse& payer = purses[e.payer];
    SimPurse& payee = purses[e.payee];
    const PaymentDetails pd = start(payer, payee);
    switch (e.kind) {
      case EventKind::kTransfer:  // REQ: debit, VAL: credit, ACK
        payer.balance -= pd.value;
        append(payer, LogType::kTransferOut, pd);
        payee.balance += pd.value;
        append(payee, LogType::kTransferIn, pd);
        append(payer, LogType::kTransferAcked, pd);
        ++out_.completedTransfers;
        break;
      case EventKind::kLost:  // REQ debited, VAL never reached the payee: both abort
        payer.balance -= pd.value;
        append(payer, LogType::kTransferOut, pd);
        exception(payer, ProtocolStatus::kEpa, pd);
        exception(payee, ProtocolStatus::kEpv, pd);
        out_.lostPairs.push_back(pd);
        break;
      case EventKind::kCreditedNoAck:  // VAL credited, the ACK never reached the payer
        payer.balance -= pd.value;
        append(payer, LogType::kTransferOut, pd);
        payee.balance += pd.value;
        append(payee, LogType::kTransferIn, pd);
        exception(payer, ProtocolStatus::kEpa, pd);
        out_.creditedNoAck.push_back(pd);
        break;
      case EventKind::kPayeeOnly:  // the REQ never reached the payer (aborted in epr: no record)
        exception(payee, ProtocolStatus::kEpv, pd);
        out_.payeeOnly.push_back(pd);
        break;
      case EventKind::kLoadOrUnload: break;
    }
  }

 private:
  SyntheticArchive& out_;
  std::mt19937_64 rng_;
  protocol::PurseId issuerSide_{};
};

// Plans every purse's events so that each ends with exactly `records` log records and one
// exception record: the exception cases first, then whole transfers (the payer's OUT and
// ACKED, the payee's IN) filling what is left, with loads and unloads (one record on one
// purse) for the remainder that transfers cannot fill.
std::vector<Event> planEvents(std::size_t n, std::size_t records, std::mt19937_64& rng) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  auto other = [&](std::size_t self) {
    std::size_t o = rng() % (n - 1);
    return o >= self ? o + 1 : o;
  };

  std::vector<Event> events;
  std::vector<long> left(n, static_cast<long>(records) - 1);  // after the first LOAD
  const std::size_t pairs = std::max<std::size_t>(1, n / 10);  // a fifth of the purses in lost pairs
  std::size_t k = 0;
  for (std::size_t i = 0; i < pairs && k + 1 < n; ++i, k += 2) {
    events.push_back({EventKind::kLost, order[k], order[k + 1]});
    --left[order[k]];
  }
  for (bool credited = true; k < n; ++k, credited = !credited) {
    const std::size_t p = order[k];
    if (credited) {
      const std::size_t payee = other(p);
      events.push_back({EventKind::kCreditedNoAck, p, payee});
      --left[p];
      --left[payee];
    } else {
      events.push_back({EventKind::kPayeeOnly, other(p), p});
    }
  }

  // p payer slots (2 records each), q payee slots (1 each), s single records; sum p == sum q.
  std::vector<long> p(n), q(n), s(n, 0);
  long diff = 0;
  for (std::size_t i = 0; i < n; ++i) {
    p[i] = (left[i] + 1) / 3;
    q[i] = left[i] - 2 * p[i];
    diff += p[i] - q[i];
  }
  for (std::size_t i = 0; diff > 0 && i < n; ++i) {  // one payer slot fewer is two payee slots more
    if (p[i] > 0) {
      --p[i];
      q[i] += 2;
      diff -= 3;
    }
  }
  for (std::size_t i = 0; diff < 0 && i < n; ++i) {  // a payee slot becomes a load or unload
    while (diff < 0 && q[i] > 0) {
      --q[i];
      ++s[i];
      ++diff;
    }
  }

  std::vector<std::size_t> payers, payees;
  for (std::size_t i = 0; i < n; ++i) {
    payers.insert(payers.end(), static_cast<std::size_t>(p[i]), i);
    payees.insert(payees.end(), static_cast<std::size_t>(q[i]), i);
  }
  std::shuffle(payers.begin(), payers.end(), rng);
  std::shuffle(payees.begin(), payees.end(), rng);
  for (std::size_t t = 0; t < payers.size(); ++t) {
    // Only with a payee slot not used yet, so that no slot is used twice.
    for (std::size_t tries = 0; payers[t] == payees[t] && t + 1 < payees.size() && tries < 16; ++tries) {
      std::swap(payees[t], payees[t + 1 + rng() % (payees.size() - t - 1)]);
    }
    if (payers[t] == payees[t]) {  // no partner found: three single records instead
      s[payers[t]] += 3;
      continue;
    }
    events.push_back({EventKind::kTransfer, payers[t], payees[t]});
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (long j = 0; j < s[i]; ++j) events.push_back({EventKind::kLoadOrUnload, i, i});
  }
  std::shuffle(events.begin(), events.end(), rng);
  return events;
}

}  // namespace

std::size_t SyntheticArchive::records() const {
  std::size_t n = 0;
  for (const auto& e : batch) n += e.transactionRecords.size();
  return n;
}

std::size_t SyntheticArchive::exceptions() const {
  std::size_t n = 0;
  for (const auto& e : batch) n += e.exceptionRecords.size();
  return n;
}

Result<SyntheticArchive> generateArchive(const issuer::IssuerKey& issuer, const ArchiveShape& shape) {
  if (shape.purses < 2 || shape.recordsPerPurse < 10) {
    return makeError(ErrorCode::kInvalidArgument, "a synthetic archive needs 2 purses and 10 records each");
  }
  const std::size_t n = shape.purses;
  SyntheticArchive out;
  Simulation sim(out, issuer.keyId(), shape.seed);
  const issuer::IssuerSigner signer(issuer);

  // Purse IDs as the issuer allocates them: its key ID's first 4 bytes || serial.
  std::vector<SimPurse> purses(n);
  const auto keyId = issuer.keyId();
  for (std::size_t i = 0; i < n; ++i) {
    auto& id = purses[i].id;
    std::copy(keyId.begin(), keyId.begin() + 4, id.begin());
    const auto serial = static_cast<std::uint32_t>(i + 1);
    for (int b = 0; b < 4; ++b) id[static_cast<std::size_t>(4 + b)] = static_cast<std::uint8_t>(serial >> (24 - 8 * b));
    purses[i].records.reserve(shape.recordsPerPurse);
    out.purseIds.push_back(id);
  }

  const std::vector<Event> events = planEvents(n, shape.recordsPerPurse, sim.rng());
  for (std::size_t i = 0; i < n; ++i) sim.valueOrder(i, purses[i], true, kFirstLoad);
  for (const Event& e : events) sim.run(e.payer, purses[e.payer], e, purses);

  for (const PaymentDetails& pd : out.payeeOnly) {
    const std::size_t payer = (std::size_t{pd.fromId[4]} << 24 | std::size_t{pd.fromId[5]} << 16 |
                               std::size_t{pd.fromId[6]} << 8 | pd.fromId[7]) - 1;
    if (purses[payer].nextSeq <= pd.fromSeq + 1) ++out.payeeOnlyPayerIdle;
  }

  out.certificates.reserve(n);
  out.batch.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    SimPurse& p = purses[i];
    if (p.records.size() != shape.recordsPerPurse || p.exceptions.size() != 1) {
      return makeError(ErrorCode::kInternal, "synthetic archive: purse " + std::to_string(i) + " has " +
                                                 std::to_string(p.records.size()) + " records and " +
                                                 std::to_string(p.exceptions.size()) + " exceptions");
    }
    auto cardKey = protocol::EcPrivateKey::generate();
    if (!cardKey) return cardKey.error();
    auto cert = signer.certify(p.id, cardKey->publicKey(), out.currency, out.expiry);
    if (!cert) return cert.error();

    host::CollectedEvidence e;
    e.certificate = *cert;
    e.challenge.resize(kChallengeSize);
    for (auto& b : e.challenge) b = static_cast<std::uint8_t>(sim.rng()());

    auto signedHead = [&](std::uint8_t sfi, std::uint32_t appended, const protocol::Digest& hash,
                          std::size_t held) -> Result<Bytes> {
      protocol::AuditHead head;
      head.purseId = p.id;
      head.log = sfi;
      head.appended = appended;
      head.headHash = hash;
      head.balance = p.balance;
      head.nextSeq = p.nextSeq;
      head.held = static_cast<std::uint8_t>(held);
      auto sig = cardKey->sign(protocol::auditPayload(e.challenge, head));
      if (!sig) return sig.error();
      Bytes answer = head.encode();
      answer.insert(answer.end(), sig->begin(), sig->end());
      return answer;
    };
    auto txAudit = signedHead(protocol::kSfiTransactionLog, static_cast<std::uint32_t>(p.records.size()), p.head,
                              p.records.size());
    if (!txAudit) return txAudit.error();
    auto exAudit = signedHead(protocol::kSfiExceptionLog, static_cast<std::uint32_t>(p.exceptions.size()),
                              protocol::exceptionRecordsDigest(p.exceptions), p.exceptions.size());
    if (!exAudit) return exAudit.error();
    e.transactionAudit = std::move(*txAudit);
    e.exceptionAudit = std::move(*exAudit);
    e.transactionRecords = std::move(p.records);
    e.exceptionRecords = std::move(p.exceptions);
    out.certificates.push_back(*cert);
    out.batch.push_back(std::move(e));
  }
  return out;
}

}  // namespace epurse::bench
