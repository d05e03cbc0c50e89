// Every command of the purse applet a cardholder's terminal and the personalisation bureau
// send, one at a time: its success with the effect checked field by field (balances and
// counters by arithmetic, records and receipts byte by byte, signatures verified with the card
// key the certificate vouches for), and every refusal the applet has, each with its exact
// status word and the card image byte for byte unchanged. The issuer's commands after
// personalisation (audit, logs, exception log, revocation list, life cycle) and the transfer
// commands are in purse_admin_test.cpp.
#define BOOST_TEST_MODULE purse_commands
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "card/purse/purse_layout.h"
#include "protocol/card_certificate.h"
#include "protocol/log_record.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_status.h"
#include "protocol/signed_payloads.h"
#include "host/card_statements.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"

namespace epurse::testing {
namespace {

using namespace checks;
using protocol::Amount;
using protocol::CardCertificate;
using protocol::LifeCycle;
using protocol::Personalisation;
using protocol::ProtocolStatus;
using protocol::PurseStatus;
namespace apdus = protocol::apdus;
namespace purse_sw = protocol::purse_sw;


constexpr std::uint16_t kTagStatus = 0x0101;
constexpr std::uint16_t kTagPublicKey = 0x7F49;
constexpr std::uint16_t kTagCertificate = 0x7F21;

// The AID as the protocol defines it: F0 "epurse" 01.
const Bytes kAidBytes = h("F0 65 70 75 72 73 65 01");

// Invalid PIN blocks: the card must refuse each before spending a try.
std::vector<std::pair<std::string, Bytes>> invalidPinBlocks() {
  return {
      {"3 digits", h("313233FFFFFFFFFF")},
      {"a letter", h("31324134FFFFFFFF")},
      {"a digit after the padding", h("31323334FF35FFFF")},
      {"no digits", h("FFFFFFFFFFFFFFFF")},
      {"zero padding", h("3132333400000000")},
  };
}

// The status record as it was, with one field as the command should have left it.
PurseStatus withTries(PurseStatus s, std::uint8_t tries, bool verified = false) {
  s.pinTriesLeft = tries;
  s.pinVerified = verified;
  return s;
}

// A transaction-log record of a LOAD or UNLOAD as the layout in log_record.h defines it,
// built here byte by byte: number, type, pd (from, from seq, to, to seq, value, currency,
// zero reference), balance after, chain hash over the previous hash and bytes 0..70.
Bytes expectedValueRecord(std::uint32_t number, protocol::LogType type, const Bytes& fromId,
                          std::uint32_t fromSeq, const Bytes& toId, Amount value, protocol::Currency currency,
                          Amount balanceAfter, const Bytes& previousHash) {
  Bytes hashed;
  appendU32(hashed, number);
  hashed.push_back(static_cast<std::uint8_t>(type));
  appendBytes(hashed, fromId);
  appendU32(hashed, fromSeq);
  appendBytes(hashed, toId);
  appendU32(hashed, 0);
  appendU32(hashed, value);
  appendU16(hashed, currency);
  appendBytes(hashed, Bytes(32, 0));
  appendU32(hashed, balanceAfter);
  const protocol::Digest chain = protocol::sha256(previousHash, hashed);
  Bytes record = hashed;
  appendBytes(record, chain);
  return record;
}

// The receipt bytes as issuer_authorisations.h lays them out.
Bytes expectedReceipt(const protocol::PurseId& id, std::uint32_t counter, Amount amount, protocol::Currency currency,
                      Amount balanceAfter, std::uint32_t logNumber) {
  Bytes out(id.begin(), id.end());
  appendU32(out, counter);
  appendU32(out, amount);
  appendU16(out, currency);
  appendU32(out, balanceAfter);
  appendU32(out, logNumber);
  return out;
}

Bytes newestRecord(TestPurse& purse) {
  return expectOkUnchanged(purse, apdus::readRecord(protocol::kSfiTransactionLog, 1), "READ RECORD 1");
}

// A transfer from `payer` to `payee` begun: the payer in epr and, with `alsoStartTo`, the
// payee in epv.
void startTransfer(TestPurse& payer, TestPurse& payee, Amount value, bool alsoStartTo) {
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
  // Everything zero but the format version (1), the log capacity (32 at 52) and the
  // exception-log capacity (8 at 54).
  Bytes expected(71, 0);
  expected[0] = 1;
  expected[52] = 32;
  expected[54] = 8;
  BOOST_TEST(hx(raw) == hx(expected));
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
  BOOST_TEST_REQUIRE(raw.size() == 71u);
  const std::uint8_t* p = raw.data();
  BOOST_TEST(p[0] == 1, "format version");
  BOOST_TEST(p[1] == 1, "life cycle personalised");
  BOOST_TEST(p[2] == 0x0F, "every personalisation step done");
  BOOST_TEST(p[3] == 0, "protocol idle");
  BOOST_TEST(p[4] == 3, "PIN tries");
  BOOST_TEST(p[5] == 0, "PIN not verified: the record is readable without it");
  BOOST_TEST(hx(ByteView(p + 6, 8)) == "0102030405060703");
  BOOST_TEST(loadU16(p + 14) == 978);
  BOOST_TEST(loadU32(p + 16) == 1234u, "balance");
  BOOST_TEST(loadU32(p + 20) == 90000u);
  BOOST_TEST(loadU32(p + 24) == 40000u);
  BOOST_TEST(loadU32(p + 28) == 1500u);
  BOOST_TEST(loadU32(p + 32) == 1u, "nextSeq");
  BOOST_TEST(loadU32(p + 36) == 1u, "load counter after one load");
  BOOST_TEST(loadU32(p + 40) == 0u, "admin counter");
  BOOST_TEST(loadU32(p + 44) == 20261124u, "card date: the load's earlier date does not move it back");
  BOOST_TEST(loadU32(p + 48) == 1u, "one log record");
  BOOST_TEST(p[52] == 32);
  BOOST_TEST(p[53] == 0);
  BOOST_TEST(p[54] == 8);
  BOOST_TEST(loadU32(p + 55) == 0u, "no revocation list yet");
  BOOST_TEST(hx(ByteView(p + 59, 8)) == hx(keyIdOf(issuer.key().publicKey())));
  BOOST_TEST(loadU32(p + 67) == 20291130u);

  verifyPinOk(*purse, "1234");
  const Bytes verified = expectOkUnchanged(*purse, apdus::getData(kTagStatus), "GET DATA status, PIN verified");
  BOOST_TEST(verified[5] == 1, "PIN verified flag");
}

BOOST_AUTO_TEST_CASE(public_key_is_there_from_generate_key_pair_on) {
  TestIssuer issuer;
  Staged s = staged(issuer, Stage::kBlank);
  expectRefused(*s.purse, apdus::getData(kTagPublicKey), kNoSuchData, "GET DATA key, blank");
  (void)expectOk(*s.purse, issuer.signer().putIssuerKey(), "PUT ISSUER KEY");
  expectRefused(*s.purse, apdus::getData(kTagPublicKey), kNoSuchData, "GET DATA key, issuer key only");
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
  expectRefused(*s.purse, apdus::getData(kTagCertificate), kNoSuchData, "GET DATA certificate before PUT");
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
    } else if (r.sw() != kNoSuchData || !r.data().empty()) {
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
    expectRefused(*purse, withData(apdus::getData(tag), Bytes{0x00}), kWrongLength, "GET DATA with one byte");
  }
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(generate_key_pair)

BOOST_AUTO_TEST_CASE(answers_a_fresh_p256_key_once) {
  TestIssuer issuer;
  Staged a = staged(issuer, Stage::kIssuerKey, 1);
  Staged b = staged(issuer, Stage::kIssuerKey, 2);
  const Bytes answerA = expectOk(*a.purse, apdus::generateKeyPair(), "GENERATE KEY PAIR a");
  const Bytes answerB = expectOk(*b.purse, apdus::generateKeyPair(), "GENERATE KEY PAIR b");
  // 7F49 43 { 86 41 04 X Y }
  BOOST_TEST_REQUIRE(answerA.size() == 2u + 1 + 2 + 65);
  BOOST_TEST(hx(ByteView(answerA.data(), 6)) == "7F4943864104");
  const Bytes pointA(answerA.begin() + 5, answerA.end());
  BOOST_TEST(protocol::EcPublicKey::fromUncompressed(pointA).isOk(), "the point is on P-256");
  BOOST_TEST(hx(answerA) != hx(answerB), "two cards, two keys");
  BOOST_TEST(a.purse->status().personalisation == 0x03);

  expectRefused(*a.purse, apdus::generateKeyPair(), kWrongState, "GENERATE KEY PAIR again");
  BOOST_TEST(hx(expectOk(*a.purse, apdus::getData(kTagPublicKey), "key")) == hx(answerA), "the first key stays");
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestPurse blank;
  expectRefused(blank, apdus::generateKeyPair(), kWrongState, "before PUT ISSUER KEY");
  Staged s = staged(issuer, Stage::kIssuerKey);
  expectRefused(*s.purse, withP1P2(apdus::generateKeyPair(), 0x80, 0x00), kWrongP1P2, "P1 80");
  expectRefused(*s.purse, withP1P2(apdus::generateKeyPair(), 0x00, 0x01), kWrongP1P2, "P2 01");
  expectRefused(*s.purse, withData(apdus::generateKeyPair(), Bytes{0xB6, 0x00}), kWrongLength, "with data");
  Staged data = staged(issuer, Stage::kData, 2);
  expectRefused(*data.purse, apdus::generateKeyPair(), kWrongState, "after PERSONALISE");
  auto personalised = makePurse(issuer, 3, 0);
  expectRefused(*personalised, apdus::generateKeyPair(), kWrongState, "personalised purse");
}

// The card key's scalar is found in the card image (where the applet keeps it, just before
// its public point) and proven by signing with it; then no answer of any command, in any
// state, holds any 8 bytes of it.
BOOST_AUTO_TEST_CASE(the_private_key_never_leaves_the_card) {
  static_assert(card::purse_layout::kCardPublicKey == card::purse_layout::kCardPrivateKey + 32,
                "the scalar is stored just before the public point");
  TestIssuer issuer;
  TestPurse purse;
  auto other = makePurse(issuer, 2, 5000);
  std::vector<std::pair<std::string, Bytes>> answers;
  auto keep = [&answers](const std::string& what, const Bytes& data) { answers.emplace_back(what, data); };
  auto ask = [&](const std::string& what, const CommandApdu& c) { keep(what, expectOk(purse, c, what)); };

  ask("SELECT blank", apdus::selectPurse());
  ask("status blank", apdus::getData(kTagStatus));
  ask("PUT ISSUER KEY", issuer.signer().putIssuerKey());
  ask("GENERATE KEY PAIR", apdus::generateKeyPair());
  const Bytes keyTemplate = answers.back().second;
  const Bytes cardKey = required(protocol::decodePublicKeyTemplate(keyTemplate), "template");
  PurseProfile profile = profileFor(1);
  ask("PERSONALISE", personaliseCommand(issuer, cardKey, personalisationOf(profile)));
  const auto cert = certificateFor(issuer, profile.id, cardKey, kEuro, profile.expiry);
  ask("PUT CERTIFICATE", issuer::IssuerSigner::putCertificate(cert));
  ask("SELECT", apdus::selectPurse());
  ask("LOAD", loadCommand(issuer, profile.id, valueOrder(0, 3000)));
  ask("VERIFY", apdus::verifyPin(pinBlock("1234")));
  ask("UNLOAD", unloadCommand(issuer, profile.id, valueOrder(1, 500)));
  // A transfer each way: pd, REQ, VAL and ACK as this purse answers them.
  for (bool payer : {true, false}) {
    TestPurse& from = payer ? purse : *other;
    TestPurse& to = payer ? *other : purse;
    terminal::TransferSession session(from.client(), to.client(), 100, protocol::PurchaseReference{});
    BOOST_TEST_REQUIRE(session.readParties().isOk());
    auto pd = session.startFrom();
    BOOST_TEST_REQUIRE(pd.isOk(), why(pd));
    auto req = session.startTo();
    BOOST_TEST_REQUIRE(req.isOk(), why(req));
    auto val = session.req(*req);
    BOOST_TEST_REQUIRE(val.isOk(), why(val));
    auto ack = session.val(*val);
    BOOST_TEST_REQUIRE(ack.isOk(), why(ack));
    BOOST_TEST_REQUIRE(session.ack(*ack).isOk());
    if (payer) {
      keep("START FROM", pd->encode());
      keep("VAL", val->encode());
    } else {
      keep("START TO", req->encode());
      keep("ACK", ack->encode());
    }
  }
  for (std::uint16_t tag : {kTagStatus, kTagPublicKey, kTagCertificate}) {
    ask("GET DATA " + std::to_string(tag), apdus::getData(tag));
  }
  for (std::uint8_t sfi : {protocol::kSfiTransactionLog, protocol::kSfiExceptionLog}) {
    const Bytes challenge(16, 0xA5);
    ask("AUDIT READ " + std::to_string(sfi), apdus::auditRead(sfi, challenge));
  }
  for (std::uint8_t n = 1; n <= 5; ++n) ask("READ RECORD " + std::to_string(n), apdus::readRecord(1, n));

  // The scalar, from the image.
  const Bytes image = purse.image();
  const Bytes probe = ascii("probe message");
  std::optional<Bytes> scalar;
  for (auto it = image.begin(); (it = std::search(it, image.end(), cardKey.begin(), cardKey.end())) != image.end();
       ++it) {
    if (it - image.begin() < 32) continue;
    const Bytes candidate(it - 32, it);
    auto key = protocol::EcPrivateKey::fromScalar(candidate, cardKey);
    if (!key) continue;
    auto signature = key->sign(probe);
    if (signature && signedBy(cardKey, probe, *signature)) {
      scalar = candidate;
      break;
    }
  }
  BOOST_TEST_REQUIRE(scalar.has_value(), "the card key's scalar was not found in the image");

  BOOST_TEST(answers.size() >= 20u);
  for (const auto& [what, data] : answers) {
    for (std::size_t at = 0; at + 8 <= scalar->size(); ++at) {
      const auto window = scalar->begin() + static_cast<std::ptrdiff_t>(at);
      BOOST_TEST((std::search(data.begin(), data.end(), window, window + 8) == data.end()),
                 what << " answered 8 bytes of the private key (from offset " << at << ")");
    }
  }
  // The key material answered at all is the public key, in exactly one form.
  BOOST_TEST(hx(expectOk(purse, apdus::getData(kTagPublicKey), "key")) == hx(keyTemplate));
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(put_issuer_key)

BOOST_AUTO_TEST_CASE(a_blank_purse_takes_the_first_issuer_key) {
  TestIssuer issuer;
  TestPurse purse;
  const Bytes data = expectOk(purse, issuer.signer().putIssuerKey(), "PUT ISSUER KEY");
  BOOST_TEST(data.empty());
  const PurseStatus st = purse.status();
  BOOST_TEST(st.personalisation == 0x01);
  BOOST_TEST(hx(st.issuerKeyId) == hx(keyIdOf(issuer.key().publicKey())));
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestIssuer another;
  TestPurse purse;
  const CommandApdu good = issuer.signer().putIssuerKey();
  expectRefused(purse, withP1P2(good, 0x01, 0x00), kWrongP1P2, "P1 01");
  expectRefused(purse, withP1P2(good, 0x00, 0x01), kWrongP1P2, "P2 01");
  expectRefused(purse, withDataResized(good, 64), kWrongLength, "64 bytes");
  expectRefused(purse, withDataResized(good, 66), kWrongLength, "66 bytes");
  expectRefused(purse, CommandApdu(0x80, protocol::kInsPutIssuerKey, 0, 0), kWrongLength, "no data");
  expectRefused(purse, withDataBitFlipped(good, 64), kWrongData, "a point off the curve (Y altered)");
  expectRefused(purse, withDataBitFlipped(good, 10), kWrongData, "a point off the curve (X altered)");
  Bytes compressedPrefix = good.data();
  compressedPrefix[0] = 0x02;
  expectRefused(purse, withData(good, compressedPrefix), kWrongData, "prefix 02 with 64 bytes");
  expectRefused(purse, withData(good, Bytes(65, 0)), kWrongData, "all zero");
  Bytes infinity(65, 0);
  infinity[0] = 0x04;
  expectRefused(purse, withData(good, infinity), kWrongData, "04 and zero coordinates");
  BOOST_TEST(purse.status().personalisation == 0, "still blank");

  (void)expectOk(purse, good, "PUT ISSUER KEY");
  expectRefused(purse, good, kWrongState, "the same key again");
  expectRefused(purse, another.signer().putIssuerKey(), kWrongState, "another key");
  expectRefused(purse, withDataResized(good, 64), kWrongState, "the state is checked before the length");
  auto personalised = makePurse(issuer, 2, 0);
  expectRefused(*personalised, another.signer().putIssuerKey(), kWrongState, "personalised purse");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(personalise)

BOOST_AUTO_TEST_CASE(boundary_limits_are_accepted) {
  TestIssuer issuer;
  Staged s = staged(issuer, Stage::kKeyPair);
  Personalisation data = personalisationOf(s.profile);
  data.maxBalance = 7000;
  data.perTransferMax = 7000;  // = max balance
  data.noPinLimit = 7000;      // = per-transfer max
  data.pin = pinBlock("12345678");
  (void)expectOk(*s.purse, personaliseCommand(issuer, s.cardKey, data), "PERSONALISE at the limits");
  const PurseStatus st = s.purse->status();
  BOOST_TEST(st.maxBalance == 7000u);
  BOOST_TEST(st.perTransferMax == 7000u);
  BOOST_TEST(st.noPinLimit == 7000u);
  BOOST_TEST(st.personalisation == 0x07);

  Staged zero = staged(issuer, Stage::kKeyPair, 2);
  Personalisation noFree = personalisationOf(zero.profile);
  noFree.noPinLimit = 0;  // every payment needs the PIN
  (void)expectOk(*zero.purse, personaliseCommand(issuer, zero.cardKey, noFree), "PERSONALISE no-PIN limit 0");
  BOOST_TEST(zero.purse->status().noPinLimit == 0u);
}

BOOST_AUTO_TEST_CASE(refusals_of_state_parameters_and_length) {
  TestIssuer issuer;
  Staged s = staged(issuer, Stage::kKeyPair);
  const CommandApdu good = personaliseCommand(issuer, s.cardKey, personalisationOf(s.profile));
  expectRefused(*s.purse, withP1P2(good, 0x01, 0x00), kWrongP1P2, "P1 01");
  expectRefused(*s.purse, withP1P2(good, 0x00, 0x01), kWrongP1P2, "P2 01");
  expectRefused(*s.purse, withDataResized(good, 97), kWrongLength, "97 bytes");
  expectRefused(*s.purse, withDataResized(good, 99), kWrongLength, "99 bytes");
  expectRefused(*s.purse, CommandApdu(0x80, protocol::kInsPersonalise, 0, 0), kWrongLength, "no data");

  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse");
  Staged keyOnly = staged(issuer, Stage::kIssuerKey, 2);
  expectRefused(*keyOnly.purse, good, kWrongState, "before GENERATE KEY PAIR");

  (void)expectOk(*s.purse, good, "PERSONALISE");
  expectRefused(*s.purse, good, kWrongState, "PERSONALISE again");
  auto personalised = makePurse(issuer, 3, 0);
  expectRefused(*personalised, good, kWrongState, "personalised purse");
}

BOOST_AUTO_TEST_CASE(refusals_of_the_signature) {
  TestIssuer issuer;
  TestIssuer another;
  Staged a = staged(issuer, Stage::kKeyPair, 1);
  Staged b = staged(issuer, Stage::kKeyPair, 2);
  const Personalisation data = personalisationOf(a.profile);
  const CommandApdu forA = personaliseCommand(issuer, a.cardKey, data);

  expectRefused(*a.purse, personaliseCommand(another, a.cardKey, data), kSecurity, "signed by another key");
  // The signature covers the card key: card A's order replayed onto card B.
  expectRefused(*b.purse, forA, kSecurity, "A's order on card B", {a.purse.get()});
  expectRefused(*a.purse, withDataBitFlipped(forA, 12), kSecurity, "max balance altered");
  expectRefused(*a.purse, withDataBitFlipped(forA, 0), kSecurity, "purse ID altered");
  expectRefused(*a.purse, withDataBitFlipped(forA, 22), kSecurity, "PIN altered");
  expectRefused(*a.purse, withDataBitFlipped(forA, 34 + 63), kSecurity, "signature altered");
  // The genuine order still works on its own card.
  (void)expectOk(*a.purse, forA, "PERSONALISE A");
}

BOOST_AUTO_TEST_CASE(refusals_of_the_data_signed_by_the_issuer) {
  TestIssuer issuer;
  Staged s = staged(issuer, Stage::kKeyPair);
  const Personalisation good = personalisationOf(s.profile);
  std::vector<std::pair<std::string, std::function<void(Personalisation&)>>> cases = {
      {"purse ID zero", [](Personalisation& d) { d.purseId = {}; }},
      {"currency 0", [](Personalisation& d) { d.currency = 0; }},
      {"max balance 0", [](Personalisation& d) { d.maxBalance = 0; d.perTransferMax = 0; d.noPinLimit = 0; }},
      {"per-transfer max above max balance", [](Personalisation& d) { d.perTransferMax = d.maxBalance + 1; }},
      {"no-PIN limit above per-transfer max", [](Personalisation& d) { d.noPinLimit = d.perTransferMax + 1; }},
      {"date 0", [](Personalisation& d) { d.date = 0; }},
  };
  for (const auto& [name, pin] : invalidPinBlocks()) {
    const Bytes bytes = pin;
    cases.emplace_back("PIN block with " + name, [bytes](Personalisation& d) { d.pin = rawPin(bytes); });
  }
  for (const auto& [what, change] : cases) {
    Personalisation data = good;
    change(data);
    expectRefused(*s.purse, personaliseCommand(issuer, s.cardKey, data), kWrongData, what);
  }
  BOOST_TEST(s.purse->status().personalisation == 0x03, "nothing was personalised");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(put_certificate)

BOOST_AUTO_TEST_CASE(the_certificate_ends_personalisation) {
  TestIssuer issuer;
  Staged s = staged(issuer, Stage::kData);
  // Expiring on the card's own date is still valid.
  const auto cert = certificateFor(issuer, s.profile.id, s.cardKey, kEuro, s.profile.date);
  const Bytes data = expectOk(*s.purse, issuer::IssuerSigner::putCertificate(cert), "PUT CERTIFICATE");
  BOOST_TEST(data.empty());
  const PurseStatus st = s.purse->status();
  BOOST_TEST((st.lifeCycle == LifeCycle::kPersonalised));
  BOOST_TEST(st.personalisation == 0x0F);
  BOOST_TEST(st.certificateExpiry == s.profile.date);
  BOOST_TEST(hx(expectOk(*s.purse, apdus::getData(kTagCertificate), "GET DATA")) == hx(cert.encode()));
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestIssuer another;
  Staged s = staged(issuer, Stage::kData);
  const PurseProfile& p = s.profile;
  const auto cert = certificateFor(issuer, p.id, s.cardKey, kEuro, p.expiry);
  const CommandApdu good = issuer::IssuerSigner::putCertificate(cert);

  expectRefused(*s.purse, withP1P2(good, 0x01, 0x00), kWrongP1P2, "P1 01");
  expectRefused(*s.purse, withP1P2(good, 0x00, 0x01), kWrongP1P2, "P2 01");
  expectRefused(*s.purse, withDataResized(good, 176), kWrongLength, "176 bytes");
  expectRefused(*s.purse, withDataResized(good, 178), kWrongLength, "178 bytes");
  expectRefused(*s.purse, withData(good, Bytes(177, 0)), kWrongData, "177 bytes that are no certificate");

  const Bytes otherKey = required(protocol::EcPrivateKey::generate(), "key").publicKey();
  expectRefused(*s.purse, issuer::IssuerSigner::putCertificate(certificateFor(issuer, p.id, otherKey, kEuro, p.expiry)),
                kWrongData, "a certificate for another key");
  expectRefused(*s.purse,
                issuer::IssuerSigner::putCertificate(certificateFor(issuer, testPurseId(9), s.cardKey, kEuro, p.expiry)),
                kWrongData, "a certificate for another purse");
  expectRefused(*s.purse, issuer::IssuerSigner::putCertificate(certificateFor(issuer, p.id, s.cardKey, 840, p.expiry)),
                kWrongData, "a certificate in another currency");
  expectRefused(*s.purse, issuer::IssuerSigner::putCertificate(certificateFor(issuer, p.id, s.cardKey, kEuro, p.date - 1)),
                kWrongData, "a certificate that expired the day before the card's date");

  expectRefused(*s.purse,
                issuer::IssuerSigner::putCertificate(certificateFor(another, p.id, s.cardKey, kEuro, p.expiry)),
                kSecurity, "a certificate signed by another issuer");
  expectRefused(*s.purse, withDataBitFlipped(good, 176), kSecurity, "signature altered");
  CardCertificate later = cert;
  later.expiry = p.expiry + 1;  // the body altered, the old signature kept
  expectRefused(*s.purse, issuer::IssuerSigner::putCertificate(later), kSecurity, "expiry altered");
  // Signed by the issuer, but naming another issuer key ID.
  CardCertificate misnamed = cert;
  misnamed.issuerKeyId = keyIdOf(another.key().publicKey());
  misnamed.signature = required(issuer.key().sign(misnamed.body()), "sign body");
  expectRefused(*s.purse, issuer::IssuerSigner::putCertificate(misnamed), kSecurity,
                "signed by the issuer, naming another issuer key");

  Staged keyPair = staged(issuer, Stage::kKeyPair, 2);
  const auto certB = certificateFor(issuer, keyPair.profile.id, keyPair.cardKey, kEuro, p.expiry);
  expectRefused(*keyPair.purse, issuer::IssuerSigner::putCertificate(certB), kWrongState, "before PERSONALISE");
  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse");

  (void)expectOk(*s.purse, good, "PUT CERTIFICATE");
  expectRefused(*s.purse, good, kWrongState, "PUT CERTIFICATE again");
  expectRefused(*s.purse, issuer.signer().putIssuerKey(), kWrongState, "PUT ISSUER KEY after personalisation");
  expectRefused(*s.purse, personaliseCommand(issuer, s.cardKey, personalisationOf(p)), kWrongState,
                "PERSONALISE after personalisation");
}

BOOST_AUTO_TEST_SUITE_END()

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
    expectRefused(*purse, apdus::pinTriesLeft(), left == 0 ? kPinBlocked : sw::verifyFailed(left),
                  "VERIFY without data after a wrong PIN");
  }
  expectRefused(*purse, apdus::verifyPin(pinBlock("9999")), kPinBlocked, "a wrong PIN once blocked");
  expectRefused(*purse, apdus::verifyPin(pinBlock("1234")), kPinBlocked, "the right PIN once blocked");
  expectRefused(*purse, apdus::changePin(pinBlock("1234"), pinBlock("4321")), kPinBlocked, "CHANGE once blocked");
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
  expectRefused(*purse, withP1P2(good, 0x01, 0x80), kWrongP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x81), kWrongP1P2, "P2 81 (another PIN)");
  expectRefused(*purse, withP1P2(good, 0x00, 0x00), kWrongP1P2, "P2 00");
  expectRefused(*purse, withP1P2(apdus::pinTriesLeft(), 0x00, 0x01), kWrongP1P2, "no data, P2 01");
  expectRefused(*purse, withDataResized(good, 7), kWrongLength, "7 bytes");
  expectRefused(*purse, withDataResized(good, 9, 0xFF), kWrongLength, "9 bytes");
  expectRefused(*purse, withDataResized(good, 16, 0xFF), kWrongLength, "16 bytes");
  for (const auto& [name, block] : invalidPinBlocks()) {
    expectRefused(*purse, withData(good, block), kWrongData, "PIN block with " + name);
  }
  BOOST_TEST(purse->status().pinTriesLeft == 3);

  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse");
  expectRefused(blank, apdus::pinTriesLeft(), kWrongState, "blank purse, no data");
  Staged notYet = staged(issuer, Stage::kData, 2);  // PIN set, life cycle still blank
  expectRefused(*notYet.purse, good, kWrongState, "personalised data but no certificate");
  expectRefused(*notYet.purse, withP1P2(good, 0x00, 0x81), kWrongP1P2, "P1-P2 is checked before the life cycle");
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
  expectRefused(*purse, apdus::changePin(pinBlock("1234"), pinBlock("6666")), kPinBlocked, "right old PIN, blocked");
}

BOOST_AUTO_TEST_CASE(refusals_that_spend_no_try) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  const CommandApdu good = apdus::changePin(pinBlock("1234"), pinBlock("4321"));
  expectRefused(*purse, withP1P2(good, 0x01, 0x80), kWrongP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x81), kWrongP1P2, "P2 81");
  expectRefused(*purse, withDataResized(good, 8), kWrongLength, "8 bytes");
  expectRefused(*purse, withDataResized(good, 15), kWrongLength, "15 bytes");
  expectRefused(*purse, withDataResized(good, 17, 0xFF), kWrongLength, "17 bytes");
  expectRefused(*purse, CommandApdu(0x00, protocol::kInsChangeReferenceData, 0x00, 0x80), kWrongLength, "no data");
  for (const auto& [name, block] : invalidPinBlocks()) {
    expectRefused(*purse, apdus::changePin(pinBlock("1234"), rawPin(block)), kWrongData, "new PIN block with " + name);
    expectRefused(*purse, apdus::changePin(rawPin(block), pinBlock("4321")), kWrongData, "old PIN block with " + name);
  }
  BOOST_TEST(purse->status().pinTriesLeft == 3);
  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse");
  Staged notYet = staged(issuer, Stage::kData, 2);
  expectRefused(*notYet.purse, good, kWrongState, "not yet personalised");
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

