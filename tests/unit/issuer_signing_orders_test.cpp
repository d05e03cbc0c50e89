// The issuer's signed orders (issuer/signing/issuer_orders.*): each command carries its fields
// and a signature over exactly its domain, purse and fields, which one flipped bit breaks.
#define BOOST_TEST_MODULE issuer_signing_orders_test
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "issuer/signing/issuer_key.h"
#include "issuer/signing/issuer_orders.h"
#include "protocol/log_record.h"
#include "protocol/purse_apdus.h"
#include "protocol/signed_payloads.h"
#include "tests/support/issuer_signing_checks.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"

namespace {

using namespace epurse;
using namespace epurse::protocol;
using namespace epurse::testing::issuer_checks;
using epurse::issuer::IssuerKey;
using epurse::issuer::IssuerSigner;
using epurse::testing::h;

// The command's data is fields || signature; the signature verifies over `payload` and over
// nothing one bit away from it, and a signature one bit away verifies over nothing.
void checkSignedOrder(const CommandApdu& command, std::uint8_t cla, std::uint8_t ins, const Bytes& fields,
                      const Bytes& payload, const EcPublicKey& issuer) {
  BOOST_TEST(command.cla() == cla);
  BOOST_TEST(command.ins() == ins);
  BOOST_TEST_REQUIRE(command.data().size() == fields.size() + kSignatureSize);
  BOOST_TEST(Bytes(command.data().begin(), command.data().begin() + static_cast<std::ptrdiff_t>(fields.size())) ==
             fields);
  const Bytes signature(command.data().end() - kSignatureSize, command.data().end());
  BOOST_TEST(issuer.verify(payload, signature));
  for (std::size_t bit : {std::size_t{0}, payload.size() * 4 + 3, payload.size() * 8 - 1}) {
    BOOST_TEST(!issuer.verify(flipBit(payload, bit), signature), "payload bit " << bit);
  }
  for (std::size_t bit : {std::size_t{0}, std::size_t{300}, kSignatureSize * 8 - 1}) {
    BOOST_TEST(!issuer.verify(payload, flipBit(signature, bit)), "signature bit " << bit);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(signed_orders)

BOOST_AUTO_TEST_CASE(put_issuer_key_carries_the_public_key) {
  const IssuerKey issuer = freshKey();
  const CommandApdu put = IssuerSigner(issuer).putIssuerKey();
  BOOST_TEST(put.cla() == kClaProprietary);
  BOOST_TEST(put.ins() == kInsPutIssuerKey);
  BOOST_TEST(put.data() == issuer.publicKey());
}

BOOST_AUTO_TEST_CASE(personalise_signs_card_key_and_data) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const Bytes cardKey = freshCardKey().publicKey();
  Personalisation data;
  data.purseId = purseId(3);
  data.currency = kEuro;
  data.maxBalance = 100000;
  data.perTransferMax = 50000;
  data.noPinLimit = 2000;
  data.pin = *makePinBlock("1234");
  data.date = 20261123;
  auto command = signer.personalise(cardKey, data);
  BOOST_TEST_REQUIRE(command.isOk());
  Bytes signedFields = cardKey;
  appendBytes(signedFields, data.encode());
  checkSignedOrder(*command, kClaProprietary, kInsPersonalise, data.encode(),
                   domainPayload(kDomainPersonalise, signedFields), issuer.verificationKey());
  // Bound to the card key: the same data for another card's key does not verify.
  Bytes otherFields = freshCardKey().publicKey();
  appendBytes(otherFields, data.encode());
  const Bytes signature(command->data().end() - kSignatureSize, command->data().end());
  BOOST_TEST(!issuer.verificationKey().verify(domainPayload(kDomainPersonalise, otherFields), signature));
}

BOOST_AUTO_TEST_CASE(load_and_unload_are_bound_to_domain_and_purse) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const ValueOrder order{7, 2500, kEuro, 20261123};
  auto load = signer.load(purseId(4), order);
  auto unload = signer.unload(purseId(4), order);
  BOOST_TEST_REQUIRE(load.isOk());
  BOOST_TEST_REQUIRE(unload.isOk());
  const Bytes fields = order.encode();
  checkSignedOrder(*load, kClaProprietary, kInsLoad, fields, issuerOrderPayload(kDomainLoad, purseId(4), fields),
                   issuer.verificationKey());
  checkSignedOrder(*unload, kClaProprietary, kInsUnload, fields,
                   issuerOrderPayload(kDomainUnload, purseId(4), fields), issuer.verificationKey());

  const Bytes loadSignature(load->data().end() - kSignatureSize, load->data().end());
  // Not an unload, not for another purse.
  BOOST_TEST(!issuer.verificationKey().verify(issuerOrderPayload(kDomainUnload, purseId(4), fields), loadSignature));
  BOOST_TEST(!issuer.verificationKey().verify(issuerOrderPayload(kDomainLoad, purseId(5), fields), loadSignature));
  // LOAD and UNLOAD answer a receipt, so they ask for data.
  BOOST_TEST(load->ne().has_value());
}

BOOST_AUTO_TEST_CASE(pin_unblock_life_cycle_and_exception_clear_are_signed_over_their_domains) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const EcPublicKey& key = issuer.verificationKey();

