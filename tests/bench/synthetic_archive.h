// A synthetic archive for the issuer's benchmark: what a batch import of many purses' audit
// exports delivers (std::vector<host::CollectedEvidence>), with everything the books verify
// made valid: each purse's own P-256 key and an issuer-signed certificate, a hash-chained
// transaction log, an exception log, and both audit heads signed over a per-purse challenge.
//
// The purses' histories come from one simulation of the purse protocol, so they agree with
// each other: every purse starts with a LOAD from the issuer; transfers debit the payer (OUT,
// then ACKED) and credit the payee (IN) with the same pd on both sides, sequence numbers taken
// as START FROM / START TO take them and balances follow. Each purse ends with exactly
// `recordsPerPurse` log records and exactly one exception record, arranged so that
// reconciliation sees every case it classifies:
//   lost pair        payer debited and aborted in epa, payee aborted in epv: definitely lost
//   credited, no ACK payer in epa, the payee's log shows the credit: not lost
//   payee only       payee aborted in epv, the payer aborted before its debit: not lost
// The structure (who pays whom, values, challenges, references) is reproducible from the seed;
// keys and ECDSA signatures come from OpenSSL's generator and differ from run to run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/result.h"
#include "host/collected_evidence.h"
#include "issuer/signing/issuer_key.h"
#include "protocol/payment_details.h"
#include "protocol/purse_types.h"

namespace epurse::bench {

struct ArchiveShape {
  std::size_t purses = 10000;
  std::size_t recordsPerPurse = 100;  // at least 10: a LOAD and room for the exception cases
  std::uint64_t seed = 1;
};

// A load or unload the issuer authorised; the archive's logs carry each one as a record.
struct AuthorisedOrder {
  std::size_t purse = 0;  // index into SyntheticArchive::purseIds
  bool isLoad = true;
  std::uint32_t counter = 0;
  protocol::Amount amount = 0;
};

struct SyntheticArchive {
  protocol::Currency currency = 978;
  protocol::Date date = 20261201;     // the orders' date
  protocol::Date expiry = 20301231;   // the certificates'
  protocol::Amount maxBalance = 1000000;
  std::vector<protocol::PurseId> purseIds;
  std::vector<protocol::CardCertificate> certificates;  // by purse, as GET DATA returns them
  std::vector<host::CollectedEvidence> batch;           // by purse
  std::vector<AuthorisedOrder> orders;                  // in the order the issuer signed them

  // What the simulation arranged, for checking the books' answers.
  std::vector<protocol::PaymentDetails> lostPairs;        // in both exception logs
  std::vector<protocol::PaymentDetails> creditedNoAck;    // payer epa, payee shows the credit
  std::vector<protocol::PaymentDetails> payeeOnly;        // payee epv, payer never debited
  // Of payeeOnly, those whose payer started no transfer after the aborted one: its signed
  // head cannot show that transfer is over, so reconciliation must leave them unresolved.
  std::size_t payeeOnlyPayerIdle = 0;
  std::size_t completedTransfers = 0;

  std::size_t records() const;     // transaction-log records over all purses
  std::size_t exceptions() const;  // exception records over all purses
};

// kInvalidArgument for a shape it cannot build (fewer than 2 purses or 10 records); an error
// from OpenSSL otherwise. Takes a while at full size: one key generation per purse and three
// ECDSA signatures (certificate, two audit heads).
Result<SyntheticArchive> generateArchive(const issuer::IssuerKey& issuer, const ArchiveShape& shape);

}  // namespace epurse::bench
