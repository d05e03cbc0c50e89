// The cardholder's PIN (card/purse/purse_pin.cpp): VERIFY, CHANGE REFERENCE DATA and the
// issuer's RESET RETRY COUNTER (PIN unblock). The try counter counted down and restored,
// verification lost when it must be, each refusal with its exact status word and the card
// image byte for byte unchanged.
#define BOOST_TEST_MODULE purse_pin
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_status.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"

namespace epurse::testing {
namespace {

using namespace checks;
using protocol::PurseStatus;
namespace apdus = protocol::apdus;

// The status record as it was, with one field as the command should have left it.
PurseStatus withTries(PurseStatus s, std::uint8_t tries, bool verified = false) {
  s.pinTriesLeft = tries;
  s.pinVerified = verified;
  return s;
}

}  // namespace

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(verify)

BOOST_AUTO_TEST_CASE(the_right_pin_verifies_and_without_data_reports_the_state) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  expectRefused(*purse, apdus::pinTriesLeft(), sw::verifyFailed(3), "VERIFY without data: 63C3, not verified");
  const PurseStatus before = purse->status();
  const Bytes data = expectOk(*purse, apdus::verifyPin(pinBlock("1234")), "VERIFY");
  BOOST_TEST(data.empty());
  BOOST_TEST((purse->status() == withTries(before, 3, true)), "verified, tries 3, nothing else changed");
  BOOST_TEST(expectOkUnchanged(*purse, apdus::pinTriesLeft(), "VERIFY without data").empty());
}

BOOST_AUTO_TEST_CASE(wrong_pins_count_down_63C2_63C1_63C0_then_6983) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 700);
  verifyPinOk(*purse, "1234");
  for (std::uint8_t left : {2, 1, 0}) {
    const PurseStatus before = purse->status();
    const Bytes imageBefore = purse->image();
    const auto r = exchange(*purse, apdus::verifyPin(pinBlock("9999")), "wrong PIN");
    BOOST_TEST(r.sw() == sw::verifyFailed(left), "answered " << swHex(r.sw()) << ", expected 63C" << int(left));
    BOOST_TEST(r.data().empty());
    BOOST_TEST(!imageDifference(imageBefore, purse->image()).empty(), "the spent try was committed");
    // The one change a wrong PIN makes: one try less (and the verified flag gone).
    BOOST_TEST((purse->status() == withTries(before, left, false)),
               "a wrong PIN changed more than the try counter (tries now " << int(purse->status().pinTriesLeft)
                                                                          << ")");
    expectRefused(*purse, apdus::pinTriesLeft(), left == 0 ? sw::kAuthenticationMethodBlocked : sw::verifyFailed(left),
                  "VERIFY without data after a wrong PIN");
  }
  expectRefused(*purse, apdus::verifyPin(pinBlock("9999")), sw::kAuthenticationMethodBlocked,
                "a wrong PIN once blocked");
  expectRefused(*purse, apdus::verifyPin(pinBlock("1234")), sw::kAuthenticationMethodBlocked,
                "the right PIN once blocked");
  expectRefused(*purse, apdus::changePin(pinBlock("1234"), pinBlock("4321")), sw::kAuthenticationMethodBlocked,
                "CHANGE once blocked");
  BOOST_TEST(purse->status().balance == 700u);
}

BOOST_AUTO_TEST_CASE(the_right_pin_restores_the_tries) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  for (int i = 0; i < 2; ++i) (void)exchange(*purse, apdus::verifyPin(pinBlock("0000")), "wrong PIN");
  BOOST_TEST(purse->status().pinTriesLeft == 1);
  verifyPinOk(*purse, "1234");
  BOOST_TEST(purse->status().pinTriesLeft == 3);
  BOOST_TEST(purse->status().pinVerified);
}

BOOST_AUTO_TEST_CASE(refusals_that_spend_no_try) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  const CommandApdu good = apdus::verifyPin(pinBlock("1234"));
  expectRefused(*purse, withP1P2(good, 0x01, 0x80), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x81), sw::kIncorrectP1P2, "P2 81 (another PIN)");
  expectRefused(*purse, withP1P2(good, 0x00, 0x00), sw::kIncorrectP1P2, "P2 00");
  expectRefused(*purse, withP1P2(apdus::pinTriesLeft(), 0x00, 0x01), sw::kIncorrectP1P2, "no data, P2 01");
  expectRefused(*purse, withDataResized(good, 7), sw::kWrongLength, "7 bytes");
  expectRefused(*purse, withDataResized(good, 9, 0xFF), sw::kWrongLength, "9 bytes");
  expectRefused(*purse, withDataResized(good, 16, 0xFF), sw::kWrongLength, "16 bytes");
  for (const auto& [name, block] : invalidPinBlocks()) {
    expectRefused(*purse, withData(good, block), sw::kWrongData, "PIN block with " + name);
  }
  BOOST_TEST(purse->status().pinTriesLeft == 3);

  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse");
  expectRefused(blank, apdus::pinTriesLeft(), sw::kConditionsNotSatisfied, "blank purse, no data");
  Staged notYet = staged(issuer, Stage::kData, 2);  // PIN set, life cycle still blank
  expectRefused(*notYet.purse, good, sw::kConditionsNotSatisfied, "personalised data but no certificate");
  expectRefused(*notYet.purse, withP1P2(good, 0x00, 0x81), sw::kIncorrectP1P2,
                "P1-P2 is checked before the life cycle");
}