  const PinUnblockOrder unblock{3, *makePinBlock("987654")};
  auto unblockCommand = signer.unblockPin(purseId(6), unblock);
  BOOST_TEST_REQUIRE(unblockCommand.isOk());
  checkSignedOrder(*unblockCommand, kClaIso, kInsResetRetryCounter, unblock.encode(),
                   issuerOrderPayload(kDomainPinUnblock, purseId(6), unblock.encode()), key);
  BOOST_TEST(unblockCommand->p2() == kP2CardholderPin);

  const LifeCycleOrder life{4, LifeCycleChange::kBlock};
  auto lifeCommand = signer.setLifeCycle(purseId(6), life);
  BOOST_TEST_REQUIRE(lifeCommand.isOk());
  checkSignedOrder(*lifeCommand, kClaProprietary, kInsSetLifeCycle, life.encode(),
                   issuerOrderPayload(kDomainLifeCycle, purseId(6), life.encode()), key);

  ExceptionClearOrder clear;
  clear.numbers = {2, 3};
  clear.digest = sha256(toBytes("records"));
  auto clearCommand = signer.clearExceptionLog(purseId(6), clear);
  BOOST_TEST_REQUIRE(clearCommand.isOk());
  checkSignedOrder(*clearCommand, kClaProprietary, kInsClearExceptionLog, clear.encode(),
                   issuerOrderPayload(kDomainExceptionClear, purseId(6), clear.encode()), key);
}

BOOST_AUTO_TEST_CASE(revocation_list_is_signed_for_every_purse) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const RevocationList list{9, {purseId(7), purseId(8)}};
  auto command = signer.putRevocationList(list);
  BOOST_TEST_REQUIRE(command.isOk());
  checkSignedOrder(*command, kClaProprietary, kInsPutRevocationList, list.encode(),
                   domainPayload(kDomainRevocationList, list.encode()), issuer.verificationKey());
}

BOOST_AUTO_TEST_CASE(orders_signed_by_another_issuer_do_not_verify) {
  const IssuerKey issuer = freshKey();
  const IssuerKey impostor = freshKey();
  const ValueOrder order{0, 100, kEuro, 20261123};
  auto load = IssuerSigner(impostor).load(purseId(1), order);
  BOOST_TEST_REQUIRE(load.isOk());
  const Bytes signature(load->data().end() - kSignatureSize, load->data().end());
  BOOST_TEST(!issuer.verificationKey().verify(issuerOrderPayload(kDomainLoad, purseId(1), order.encode()), signature));
}

BOOST_AUTO_TEST_CASE(exception_digest_is_sha256_over_the_records_in_order) {
  const Bytes a(ExceptionRecord::kSize, 0xA1);
  const Bytes b(ExceptionRecord::kSize, 0xB2);
  Bytes ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  Bytes ba = b;
  ba.insert(ba.end(), a.begin(), a.end());
  BOOST_TEST(bytesOf(exceptionRecordsDigest({a, b})) == bytesOf(sha256(ab)));
  BOOST_TEST(bytesOf(exceptionRecordsDigest({b, a})) == bytesOf(sha256(ba)));
  BOOST_TEST(bytesOf(exceptionRecordsDigest(std::vector<Bytes>{})) == bytesOf(sha256(Bytes{})));
  // Independent of the library's hash: the SHA-256 of no bytes.
  BOOST_TEST(bytesOf(exceptionRecordsDigest(std::vector<Bytes>{})) ==
             h("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
}

BOOST_AUTO_TEST_SUITE_END()
