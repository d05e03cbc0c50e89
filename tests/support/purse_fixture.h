// Purses in memory, personalised and loaded through the issuer's signing library and the
// terminal's protocol library: the tests drive exactly the code the programs use.
#pragma once

#include <memory>
#include <string>

#include "card/purse/purse_applet.h"
#include "host/purse_client.h"
#include "issuer/signing/issuer_key.h"
#include "issuer/signing/issuer_orders.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_status.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/card_fixture.h"

namespace epurse::testing {

inline constexpr protocol::Currency kEuro = 978;
inline constexpr protocol::Date kToday = 20261123;

struct PurseProfile {
  protocol::PurseId id{};
  protocol::Currency currency = kEuro;
  protocol::Amount maxBalance = 100000;
  protocol::Amount perTransferMax = 50000;
  protocol::Amount noPinLimit = 2000;
  std::string pin = "1234";
  protocol::Date date = kToday;
  protocol::Date expiry = 20301231;
};

// 01 02 03 04 05 06 07 n: distinct, readable purse IDs.
protocol::PurseId testPurseId(std::uint8_t n);

// An in-memory purse card with a terminal client bound to it across power cycles.
class TestPurse {
 public:
  explicit TestPurse(TransportProtocol protocol = TransportProtocol::kT1);

  InMemoryCard& card() { return card_; }
  host::PurseClient& client() { return *client_; }
  // The power goes and comes back (the image as it is now), then the purse is selected.
  void powerCycle();
  // Everything the card keeps: a refused command must leave this byte-for-byte unchanged.
  Bytes image() const { return card_.image(); }
  protocol::PurseStatus status();  // throws if the card will not say
  void select();                   // throws unless 9000

 private:
  InMemoryCard card_;
  std::unique_ptr<host::PurseClient> client_;
};

// A freshly generated issuer key with its signer; helpers that throw std::runtime_error on
// any failure so a test's setup cannot silently go wrong.
class TestIssuer {
 public:
  TestIssuer();
  // The signer refers to the key inside this object: it must not be copied or moved.
  TestIssuer(const TestIssuer&) = delete;
  TestIssuer& operator=(const TestIssuer&) = delete;

  const issuer::IssuerKey& key() const { return key_; }
  const issuer::IssuerSigner& signer() const { return signer_; }

  // All personalisation steps on a selected blank purse; returns its certificate.
  protocol::CardCertificate personalise(host::PurseClient& purse, const PurseProfile& profile);
  // A LOAD order for the purse's current load counter.
  CommandApdu loadOrder(host::PurseClient& purse, protocol::Amount amount, protocol::Date date = kToday);
  protocol::ValueReceipt load(host::PurseClient& purse, protocol::Amount amount);

 private:
  issuer::IssuerKey key_;
  issuer::IssuerSigner signer_;
};

// A personalised purse with `balance` loaded, in one line.
std::unique_ptr<TestPurse> makePurse(TestIssuer& issuer, std::uint8_t n, protocol::Amount balance,
                                     PurseProfile profile = {});

}  // namespace epurse::testing
