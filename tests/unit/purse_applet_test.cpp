// The purse applet as a whole (card/purse/purse_applet.cpp): which class bytes and
// instructions it knows, SELECT and its FCI, GET DATA (the status record, the card's public
// key and its certificate), and memory no command could have written. Each success with its
// effect checked field by field, each refusal with its exact status word and the card image
// byte for byte unchanged.
#define BOOST_TEST_MODULE purse_applet
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "card/purse/purse_layout.h"
#include "protocol/card_certificate.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_status.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/purse_memory.h"
#include "tests/support/purse_transfers.h"

namespace epurse::testing {
namespace {

using namespace checks;
using protocol::CardCertificate;
using protocol::LifeCycle;
using protocol::ProtocolStatus;
using protocol::PurseStatus;
namespace apdus = protocol::apdus;

// The status record as GET DATA answered it, decoded (its byte layout is pinned by
// wire_format_test); a record of the wrong size or format fails the test here.
PurseStatus statusRecordOf(const Bytes& raw) {
  BOOST_TEST_REQUIRE(raw.size() == PurseStatus::kSize, "status record of " << raw.size() << " bytes");
  return required(PurseStatus::decode(raw), "status record");
}

}  // namespace

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(dispatch)

BOOST_AUTO_TEST_CASE(class_bytes_other_than_00_and_80_are_refused_with_6E00) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);
  // Class bytes the card OS passes on to the applet (no channel, SM or chaining bits it
  // refuses itself): the purse knows only 00 and 80.
  for (std::uint8_t cla : {0x84, 0x88, 0x8C, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xFE}) {
    for (std::uint8_t ins : {protocol::kInsGetData, protocol::kInsLoad, protocol::kInsVerify, std::uint8_t{0x00}}) {
      expectRefused(*purse, CommandApdu(cla, ins, 0x01, 0x01), sw::kClaNotSupported,
                    "CLA " + hx(Bytes{cla}) + " INS " + hx(Bytes{ins}));
    }
  }
}

BOOST_AUTO_TEST_CASE(every_instruction_the_purse_does_not_have_is_refused_with_6D00) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);
  const std::set<std::uint8_t> iso = {0x20, 0x24, 0x2C, 0x46, 0xB2, 0xCA};
  const std::set<std::uint8_t> proprietary = {0x10, 0x12, 0x14, 0x30, 0x32, 0x50, 0x52, 0x54,
                                              0x56, 0x58, 0x5A, 0x70, 0x72, 0x74, 0x76};
  constexpr std::uint8_t kGetResponse = 0xC0;  // the card OS's own (6985: nothing pending)
  int refused = 0;
  for (int i = 0; i < 256; ++i) {
    const auto ins = static_cast<std::uint8_t>(i);
    if (!iso.count(ins) && ins != kGetResponse) {
      expectRefused(*purse, CommandApdu(0x00, ins, 0x00, 0x00), sw::kInsNotSupported, "CLA 00 INS " + hx(Bytes{ins}));
      ++refused;
    }
    if (!proprietary.count(ins)) {
      expectRefused(*purse, CommandApdu(0x80, ins, 0x00, 0x00), sw::kInsNotSupported, "CLA 80 INS " + hx(Bytes{ins}));
      ++refused;
    }
  }
  // 256 less the six ISO instructions and GET RESPONSE; 256 less the fifteen proprietary ones.
  BOOST_TEST(refused == (256 - 7) + (256 - 15), "every unknown instruction was tried");
}

