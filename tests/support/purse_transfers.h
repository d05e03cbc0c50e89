// Transfers set up for a test to look at one step of: begun and left in epr/epv, begun and
// aborted so that the payee logs an exception, and START orders as a terminal builds them.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdint>

#include "protocol/transfer_messages.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/purse_command_checks.h"

namespace epurse::testing::checks {

// A purchase reference that differs per `tag`: tag, tag+1, ...
inline protocol::PurchaseReference referenceOf(std::uint8_t tag) {
  protocol::PurchaseReference r{};
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<std::uint8_t>(tag + i);
  return r;
}

// A transfer from `payer` to `payee` begun: the payer in epr and, with `alsoStartTo`, the
// payee in epv.
inline void startTransfer(TestPurse& payer, TestPurse& payee, protocol::Amount value, bool alsoStartTo) {
  terminal::TransferSession session(payer.client(), payee.client(), value, protocol::PurchaseReference{});
  auto parties = session.readParties();
  BOOST_TEST_REQUIRE(parties.isOk(), "read parties: " << why(parties));
  auto pd = session.startFrom();
  BOOST_TEST_REQUIRE(pd.isOk(), "START FROM: " << why(pd));
  if (alsoStartTo) {
    auto req = session.startTo();
    BOOST_TEST_REQUIRE(req.isOk(), "START TO: " << why(req));
  }
}

// A transfer from payer to payee begun (START FROM, START TO) and aborted on both: the payee,
// in epv, logs pd; the payer, in epr, logs nothing. Returns pd as the payee signed it in REQ.
inline protocol::PaymentDetails leaveException(TestPurse& payer, TestPurse& payee, protocol::Amount value,
                                               std::uint8_t tag = 0) {
  terminal::TransferSession session(payer.client(), payee.client(), value, referenceOf(tag));
  auto parties = session.readParties();
  BOOST_TEST_REQUIRE(parties.isOk(), "read parties: " << why(parties));
  auto pd = session.startFrom();
  BOOST_TEST_REQUIRE(pd.isOk(), "START FROM: " << why(pd));
  auto req = session.startTo();
  BOOST_TEST_REQUIRE(req.isOk(), "START TO: " << why(req));
  (void)expectOk(payee, protocol::apdus::abortTransfer(), "ABORT payee in epv");
  (void)expectOk(payer, protocol::apdus::abortTransfer(), "ABORT payer in epr");
  return req->pd;
}

// The START order naming `counterparty`, as a terminal builds it from that purse's
// certificate and its status record as they are now.
inline protocol::StartOrder startOrderNaming(TestPurse& counterparty, protocol::Amount value, std::uint8_t tag = 0) {
  return protocol::StartOrder{certificateOf(counterparty).encode(), value, counterparty.status().nextSeq,
                              referenceOf(tag)};
}

// A START order carrying any certificate bytes.
inline protocol::StartOrder startOrderWith(const Bytes& certificate, protocol::Amount value) {
  return protocol::StartOrder{certificate, value, 1, referenceOf(0)};
}

}  // namespace epurse::testing::checks