  expectRefused(*purse, order, kWrongState, "the same order replayed");
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
  expectRefused(*purse, withP1P2(good, 0x01, 0x80), kWrongP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x81), kWrongP1P2, "P2 81");
  expectRefused(*purse, withP1P2(good, 0x00, 0x00), kWrongP1P2, "P2 00");
  expectRefused(*purse, withDataResized(good, 75), kWrongLength, "75 bytes");
  expectRefused(*purse, withDataResized(good, 77), kWrongLength, "77 bytes");
  expectRefused(*purse, CommandApdu(0x00, protocol::kInsResetRetryCounter, 0x00, 0x80), kWrongLength, "no data");
  expectRefused(*purse, unblockCommand(another, id, 0, pinBlock("5678")), kSecurity, "signed by another issuer");
  expectRefused(*purse, unblockCommand(issuer, testPurseId(2), 0, pinBlock("5678")), kSecurity,
                "an order for another purse");
  expectRefused(*purse, withDataBitFlipped(good, 4), kSecurity, "the new PIN altered");
  expectRefused(*purse, withDataBitFlipped(good, 3), kSecurity, "the counter altered");
  expectRefused(*purse, withDataBitFlipped(good, 12 + 63), kSecurity, "the signature altered");
  expectRefused(*purse, unblockCommand(issuer, id, 1, pinBlock("5678")), kWrongState, "an order for a later counter");
  for (const auto& [name, block] : invalidPinBlocks()) {
    expectRefused(*purse, unblockCommand(issuer, id, 0, rawPin(block)), kWrongData, "new PIN block with " + name);
  }
  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse");
  Staged notYet = staged(issuer, Stage::kData, 1);
  expectRefused(*notYet.purse, good, kWrongState, "not yet personalised");
  // The genuine order is still good.
  (void)expectOk(*purse, good, "RESET RETRY COUNTER");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(load)

