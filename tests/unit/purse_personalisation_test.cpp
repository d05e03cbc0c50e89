// The personalisation bureau's commands (card/purse/purse_personalisation.cpp), one at a
// time: PUT ISSUER KEY, GENERATE KEY PAIR, PERSONALISE and PUT CERTIFICATE. Each success with
// its effect checked field by field (signatures verified with the card key the certificate
// vouches for), each refusal with its exact status word and the card image byte for byte
// unchanged; and that the card's private key never leaves the card.
#define BOOST_TEST_MODULE purse_personalisation
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "card/purse/purse_layout.h"
#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_status.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"

namespace epurse::testing {
namespace {

using namespace checks;
using protocol::CardCertificate;
using protocol::LifeCycle;
using protocol::Personalisation;
using protocol::PurseStatus;
namespace apdus = protocol::apdus;

}  // namespace

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

  expectRefused(*a.purse, apdus::generateKeyPair(), sw::kConditionsNotSatisfied, "GENERATE KEY PAIR again");
  BOOST_TEST(hx(expectOk(*a.purse, apdus::getData(kTagPublicKey), "key")) == hx(answerA), "the first key stays");
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestPurse blank;
  expectRefused(blank, apdus::generateKeyPair(), sw::kConditionsNotSatisfied, "before PUT ISSUER KEY");
  Staged s = staged(issuer, Stage::kIssuerKey);
  expectRefused(*s.purse, withP1P2(apdus::generateKeyPair(), 0x80, 0x00), sw::kIncorrectP1P2, "P1 80");
  expectRefused(*s.purse, withP1P2(apdus::generateKeyPair(), 0x00, 0x01), sw::kIncorrectP1P2, "P2 01");
  expectRefused(*s.purse, withData(apdus::generateKeyPair(), Bytes{0xB6, 0x00}), sw::kWrongLength, "with data");
  Staged data = staged(issuer, Stage::kData, 2);
  expectRefused(*data.purse, apdus::generateKeyPair(), sw::kConditionsNotSatisfied, "after PERSONALISE");
  auto personalised = makePurse(issuer, 3, 0);
  expectRefused(*personalised, apdus::generateKeyPair(), sw::kConditionsNotSatisfied, "personalised purse");
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
  expectRefused(purse, withP1P2(good, 0x01, 0x00), sw::kIncorrectP1P2, "P1 01");
  expectRefused(purse, withP1P2(good, 0x00, 0x01), sw::kIncorrectP1P2, "P2 01");
  expectRefused(purse, withDataResized(good, 64), sw::kWrongLength, "64 bytes");
  expectRefused(purse, withDataResized(good, 66), sw::kWrongLength, "66 bytes");
  expectRefused(purse, CommandApdu(0x80, protocol::kInsPutIssuerKey, 0, 0), sw::kWrongLength, "no data");
  expectRefused(purse, withDataBitFlipped(good, 64), sw::kWrongData, "a point off the curve (Y altered)");
  expectRefused(purse, withDataBitFlipped(good, 10), sw::kWrongData, "a point off the curve (X altered)");
  Bytes compressedPrefix = good.data();
  compressedPrefix[0] = 0x02;
  expectRefused(purse, withData(good, compressedPrefix), sw::kWrongData, "prefix 02 with 64 bytes");
  expectRefused(purse, withData(good, Bytes(65, 0)), sw::kWrongData, "all zero");
  Bytes infinity(65, 0);
  infinity[0] = 0x04;
  expectRefused(purse, withData(good, infinity), sw::kWrongData, "04 and zero coordinates");
  BOOST_TEST(purse.status().personalisation == 0, "still blank");

  (void)expectOk(purse, good, "PUT ISSUER KEY");
  expectRefused(purse, good, sw::kConditionsNotSatisfied, "the same key again");
  expectRefused(purse, another.signer().putIssuerKey(), sw::kConditionsNotSatisfied, "another key");
  expectRefused(purse, withDataResized(good, 64), sw::kConditionsNotSatisfied,
                "the state is checked before the length");
  auto personalised = makePurse(issuer, 2, 0);
  expectRefused(*personalised, another.signer().putIssuerKey(), sw::kConditionsNotSatisfied, "personalised purse");
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
  expectRefused(*s.purse, withP1P2(good, 0x01, 0x00), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*s.purse, withP1P2(good, 0x00, 0x01), sw::kIncorrectP1P2, "P2 01");
  expectRefused(*s.purse, withDataResized(good, 97), sw::kWrongLength, "97 bytes");
  expectRefused(*s.purse, withDataResized(good, 99), sw::kWrongLength, "99 bytes");
  expectRefused(*s.purse, CommandApdu(0x80, protocol::kInsPersonalise, 0, 0), sw::kWrongLength, "no data");

  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse");
  Staged keyOnly = staged(issuer, Stage::kIssuerKey, 2);
  expectRefused(*keyOnly.purse, good, sw::kConditionsNotSatisfied, "before GENERATE KEY PAIR");

  (void)expectOk(*s.purse, good, "PERSONALISE");
  expectRefused(*s.purse, good, sw::kConditionsNotSatisfied, "PERSONALISE again");
  auto personalised = makePurse(issuer, 3, 0);
  expectRefused(*personalised, good, sw::kConditionsNotSatisfied, "personalised purse");
}

