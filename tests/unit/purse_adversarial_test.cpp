// A hostile terminal. The terminal relays every transfer message, so it can replay, alter,
// misdirect and invent them; it can present forged, altered, revoked, expired and foreign
// certificates and lie about sequence numbers. Every command the purse must refuse is checked
// for the exact status word and for the images of all purses involved being byte for byte what
// they were before it: a refusal changes nothing. The expected status words are the protocol's
// (docs/apdu.md, protocol/purse_commands.h), never taken from the purse's own answers; balances
// are checked against the values the test moved.
#define BOOST_TEST_MODULE purse_adversarial
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <initializer_list>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/transfer_messages.h"
#include "terminal/transfer/transfer_driver.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/test_printing.h"

namespace epurse::testing {
namespace {

using protocol::Amount;
using protocol::CardCertificate;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;
using protocol::SignedTransferMessage;
using protocol::StartOrder;
namespace apdus = protocol::apdus;

constexpr sw::StatusWord kWrongState = sw::kConditionsNotSatisfied;       // 6985
constexpr sw::StatusWord kNotAuthentic = sw::kSecurityStatusNotSatisfied;  // 6982: signature, certificate, revoked, expired
constexpr sw::StatusWord kWrongData = sw::kWrongData;                     // 6A80

std::string swHex(sw::StatusWord s) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(s));
  return buf;
}

Bytes flipBit(Bytes b, std::size_t byte, unsigned bit) {
  b.at(byte) ^= static_cast<std::uint8_t>(1u << bit);
  return b;
}

protocol::PurchaseReference referenceOf(std::uint8_t tag) {
  protocol::PurchaseReference r{};
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<std::uint8_t>(tag + i);
  return r;
}

// The message as the terminal would relay it, from raw bytes that may have been altered.
SignedTransferMessage messageFrom(const Bytes& encoded) {
  auto m = SignedTransferMessage::decode(encoded);
  BOOST_TEST_REQUIRE(m.isOk());
  return *m;
}

// "" when equal, else where the first difference is.
std::string imageDifference(const Bytes& before, const Bytes& after) {
  if (before.size() != after.size()) {
    return "size " + std::to_string(before.size()) + " -> " + std::to_string(after.size());
  }
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (before[i] != after[i]) return "first difference at byte " + std::to_string(i);
  }
  return "";
}

// The purses one refusal must leave untouched, with their images before it.
class Watch {
 public:
  Watch(std::initializer_list<TestPurse*> purses) : purses_(purses) {
    for (TestPurse* p : purses_) before_.push_back(p->image());
  }
  void checkUnchanged(const std::string& what) const {
    for (std::size_t i = 0; i < purses_.size(); ++i) {
      const std::string diff = imageDifference(before_[i], purses_[i]->image());
      BOOST_TEST(diff.empty(), what << ": purse " << i << " image changed by a refused command: " << diff);
    }
  }

 private:
  std::vector<TestPurse*> purses_;
  std::vector<Bytes> before_;
};

// Sends `command` to `target`: it must answer exactly `expected` with no data, and no purse
// in `watched` may change.
void expectRefused(TestPurse& target, const CommandApdu& command, sw::StatusWord expected,
                   std::initializer_list<TestPurse*> watched, const std::string& what) {
  const Watch watch(watched);
  auto response = target.client().send(command);
  BOOST_TEST_REQUIRE(response.isOk(), what << ": exchange failed: " << why(response));
  BOOST_TEST(response->sw() == expected, what << ": answered " << swHex(response->sw()) << ", expected "
                                              << swHex(expected));
  BOOST_TEST(response->data().empty(), what << ": a refusal answered data");
  watch.checkUnchanged(what);
}

Amount balanceOf(TestPurse& p) { return p.status().balance; }
ProtocolStatus stateOf(TestPurse& p) { return p.status().protocol; }

std::vector<protocol::ExceptionRecord> exceptionsOf(TestPurse& p) {
  auto log = p.client().readExceptionLog();
  BOOST_TEST_REQUIRE(log.isOk(), "exception log: " << why(log));
  return *log;
}

bool logs(TestPurse& p, const PaymentDetails& pd) {
  for (const auto& r : exceptionsOf(p)) {
    if (r.pd == pd) return true;
  }
  return false;
}

CardCertificate certificateOf(TestPurse& p) {
  auto cert = p.client().certificate();
  BOOST_TEST_REQUIRE(cert.isOk(), "certificate: " << why(cert));
  return *cert;
}