BOOST_AUTO_TEST_CASE(a_load_credits_logs_and_answers_a_signed_receipt) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  const auto id = testPurseId(1);
  const CardCertificate cert = certificateOf(*purse);
  const Bytes issuerSide = idBytes(keyIdOf(issuer.key().publicKey()));  // the issuer's key ID as pd's purse

  Amount balance = 0;
  Bytes previousHash(32, 0);
  std::uint32_t logNumber = 0;
  for (std::uint32_t counter = 0; counter < 3; ++counter) {
    const Amount amount = 1000 + 111 * counter;
    const PurseStatus before = purse->status();
    const Bytes answer = expectOk(*purse, loadCommand(issuer, id, valueOrder(counter, amount)), "LOAD");
    balance += amount;
    ++logNumber;
    BOOST_TEST_REQUIRE(answer.size() == 26u + 64);
    const Bytes receipt(answer.begin(), answer.begin() + 26);
    const Bytes signature(answer.begin() + 26, answer.end());
    BOOST_TEST(hx(receipt) == hx(expectedReceipt(id, counter, amount, kEuro, balance, logNumber)));
    BOOST_TEST(signedBy(cert.publicKey, cat({ascii("LRCP"), receipt}), signature), "the card signed the receipt");
    BOOST_TEST(!signedBy(cert.publicKey, cat({ascii("URCP"), receipt}), signature), "not as an unload receipt");
    auto verified =
        host::verifyReceipt(answer, host::ReceiptKind::kLoad, cert, issuer.key().verificationKey());
    BOOST_TEST(verified.isOk(), "verifyReceipt: " << why(verified));
    BOOST_TEST(!host::verifyReceipt(answer, host::ReceiptKind::kUnload, cert, issuer.key().verificationKey()));

    PurseStatus expected = before;
    expected.balance = balance;
    expected.loadCounter = counter + 1;
    expected.logAppended = logNumber;
    BOOST_TEST((purse->status() == expected), "LOAD changed exactly balance, load counter and log");

    const Bytes record = newestRecord(*purse);
    const Bytes wanted = expectedValueRecord(logNumber, protocol::LogType::kLoad, issuerSide, counter, idBytes(id),
                                             amount, kEuro, balance, previousHash);
    BOOST_TEST(hx(record) == hx(wanted), "the log record of load " << counter);
    previousHash.assign(record.begin() + 71, record.end());
  }
  BOOST_TEST(balance == 1000u + 1111u + 1222u);
  BOOST_TEST(!purse->status().pinVerified, "a load needs no PIN");
}