BOOST_AUTO_TEST_CASE(refusals_of_the_signature) {
  TestIssuer issuer;
  TestIssuer another;
  Staged a = staged(issuer, Stage::kKeyPair, 1);
  Staged b = staged(issuer, Stage::kKeyPair, 2);
  const Personalisation data = personalisationOf(a.profile);
  const CommandApdu forA = personaliseCommand(issuer, a.cardKey, data);

  expectRefused(*a.purse, personaliseCommand(another, a.cardKey, data), sw::kSecurityStatusNotSatisfied,
                "signed by another key");
  // The signature covers the card key: card A's order replayed onto card B.
  expectRefused(*b.purse, forA, sw::kSecurityStatusNotSatisfied, "A's order on card B", {a.purse.get()});
  expectRefused(*a.purse, withDataBitFlipped(forA, 12), sw::kSecurityStatusNotSatisfied, "max balance altered");
  expectRefused(*a.purse, withDataBitFlipped(forA, 0), sw::kSecurityStatusNotSatisfied, "purse ID altered");
  expectRefused(*a.purse, withDataBitFlipped(forA, 22), sw::kSecurityStatusNotSatisfied, "PIN altered");
  expectRefused(*a.purse, withDataBitFlipped(forA, 34 + 63), sw::kSecurityStatusNotSatisfied, "signature altered");
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
    expectRefused(*s.purse, personaliseCommand(issuer, s.cardKey, data), sw::kWrongData, what);
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

  expectRefused(*s.purse, withP1P2(good, 0x01, 0x00), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*s.purse, withP1P2(good, 0x00, 0x01), sw::kIncorrectP1P2, "P2 01");
  expectRefused(*s.purse, withDataResized(good, 176), sw::kWrongLength, "176 bytes");
  expectRefused(*s.purse, withDataResized(good, 178), sw::kWrongLength, "178 bytes");
  expectRefused(*s.purse, withData(good, Bytes(177, 0)), sw::kWrongData, "177 bytes that are no certificate");

  const Bytes otherKey = required(protocol::EcPrivateKey::generate(), "key").publicKey();
  expectRefused(*s.purse, issuer::IssuerSigner::putCertificate(certificateFor(issuer, p.id, otherKey, kEuro, p.expiry)),
                sw::kWrongData, "a certificate for another key");
  expectRefused(
      *s.purse,
      issuer::IssuerSigner::putCertificate(certificateFor(issuer, testPurseId(9), s.cardKey, kEuro, p.expiry)),
      sw::kWrongData, "a certificate for another purse");
  expectRefused(*s.purse, issuer::IssuerSigner::putCertificate(certificateFor(issuer, p.id, s.cardKey, 840, p.expiry)),
                sw::kWrongData, "a certificate in another currency");
  expectRefused(*s.purse,
                issuer::IssuerSigner::putCertificate(certificateFor(issuer, p.id, s.cardKey, kEuro, p.date - 1)),
                sw::kWrongData, "a certificate that expired the day before the card's date");

  expectRefused(*s.purse,
                issuer::IssuerSigner::putCertificate(certificateFor(another, p.id, s.cardKey, kEuro, p.expiry)),
                sw::kSecurityStatusNotSatisfied, "a certificate signed by another issuer");
  expectRefused(*s.purse, withDataBitFlipped(good, 176), sw::kSecurityStatusNotSatisfied, "signature altered");
  CardCertificate later = cert;
  later.expiry = p.expiry + 1;  // the body altered, the old signature kept
  expectRefused(*s.purse, issuer::IssuerSigner::putCertificate(later), sw::kSecurityStatusNotSatisfied,
                "expiry altered");
  // Signed by the issuer, but naming another issuer key ID.
  CardCertificate misnamed = cert;
  misnamed.issuerKeyId = keyIdOf(another.key().publicKey());
  misnamed.signature = required(issuer.key().sign(misnamed.body()), "sign body");
  expectRefused(*s.purse, issuer::IssuerSigner::putCertificate(misnamed), sw::kSecurityStatusNotSatisfied,
                "signed by the issuer, naming another issuer key");

  Staged keyPair = staged(issuer, Stage::kKeyPair, 2);
  const auto certB = certificateFor(issuer, keyPair.profile.id, keyPair.cardKey, kEuro, p.expiry);
  expectRefused(*keyPair.purse, issuer::IssuerSigner::putCertificate(certB), sw::kConditionsNotSatisfied,
                "before PERSONALISE");
  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse");

  (void)expectOk(*s.purse, good, "PUT CERTIFICATE");
  expectRefused(*s.purse, good, sw::kConditionsNotSatisfied, "PUT CERTIFICATE again");
  expectRefused(*s.purse, issuer.signer().putIssuerKey(), sw::kConditionsNotSatisfied,
                "PUT ISSUER KEY after personalisation");
  expectRefused(*s.purse, personaliseCommand(issuer, s.cardKey, personalisationOf(p)), sw::kConditionsNotSatisfied,
                "PERSONALISE after personalisation");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