BOOST_AUTO_TEST_CASE(after_power_up_nothing_is_selected_until_select) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);
  purse->card().restart();  // power cycle without the SELECT TestPurse::powerCycle adds
  expectRefused(*purse, apdus::getData(kTagStatus), sw::kInsNotSupported, "GET DATA with no applet selected");
  expectRefused(*purse, apdus::abortTransfer(), sw::kInsNotSupported, "ABORT with no applet selected");
  (void)expectOkUnchanged(*purse, apdus::selectPurse(), "SELECT");
  BOOST_TEST(purse->status().balance == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(select)

BOOST_AUTO_TEST_CASE(fci_carries_the_aid_the_purse_id_and_the_life_cycle) {
  // 6F 15 | 84 08 AID | A5 09 purse ID (8) life cycle (1)
  TestPurse blank;
  const Bytes blankFci = expectOkUnchanged(blank, apdus::selectPurse(), "SELECT blank purse");
  BOOST_TEST(hx(blankFci) == "6F158408" + hx(kAidBytes) + "A509" + "0000000000000000" + "00");

  TestIssuer issuer;
  auto purse = makePurse(issuer, 7, 500);
  const Bytes fci = expectOkUnchanged(*purse, apdus::selectPurse(), "SELECT personalised purse");
  BOOST_TEST(hx(fci) == "6F158408" + hx(kAidBytes) + "A509" + "0102030405060707" + "01");
}

BOOST_AUTO_TEST_CASE(select_without_response_data_and_by_partial_aid) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 2, 0);
  // P2 0C: no FCI.
  const Bytes none = expectOkUnchanged(*purse, CommandApdu(0x00, 0xA4, 0x04, 0x0C, kAidBytes), "SELECT P2 0C");
  BOOST_TEST(none.empty(), "SELECT with P2 0C answered data");
  // The first six bytes of the AID select the purse too.
  const Bytes partial(kAidBytes.begin(), kAidBytes.begin() + 6);
  const Bytes fci = expectOkUnchanged(*purse, CommandApdu(0x00, 0xA4, 0x04, 0x00, partial, 256), "SELECT partial");
  BOOST_TEST(hx(fci) == "6F158408" + hx(kAidBytes) + "A509" + "0102030405060702" + "01");
  BOOST_TEST(hx(purse->status().purseId) == "0102030405060702");
  // SELECT with P1 other than 04 is no SELECT for the card OS: the purse does not know it.
  expectRefused(*purse, CommandApdu(0x00, 0xA4, 0x00, 0x00, kAidBytes, 256), sw::kInsNotSupported, "SELECT P1 00");
  expectRefused(*purse, CommandApdu(0x00, 0xA4, 0x02, 0x0C, Bytes{0x3F, 0x00}), sw::kInsNotSupported, "SELECT P1 02");
}

BOOST_AUTO_TEST_CASE(select_does_not_abort_a_transfer_in_progress) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 0);
  startTransfer(*payer, *payee, 100, true);
  (void)expectOkUnchanged(*payer, apdus::selectPurse(), "SELECT payer in epr");
  (void)expectOkUnchanged(*payee, apdus::selectPurse(), "SELECT payee in epv");
  BOOST_TEST((payer->status().protocol == ProtocolStatus::kEpr));
  BOOST_TEST((payee->status().protocol == ProtocolStatus::kEpv));
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(get_data)

BOOST_AUTO_TEST_CASE(status_record_of_a_blank_purse) {
  TestPurse blank;
  const Bytes raw = expectOkUnchanged(blank, apdus::getData(kTagStatus), "GET DATA status, blank");
  // Format 1 (the decoder takes no other), everything zero but the log capacity (32) and the
  // exception-log capacity (8).
  const PurseStatus decoded = statusRecordOf(raw);
  PurseStatus expected;
  expected.logCapacity = 32;
  expected.exceptionCapacity = 8;
  BOOST_TEST((decoded == expected), "blank status record " << hx(raw));
}

BOOST_AUTO_TEST_CASE(status_record_through_each_personalisation_step) {
  TestIssuer issuer;
  Staged s = staged(issuer, Stage::kBlank);
  TestPurse& purse = *s.purse;

  (void)expectOk(purse, issuer.signer().putIssuerKey(), "PUT ISSUER KEY");
  PurseStatus st = purse.status();
  BOOST_TEST(st.personalisation == 0x01);
  BOOST_TEST((st.lifeCycle == LifeCycle::kBlank));
  BOOST_TEST(hx(st.issuerKeyId) == hx(keyIdOf(issuer.key().publicKey())), "issuer key ID = SHA-256(key)[0..8]");

  const Bytes cardKey = required(
      protocol::decodePublicKeyTemplate(expectOk(purse, apdus::generateKeyPair(), "GENERATE KEY PAIR")), "template");
  st = purse.status();
  BOOST_TEST(st.personalisation == 0x03);
  BOOST_TEST((st.lifeCycle == LifeCycle::kBlank));

  PurseProfile profile = s.profile;
  profile.maxBalance = 90000;
  profile.perTransferMax = 40000;
  profile.noPinLimit = 1500;
  profile.date = 20261124;
  profile.expiry = 20291130;
  (void)expectOk(purse, personaliseCommand(issuer, cardKey, personalisationOf(profile)), "PERSONALISE");
  st = purse.status();
  BOOST_TEST(st.personalisation == 0x07);
  BOOST_TEST((st.lifeCycle == LifeCycle::kBlank), "PERSONALISE does not end personalisation");
  BOOST_TEST(hx(st.purseId) == "0102030405060701");
  BOOST_TEST(st.currency == 978);
  BOOST_TEST(st.maxBalance == 90000u);
  BOOST_TEST(st.perTransferMax == 40000u);
  BOOST_TEST(st.noPinLimit == 1500u);
  BOOST_TEST(st.date == 20261124u);
  BOOST_TEST(st.pinTriesLeft == 3);
  BOOST_TEST(st.nextSeq == 1u, "the first transfer sequence number is 1");
  BOOST_TEST(st.balance == 0u);
  BOOST_TEST(st.loadCounter == 0u);
  BOOST_TEST(st.certificateExpiry == 0u);

  const auto cert = certificateFor(issuer, profile.id, cardKey, profile.currency, profile.expiry);
  (void)expectOk(purse, issuer::IssuerSigner::putCertificate(cert), "PUT CERTIFICATE");
  st = purse.status();
  BOOST_TEST(st.personalisation == 0x0F);
  BOOST_TEST((st.lifeCycle == LifeCycle::kPersonalised));
  BOOST_TEST(st.certificateExpiry == 20291130u);
}