BOOST_AUTO_TEST_CASE(the_card_date_moves_forward_only) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);  // date 20261123
  (void)expectOk(*purse, loadCommand(issuer, testPurseId(1), valueOrder(0, 10, kEuro, 20261201)), "LOAD later");
  BOOST_TEST(purse->status().date == 20261201u);
  (void)expectOk(*purse, loadCommand(issuer, testPurseId(1), valueOrder(1, 10, kEuro, 20250101)), "LOAD earlier");
  BOOST_TEST(purse->status().date == 20261201u, "an earlier date does not set the clock back");
  BOOST_TEST(purse->status().balance == 20u);
}

BOOST_AUTO_TEST_CASE(the_maximum_balance_is_reachable_and_not_passable) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 99000);  // max 100000
  const auto id = testPurseId(1);
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 1001)), purse_sw::kMaxBalanceExceeded, "1 over");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 0xFFFFFFFF)), purse_sw::kMaxBalanceExceeded,
                "an amount that would overflow 32 bits");
  (void)expectOk(*purse, loadCommand(issuer, id, valueOrder(1, 1000)), "LOAD up to the maximum");
  BOOST_TEST(purse->status().balance == 100000u);
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(2, 1)), purse_sw::kMaxBalanceExceeded, "1 more at max");
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestIssuer another;
  auto purse = makePurse(issuer, 1, 500);  // load counter now 1
  auto other = makePurse(issuer, 2, 0);
  const auto id = testPurseId(1);
  const CommandApdu good = loadCommand(issuer, id, valueOrder(1, 250));
  expectRefused(*purse, withP1P2(good, 0x01, 0x00), kWrongP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x01), kWrongP1P2, "P2 01");
  expectRefused(*purse, withDataResized(good, 77), kWrongLength, "77 bytes");
  expectRefused(*purse, withDataResized(good, 79), kWrongLength, "79 bytes");
  expectRefused(*purse, CommandApdu(0x80, protocol::kInsLoad, 0, 0, {}, 256), kWrongLength, "no data");
  expectRefused(*purse, withDataBitFlipped(good, 7), kSecurity, "the amount altered (one bit)");
  expectRefused(*purse, withDataBitFlipped(good, 3), kSecurity, "the counter altered");
  expectRefused(*purse, withDataBitFlipped(good, 9), kSecurity, "the currency altered");
  expectRefused(*purse, withDataBitFlipped(good, 14 + 20), kSecurity, "the signature altered");
  expectRefused(*purse, loadCommand(another, id, valueOrder(1, 250)), kSecurity, "signed by another issuer");
  expectRefused(*purse, loadCommand(issuer, testPurseId(2), valueOrder(1, 250)), kSecurity,
                "an order for another purse", {other.get()});
  const CommandApdu unloadOrder = unloadCommand(issuer, id, valueOrder(1, 250));
  expectRefused(*purse, withHeader(unloadOrder, 0x80, protocol::kInsLoad, 0, 0), kSecurity,
                "an UNLOAD order sent as LOAD");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(0, 250)), kWrongState, "an old counter");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(2, 250)), kWrongState, "a later counter");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 250, 840)), kWrongData, "another currency");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 0)), kWrongData, "amount 0");

  // Replay: the order that just worked, again.
  (void)expectOk(*purse, good, "LOAD");
  expectRefused(*purse, good, kWrongState, "the same order replayed");
  BOOST_TEST(purse->status().balance == 750u);

  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse");
  Staged notYet = staged(issuer, Stage::kData, 3);
  expectRefused(*notYet.purse, loadCommand(issuer, testPurseId(3), valueOrder(0, 100)), kWrongState,
                "personalised data but no certificate");
}

