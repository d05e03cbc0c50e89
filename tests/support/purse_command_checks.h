// Checks shared by the purse tests (one file per command group of card/purse/, and the
// hostile-terminal tests): one command sent to one purse, its exact status word (the names of
// apdu/status_word.h and protocol/purse_commands.h, never copies), and that a refusal leaves
// the card image byte for byte as it was. Expected values never come from the purse's own
// answers.
#pragma once

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apdu/status_word.h"
#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/purse_apdus.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"

namespace epurse::testing::checks {

// The GET DATA tags and the AID as the protocol defines them (docs/apdu.md), spelled here.
constexpr std::uint16_t kTagStatus = 0x0101;
constexpr std::uint16_t kTagPublicKey = 0x7F49;
constexpr std::uint16_t kTagCertificate = 0x7F21;
inline const Bytes kAidBytes = h("F0 65 70 75 72 73 65 01");  // F0 "epurse" 01

// The value of a Result the test cannot go on without.
template <typename T>
T required(Result<T> r, const std::string& what) {
  BOOST_TEST_REQUIRE(r.isOk(), what << ": " << why(r));
  return std::move(*r);
}

// "" when equal, else where the first difference is.
inline std::string imageDifference(const Bytes& before, const Bytes& after) {
  if (before.size() != after.size()) {
    return "size " + std::to_string(before.size()) + " -> " + std::to_string(after.size());
  }
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (before[i] != after[i]) return "first difference at byte " + std::to_string(i);
  }
  return "";
}

// One exchange; only a failed exchange (no answer at all) stops the test.
inline ResponseApdu exchange(TestPurse& purse, const CommandApdu& command, const std::string& what) {
  auto response = purse.client().send(command);
  BOOST_TEST_REQUIRE(response.isOk(), what << ": exchange failed: " << why(response));
  return *response;
}

// Purses a command must leave byte for byte as they were, with their images before it.
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

// `command` must be answered with exactly `expected` and no data, and leave the image of
// `purse` (and of every purse in `alsoUnchanged`) byte for byte as it was.
inline void expectRefused(TestPurse& purse, const CommandApdu& command, sw::StatusWord expected,
                          const std::string& what, std::initializer_list<TestPurse*> alsoUnchanged = {}) {
  const Bytes before = purse.image();
  const Watch others(alsoUnchanged);
  const ResponseApdu response = exchange(purse, command, what);
  BOOST_TEST(response.sw() == expected,
             what << ": answered " << swHex(response.sw()) << ", expected " << swHex(expected));
  BOOST_TEST(response.data().empty(), what << ": a refusal answered data");
  const std::string diff = imageDifference(before, purse.image());
  BOOST_TEST(diff.empty(), what << ": the refusal changed the card image: " << diff);
  others.checkUnchanged(what);
}

// `command` must answer 9000; returns its data.
inline Bytes expectOk(TestPurse& purse, const CommandApdu& command, const std::string& what) {
  const ResponseApdu response = exchange(purse, command, what);
  BOOST_TEST_REQUIRE(response.sw() == sw::kSuccess, what << ": answered " << swHex(response.sw()));
  return response.data();
}

// `command` must answer 9000 and change nothing the card keeps (a read).
inline Bytes expectOkUnchanged(TestPurse& purse, const CommandApdu& command, const std::string& what) {
  const Bytes before = purse.image();
  Bytes data = expectOk(purse, command, what);
  const std::string diff = imageDifference(before, purse.image());
  BOOST_TEST(diff.empty(), what << ": a read changed the card image: " << diff);
  return data;
}