BOOST_AUTO_TEST_CASE(a_wrong_pin_takes_away_an_earlier_verification) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  verifyPinOk(*purse, "1234");
  (void)exchange(*purse, apdus::verifyPin(pinBlock("4321")), "wrong PIN");
  BOOST_TEST(!purse->status().pinVerified);
  expectRefused(*purse, apdus::pinTriesLeft(), sw::verifyFailed(2), "VERIFY without data");
}

BOOST_AUTO_TEST_CASE(verification_is_lost_at_power_off_and_at_reselection) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  verifyPinOk(*purse, "1234");
  purse->powerCycle();
  BOOST_TEST(!purse->status().pinVerified, "verified survived a power cycle");
  expectRefused(*purse, apdus::pinTriesLeft(), sw::verifyFailed(3), "after power cycle");

  verifyPinOk(*purse, "1234");
  (void)expectOk(*purse, apdus::selectPurse(), "SELECT again");
  BOOST_TEST(!purse->status().pinVerified, "verified survived a deselect and select");

  verifyPinOk(*purse, "1234");
  const Bytes partial(kAidBytes.begin(), kAidBytes.begin() + 5);
  (void)expectOk(*purse, CommandApdu(0x00, 0xA4, 0x04, 0x00, partial, 256), "SELECT by partial AID");
  BOOST_TEST(!purse->status().pinVerified, "verified survived a selection by partial AID");

  // A SELECT of an AID the card does not have fails and (ISO 7816-4) keeps the selection as
  // it was: nothing was deselected.
  verifyPinOk(*purse, "1234");
  expectRefused(*purse, CommandApdu(0x00, 0xA4, 0x04, 0x00, h("A000000003101001"), 256), sw::kFileNotFound,
                "SELECT unknown AID");
  BOOST_TEST(purse->status().pinVerified, "a failed SELECT deselected the purse");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(change_reference_data)

BOOST_AUTO_TEST_CASE(the_old_pin_changes_it_to_the_new_one) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  (void)exchange(*purse, apdus::verifyPin(pinBlock("0000")), "one wrong try first");
  const PurseStatus before = purse->status();
  BOOST_TEST(before.pinTriesLeft == 2);
  const Bytes data = expectOk(*purse, apdus::changePin(pinBlock("1234"), pinBlock("86420")), "CHANGE");
  BOOST_TEST(data.empty());
  BOOST_TEST((purse->status() == withTries(before, 3, true)), "tries restored, verified, nothing else changed");
  purse->powerCycle();
  const auto r = exchange(*purse, apdus::verifyPin(pinBlock("1234")), "the old PIN");
  BOOST_TEST(r.sw() == sw::verifyFailed(2), "the old PIN answered " << swHex(r.sw()));
  verifyPinOk(*purse, "86420");
}

BOOST_AUTO_TEST_CASE(a_wrong_old_pin_spends_a_try_and_changes_nothing_else) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  for (std::uint8_t left : {2, 1, 0}) {
    const PurseStatus before = purse->status();
    const auto r = exchange(*purse, apdus::changePin(pinBlock("5555"), pinBlock("6666")), "wrong old PIN");
    BOOST_TEST(r.sw() == sw::verifyFailed(left), "answered " << swHex(r.sw()));
    BOOST_TEST((purse->status() == withTries(before, left, false)));
  }
  expectRefused(*purse, apdus::changePin(pinBlock("1234"), pinBlock("6666")), sw::kAuthenticationMethodBlocked,
                "right old PIN, blocked");
}