BOOST_AUTO_TEST_CASE(no_load_while_a_transfer_is_in_progress) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 0);
  startTransfer(*payer, *payee, 100, true);
  BOOST_TEST_REQUIRE((payer->status().protocol == ProtocolStatus::kEpr));
  BOOST_TEST_REQUIRE((payee->status().protocol == ProtocolStatus::kEpv));
  expectRefused(*payer, loadCommand(issuer, testPurseId(1), valueOrder(1, 10)), kWrongState, "payer in epr");
  expectRefused(*payee, loadCommand(issuer, testPurseId(2), valueOrder(0, 10)), kWrongState, "payee in epv");
  (void)expectOk(*payer, apdus::abortTransfer(), "ABORT payer");
  (void)expectOk(*payer, loadCommand(issuer, testPurseId(1), valueOrder(1, 10)), "LOAD once idle");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(unload)

BOOST_AUTO_TEST_CASE(an_unload_debits_logs_and_answers_a_signed_receipt) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 3000);  // load counter 1, one log record
  const auto id = testPurseId(1);
  const CardCertificate cert = certificateOf(*purse);
  const Bytes loadRecord = newestRecord(*purse);
  const Bytes previousHash(loadRecord.begin() + 71, loadRecord.end());
  verifyPinOk(*purse, "1234");
  const PurseStatus before = purse->status();

  const Bytes answer = expectOk(*purse, unloadCommand(issuer, id, valueOrder(1, 1200)), "UNLOAD");
  BOOST_TEST_REQUIRE(answer.size() == 26u + 64);
  const Bytes receipt(answer.begin(), answer.begin() + 26);
  const Bytes signature(answer.begin() + 26, answer.end());
  BOOST_TEST(hx(receipt) == hx(expectedReceipt(id, 1, 1200, kEuro, 3000 - 1200, 2)));
  BOOST_TEST(signedBy(cert.publicKey, cat({ascii("URCP"), receipt}), signature));
  BOOST_TEST(!signedBy(cert.publicKey, cat({ascii("LRCP"), receipt}), signature), "not as a load receipt");
  auto verified = host::verifyReceipt(answer, host::ReceiptKind::kUnload, cert, issuer.key().verificationKey());
  BOOST_TEST(verified.isOk(), "verifyReceipt: " << why(verified));
  BOOST_TEST(!host::verifyReceipt(answer, host::ReceiptKind::kLoad, cert, issuer.key().verificationKey()));

  PurseStatus expected = before;
  expected.balance = 3000 - 1200;
  expected.loadCounter = 2;
  expected.logAppended = 2;
  BOOST_TEST((purse->status() == expected), "UNLOAD changed exactly balance, load counter and log");
  const Bytes issuerSide = idBytes(keyIdOf(issuer.key().publicKey()));
  BOOST_TEST(hx(newestRecord(*purse)) == hx(expectedValueRecord(2, protocol::LogType::kUnload, idBytes(id), 1,
                                                                  issuerSide, 1200, kEuro, 1800, previousHash)));

  // The whole balance can go; one unit more cannot.
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(2, 1801)), purse_sw::kInsufficientFunds, "1 too much");
  (void)expectOk(*purse, unloadCommand(issuer, id, valueOrder(2, 1800)), "UNLOAD everything");
  BOOST_TEST(purse->status().balance == 0u);
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(3, 1)), purse_sw::kInsufficientFunds, "from empty");
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestIssuer another;
  auto purse = makePurse(issuer, 1, 1000);  // load counter 1
  const auto id = testPurseId(1);
  const CommandApdu good = unloadCommand(issuer, id, valueOrder(1, 400));
  expectRefused(*purse, good, kSecurity, "without the PIN");
  expectRefused(*purse, withDataResized(good, 10), kSecurity, "without the PIN, the PIN is checked first");
  verifyPinOk(*purse, "1234");
  expectRefused(*purse, withP1P2(good, 0x01, 0x00), kWrongP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x01), kWrongP1P2, "P2 01");
  expectRefused(*purse, withDataResized(good, 77), kWrongLength, "77 bytes");
  expectRefused(*purse, withDataResized(good, 79), kWrongLength, "79 bytes");
  expectRefused(*purse, withDataBitFlipped(good, 7), kSecurity, "the amount altered");
  expectRefused(*purse, unloadCommand(another, id, valueOrder(1, 400)), kSecurity, "signed by another issuer");
  expectRefused(*purse, unloadCommand(issuer, testPurseId(2), valueOrder(1, 400)), kSecurity, "for another purse");
  expectRefused(*purse, withHeader(loadCommand(issuer, id, valueOrder(1, 400)), 0x80, protocol::kInsUnload, 0, 0),
                kSecurity, "a LOAD order sent as UNLOAD");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(0, 400)), kWrongState, "an old counter");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(2, 400)), kWrongState, "a later counter");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(1, 400, 826)), kWrongData, "another currency");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(1, 0)), kWrongData, "amount 0");
  (void)expectOk(*purse, good, "UNLOAD");
  expectRefused(*purse, good, kWrongState, "replayed");
  // LOAD and UNLOAD share one counter: a LOAD order for the counter the unload used is spent.
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 400)), kWrongState, "LOAD with the unload's counter");
  BOOST_TEST(purse->status().balance == 600u);

  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse");
}