// The same command with another header, data or one bit of its data flipped.
inline CommandApdu withHeader(const CommandApdu& c, std::uint8_t cla, std::uint8_t ins, std::uint8_t p1,
                              std::uint8_t p2) {
  return CommandApdu(cla, ins, p1, p2, c.data(), c.ne());
}
inline CommandApdu withP1P2(const CommandApdu& c, std::uint8_t p1, std::uint8_t p2) {
  return withHeader(c, c.cla(), c.ins(), p1, p2);
}
inline CommandApdu withData(const CommandApdu& c, Bytes data) {
  return CommandApdu(c.cla(), c.ins(), c.p1(), c.p2(), std::move(data), c.ne());
}
inline Bytes flipBit(Bytes b, std::size_t byte, unsigned bit) {
  b.at(byte) ^= static_cast<std::uint8_t>(1u << bit);
  return b;
}
inline CommandApdu withDataBitFlipped(const CommandApdu& c, std::size_t byte, unsigned bit = 0) {
  return withData(c, flipBit(c.data(), byte, bit));
}
// The data cut to `size` bytes, or padded with `fill` up to it.
inline CommandApdu withDataResized(const CommandApdu& c, std::size_t size, std::uint8_t fill = 0) {
  Bytes data = c.data();
  data.resize(size, fill);
  return withData(c, std::move(data));
}

inline protocol::PinBlock pinBlock(std::string_view digits) {
  return required(protocol::makePinBlock(digits), "PIN block " + std::string(digits));
}

// The personalisation data a profile stands for (as TestIssuer::personalise sends it).
inline protocol::Personalisation personalisationOf(const PurseProfile& profile) {
  protocol::Personalisation data;
  data.purseId = profile.id;
  data.currency = profile.currency;
  data.maxBalance = profile.maxBalance;
  data.perTransferMax = profile.perTransferMax;
  data.noPinLimit = profile.noPinLimit;
  data.pin = pinBlock(profile.pin);
  data.date = profile.date;
  return data;
}

// Invalid PIN blocks: the card must refuse each before spending a try.
inline std::vector<std::pair<std::string, Bytes>> invalidPinBlocks() {
  return {
      {"3 digits", h("313233FFFFFFFFFF")},
      {"a letter", h("31324134FFFFFFFF")},
      {"a digit after the padding", h("31323334FF35FFFF")},
      {"no digits", h("FFFFFFFFFFFFFFFF")},
      {"zero padding", h("3132333400000000")},
  };
}

// --- Personalisation, one step at a time -------------------------------------------------

enum class Stage { kBlank, kIssuerKey, kKeyPair, kData, kCertificate };

struct Staged {
  std::unique_ptr<TestPurse> purse;
  PurseProfile profile;
  Bytes cardKey;  // empty before GENERATE KEY PAIR
};

inline PurseProfile profileFor(std::uint8_t n) {
  PurseProfile p;
  p.id = testPurseId(n);
  return p;
}

inline CommandApdu personaliseCommand(const TestIssuer& issuer, ByteView cardKey,
                                      const protocol::Personalisation& data) {
  return required(issuer.signer().personalise(cardKey, data), "sign PERSONALISE");
}

inline protocol::CardCertificate certificateFor(const TestIssuer& issuer, const protocol::PurseId& id,
                                                ByteView cardKey, protocol::Currency currency,
                                                protocol::Date expiry) {
  return required(issuer.signer().certify(id, cardKey, currency, expiry), "certify");
}

// A blank purse (ID testPurseId(n), default profile) taken through the personalisation steps
// up to and including `stage`.
inline Staged staged(const TestIssuer& issuer, Stage stage, std::uint8_t n = 1) {
  Staged s{std::make_unique<TestPurse>(), profileFor(n), {}};
  if (stage >= Stage::kIssuerKey) (void)expectOk(*s.purse, issuer.signer().putIssuerKey(), "PUT ISSUER KEY");
  if (stage >= Stage::kKeyPair) {
    const Bytes answer = expectOk(*s.purse, protocol::apdus::generateKeyPair(), "GENERATE KEY PAIR");
    s.cardKey = required(protocol::decodePublicKeyTemplate(answer), "key template");
  }
  if (stage >= Stage::kData) {
    (void)expectOk(*s.purse, personaliseCommand(issuer, s.cardKey, personalisationOf(s.profile)), "PERSONALISE");
  }
  if (stage >= Stage::kCertificate) {
    const auto cert = certificateFor(issuer, s.profile.id, s.cardKey, s.profile.currency, s.profile.expiry);
    (void)expectOk(*s.purse, issuer::IssuerSigner::putCertificate(cert), "PUT CERTIFICATE");
  }
  return s;
}

