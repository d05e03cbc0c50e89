// A hostile terminal, attacking the transfer messages (REQ, VAL, ACK): replayed, altered,
// misdirected, withheld, or relayed from another transfer; START orders are in
// purse_adversarial_start_orders_test.cpp.
// The terminal relays every transfer message, so it can replay, alter, misdirect and invent them; it can present
// forged, altered, revoked, expired and foreign certificates and lie about sequence numbers. Every command the purse
// must refuse is checked for the exact status word and for the images of all purses involved being byte for byte what
// they were before it: a refusal changes nothing. The expected status words are the protocol's
// (docs/apdu.md, protocol/purse_commands.h), never taken from the purse's own answers; balances
// are checked against the values the test moved.
#define BOOST_TEST_MODULE purse_adversarial_messages
#include <boost/test/unit_test.hpp>

#include <cstdint>
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
#include "tests/support/hostile_terminal.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"

namespace epurse::testing {
namespace {

using namespace checks;
using protocol::Amount;
using protocol::CardCertificate;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;
using protocol::SignedTransferMessage;
using protocol::StartOrder;
namespace apdus = protocol::apdus;

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
  expectRefused(a, apdus::req(first.req), sw::kConditionsNotSatisfied, "old REQ to the idle payer", {&a, &b});
  expectRefused(b, apdus::val(first.val), sw::kConditionsNotSatisfied, "old VAL to the idle payee", {&a, &b});
  expectRefused(a, apdus::ack(first.ack), sw::kConditionsNotSatisfied, "old ACK to the idle payer", {&a, &b});

  // A second transfer, same purses, same value and reference: only the sequence numbers differ.
  Flow second(a, b, 300);
  second.start();
  BOOST_TEST(!(second.pd == first.pd));
  // Payer in epr, payee in epv: the old messages carry the old pd.
  expectRefused(a, apdus::req(first.req), sw::kConditionsNotSatisfied, "old REQ to the payer in epr", {&a, &b});
  expectRefused(b, apdus::val(first.val), sw::kConditionsNotSatisfied, "old VAL to the payee in epv", {&a, &b});
  expectRefused(a, apdus::ack(first.ack), sw::kConditionsNotSatisfied, "old ACK to the payer in epr", {&a, &b});
  second.sendReq();
  // Payer in epa.
  expectRefused(a, apdus::req(first.req), sw::kConditionsNotSatisfied, "old REQ to the payer in epa", {&a, &b});
  expectRefused(a, apdus::ack(first.ack), sw::kConditionsNotSatisfied, "old ACK to the payer in epa", {&a, &b});
  expectRefused(b, apdus::val(first.val), sw::kConditionsNotSatisfied, "old VAL to the payee in epv (payer in epa)",
                {&a, &b});
  second.sendVal();
  // Payee idle again, payer still in epa.
  expectRefused(b, apdus::val(first.val), sw::kConditionsNotSatisfied, "old VAL to the idle payee", {&a, &b});
  expectRefused(b, apdus::val(second.val), sw::kConditionsNotSatisfied, "the same VAL twice", {&a, &b});
  expectRefused(a, apdus::ack(first.ack), sw::kConditionsNotSatisfied, "old ACK to the payer in epa, after VAL",
                {&a, &b});
  expectRefused(a, apdus::req(second.req), sw::kConditionsNotSatisfied, "the same REQ twice", {&a, &b});
  second.sendAck();
  expectRefused(a, apdus::ack(second.ack), sw::kConditionsNotSatisfied, "the same ACK twice", {&a, &b});

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
        expectRefused(*t.purse, t.build(messageFrom(flipBit(encoded, byte, bit))),
                      inPd ? sw::kConditionsNotSatisfied : sw::kSecurityStatusNotSatisfied, what, {&a, &b});
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
  expectRefused(b, apdus::req(f.req), sw::kConditionsNotSatisfied, "REQ to the payee", {&a, &b, &c});
  expectRefused(c, apdus::req(f.req), sw::kConditionsNotSatisfied, "REQ to an idle third purse", {&a, &b, &c});
  f.sendReq();  // a epa
  expectRefused(a, apdus::val(f.val), sw::kConditionsNotSatisfied, "VAL to the payer (epa)", {&a, &b, &c});
  expectRefused(c, apdus::val(f.val), sw::kConditionsNotSatisfied, "VAL to an idle third purse", {&a, &b, &c});
  expectRefused(b, apdus::ack(f.val), sw::kConditionsNotSatisfied, "VAL sent as ACK to the payee", {&a, &b, &c});
  f.sendVal();  // b idle
  expectRefused(b, apdus::ack(f.ack), sw::kConditionsNotSatisfied, "ACK to the (idle) payee", {&a, &b, &c});
  expectRefused(c, apdus::ack(f.ack), sw::kConditionsNotSatisfied, "ACK to an idle third purse", {&a, &b, &c});
  // The right message under the wrong instruction: the payer in epa takes only ACK.
  expectRefused(a, apdus::req(f.ack), sw::kConditionsNotSatisfied, "ACK sent as REQ to the payer", {&a, &b, &c});
  expectRefused(a, apdus::val(f.ack), sw::kConditionsNotSatisfied, "ACK sent as VAL to the payer", {&a, &b, &c});
  f.sendAck();