BOOST_AUTO_TEST_CASE(status_record_fields_sit_at_their_documented_offsets_and_need_no_pin) {
  TestIssuer issuer;
  PurseProfile profile;
  profile.maxBalance = 90000;
  profile.perTransferMax = 40000;
  profile.noPinLimit = 1500;
  profile.date = 20261124;
  profile.expiry = 20291130;
  auto purse = makePurse(issuer, 3, 1234, profile);  // personalised and loaded once
  const Bytes raw = expectOkUnchanged(*purse, apdus::getData(kTagStatus), "GET DATA status");
  // The offsets themselves are pinned by the status record's golden vector
  // (wire_format_test); here each field must hold what this purse's history put there.
  const PurseStatus st = statusRecordOf(raw);  // format version 1, 71 bytes
  BOOST_TEST((st.lifeCycle == LifeCycle::kPersonalised), "life cycle personalised");
  BOOST_TEST(st.personalisation == 0x0F, "every personalisation step done");
  BOOST_TEST((st.protocol == ProtocolStatus::kIdle), "protocol idle");
  BOOST_TEST(st.pinTriesLeft == 3, "PIN tries");
  BOOST_TEST(!st.pinVerified, "PIN not verified: the record is readable without it");
  BOOST_TEST(hx(st.purseId) == "0102030405060703");
  BOOST_TEST(st.currency == 978);
  BOOST_TEST(st.balance == 1234u, "balance");
  BOOST_TEST(st.maxBalance == 90000u);
  BOOST_TEST(st.perTransferMax == 40000u);
  BOOST_TEST(st.noPinLimit == 1500u);
  BOOST_TEST(st.nextSeq == 1u, "nextSeq");
  BOOST_TEST(st.loadCounter == 1u, "load counter after one load");
  BOOST_TEST(st.adminCounter == 0u, "admin counter");
  BOOST_TEST(st.date == 20261124u, "card date: the load's earlier date does not move it back");
  BOOST_TEST(st.logAppended == 1u, "one log record");
  BOOST_TEST(st.logCapacity == 32);
  BOOST_TEST(st.exceptionsHeld == 0);
  BOOST_TEST(st.exceptionCapacity == 8);
  BOOST_TEST(st.revocationVersion == 0u, "no revocation list yet");
  BOOST_TEST(hx(st.issuerKeyId) == hx(keyIdOf(issuer.key().publicKey())));
  BOOST_TEST(st.certificateExpiry == 20291130u);

  verifyPinOk(*purse, "1234");
  const Bytes verified = expectOkUnchanged(*purse, apdus::getData(kTagStatus), "GET DATA status, PIN verified");
  BOOST_TEST(statusRecordOf(verified).pinVerified, "PIN verified flag");
}

BOOST_AUTO_TEST_CASE(public_key_is_there_from_generate_key_pair_on) {
  TestIssuer issuer;
  Staged s = staged(issuer, Stage::kBlank);
  expectRefused(*s.purse, apdus::getData(kTagPublicKey), sw::kReferencedDataNotFound, "GET DATA key, blank");
  (void)expectOk(*s.purse, issuer.signer().putIssuerKey(), "PUT ISSUER KEY");
  expectRefused(*s.purse, apdus::getData(kTagPublicKey), sw::kReferencedDataNotFound, "GET DATA key, issuer key only");
  const Bytes generated = expectOk(*s.purse, apdus::generateKeyPair(), "GENERATE KEY PAIR");
  const Bytes read = expectOkUnchanged(*s.purse, apdus::getData(kTagPublicKey), "GET DATA key");
  BOOST_TEST(hx(read) == hx(generated), "GET DATA answers the template GENERATE KEY PAIR did");

  auto purse = makePurse(issuer, 4, 0);
  const Bytes key = expectOkUnchanged(*purse, apdus::getData(kTagPublicKey), "GET DATA key, personalised");
  BOOST_TEST(hx(key) == "7F4943" "8641" + hx(certificateOf(*purse).publicKey),
             "the key template holds the certified key");
}