// One transfer driven by an honest terminal, a step at a time; each step requires success.
class Flow {
 public:
  Flow(TestPurse& payer, TestPurse& payee, Amount value, std::uint8_t tag = 0)
      : payer_(payer), payee_(payee), session_(payer.client(), payee.client(), value, referenceOf(tag)) {
    auto parties = session_.readParties();
    BOOST_TEST_REQUIRE(parties.isOk(), "read parties: " << why(parties));
  }
  // START FROM and START TO: payer epr, payee epv; the REQ is in hand.
  Flow& start() {
    auto p = session_.startFrom();
    BOOST_TEST_REQUIRE(p.isOk(), "START FROM: " << why(p));
    pd = *p;
    auto r = session_.startTo();
    BOOST_TEST_REQUIRE(r.isOk(), "START TO: " << why(r));
    req = *r;
    return *this;
  }
  // REQ to the payer: debited, epa; the VAL is in hand.
  Flow& sendReq() {
    auto v = session_.req(req);
    BOOST_TEST_REQUIRE(v.isOk(), "REQ: " << why(v));
    val = *v;
    return *this;
  }
  // VAL to the payee: credited, idle; the ACK is in hand.
  Flow& sendVal() {
    auto a = session_.val(val);
    BOOST_TEST_REQUIRE(a.isOk(), "VAL: " << why(a));
    ack = *a;
    return *this;
  }
  // ACK to the payer: idle.
  Flow& sendAck() {
    auto done = session_.ack(ack);
    BOOST_TEST_REQUIRE(done.isOk(), "ACK: " << why(done));
    return *this;
  }
  Flow& complete() { return start().sendReq().sendVal().sendAck(); }

  terminal::TransferSession& session() { return session_; }

  PaymentDetails pd;
  SignedTransferMessage req, val, ack;

 private:
  TestPurse& payer_;
  TestPurse& payee_;
  terminal::TransferSession session_;
};

struct World {
  TestIssuer issuer;
  std::unique_ptr<TestPurse> a = makePurse(issuer, 1, 20000);
  std::unique_ptr<TestPurse> b = makePurse(issuer, 2, 1000);
  std::unique_ptr<TestPurse> c = makePurse(issuer, 3, 5000);