  // Payee in epv: VAL sent to the payer while it is still in epr, and the payer's REQ to the payee.
  Flow g(b, a, 200);
  g.start();  // b epr, a epv
  expectRefused(b, apdus::val(g.req), sw::kConditionsNotSatisfied, "REQ sent as VAL to the payer in epr", {&a, &b, &c});
  expectRefused(a, apdus::ack(g.req), sw::kConditionsNotSatisfied, "REQ sent as ACK to the payee in epv", {&a, &b, &c});
  expectRefused(a, apdus::req(g.req), sw::kConditionsNotSatisfied, "REQ to the payee in epv", {&a, &b, &c});
  g.sendReq();
  expectRefused(b, apdus::val(g.val), sw::kConditionsNotSatisfied, "VAL to the payer (epa)", {&a, &b, &c});
  // A VAL relabelled as ACK for the payer in epa: same pd, but the ACK signature domain differs.
  expectRefused(b, apdus::ack(g.val), sw::kSecurityStatusNotSatisfied, "VAL (payer-signed) as ACK to the payer",
                {&a, &b, &c});
  // The payee's REQ relabelled as VAL: same pd, signature over "REQ" and by the payee itself.
  expectRefused(a, apdus::val(g.req), sw::kSecurityStatusNotSatisfied, "REQ (payee-signed) as VAL to the payee",
                {&a, &b, &c});
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
  expectRefused(b, apdus::req(ac.req), sw::kConditionsNotSatisfied, "REQ of A->C to idle B", {&a, &b, &c, d.get()});
  Flow bd(b, *d, 400, 1);  // same value and reference: only the purses and sequence numbers differ
  bd.start();  // b epr, d epv
  expectRefused(b, apdus::req(ac.req), sw::kConditionsNotSatisfied, "REQ of A->C to B in epr (B->D)",
                {&a, &b, &c, d.get()});
  expectRefused(a, apdus::req(bd.req), sw::kConditionsNotSatisfied, "REQ of B->D to A in epr (A->C)",
                {&a, &b, &c, d.get()});
  ac.sendReq();
  bd.sendReq();  // a, b epa; c, d epv
  expectRefused(*d, apdus::val(ac.val), sw::kConditionsNotSatisfied, "VAL of A->C to D in epv (B->D)",
                {&a, &b, &c, d.get()});
  expectRefused(c, apdus::val(bd.val), sw::kConditionsNotSatisfied, "VAL of B->D to C in epv (A->C)",
                {&a, &b, &c, d.get()});
  ac.sendVal();
  bd.sendVal();
  expectRefused(a, apdus::ack(bd.ack), sw::kConditionsNotSatisfied, "ACK of B->D to A in epa (A->C)",
                {&a, &b, &c, d.get()});
  expectRefused(b, apdus::ack(ac.ack), sw::kConditionsNotSatisfied, "ACK of A->C to B in epa (B->D)",
                {&a, &b, &c, d.get()});
  ac.sendAck();
  bd.sendAck();

  BOOST_TEST(balanceOf(a) == 20000u - 400u);
  BOOST_TEST(balanceOf(b) == 1000u - 400u);
  BOOST_TEST(balanceOf(c) == 5000u + 400u);
  BOOST_TEST(balanceOf(*d) == 3000u + 400u);
  BOOST_TEST(w.total() + balanceOf(*d) == total);
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
    expectRefused(a, apdus::req(*req), sw::kConditionsNotSatisfied, name + ": REQ with the payee's pd", {&a, &b});
    // The terminal tries the payer's pd with the payee's signature: signed over another pd.
    SignedTransferMessage spliced = *req;
    spliced.pd = *pd;
    expectRefused(a, apdus::req(spliced), sw::kSecurityStatusNotSatisfied, name + ": payer's pd, payee's signature",
                  {&a, &b});

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
  expectRefused(b, apdus::val(f.val), sw::kConditionsNotSatisfied, "VAL after the payee aborted", {&a, &b});
  b.powerCycle();
  expectRefused(b, apdus::val(f.val), sw::kConditionsNotSatisfied, "VAL after the payee aborted and powered up",
                {&a, &b});
  // A new transfer to B with the same value and reference: another pd.
  Flow g(c, b, 800, 4);
  g.start();
  expectRefused(b, apdus::val(f.val), sw::kConditionsNotSatisfied, "old VAL to the payee in a new epv", {&a, &b, &c});
  g.sendReq().sendVal().sendAck();
  a.powerCycle();  // the payer's power-up abort logs pd (epa)
  // The terminal never got an ACK; it makes one of the VAL (same pd, the payer's own signature).
  expectRefused(a, apdus::ack(f.val), sw::kConditionsNotSatisfied, "an ACK made of the VAL, after the payer aborted",
                {&a, &b});
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
  expectRefused(a, apdus::ack(h.ack), sw::kConditionsNotSatisfied, "ACK after the payer aborted in epa", {&a, &b});
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
