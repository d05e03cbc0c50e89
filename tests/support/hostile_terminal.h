// What the hostile-terminal tests share (purse_adversarial_*_test): an honest transfer driven
// a step at a time (Flow), whose genuine messages a test then replays, alters or misdirects,
// and three loaded purses of one issuer to do it with (World).
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "protocol/transfer_messages.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_records.h"
#include "tests/support/purse_transfers.h"

namespace epurse::testing::checks {

// The message as the terminal would relay it, from raw bytes that may have been altered.
inline protocol::SignedTransferMessage messageFrom(const Bytes& encoded) {
  auto m = protocol::SignedTransferMessage::decode(encoded);
  BOOST_TEST_REQUIRE(m.isOk());
  return *m;
}

inline protocol::Amount balanceOf(TestPurse& p) { return p.status().balance; }
inline protocol::ProtocolStatus stateOf(TestPurse& p) { return p.status().protocol; }

inline bool logs(TestPurse& p, const protocol::PaymentDetails& pd) { return holds(exceptionsOf(p), pd); }

// One transfer driven by an honest terminal, a step at a time; each step requires success.
class Flow {
 public:
  Flow(TestPurse& payer, TestPurse& payee, protocol::Amount value, std::uint8_t tag = 0)
      : session_(payer.client(), payee.client(), value, referenceOf(tag)) {
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

  protocol::PaymentDetails pd;
  protocol::SignedTransferMessage req, val, ack;

 private:
  terminal::TransferSession session_;
};

struct World {
  TestIssuer issuer;
  std::unique_ptr<TestPurse> a = makePurse(issuer, 1, 20000);
  std::unique_ptr<TestPurse> b = makePurse(issuer, 2, 1000);
  std::unique_ptr<TestPurse> c = makePurse(issuer, 3, 5000);

  protocol::Amount total() { return balanceOf(*a) + balanceOf(*b) + balanceOf(*c); }
};

}  // namespace epurse::testing::checks