BOOST_AUTO_TEST_CASE(no_unload_while_a_transfer_is_in_progress) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 0);
  verifyPinOk(*payer, "1234");
  startTransfer(*payer, *payee, 100, false);
  BOOST_TEST_REQUIRE(payer->status().pinVerified);
  expectRefused(*payer, unloadCommand(issuer, testPurseId(1), valueOrder(1, 10)), kWrongState, "payer in epr");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(abort_command)

BOOST_AUTO_TEST_CASE(abort_when_idle_changes_nothing) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 300);
  const PurseStatus before = purse->status();
  BOOST_TEST(expectOkUnchanged(*purse, apdus::abortTransfer(), "ABORT idle").empty());
  BOOST_TEST((purse->status() == before));
}

BOOST_AUTO_TEST_CASE(abort_in_epr_returns_to_idle_without_an_exception_record) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 0);
  startTransfer(*payer, *payee, 100, false);
  const PurseStatus before = payer->status();
  BOOST_TEST_REQUIRE((before.protocol == ProtocolStatus::kEpr));
  BOOST_TEST(before.nextSeq == 2u, "START FROM used sequence number 1");
  (void)expectOk(*payer, apdus::abortTransfer(), "ABORT in epr");
  PurseStatus expected = before;
  expected.protocol = ProtocolStatus::kIdle;
  BOOST_TEST((payer->status() == expected), "idle, no exception record, nextSeq not given back");
  expectRefused(*payer, apdus::readRecord(protocol::kSfiExceptionLog, 1), sw::kRecordNotFound, "no exception record");
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  expectRefused(*purse, withP1P2(apdus::abortTransfer(), 0x01, 0x00), kWrongP1P2, "P1 01");
  expectRefused(*purse, withP1P2(apdus::abortTransfer(), 0x00, 0x01), kWrongP1P2, "P2 01");
  expectRefused(*purse, withData(apdus::abortTransfer(), Bytes{0x00}), kWrongLength, "with data");
  TestPurse blank;
  expectRefused(blank, apdus::abortTransfer(), kWrongState, "blank purse");
  Staged notYet = staged(issuer, Stage::kData, 2);
  expectRefused(*notYet.purse, apdus::abortTransfer(), kWrongState, "not yet personalised");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