// The issuer key ID, computed here: the first 8 bytes of SHA-256 over the public key.
inline protocol::IssuerKeyId keyIdOf(const Bytes& issuerPublicKey) {
  const protocol::Digest d = protocol::sha256(issuerPublicKey);
  protocol::IssuerKeyId id{};
  std::copy(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(id.size()), id.begin());
  return id;
}

inline protocol::CardCertificate certificateOf(TestPurse& purse) {
  auto cert = purse.client().certificate();
  BOOST_TEST_REQUIRE(cert.isOk(), "certificate: " << why(cert));
  return *cert;
}

inline Bytes idBytes(const protocol::PurseId& id) { return Bytes(id.begin(), id.end()); }

// --- Issuer orders -------------------------------------------------------------------------

inline protocol::ValueOrder valueOrder(std::uint32_t counter, protocol::Amount amount,
                                       protocol::Currency currency = kEuro, protocol::Date date = kToday) {
  protocol::ValueOrder o;
  o.counter = counter;
  o.amount = amount;
  o.currency = currency;
  o.date = date;
  return o;
}

inline CommandApdu loadCommand(const TestIssuer& issuer, const protocol::PurseId& id,
                               const protocol::ValueOrder& order) {
  return required(issuer.signer().load(id, order), "sign LOAD");
}

inline CommandApdu unloadCommand(const TestIssuer& issuer, const protocol::PurseId& id,
                                 const protocol::ValueOrder& order) {
  return required(issuer.signer().unload(id, order), "sign UNLOAD");
}

inline CommandApdu unblockCommand(const TestIssuer& issuer, const protocol::PurseId& id, std::uint32_t counter,
                                  const protocol::PinBlock& newPin) {
  protocol::PinUnblockOrder order;
  order.adminCounter = counter;
  order.newPin = newPin;
  return required(issuer.signer().unblockPin(id, order), "sign RESET RETRY COUNTER");
}

inline CommandApdu lifeCycleCommand(const TestIssuer& issuer, const protocol::PurseId& id, std::uint32_t counter,
                                    protocol::LifeCycleChange change) {
  protocol::LifeCycleOrder order;
  order.adminCounter = counter;
  order.change = change;
  return required(issuer.signer().setLifeCycle(id, order), "sign SET LIFE CYCLE");
}

inline CommandApdu revocationCommand(const TestIssuer& issuer, std::uint32_t version,
                                     std::vector<protocol::PurseId> revoked) {
  protocol::RevocationList list;
  list.version = version;
  list.revoked = std::move(revoked);
  return required(issuer.signer().putRevocationList(list), "sign PUT REVOCATION LIST");
}

inline CommandApdu clearCommand(const TestIssuer& issuer, const protocol::PurseId& id,
                                std::vector<std::uint32_t> numbers, const protocol::Digest& digest) {
  protocol::ExceptionClearOrder order;
  order.numbers = std::move(numbers);
  order.digest = digest;
  return required(issuer.signer().clearExceptionLog(id, order), "sign CLEAR EXCEPTION LOG");
}

inline void verifyPinOk(TestPurse& purse, std::string_view pin) {
  (void)expectOk(purse, protocol::apdus::verifyPin(pinBlock(pin)), "VERIFY " + std::string(pin));
}

// A PIN block from raw bytes, valid or not.
inline protocol::PinBlock rawPin(const Bytes& bytes) { return epurse::toArray<protocol::kPinBlockSize>(bytes).value(); }


inline Bytes ascii(std::string_view s) { return Bytes(s.begin(), s.end()); }

// A signature by `key` over `message`, checked independently of the purse.
inline bool signedBy(ByteView publicPoint, ByteView message, ByteView signature) {
  auto key = protocol::EcPublicKey::fromUncompressed(publicPoint);
  return key && key->verify(message, signature);
}

}  // namespace epurse::testing::checks
