// A hostile terminal, attacking START FROM and START TO: the counterparty certificate
// forged, altered, revoked, expired or foreign, the purse itself or another currency named,
// values beyond the limits; the transfer messages are in purse_adversarial_messages_test.cpp.
// The terminal relays every transfer message, so it can replay, alter, misdirect and invent them; it can present
// forged, altered, revoked, expired and foreign certificates and lie about sequence numbers. Every command the purse
// must refuse is checked for the exact status word and for the images of all purses involved being byte for byte what
// they were before it: a refusal changes nothing. The expected status words are the protocol's
// (docs/apdu.md, protocol/purse_commands.h), never taken from the purse's own answers; balances
// are checked against the values the test moved.
#define BOOST_TEST_MODULE purse_adversarial_start_orders
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/transfer_messages.h"
#include "terminal/transfer/transfer_driver.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/hostile_terminal.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"

namespace epurse::testing {
namespace {

using namespace checks;
using protocol::Amount;
using protocol::CardCertificate;
using protocol::StartOrder;
namespace apdus = protocol::apdus;

}  // namespace

BOOST_AUTO_TEST_SUITE(purse_adversarial)

// (5) A certificate signed by another issuer's key, for a key the purse does hold or for a purse
// of that other issuer: START FROM and START TO refuse it with 6982.
BOOST_AUTO_TEST_CASE(a_certificate_signed_by_another_issuer_is_refused_at_start) {
  World w;
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  TestIssuer rogue;
  std::unique_ptr<TestPurse> foreign = makePurse(rogue, 9, 5000);
  const Amount total = w.total();

  terminal::TransferSession s(a.client(), b.client(), 100, {});
  BOOST_TEST_REQUIRE(s.readParties().isOk());
  StartOrder toB = *s.payerOrder();   // names B
  StartOrder fromA = *s.payeeOrder();  // names A
  // B's own ID and public key, certified by the rogue issuer.
  const CardCertificate realB = certificateOf(b);
  auto forgedB = rogue.signer().certify(realB.purseId, realB.publicKey, realB.currency, realB.expiry);
  BOOST_TEST_REQUIRE(forgedB.isOk());
  toB.counterpartyCertificate = forgedB->encode();
  expectRefused(a, apdus::startFrom(toB), sw::kSecurityStatusNotSatisfied,
                "START FROM naming B under a rogue certificate", {&a, &b});
  // The same certificate, but claiming to be by our issuer: the key ID is right, the signature not.
  CardCertificate relabelled = *forgedB;
  relabelled.issuerKeyId = w.issuer.key().keyId();
  toB.counterpartyCertificate = relabelled.encode();
  expectRefused(a, apdus::startFrom(toB), sw::kSecurityStatusNotSatisfied, "rogue certificate with our issuer's key ID",
                {&a, &b});

  const CardCertificate realA = certificateOf(a);
  auto forgedA = rogue.signer().certify(realA.purseId, realA.publicKey, realA.currency, realA.expiry);
  BOOST_TEST_REQUIRE(forgedA.isOk());
  fromA.counterpartyCertificate = forgedA->encode();
  expectRefused(b, apdus::startTo(fromA), sw::kSecurityStatusNotSatisfied,
                "START TO naming A under a rogue certificate", {&a, &b});

  // A genuine purse of the rogue issuer, both ways, and our purses presented to it.
  const CardCertificate foreignCert = certificateOf(*foreign);
  StartOrder order = *s.payerOrder();
  order.counterpartyCertificate = foreignCert.encode();
  expectRefused(a, apdus::startFrom(order), sw::kSecurityStatusNotSatisfied, "START FROM naming a foreign purse",
                {&a, &b, foreign.get()});
  expectRefused(b, apdus::startTo(order), sw::kSecurityStatusNotSatisfied, "START TO naming a foreign purse",
                {&a, &b, foreign.get()});
  order.counterpartyCertificate = realB.encode();
  expectRefused(*foreign, apdus::startFrom(order), sw::kSecurityStatusNotSatisfied,
                "foreign purse: START FROM naming B", {&a, &b, foreign.get()});
  order.counterpartyCertificate = realA.encode();
  expectRefused(*foreign, apdus::startTo(order), sw::kSecurityStatusNotSatisfied, "foreign purse: START TO naming A",
                {&a, &b, foreign.get()});
  BOOST_TEST(w.total() == total);
  BOOST_TEST(balanceOf(*foreign) == 5000u);
}

// (6) A genuine certificate with one bit flipped, at every bit: a flip in the TLV structure
// (a tag or a length) no longer decodes, 6A80; a flip in any value (purse ID, key, currency,
// expiry, issuer key ID, signature) breaks the issuer's signature, 6982.
BOOST_AUTO_TEST_CASE(a_genuine_certificate_with_one_bit_flipped_is_refused_at_start) {
  World w;
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  const Amount total = w.total();
  terminal::TransferSession s(a.client(), b.client(), 100, {});
  BOOST_TEST_REQUIRE(s.readParties().isOk());
  const StartOrder toB = *s.payerOrder();
  const StartOrder fromA = *s.payeeOrder();
  BOOST_TEST_REQUIRE(toB.counterpartyCertificate.size() == CardCertificate::kEncodedSize);

  // The value bytes of the 177-byte layout in card_certificate.h; everything else is structure.
  struct Range {
    std::size_t first, size;
  };
  constexpr Range kValues[] = {{10, 8}, {23, 65}, {91, 2}, {96, 4}, {102, 8}, {113, 64}};
  auto isValue = [&](std::size_t i) {
    for (const Range& r : kValues) {
      if (i >= r.first && i < r.first + r.size) return true;
    }
    return false;
  };
  int structure = 0;
  for (std::size_t byte = 0; byte < CardCertificate::kEncodedSize; ++byte) {
    if (!isValue(byte)) ++structure;
    const sw::StatusWord expected = isValue(byte) ? sw::kSecurityStatusNotSatisfied : sw::kWrongData;
    for (unsigned bit = 0; bit < 8; ++bit) {
      StartOrder order = toB;
      order.counterpartyCertificate = flipBit(order.counterpartyCertificate, byte, bit);
      expectRefused(a, apdus::startFrom(order), expected,
                    "START FROM, certificate byte " + std::to_string(byte) + " bit " + std::to_string(bit), {&a, &b});
      order = fromA;
      order.counterpartyCertificate = flipBit(order.counterpartyCertificate, byte, bit);
      expectRefused(b, apdus::startTo(order), expected,
                    "START TO, certificate byte " + std::to_string(byte) + " bit " + std::to_string(bit), {&a, &b});
    }
  }
  BOOST_TEST(structure == 26);  // 4 + 3 + 3 + 5 + 3 + 3 + 2 + 3 header bytes
  // The untouched orders still work.
  auto pd = s.startFrom(toB);
  BOOST_TEST_REQUIRE(pd.isOk(), why(pd));
  auto req = s.startTo(fromA);
  BOOST_TEST_REQUIRE(req.isOk(), why(req));
  BOOST_TEST((req->pd == *pd));
  BOOST_TEST(w.total() == total);
}

// (7) A revoked counterparty: after PUT REVOCATION LIST naming it, START FROM and START TO refuse
// it with 6982, while other purses still transact.
BOOST_AUTO_TEST_CASE(a_revoked_counterparty_is_refused_at_start) {
  World w;
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  TestPurse& c = *w.c;
  const Amount total = w.total();
  protocol::RevocationList list;
  list.version = 1;
  list.revoked = {testPurseId(2)};  // B
  auto put = w.issuer.signer().putRevocationList(list);
  BOOST_TEST_REQUIRE(put.isOk());
  BOOST_TEST_REQUIRE(a.client().execute(*put).isOk());
  BOOST_TEST_REQUIRE(c.client().execute(*put).isOk());

  {
    terminal::TransferSession s(a.client(), b.client(), 100, {});
    BOOST_TEST_REQUIRE(s.readParties().isOk());
    expectRefused(a, apdus::startFrom(*s.payerOrder()), sw::kSecurityStatusNotSatisfied, "A pays revoked B", {&a, &b});
  }
  {
    terminal::TransferSession s(b.client(), c.client(), 100, {});
    BOOST_TEST_REQUIRE(s.readParties().isOk());
    expectRefused(c, apdus::startTo(*s.payeeOrder()), sw::kSecurityStatusNotSatisfied, "C paid by revoked B", {&b, &c});
  }
  // The same list again, or an older one, is stale: 6985, nothing changes.
  expectRefused(a, *put, sw::kConditionsNotSatisfied, "the same revocation list again", {&a});
  // B itself has no list: it would still talk to A, but A will not.
  Flow ac(a, c, 100);
  ac.complete();
  BOOST_TEST(w.total() == total);
  BOOST_TEST(balanceOf(b) == 1000u);
}

// (8) An expired counterparty. A certificate already expired cannot be put on a purse, so the
// other purse's date moves past it: a LOAD order carries a later date and the card's date
// follows. Then START naming the expired purse is refused with 6982. A purse whose own
// certificate has expired refuses START with 6985.
BOOST_AUTO_TEST_CASE(an_expired_counterparty_certificate_is_refused_at_start) {
  World w;
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  PurseProfile shortLived;
  shortLived.expiry = 20270101;
  std::unique_ptr<TestPurse> e = makePurse(w.issuer, 5, 2000, shortLived);

  // Before the expiry everything works.
  Flow before(a, *e, 100);
  before.complete();

  auto later = a.client().load(w.issuer.loadOrder(a.client(), 1, 20270102));
  BOOST_TEST_REQUIRE(later.isOk(), why(later));
  BOOST_TEST(a.status().date == 20270102u);
  const Amount total = w.total() + balanceOf(*e);

  terminal::TransferSession pay(a.client(), e->client(), 100, {});
  BOOST_TEST_REQUIRE(pay.readParties().isOk());
  expectRefused(a, apdus::startFrom(*pay.payerOrder()), sw::kSecurityStatusNotSatisfied, "A pays expired E",
                {&a, e.get()});
  terminal::TransferSession paid(e->client(), a.client(), 100, {});
  BOOST_TEST_REQUIRE(paid.readParties().isOk());
  expectRefused(a, apdus::startTo(*paid.payeeOrder()), sw::kSecurityStatusNotSatisfied, "A paid by expired E",
                {&a, e.get()});
  // The expired purse itself (its date still before its expiry) would accept A; its partner will not.

  // E's own date passes its expiry: its own certificate is no longer valid for START.
  auto eLater = e->client().load(w.issuer.loadOrder(e->client(), 1, 20270102));
  BOOST_TEST_REQUIRE(eLater.isOk(), why(eLater));
  terminal::TransferSession own(e->client(), b.client(), 100, {});
  BOOST_TEST_REQUIRE(own.readParties().isOk());
  expectRefused(*e, apdus::startFrom(*own.payerOrder()), sw::kConditionsNotSatisfied, "E, expired, pays B",
                {e.get(), &b});
  expectRefused(*e, apdus::startTo(*paid.payerOrder()), sw::kConditionsNotSatisfied, "E, expired, paid by A",
                {e.get(), &a});
  // B's date is still before E's expiry: B would accept E, but E refuses itself.
  BOOST_TEST(w.total() + balanceOf(*e) == total + 1);
}

// (9) A purse of another currency: the certificate is genuine, the currency differs: 6A80.
BOOST_AUTO_TEST_CASE(a_purse_of_another_currency_is_refused_at_start) {
  World w;
  TestPurse& a = *w.a;
  PurseProfile dollars;
  dollars.currency = 840;
  std::unique_ptr<TestPurse> usd = makePurse(w.issuer, 6, 5000, dollars);
  const Amount total = w.total();

  terminal::TransferSession s(a.client(), usd->client(), 100, {});
  BOOST_TEST_REQUIRE(s.readParties().isOk());
  expectRefused(a, apdus::startFrom(*s.payerOrder()), sw::kWrongData, "EUR purse pays a USD purse", {&a, usd.get()});
  expectRefused(*usd, apdus::startTo(*s.payeeOrder()), sw::kWrongData, "USD purse paid by a EUR purse",
                {&a, usd.get()});
  terminal::TransferSession r(usd->client(), a.client(), 100, {});
  BOOST_TEST_REQUIRE(r.readParties().isOk());
  expectRefused(*usd, apdus::startFrom(*r.payerOrder()), sw::kWrongData, "USD purse pays a EUR purse", {&a, usd.get()});
  expectRefused(a, apdus::startTo(*r.payeeOrder()), sw::kWrongData, "EUR purse paid by a USD purse", {&a, usd.get()});
  BOOST_TEST(w.total() == total);
  BOOST_TEST(balanceOf(*usd) == 5000u);
}

// (10) START naming the purse itself (its own certificate): 6A80, as payer and as payee.
BOOST_AUTO_TEST_CASE(start_naming_the_purse_itself_is_refused) {
  World w;
  TestPurse& a = *w.a;
  const Amount total = w.total();
  terminal::TransferSession s(a.client(), a.client(), 100, {});
  BOOST_TEST_REQUIRE(s.readParties().isOk());
  expectRefused(a, apdus::startFrom(*s.payerOrder()), sw::kWrongData, "START FROM naming itself", {&a});
  expectRefused(a, apdus::startTo(*s.payeeOrder()), sw::kWrongData, "START TO naming itself", {&a});
  // Also while busy with a genuine transfer: the refusal does not abort it.
  Flow f(a, *w.b, 100);
  f.start();
  expectRefused(a, apdus::startFrom(*s.payerOrder()), sw::kWrongData, "START FROM naming itself in epr",
                {&a, w.b.get()});
  expectRefused(*w.b, apdus::startTo(*f.session().payerOrder()), sw::kWrongData, "START TO naming itself in epv",
                {&a, w.b.get()});
  f.sendReq().sendVal().sendAck();
  BOOST_TEST(w.total() == total);
}

// Orders each purse checks against its own limits, refused without any change.
BOOST_AUTO_TEST_CASE(start_orders_beyond_the_purses_limits_are_refused) {
  World w;
  TestPurse& a = *w.a;  // 20000, per transfer max 50000, no-PIN limit 2000
  TestPurse& b = *w.b;  // 1000, max balance 100000
  const Amount total = w.total();
  auto orderFor = [&](TestPurse& payer, TestPurse& payee, Amount value, bool toPayer) {
    terminal::TransferSession s(payer.client(), payee.client(), value, {});
    BOOST_TEST_REQUIRE(s.readParties().isOk());
    return toPayer ? *s.payerOrder() : *s.payeeOrder();
  };
  expectRefused(a, apdus::startFrom(orderFor(a, b, 0, true)), sw::kWrongData, "zero value, payer", {&a, &b});
  expectRefused(b, apdus::startTo(orderFor(a, b, 0, false)), sw::kWrongData, "zero value, payee", {&a, &b});
  expectRefused(a, apdus::startFrom(orderFor(a, b, 50001, true)), protocol::purse_sw::kTransferLimitExceeded,
                "above the per-transfer maximum", {&a, &b});
  expectRefused(b, apdus::startFrom(orderFor(b, a, 1001, true)), protocol::purse_sw::kInsufficientFunds,
                "more than the balance", {&a, &b});
  expectRefused(a, apdus::startFrom(orderFor(a, b, 2001, true)), sw::kSecurityStatusNotSatisfied,
                "above the no-PIN limit without the PIN", {&a, &b});
  expectRefused(b, apdus::startTo(orderFor(a, b, 99001, false)), protocol::purse_sw::kMaxBalanceExceeded,
                "payee above its maximum balance", {&a, &b});
  BOOST_TEST(w.total() == total);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