  Amount total() { return balanceOf(*a) + balanceOf(*b) + balanceOf(*c); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(purse_adversarial)

// (1) Every message of an earlier completed transfer between the same two purses, replayed in
// every state of a later one: wrong state or a pd that differs.
BOOST_AUTO_TEST_CASE(replayed_req_val_ack_of_a_completed_transfer_are_refused_in_every_state) {
  World w;
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  Flow first(a, b, 300);
  first.complete();
  BOOST_TEST(balanceOf(a) == 20000u - 300u);
  BOOST_TEST(balanceOf(b) == 1000u + 300u);
  const Amount total = w.total();

  // Both idle.
  expectRefused(a, apdus::req(first.req), kWrongState, {&a, &b}, "old REQ to the idle payer");
  expectRefused(b, apdus::val(first.val), kWrongState, {&a, &b}, "old VAL to the idle payee");
  expectRefused(a, apdus::ack(first.ack), kWrongState, {&a, &b}, "old ACK to the idle payer");

  // A second transfer, same purses, same value and reference: only the sequence numbers differ.
  Flow second(a, b, 300);
  second.start();
  BOOST_TEST(!(second.pd == first.pd));
  // Payer in epr, payee in epv: the old messages carry the old pd.
  expectRefused(a, apdus::req(first.req), kWrongState, {&a, &b}, "old REQ to the payer in epr");
  expectRefused(b, apdus::val(first.val), kWrongState, {&a, &b}, "old VAL to the payee in epv");
  expectRefused(a, apdus::ack(first.ack), kWrongState, {&a, &b}, "old ACK to the payer in epr");
  second.sendReq();
  // Payer in epa.
  expectRefused(a, apdus::req(first.req), kWrongState, {&a, &b}, "old REQ to the payer in epa");
  expectRefused(a, apdus::ack(first.ack), kWrongState, {&a, &b}, "old ACK to the payer in epa");
  expectRefused(b, apdus::val(first.val), kWrongState, {&a, &b}, "old VAL to the payee in epv (payer in epa)");
  second.sendVal();
  // Payee idle again, payer still in epa.
  expectRefused(b, apdus::val(first.val), kWrongState, {&a, &b}, "old VAL to the idle payee");
  expectRefused(b, apdus::val(second.val), kWrongState, {&a, &b}, "the same VAL twice");
  expectRefused(a, apdus::ack(first.ack), kWrongState, {&a, &b}, "old ACK to the payer in epa, after VAL");
  expectRefused(a, apdus::req(second.req), kWrongState, {&a, &b}, "the same REQ twice");
  second.sendAck();
  expectRefused(a, apdus::ack(second.ack), kWrongState, {&a, &b}, "the same ACK twice");

  BOOST_TEST(balanceOf(a) == 20000u - 600u);
  BOOST_TEST(balanceOf(b) == 1000u + 600u);
  BOOST_TEST(w.total() == total);
  BOOST_TEST(exceptionsOf(a).empty());
  BOOST_TEST(exceptionsOf(b).empty());
}

// (2) One bit flipped anywhere in REQ, VAL or ACK: in pd, the purse's own pd no longer matches
// (6985); in the signature, it no longer verifies (6982). Then the genuine message still works.
BOOST_AUTO_TEST_CASE(a_flipped_bit_in_any_pd_or_signature_byte_of_req_val_ack_is_refused) {
  World w;
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  const Amount total = w.total();
  Flow f(a, b, 1234, 7);
  f.start();

  struct Target {
    const char* name;
    TestPurse* purse;
    CommandApdu (*build)(const SignedTransferMessage&);
  };
  auto flipEverywhere = [&](const Target& t, const SignedTransferMessage& genuine) {
    const Bytes encoded = genuine.encode();
    BOOST_TEST_REQUIRE(encoded.size() == SignedTransferMessage::kSize);
    int sent = 0;
    for (std::size_t byte = 0; byte < encoded.size(); ++byte) {
      for (unsigned bit = 0; bit < 8; ++bit) {
        const bool inPd = byte < PaymentDetails::kSize;
        const std::string what = std::string(t.name) + (inPd ? " pd byte " : " signature byte ") +
                                 std::to_string(inPd ? byte : byte - PaymentDetails::kSize) + " bit " +
                                 std::to_string(bit);
        expectRefused(*t.purse, t.build(messageFrom(flipBit(encoded, byte, bit))), inPd ? kWrongState : kNotAuthentic,
                      {&a, &b}, what);
        ++sent;
      }
    }
    BOOST_TEST(sent == static_cast<int>(8 * SignedTransferMessage::kSize));
  };

  flipEverywhere({"REQ", &a, &apdus::req}, f.req);
  BOOST_TEST((stateOf(a) == ProtocolStatus::kEpr));
  f.sendReq();
  BOOST_TEST(balanceOf(a) == 20000u - 1234u);

  flipEverywhere({"VAL", &b, &apdus::val}, f.val);
  BOOST_TEST((stateOf(b) == ProtocolStatus::kEpv));
  f.sendVal();
  BOOST_TEST(balanceOf(b) == 1000u + 1234u);

  flipEverywhere({"ACK", &a, &apdus::ack}, f.ack);
  BOOST_TEST((stateOf(a) == ProtocolStatus::kEpa));
  f.sendAck();
  BOOST_TEST((stateOf(a) == ProtocolStatus::kIdle));
  BOOST_TEST(w.total() == total);
  BOOST_TEST(exceptionsOf(a).empty());
  BOOST_TEST(exceptionsOf(b).empty());
}

// (3) Genuine messages delivered to the wrong purse.
BOOST_AUTO_TEST_CASE(genuine_messages_sent_to_the_wrong_purse_are_refused) {
  World w;
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  TestPurse& c = *w.c;
  const Amount total = w.total();
  Flow f(a, b, 500);
  f.start();  // a epr, b epv
  expectRefused(b, apdus::req(f.req), kWrongState, {&a, &b, &c}, "REQ to the payee");
  expectRefused(c, apdus::req(f.req), kWrongState, {&a, &b, &c}, "REQ to an idle third purse");
  f.sendReq();  // a epa
  expectRefused(a, apdus::val(f.val), kWrongState, {&a, &b, &c}, "VAL to the payer (epa)");
  expectRefused(c, apdus::val(f.val), kWrongState, {&a, &b, &c}, "VAL to an idle third purse");
  expectRefused(b, apdus::ack(f.val), kWrongState, {&a, &b, &c}, "VAL sent as ACK to the payee");
  f.sendVal();  // b idle
  expectRefused(b, apdus::ack(f.ack), kWrongState, {&a, &b, &c}, "ACK to the (idle) payee");
  expectRefused(c, apdus::ack(f.ack), kWrongState, {&a, &b, &c}, "ACK to an idle third purse");
  // The right message under the wrong instruction: the payer in epa takes only ACK.
  expectRefused(a, apdus::req(f.ack), kWrongState, {&a, &b, &c}, "ACK sent as REQ to the payer");
  expectRefused(a, apdus::val(f.ack), kWrongState, {&a, &b, &c}, "ACK sent as VAL to the payer");
  f.sendAck();

  // Payee in epv: VAL sent to the payer while it is still in epr, and the payer's REQ to the payee.
  Flow g(b, a, 200);
  g.start();  // b epr, a epv
  expectRefused(b, apdus::val(g.req), kWrongState, {&a, &b, &c}, "REQ sent as VAL to the payer in epr");
  expectRefused(a, apdus::ack(g.req), kWrongState, {&a, &b, &c}, "REQ sent as ACK to the payee in epv");
  expectRefused(a, apdus::req(g.req), kWrongState, {&a, &b, &c}, "REQ to the payee in epv");
  g.sendReq();
  expectRefused(b, apdus::val(g.val), kWrongState, {&a, &b, &c}, "VAL to the payer (epa)");
  // A VAL relabelled as ACK for the payer in epa: same pd, but the ACK signature domain differs.
  expectRefused(b, apdus::ack(g.val), kNotAuthentic, {&a, &b, &c}, "VAL (payer-signed) as ACK to the payer");
  // The payee's REQ relabelled as VAL: same pd, signature over "REQ" and by the payee itself.
  expectRefused(a, apdus::val(g.req), kNotAuthentic, {&a, &b, &c}, "REQ (payee-signed) as VAL to the payee");
  g.sendVal().sendAck();

  BOOST_TEST(balanceOf(a) == 20000u - 500u + 200u);
  BOOST_TEST(balanceOf(b) == 1000u + 500u - 200u);
  BOOST_TEST(w.total() == total);
}

// (4) The terminal cannot sign for a purse, but it can relay genuine messages of one transfer
// into another: a REQ from a transfer A -> C presented to B, a VAL of A -> C to a purse in epv
// of another transfer, and so on.
BOOST_AUTO_TEST_CASE(genuine_messages_of_another_transfer_relayed_are_refused) {
  World w;
  TestIssuer& issuer = w.issuer;
  std::unique_ptr<TestPurse> d = makePurse(issuer, 4, 3000);
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  TestPurse& c = *w.c;
  const Amount total = w.total() + balanceOf(*d);

  Flow ac(a, c, 400, 1);
  ac.start();  // a epr, c epv
  expectRefused(b, apdus::req(ac.req), kWrongState, {&a, &b, &c, d.get()}, "REQ of A->C to idle B");
  Flow bd(b, *d, 400, 1);  // same value and reference: only the purses and sequence numbers differ
  bd.start();  // b epr, d epv
  expectRefused(b, apdus::req(ac.req), kWrongState, {&a, &b, &c, d.get()}, "REQ of A->C to B in epr (B->D)");
  expectRefused(a, apdus::req(bd.req), kWrongState, {&a, &b, &c, d.get()}, "REQ of B->D to A in epr (A->C)");
  ac.sendReq();
  bd.sendReq();  // a, b epa; c, d epv
  expectRefused(*d, apdus::val(ac.val), kWrongState, {&a, &b, &c, d.get()}, "VAL of A->C to D in epv (B->D)");
  expectRefused(c, apdus::val(bd.val), kWrongState, {&a, &b, &c, d.get()}, "VAL of B->D to C in epv (A->C)");
  ac.sendVal();
  bd.sendVal();
  expectRefused(a, apdus::ack(bd.ack), kWrongState, {&a, &b, &c, d.get()}, "ACK of B->D to A in epa (A->C)");
  expectRefused(b, apdus::ack(ac.ack), kWrongState, {&a, &b, &c, d.get()}, "ACK of A->C to B in epa (B->D)");
  ac.sendAck();
  bd.sendAck();

  BOOST_TEST(balanceOf(a) == 20000u - 400u);
  BOOST_TEST(balanceOf(b) == 1000u - 400u);
  BOOST_TEST(balanceOf(c) == 5000u + 400u);
  BOOST_TEST(balanceOf(*d) == 3000u + 400u);
  BOOST_TEST(w.total() + balanceOf(*d) == total);
}

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
  expectRefused(a, apdus::startFrom(toB), kNotAuthentic, {&a, &b}, "START FROM naming B under a rogue certificate");
  // The same certificate, but claiming to be by our issuer: the key ID is right, the signature not.
  CardCertificate relabelled = *forgedB;
  relabelled.issuerKeyId = w.issuer.key().keyId();
  toB.counterpartyCertificate = relabelled.encode();
  expectRefused(a, apdus::startFrom(toB), kNotAuthentic, {&a, &b}, "rogue certificate with our issuer's key ID");

  const CardCertificate realA = certificateOf(a);
  auto forgedA = rogue.signer().certify(realA.purseId, realA.publicKey, realA.currency, realA.expiry);
  BOOST_TEST_REQUIRE(forgedA.isOk());
  fromA.counterpartyCertificate = forgedA->encode();
  expectRefused(b, apdus::startTo(fromA), kNotAuthentic, {&a, &b}, "START TO naming A under a rogue certificate");

  // A genuine purse of the rogue issuer, both ways, and our purses presented to it.
  const CardCertificate foreignCert = certificateOf(*foreign);
  StartOrder order = *s.payerOrder();
  order.counterpartyCertificate = foreignCert.encode();
  expectRefused(a, apdus::startFrom(order), kNotAuthentic, {&a, &b, foreign.get()}, "START FROM naming a foreign purse");
  expectRefused(b, apdus::startTo(order), kNotAuthentic, {&a, &b, foreign.get()}, "START TO naming a foreign purse");
  order.counterpartyCertificate = realB.encode();
  expectRefused(*foreign, apdus::startFrom(order), kNotAuthentic, {&a, &b, foreign.get()},
                "foreign purse: START FROM naming B");
  order.counterpartyCertificate = realA.encode();
  expectRefused(*foreign, apdus::startTo(order), kNotAuthentic, {&a, &b, foreign.get()},
                "foreign purse: START TO naming A");
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
    const sw::StatusWord expected = isValue(byte) ? kNotAuthentic : kWrongData;
    for (unsigned bit = 0; bit < 8; ++bit) {
      StartOrder order = toB;
      order.counterpartyCertificate = flipBit(order.counterpartyCertificate, byte, bit);
      expectRefused(a, apdus::startFrom(order), expected, {&a, &b},
                    "START FROM, certificate byte " + std::to_string(byte) + " bit " + std::to_string(bit));
      order = fromA;
      order.counterpartyCertificate = flipBit(order.counterpartyCertificate, byte, bit);
      expectRefused(b, apdus::startTo(order), expected, {&a, &b},
                    "START TO, certificate byte " + std::to_string(byte) + " bit " + std::to_string(bit));
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
    expectRefused(a, apdus::startFrom(*s.payerOrder()), kNotAuthentic, {&a, &b}, "A pays revoked B");
  }
  {
    terminal::TransferSession s(b.client(), c.client(), 100, {});
    BOOST_TEST_REQUIRE(s.readParties().isOk());
    expectRefused(c, apdus::startTo(*s.payeeOrder()), kNotAuthentic, {&b, &c}, "C paid by revoked B");
  }
  // The same list again, or an older one, is stale: 6985, nothing changes.
  expectRefused(a, *put, kWrongState, {&a}, "the same revocation list again");
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
  expectRefused(a, apdus::startFrom(*pay.payerOrder()), kNotAuthentic, {&a, e.get()}, "A pays expired E");
  terminal::TransferSession paid(e->client(), a.client(), 100, {});
  BOOST_TEST_REQUIRE(paid.readParties().isOk());
  expectRefused(a, apdus::startTo(*paid.payeeOrder()), kNotAuthentic, {&a, e.get()}, "A paid by expired E");
  // The expired purse itself (its date still before its expiry) would accept A; its partner will not.

  // E's own date passes its expiry: its own certificate is no longer valid for START.
  auto eLater = e->client().load(w.issuer.loadOrder(e->client(), 1, 20270102));
  BOOST_TEST_REQUIRE(eLater.isOk(), why(eLater));
  terminal::TransferSession own(e->client(), b.client(), 100, {});
  BOOST_TEST_REQUIRE(own.readParties().isOk());
  expectRefused(*e, apdus::startFrom(*own.payerOrder()), kWrongState, {e.get(), &b}, "E, expired, pays B");
  expectRefused(*e, apdus::startTo(*paid.payerOrder()), kWrongState, {e.get(), &a}, "E, expired, paid by A");
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
  expectRefused(a, apdus::startFrom(*s.payerOrder()), kWrongData, {&a, usd.get()}, "EUR purse pays a USD purse");
  expectRefused(*usd, apdus::startTo(*s.payeeOrder()), kWrongData, {&a, usd.get()}, "USD purse paid by a EUR purse");
  terminal::TransferSession r(usd->client(), a.client(), 100, {});
  BOOST_TEST_REQUIRE(r.readParties().isOk());
  expectRefused(*usd, apdus::startFrom(*r.payerOrder()), kWrongData, {&a, usd.get()}, "USD purse pays a EUR purse");
  expectRefused(a, apdus::startTo(*r.payeeOrder()), kWrongData, {&a, usd.get()}, "EUR purse paid by a USD purse");
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
  expectRefused(a, apdus::startFrom(*s.payerOrder()), kWrongData, {&a}, "START FROM naming itself");
  expectRefused(a, apdus::startTo(*s.payeeOrder()), kWrongData, {&a}, "START TO naming itself");
  // Also while busy with a genuine transfer: the refusal does not abort it.
  Flow f(a, *w.b, 100);
  f.start();
  expectRefused(a, apdus::startFrom(*s.payerOrder()), kWrongData, {&a, w.b.get()}, "START FROM naming itself in epr");
  expectRefused(*w.b, apdus::startTo(*f.session().payerOrder()), kWrongData, {&a, w.b.get()},
                "START TO naming itself in epv");
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
  expectRefused(a, apdus::startFrom(orderFor(a, b, 0, true)), kWrongData, {&a, &b}, "zero value, payer");
  expectRefused(b, apdus::startTo(orderFor(a, b, 0, false)), kWrongData, {&a, &b}, "zero value, payee");
  expectRefused(a, apdus::startFrom(orderFor(a, b, 50001, true)), protocol::purse_sw::kTransferLimitExceeded,
                {&a, &b}, "above the per-transfer maximum");
  expectRefused(b, apdus::startFrom(orderFor(b, a, 1001, true)), protocol::purse_sw::kInsufficientFunds, {&a, &b},
                "more than the balance");
  expectRefused(a, apdus::startFrom(orderFor(a, b, 2001, true)), sw::kSecurityStatusNotSatisfied, {&a, &b},
                "above the no-PIN limit without the PIN");
  expectRefused(b, apdus::startTo(orderFor(a, b, 99001, false)), protocol::purse_sw::kMaxBalanceExceeded, {&a, &b},
                "payee above its maximum balance");
  BOOST_TEST(w.total() == total);
}

// (11) A lying terminal: START TO gets a payer sequence number (or value, or reference) that is
// not the payer's. Both STARTs succeed, but the two pd differ, so REQ is refused (6985) and
// changes nothing; ABORT to both leaves every balance as it was: the payee logs its pd (epv),
// the payer logs nothing (epr): nothing moved.
BOOST_AUTO_TEST_CASE(a_lying_terminal_giving_the_wrong_counterparty_seq_moves_no_value) {
  World w;
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  const Amount total = w.total();
  enum class Lie { kPayerSeqToPayee, kPayeeSeqToPayer, kValueToPayee, kReferenceToPayee };
  for (Lie lie : {Lie::kPayerSeqToPayee, Lie::kPayeeSeqToPayer, Lie::kValueToPayee, Lie::kReferenceToPayee}) {
    const std::string name = "lie " + std::to_string(static_cast<int>(lie));
    const Amount aBefore = balanceOf(a);
    const Amount bBefore = balanceOf(b);
    terminal::TransferSession s(a.client(), b.client(), 700, referenceOf(3));
    BOOST_TEST_REQUIRE(s.readParties().isOk());
    StartOrder payerOrder = *s.payerOrder();
    StartOrder payeeOrder = *s.payeeOrder();
    switch (lie) {
      case Lie::kPayerSeqToPayee: payeeOrder.counterpartySeq += 1; break;
      case Lie::kPayeeSeqToPayer: payerOrder.counterpartySeq += 1; break;
      case Lie::kValueToPayee: payeeOrder.value -= 1; break;
      case Lie::kReferenceToPayee: payeeOrder.reference[5] ^= 0x01; break;
    }
    auto pd = s.startFrom(payerOrder);
    BOOST_TEST_REQUIRE(pd.isOk(), name << ": " << why(pd));
    auto req = s.startTo(payeeOrder);
    BOOST_TEST_REQUIRE(req.isOk(), name << ": " << why(req));
    BOOST_TEST(!(req->pd == *pd), name);
    expectRefused(a, apdus::req(*req), kWrongState, {&a, &b}, name + ": REQ with the payee's pd");
    // The terminal tries the payer's pd with the payee's signature: signed over another pd.
    SignedTransferMessage spliced = *req;
    spliced.pd = *pd;
    expectRefused(a, apdus::req(spliced), kNotAuthentic, {&a, &b}, name + ": payer's pd, payee's signature");

    auto report = terminal::recover(a.client(), b.client());
    BOOST_TEST_REQUIRE(report.isOk(), why(report));
    BOOST_TEST((stateOf(a) == ProtocolStatus::kIdle));
    BOOST_TEST((stateOf(b) == ProtocolStatus::kIdle));
    BOOST_TEST(balanceOf(a) == aBefore, name);
    BOOST_TEST(balanceOf(b) == bBefore, name);
    BOOST_TEST(!logs(a, *pd), name << ": the payer in epr logs nothing");
    BOOST_TEST(!logs(a, req->pd), name);
    BOOST_TEST(logs(b, req->pd), name << ": the payee in epv logs its pd");
    BOOST_TEST(!logs(b, *pd), name);
    bool found = false;
    for (const auto& finding : report->findings) {
      if (finding.pd == req->pd) {
        found = true;
        BOOST_TEST((finding.fate == terminal::TransferFate::kNothingMoved), name);
      }
      BOOST_TEST(!(finding.fate == terminal::TransferFate::kValueLost), name << ": a lie lost value");
    }
    BOOST_TEST(found, name);
  }
  BOOST_TEST(w.total() == total);
  // After all that, an honest transfer completes.
  Flow honest(a, b, 700);
  honest.complete();
  BOOST_TEST(w.total() == total);
}

// A terminal that keeps VAL (or ACK) back and delivers it after the purse has aborted gains
// nothing: the late message is refused and changes nothing. Withholding VAL loses the value
// provably (pd in both exception logs); withholding ACK loses nothing (pd in the payer's only).
BOOST_AUTO_TEST_CASE(a_terminal_withholding_val_or_ack_gains_nothing_and_every_loss_is_provable) {
  World w;
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  TestPurse& c = *w.c;
  const Amount total = w.total();

  // VAL withheld: A debited, B aborts in epv, then gets the VAL.
  Flow f(a, b, 800, 4);
  f.start().sendReq();
  BOOST_TEST_REQUIRE(b.client().abort().isOk());
  expectRefused(b, apdus::val(f.val), kWrongState, {&a, &b}, "VAL after the payee aborted");
  b.powerCycle();
  expectRefused(b, apdus::val(f.val), kWrongState, {&a, &b}, "VAL after the payee aborted and powered up");
  // A new transfer to B with the same value and reference: another pd.
  Flow g(c, b, 800, 4);
  g.start();
  expectRefused(b, apdus::val(f.val), kWrongState, {&a, &b, &c}, "old VAL to the payee in a new epv");
  g.sendReq().sendVal().sendAck();
  a.powerCycle();  // the payer's power-up abort logs pd (epa)
  // The terminal never got an ACK; it makes one of the VAL (same pd, the payer's own signature).
  expectRefused(a, apdus::ack(f.val), kWrongState, {&a, &b}, "an ACK made of the VAL, after the payer aborted");
  BOOST_TEST(logs(a, f.pd), "the payer logs the pd it was debited for");
  BOOST_TEST(logs(b, f.pd), "the payee logs the pd it aborted in epv");
  BOOST_TEST(w.total() + 800u == total, "exactly the withheld value is missing");
  auto report = terminal::recover(a.client(), b.client());
  BOOST_TEST_REQUIRE(report.isOk(), why(report));
  bool lost = false;
  for (const auto& finding : report->findings) {
    if (finding.pd == f.pd) lost = finding.fate == terminal::TransferFate::kValueLost;
  }
  BOOST_TEST(lost, "recovery proves the loss from the two logs");

  // ACK withheld: B credited, A still in epa, powered off; the late ACK is refused.
  Flow h(a, b, 300, 5);
  h.start().sendReq().sendVal();
  a.powerCycle();
  expectRefused(a, apdus::ack(h.ack), kWrongState, {&a, &b}, "ACK after the payer aborted in epa");
  BOOST_TEST(logs(a, h.pd));
  BOOST_TEST(!logs(b, h.pd), "the payee was credited and logs nothing");
  BOOST_TEST(w.total() + 800u == total, "nothing more is missing");
  auto again = terminal::recover(a.client(), b.client());
  BOOST_TEST_REQUIRE(again.isOk(), why(again));
  bool arrived = false;
  for (const auto& finding : again->findings) {
    if (finding.pd == h.pd) arrived = finding.fate == terminal::TransferFate::kArrivedUnacknowledged;
  }
  BOOST_TEST(arrived);
}

// The terminal never holds anything that creates value: after a long random sequence of
// replayed, altered, spliced and misdirected messages and forged STARTs against purses in every
// state, every one refused and changing nothing, each balance is what it was; the transfers
// in flight then complete and the total is conserved.
BOOST_AUTO_TEST_CASE(no_sequence_of_refused_messages_changes_any_balance) {
  World w;
  TestIssuer rogue;
  std::unique_ptr<TestPurse> d = makePurse(w.issuer, 4, 3000);
  std::vector<TestPurse*> all = {w.a.get(), w.b.get(), w.c.get(), d.get()};
  TestPurse& a = *w.a;
  TestPurse& b = *w.b;
  TestPurse& c = *w.c;

  // A pool of genuine messages from completed transfers in every direction.
  std::vector<std::pair<int, SignedTransferMessage>> pool;  // kind (0 REQ, 1 VAL, 2 ACK), message
  std::vector<StartOrder> orders;
  for (auto [p, q] : std::initializer_list<std::pair<int, int>>{{0, 1}, {1, 0}, {0, 2}, {2, 3}, {3, 0}, {1, 3}}) {
    Flow f(*all[p], *all[q], 50 + static_cast<Amount>(p * 10 + q), static_cast<std::uint8_t>(p + q));
    orders.push_back(*f.session().payerOrder());
    orders.push_back(*f.session().payeeOrder());
    f.complete();
    pool.push_back({0, f.req});
    pool.push_back({1, f.val});
    pool.push_back({2, f.ack});
  }
  // Purses in every state: a epr / b epv (A->B started), c epa / d epv (C->D after REQ).
  Flow ab(a, b, 777, 9);
  ab.start();
  Flow cd(c, *d, 333, 9);
  cd.start().sendReq();
  // The current messages themselves, only ever sent altered.
  const std::vector<std::pair<int, SignedTransferMessage>> current = {{0, ab.req}, {1, cd.val}};

  std::vector<Amount> before;
  for (TestPurse* p : all) before.push_back(balanceOf(*p));
  std::vector<ProtocolStatus> states;
  for (TestPurse* p : all) states.push_back(stateOf(*p));

  std::mt19937 rng(20261123);
  auto pick = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  int refused = 0;
  for (int i = 0; i < 600; ++i) {
    TestPurse& target = *all[pick(all.size())];
    const int mode = static_cast<int>(pick(6));
    CommandApdu command = apdus::abortTransfer();
    std::string what = "hostile " + std::to_string(i);
    if (mode <= 3) {
      // A message: replayed as is, with a bit flipped, spliced, or a current one altered.
      std::pair<int, SignedTransferMessage> m = pool[pick(pool.size())];
      if (mode == 1) {
        const Bytes enc = m.second.encode();
        m.second = messageFrom(flipBit(enc, pick(enc.size()), static_cast<unsigned>(pick(8))));
      } else if (mode == 2) {
        m.second.signature = pool[pick(pool.size())].second.signature;
      } else if (mode == 3) {
        m = current[pick(current.size())];
        const Bytes enc = m.second.encode();
        m.second = messageFrom(flipBit(enc, pick(enc.size()), static_cast<unsigned>(pick(8))));
      }
      const int kind = static_cast<int>(pick(3));  // under any instruction
      command = kind == 0 ? apdus::req(m.second) : kind == 1 ? apdus::val(m.second) : apdus::ack(m.second);
      what += " message mode " + std::to_string(mode) + " as " + std::to_string(kind);
    } else {
      // A START with a certificate forged or altered.
      StartOrder o = orders[pick(orders.size())];
      if (mode == 4) {
        auto cert = CardCertificate::decode(o.counterpartyCertificate);
        BOOST_TEST_REQUIRE(cert.isOk());
        auto forged = rogue.signer().certify(cert->purseId, cert->publicKey, cert->currency, cert->expiry);
        BOOST_TEST_REQUIRE(forged.isOk());
        o.counterpartyCertificate = forged->encode();
      } else {
        o.counterpartyCertificate = flipBit(o.counterpartyCertificate, 113 + pick(64), static_cast<unsigned>(pick(8)));
      }
      command = pick(2) == 0 ? apdus::startFrom(o) : apdus::startTo(o);
      what += " forged START";
    }
    const Watch watch({w.a.get(), w.b.get(), w.c.get(), d.get()});
    auto response = target.client().send(command);
    BOOST_TEST_REQUIRE(response.isOk());
    BOOST_TEST(!response->isSuccess(), what << ": accepted");
    BOOST_TEST(response->data().empty(), what);
    watch.checkUnchanged(what);
    if (!response->isSuccess()) ++refused;
  }
  BOOST_TEST(refused == 600);
  for (std::size_t i = 0; i < all.size(); ++i) {
    BOOST_TEST(balanceOf(*all[i]) == before[i], "purse " << i);
    BOOST_TEST((stateOf(*all[i]) == states[i]), "purse " << i);
  }
  // The transfers in flight were never disturbed.
  ab.sendReq().sendVal().sendAck();
  cd.sendVal().sendAck();
  BOOST_TEST(balanceOf(a) == before[0] - 777);
  BOOST_TEST(balanceOf(b) == before[1] + 777);
  BOOST_TEST(balanceOf(c) == before[2]);  // debited already
  BOOST_TEST(balanceOf(*d) == before[3] + 333);
  Amount sum = 0;
  for (TestPurse* p : all) sum += balanceOf(*p);
  BOOST_TEST(sum == 20000u + 1000u + 5000u + 3000u);  // everything loaded, nothing lost
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