BOOST_AUTO_TEST_CASE(refusals_that_spend_no_try) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  const CommandApdu good = apdus::changePin(pinBlock("1234"), pinBlock("4321"));
  expectRefused(*purse, withP1P2(good, 0x01, 0x80), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x81), sw::kIncorrectP1P2, "P2 81");
  expectRefused(*purse, withDataResized(good, 8), sw::kWrongLength, "8 bytes");
  expectRefused(*purse, withDataResized(good, 15), sw::kWrongLength, "15 bytes");
  expectRefused(*purse, withDataResized(good, 17, 0xFF), sw::kWrongLength, "17 bytes");
  expectRefused(*purse, CommandApdu(0x00, protocol::kInsChangeReferenceData, 0x00, 0x80), sw::kWrongLength, "no data");
  for (const auto& [name, block] : invalidPinBlocks()) {
    expectRefused(*purse, apdus::changePin(pinBlock("1234"), rawPin(block)), sw::kWrongData,
                  "new PIN block with " + name);
    expectRefused(*purse, apdus::changePin(rawPin(block), pinBlock("4321")), sw::kWrongData,
                  "old PIN block with " + name);
  }
  BOOST_TEST(purse->status().pinTriesLeft == 3);
  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse");
  Staged notYet = staged(issuer, Stage::kData, 2);
  expectRefused(*notYet.purse, good, sw::kConditionsNotSatisfied, "not yet personalised");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(reset_retry_counter)

BOOST_AUTO_TEST_CASE(an_issuer_order_unblocks_the_pin_with_a_new_one_once) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  for (int i = 0; i < 3; ++i) (void)exchange(*purse, apdus::verifyPin(pinBlock("0000")), "wrong PIN");
  const PurseStatus before = purse->status();
  BOOST_TEST(before.pinTriesLeft == 0);
  BOOST_TEST(before.adminCounter == 0u);

  const CommandApdu order = unblockCommand(issuer, testPurseId(1), 0, pinBlock("5678"));
  BOOST_TEST(expectOk(*purse, order, "RESET RETRY COUNTER").empty());
  PurseStatus expected = withTries(before, 3, false);
  expected.adminCounter = 1;
  BOOST_TEST((purse->status() == expected), "tries 3, admin counter +1, nothing else changed");

  expectRefused(*purse, order, sw::kConditionsNotSatisfied, "the same order replayed");
  const auto old = exchange(*purse, apdus::verifyPin(pinBlock("1234")), "the old PIN");
  BOOST_TEST(old.sw() == sw::verifyFailed(2), "the old PIN answered " << swHex(old.sw()));
  verifyPinOk(*purse, "5678");

  // The next order carries the next counter; it also works when the PIN is not blocked, and
  // takes away a verification.
  const CommandApdu next = unblockCommand(issuer, testPurseId(1), 1, pinBlock("2468"));
  (void)expectOk(*purse, next, "RESET RETRY COUNTER 1");
  BOOST_TEST(!purse->status().pinVerified, "the new PIN must be verified");
  BOOST_TEST(purse->status().adminCounter == 2u);
  verifyPinOk(*purse, "2468");
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestIssuer another;
  auto purse = makePurse(issuer, 1, 0);
  const auto id = testPurseId(1);
  const CommandApdu good = unblockCommand(issuer, id, 0, pinBlock("5678"));
  expectRefused(*purse, withP1P2(good, 0x01, 0x80), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x81), sw::kIncorrectP1P2, "P2 81");
  expectRefused(*purse, withP1P2(good, 0x00, 0x00), sw::kIncorrectP1P2, "P2 00");
  expectRefused(*purse, withDataResized(good, 75), sw::kWrongLength, "75 bytes");
  expectRefused(*purse, withDataResized(good, 77), sw::kWrongLength, "77 bytes");
  expectRefused(*purse, CommandApdu(0x00, protocol::kInsResetRetryCounter, 0x00, 0x80), sw::kWrongLength, "no data");
  expectRefused(*purse, unblockCommand(another, id, 0, pinBlock("5678")), sw::kSecurityStatusNotSatisfied,
                "signed by another issuer");
  expectRefused(*purse, unblockCommand(issuer, testPurseId(2), 0, pinBlock("5678")), sw::kSecurityStatusNotSatisfied,
                "an order for another purse");
  expectRefused(*purse, withDataBitFlipped(good, 4), sw::kSecurityStatusNotSatisfied, "the new PIN altered");
  expectRefused(*purse, withDataBitFlipped(good, 3), sw::kSecurityStatusNotSatisfied, "the counter altered");
  expectRefused(*purse, withDataBitFlipped(good, 12 + 63), sw::kSecurityStatusNotSatisfied, "the signature altered");
  expectRefused(*purse, unblockCommand(issuer, id, 1, pinBlock("5678")), sw::kConditionsNotSatisfied,
                "an order for a later counter");
  for (const auto& [name, block] : invalidPinBlocks()) {
    expectRefused(*purse, unblockCommand(issuer, id, 0, rawPin(block)), sw::kWrongData, "new PIN block with " + name);
  }
  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse");
  Staged notYet = staged(issuer, Stage::kData, 1);
  expectRefused(*notYet.purse, good, sw::kConditionsNotSatisfied, "not yet personalised");
  // The genuine order is still good.
  (void)expectOk(*purse, good, "RESET RETRY COUNTER");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
