// Golden vectors of the issuer orders, the card's signed answers to them, and every signed
// payload with its domain tag. Layouts: docs/apdu.md, "Data structures"; payloads:
// docs/protocol.md, "What each signature covers".
#define BOOST_TEST_MODULE wire_format_orders_test
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "protocol/issuer_authorisations.h"
#include "protocol/signed_payloads.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"
#include "tests/support/wire_vectors.h"

using namespace epurse;
using namespace epurse::protocol;
using namespace epurse::testing;
using namespace epurse::testing::wire;

namespace {

// A PIN block: "13579" then FF padding.
constexpr std::string_view kPinHex = "3133353739FFFFFF";

// 0 purse ID | 8 currency | 10 max balance | 14 per-transfer max | 18 no-PIN limit | 22 PIN | 30 date.
const Bytes kPersonalisation = golden({kPurseIdHex, "6162", "11121314", "21222324", "31323334", kPinHex, "41424344"});

// 0 load counter | 4 amount | 8 currency | 10 date.
const Bytes kValueOrder = golden({"01020304", "11121314", "6162", "21222324"});

// 0 purse ID | 8 load counter | 12 amount | 16 currency | 18 balance after | 22 log record number.
const Bytes kValueReceipt = golden({kPurseIdHex, "01020304", "11121314", "6162", "21222324", "31323334"});

// 0 admin counter | 4 new PIN block.
const Bytes kPinUnblockOrder = golden({"01020304", kPinHex});

// 0 admin counter | 4 change.
const Bytes kLifeCycleOrder = golden({"01020304", "03"});

// 0 n | 1 n record numbers | 1+4n digest.
const Bytes kExceptionClearOrder = golden({"02", "01020304", "05060708", kDigestHex});

// 0 version | 4 n | 5 n purse IDs.
const Bytes kRevocationList = golden({"0A0B0C0D", "02", kFromIdHex, kToIdHex});

// 0 purse ID | 8 log | 9 records ever appended | 13 head hash | 45 balance | 49 nextSeq | 53 held.
const Bytes kAuditHead = golden({kPurseIdHex, "02", "11121314", kDigestHex, "21222324", "31323334", "07"});

AuditHead auditHeadValue() {
  AuditHead a;
  a.purseId = arrayOf<8>(kPurseIdHex);
  a.log = 0x02;
  a.appended = 0x11121314;
  a.headHash = arrayOf<32>(kDigestHex);
  a.balance = 0x21222324;
  a.nextSeq = 0x31323334;
  a.held = 0x07;
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pin_block)

BOOST_AUTO_TEST_CASE(is_the_ascii_digits_padded_with_FF) {
  auto block = makePinBlock("1234");
  BOOST_TEST_REQUIRE(block.isOk(), why(block));
  BOOST_TEST(hx(*block) == "31323334FFFFFFFF");
  BOOST_TEST(hx(*makePinBlock("13579")) == kPinHex);
  BOOST_TEST(isValidPinBlock(h(kPinHex)));
  BOOST_TEST(!isValidPinBlock(h("3133353739FFFF")));
  BOOST_TEST(!isValidPinBlock(h("3133353739FFFFFFFF")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(orders)

Personalisation personalisationValue() {
  Personalisation p;
  p.purseId = arrayOf<8>(kPurseIdHex);
  p.currency = 0x6162;
  p.maxBalance = 0x11121314;
  p.perTransferMax = 0x21222324;
  p.noPinLimit = 0x31323334;
  p.pin = arrayOf<8>(kPinHex);
  p.date = 0x41424344;
  return p;
}

BOOST_AUTO_TEST_CASE(personalisation_data) {
  BOOST_TEST(kPersonalisation.size() == Personalisation::kSize);
  expectGolden(personalisationValue(), kPersonalisation);
  expectExactLength(&Personalisation::decode, kPersonalisation);
}

BOOST_AUTO_TEST_CASE(value_order) {
  BOOST_TEST(kValueOrder.size() == ValueOrder::kSize);
  expectGolden(ValueOrder{0x01020304, 0x11121314, 0x6162, 0x21222324}, kValueOrder);
  expectExactLength(&ValueOrder::decode, kValueOrder);
}

BOOST_AUTO_TEST_CASE(value_receipt) {
  BOOST_TEST(kValueReceipt.size() == ValueReceipt::kSize);
  expectGolden(ValueReceipt{arrayOf<8>(kPurseIdHex), 0x01020304, 0x11121314, 0x6162, 0x21222324, 0x31323334},
               kValueReceipt);
  expectExactLength(&ValueReceipt::decode, kValueReceipt);
}

BOOST_AUTO_TEST_CASE(pin_unblock_order) {
  BOOST_TEST(kPinUnblockOrder.size() == PinUnblockOrder::kSize);
  expectGolden(PinUnblockOrder{0x01020304, arrayOf<8>(kPinHex)}, kPinUnblockOrder);
  expectExactLength(&PinUnblockOrder::decode, kPinUnblockOrder);
}

BOOST_AUTO_TEST_CASE(life_cycle_order) {
  BOOST_TEST(kLifeCycleOrder.size() == LifeCycleOrder::kSize);
  expectGolden(LifeCycleOrder{0x01020304, LifeCycleChange::kTerminate}, kLifeCycleOrder);
  expectExactLength(&LifeCycleOrder::decode, kLifeCycleOrder);
  expectMalformed(LifeCycleOrder::decode(withByte(kLifeCycleOrder, 4, 0x00)), "change 0");
  expectMalformed(LifeCycleOrder::decode(withByte(kLifeCycleOrder, 4, 0x04)), "change 4");
  BOOST_TEST(LifeCycleOrder::decode(withByte(kLifeCycleOrder, 4, 0x01)).isOk());
}

BOOST_AUTO_TEST_CASE(exception_clear_order) {
  expectGolden(ExceptionClearOrder{{0x01020304, 0x05060708}, arrayOf<32>(kDigestHex)}, kExceptionClearOrder);
  expectExactLength(&ExceptionClearOrder::decode, kExceptionClearOrder);
}

BOOST_AUTO_TEST_CASE(exception_clear_order_names_1_to_8_records) {
  expectMalformed(ExceptionClearOrder::decode(golden({"00", kDigestHex})), "n = 0");
  const Bytes nine = golden({"09", "000000010000000200000003000000040000000500000006000000070000000800000009", kDigestHex});
  expectMalformed(ExceptionClearOrder::decode(nine), "n = 9");
  const Bytes eight = golden({"08", "0000000100000002000000030000000400000005000000060000000700000008", kDigestHex});
  auto decoded = ExceptionClearOrder::decode(eight);
  BOOST_TEST_REQUIRE(decoded.isOk(), why(decoded));
  BOOST_TEST(decoded->numbers == (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

BOOST_AUTO_TEST_CASE(revocation_list) {
  expectGolden(RevocationList{0x0A0B0C0D, {arrayOf<8>(kFromIdHex), arrayOf<8>(kToIdHex)}}, kRevocationList);
  expectExactLength(&RevocationList::decode, kRevocationList);
}

BOOST_AUTO_TEST_CASE(revocation_list_holds_0_to_32_ids) {
  expectGolden(RevocationList{0x0A0B0C0D, {}}, golden({"0A0B0C0D", "00"}));
  expectMalformed(RevocationList::decode(h("0A0B0C0D")), "no count");
  Bytes full = golden({"0A0B0C0D", "20"});
  for (int i = 0; i < 32; ++i) full.insert(full.end(), {0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8});
  auto decoded = RevocationList::decode(full);
  BOOST_TEST_REQUIRE(decoded.isOk(), why(decoded));
  BOOST_TEST(decoded->revoked.size() == 32u);
  Bytes over = withByte(full, 4, 0x21);
  over.insert(over.end(), {0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8});
  expectMalformed(RevocationList::decode(over), "n = 33");
}

BOOST_AUTO_TEST_CASE(audit_head) {
  BOOST_TEST(kAuditHead.size() == AuditHead::kSize);
  expectGolden(auditHeadValue(), kAuditHead);
  expectExactLength(&AuditHead::decode, kAuditHead);
}

BOOST_AUTO_TEST_CASE(signed_data_is_fields_then_a_64_byte_signature) {
  const Bytes data = cat({kValueOrder, h(kSignatureHex)});
  auto split = splitSigned(data, ValueOrder::kSize);
  BOOST_TEST_REQUIRE(split.isOk(), why(split));
  BOOST_TEST(hx(split->fields) == hx(kValueOrder));
  BOOST_TEST(hx(split->signature) == kSignatureHex);
  expectMalformed(splitSigned(ByteView(data).first(data.size() - 1), ValueOrder::kSize), "one byte short");
  expectMalformed(splitSigned(cat({data, h("00")}), ValueOrder::kSize), "one byte long");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(signed_payloads)

BOOST_AUTO_TEST_CASE(every_domain_tag_is_its_ascii_bytes) {
  const std::vector<std::pair<std::string_view, std::string_view>> tags = {
      {kDomainPersonalise, "50455253"},    {kDomainLoad, "4C4F4144"},          {kDomainUnload, "554C4F44"},
      {kDomainPinUnblock, "554E424C"},     {kDomainLifeCycle, "4C494645"},     {kDomainExceptionClear, "58434C52"},
      {kDomainRevocationList, "5245564C"}, {kDomainLoadReceipt, "4C524350"},   {kDomainUnloadReceipt, "55524350"},
      {kDomainAudit, "41554454"},
  };
  for (const auto& [domain, hex] : tags) BOOST_TEST(hx(toBytes(domain)) == hex);
}

BOOST_AUTO_TEST_CASE(an_issuer_order_signs_domain_purse_id_fields) {
  const PurseId purse = arrayOf<8>(kPurseIdHex);
  const std::vector<std::tuple<std::string_view, std::string_view, Bytes>> orders = {
      {kDomainLoad, "4C4F4144", kValueOrder},
      {kDomainUnload, "554C4F44", kValueOrder},
      {kDomainPinUnblock, "554E424C", kPinUnblockOrder},
      {kDomainLifeCycle, "4C494645", kLifeCycleOrder},
      {kDomainExceptionClear, "58434C52", kExceptionClearOrder},
  };
  for (const auto& [domain, tag, fields] : orders) {
    BOOST_TEST(hx(issuerOrderPayload(domain, purse, fields)) == hx(golden({tag, kPurseIdHex, hx(fields)})));
  }
}

BOOST_AUTO_TEST_CASE(personalisation_signs_the_card_key_not_a_purse_id) {
  const Bytes payload = domainPayload(kDomainPersonalise, cat({h(kPointHex), kPersonalisation}));
  BOOST_TEST(hx(payload) == hx(cat({h("50455253"), h(kPointHex), kPersonalisation})));
  BOOST_TEST(payload.size() == 4u + 65u + 34u);
}

BOOST_AUTO_TEST_CASE(the_revocation_list_and_the_receipts_sign_domain_fields) {
  BOOST_TEST(hx(domainPayload(kDomainRevocationList, kRevocationList)) == hx(cat({h("5245564C"), kRevocationList})));
  BOOST_TEST(hx(domainPayload(kDomainLoadReceipt, kValueReceipt)) == hx(cat({h("4C524350"), kValueReceipt})));
  BOOST_TEST(hx(domainPayload(kDomainUnloadReceipt, kValueReceipt)) == hx(cat({h("55524350"), kValueReceipt})));
}

BOOST_AUTO_TEST_CASE(an_audit_signs_domain_challenge_length_challenge_head) {
  const Bytes challenge = h("9192939495969798");
  BOOST_TEST(hx(auditPayload(challenge, auditHeadValue())) == hx(golden({"41554454", "08", hx(challenge), hx(kAuditHead)})));
  const Bytes longest(kMaxChallengeSize, 0x5A);
  BOOST_TEST(hx(auditPayload(longest, auditHeadValue())) == hx(cat({h("41554454"), h("20"), longest, kAuditHead})));
}

BOOST_AUTO_TEST_SUITE_END()