BOOST_AUTO_TEST_CASE(certificate_is_there_from_put_certificate_on) {
  TestIssuer issuer;
  Staged s = staged(issuer, Stage::kData, 5);
  expectRefused(*s.purse, apdus::getData(kTagCertificate), sw::kReferencedDataNotFound,
                "GET DATA certificate before PUT");
  const auto cert = certificateFor(issuer, s.profile.id, s.cardKey, kEuro, 20301231);
  (void)expectOk(*s.purse, issuer::IssuerSigner::putCertificate(cert), "PUT CERTIFICATE");
  const Bytes read = expectOkUnchanged(*s.purse, apdus::getData(kTagCertificate), "GET DATA certificate");
  BOOST_TEST(hx(read) == hx(cert.encode()), "exactly the certificate the issuer made");
  const auto decoded = required(CardCertificate::decode(read), "certificate");
  BOOST_TEST(decoded.verify(issuer.key().verificationKey()), "the certificate verifies under the issuer key");
  BOOST_TEST(hx(decoded.purseId) == "0102030405060705");
  BOOST_TEST(hx(decoded.publicKey) == hx(s.cardKey));
  BOOST_TEST(decoded.currency == 978);
  BOOST_TEST(decoded.expiry == 20301231u);
  BOOST_TEST(hx(decoded.issuerKeyId) == hx(keyIdOf(issuer.key().publicKey())));
}

BOOST_AUTO_TEST_CASE(only_three_tags_answer_and_every_other_is_6A88) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 6, 100);
  const Bytes before = purse->image();
  std::vector<std::uint16_t> answered;
  int wrong = 0;
  for (std::uint32_t tag = 0; tag <= 0xFFFF; ++tag) {
    const auto r = exchange(*purse, apdus::getData(static_cast<std::uint16_t>(tag)), "GET DATA");
    if (r.sw() == sw::kSuccess) {
      answered.push_back(static_cast<std::uint16_t>(tag));
    } else if (r.sw() != sw::kReferencedDataNotFound || !r.data().empty()) {
      if (++wrong <= 5) BOOST_TEST(false, "GET DATA " << hx(Bytes{std::uint8_t(tag >> 8), std::uint8_t(tag)})
                                                      << " answered " << swHex(r.sw()));
    }
  }
  BOOST_TEST(wrong == 0, wrong << " tags answered something other than 9000 or 6A88");
  BOOST_TEST((answered == std::vector<std::uint16_t>{kTagStatus, kTagCertificate, kTagPublicKey}),
             "the tags that answered: " << answered.size());
  BOOST_TEST(imageDifference(before, purse->image()).empty(), "GET DATA changed the image");
}

BOOST_AUTO_TEST_CASE(get_data_with_command_data_is_6700) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  for (std::uint16_t tag : {kTagStatus, kTagPublicKey, kTagCertificate, std::uint16_t{0x1234}}) {
    expectRefused(*purse, withData(apdus::getData(tag), Bytes{0x00}), sw::kWrongLength, "GET DATA with one byte");
  }
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
// Counters and record numbers never wrap: 9404 before a command that would need a number
// past FFFFFFFF; memory no command could have written is 6581. The purse is put there by
// writing its memory directly (patchPurse).
BOOST_AUTO_TEST_SUITE(counters_and_corrupt_memory)

namespace layout = card::purse_layout;

// Memory that no command could have written: the purse refuses with 6581 rather than act on it.
BOOST_AUTO_TEST_CASE(a_protocol_status_out_of_range_or_an_unreadable_issuer_key_is_6581) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);
  patchPurse(*purse, layout::kProtocolStatus, Bytes{0x04});
  expectRefused(*purse, apdus::getData(0x0101), sw::kMemoryFailure, "GET DATA status, protocol status 04");
  expectRefused(*purse, loadCommand(issuer, testPurseId(1), valueOrder(1, 10)), sw::kMemoryFailure, "LOAD");
  expectRefused(*purse, apdus::abortTransfer(), sw::kMemoryFailure, "ABORT");

  auto other = makePurse(issuer, 2, 1000);
  Bytes offCurve = issuer.key().publicKey();
  offCurve[64] ^= 0x01;
  patchPurse(*other, layout::kIssuerPublicKey, offCurve);
  expectRefused(*other, loadCommand(issuer, testPurseId(2), valueOrder(1, 10)), sw::kMemoryFailure,
                "LOAD with the stored issuer key unreadable");
  expectRefused(*other, revocationCommand(issuer, 1, {}), sw::kMemoryFailure, "PUT REVOCATION LIST, same");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
