// Golden vectors of every command APDU the terminal and the issuer build
// (protocol/purse_apdus.h): CLA INS P1 P2, Lc, data and Le byte for byte, as docs/apdu.md's
// command summary lists them.
#define BOOST_TEST_MODULE wire_format_apdus_test
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/purse_apdus.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"
#include "tests/support/wire_vectors.h"

using namespace epurse;
using namespace epurse::protocol;
using namespace epurse::testing;
using namespace epurse::testing::wire;

namespace {

constexpr std::string_view kPinHex = "3133353739FFFFFF";     // "13579"
constexpr std::string_view kOtherPinHex = "3234363830FFFFFF";  // "24680"
const Bytes kIssuerSignature = h(kSignatureHex);

void expectApdu(const CommandApdu& command, const Bytes& expected) {
  BOOST_TEST(hx(command.serialize()) == hx(expected));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(iso_commands)

BOOST_AUTO_TEST_CASE(select_get_data_read_record) {
  expectApdu(apdus::selectPurse(), golden({"00A40400", "08", "F065707572736501", "00"}));
  expectApdu(apdus::getData(kDataPurseStatus), golden({"00CA0101", "00"}));
  expectApdu(apdus::getData(kDataCardPublicKey), golden({"00CA7F49", "00"}));
  expectApdu(apdus::getData(kDataCardCertificate), golden({"00CA7F21", "00"}));
  expectApdu(apdus::readRecord(kSfiTransactionLog, 3), golden({"00B2030C", "00"}));
  expectApdu(apdus::readRecord(kSfiExceptionLog, 7), golden({"00B20714", "00"}));
}

BOOST_AUTO_TEST_CASE(pin_commands) {
  expectApdu(apdus::verifyPin(arrayOf<8>(kPinHex)), golden({"00200080", "08", kPinHex}));
  expectApdu(apdus::pinTriesLeft(), golden({"00200080"}));
  expectApdu(apdus::changePin(arrayOf<8>(kPinHex), arrayOf<8>(kOtherPinHex)),
             golden({"00240080", "10", kPinHex, kOtherPinHex}));
  // Admin counter 01020304, new PIN, issuer signature: 76 bytes.
  expectApdu(apdus::resetRetryCounter(PinUnblockOrder{0x01020304, arrayOf<8>(kOtherPinHex)}, kIssuerSignature),
             golden({"002C0080", "4C", "01020304", kOtherPinHex, kSignatureHex}));
}

BOOST_AUTO_TEST_CASE(generate_key_pair) { expectApdu(apdus::generateKeyPair(), golden({"00460000", "00"})); }

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(personalisation_commands)

BOOST_AUTO_TEST_CASE(put_issuer_key) {
  expectApdu(apdus::putIssuerKey(h(kPointHex)), golden({"80100000", "41", kPointHex}));
}

BOOST_AUTO_TEST_CASE(personalise) {
  Personalisation p;
  p.purseId = arrayOf<8>(kPurseIdHex);
  p.currency = 0x6162;
  p.maxBalance = 0x11121314;
  p.perTransferMax = 0x21222324;
  p.noPinLimit = 0x31323334;
  p.pin = arrayOf<8>(kPinHex);
  p.date = 0x41424344;
  expectApdu(apdus::personalise(p, kIssuerSignature),
             golden({"80120000", "62", kPurseIdHex, "6162", "11121314", "21222324", "31323334", kPinHex, "41424344",
                     kSignatureHex}));
}

BOOST_AUTO_TEST_CASE(put_certificate) {
  expectApdu(apdus::putCertificate(kCertificate), cat({h("80140000 B1"), kCertificate}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(issuer_orders)

BOOST_AUTO_TEST_CASE(load_and_unload_ask_for_the_receipt) {
  const ValueOrder order{0x01020304, 0x11121314, 0x6162, 0x21222324};
  expectApdu(apdus::load(order, kIssuerSignature),
             golden({"80300000", "4E", "01020304", "11121314", "6162", "21222324", kSignatureHex, "00"}));
  expectApdu(apdus::unload(order, kIssuerSignature),
             golden({"80320000", "4E", "01020304", "11121314", "6162", "21222324", kSignatureHex, "00"}));
}

BOOST_AUTO_TEST_CASE(set_life_cycle) {
  expectApdu(apdus::setLifeCycle(LifeCycleOrder{0x01020304, LifeCycleChange::kBlock}, kIssuerSignature),
             golden({"80760000", "45", "01020304", "01", kSignatureHex}));
}

BOOST_AUTO_TEST_CASE(clear_exception_log) {
  const ExceptionClearOrder order{{0x01020304, 0x05060708}, arrayOf<32>(kDigestHex)};
  // Lc = 97 + 4n = 105.
  expectApdu(apdus::clearExceptionLog(order, kIssuerSignature),
             golden({"80720000", "69", "02", "01020304", "05060708", kDigestHex, kSignatureHex}));
}

BOOST_AUTO_TEST_CASE(put_revocation_list_short_and_extended) {
  const RevocationList one{0x0A0B0C0D, {arrayOf<8>(kFromIdHex)}};
  expectApdu(apdus::putRevocationList(one, kIssuerSignature),
             golden({"80740000", "4D", "0A0B0C0D", "01", kFromIdHex, kSignatureHex}));
  // 24 IDs: 5 + 192 + 64 = 261 bytes, over a short Lc: extended, 00 0105.
  RevocationList many{0x0A0B0C0D, std::vector<PurseId>(24, arrayOf<8>(kToIdHex))};
  Bytes expected = golden({"80740000", "000105", "0A0B0C0D", "18"});
  for (int i = 0; i < 24; ++i) expected = cat({expected, h(kToIdHex)});
  expectApdu(apdus::putRevocationList(many, kIssuerSignature), cat({expected, kIssuerSignature}));
}

BOOST_AUTO_TEST_CASE(audit_read) {
  expectApdu(apdus::auditRead(kSfiExceptionLog, h("9192939495969798")),
             golden({"80700200", "08", "9192939495969798", "00"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transfer_commands)

BOOST_AUTO_TEST_CASE(start_from_and_start_to) {
  StartOrder order;
  order.counterpartyCertificate = kCertificate;
  order.value = 0x91929394;
  order.counterpartySeq = 0x0A0B0C0D;
  order.reference = arrayOf<32>(kReferenceHex);
  const Bytes data = cat({kCertificate, h("91929394 0A0B0C0D"), h(kReferenceHex)});
  expectApdu(apdus::startFrom(order), cat({h("80500000 D9"), data, h("00")}));
  expectApdu(apdus::startTo(order), cat({h("80520000 D9"), data, h("00")}));
}

BOOST_AUTO_TEST_CASE(req_val_ack_abort) {
  const SignedTransferMessage message{pdValue(), h(kSignatureHex)};
  const Bytes data = cat({kPd, h(kSignatureHex)});
  expectApdu(apdus::req(message), cat({h("80540000 7E"), data, h("00")}));
  expectApdu(apdus::val(message), cat({h("80560000 7E"), data, h("00")}));
  expectApdu(apdus::ack(message), cat({h("80580000 7E"), data}));
  expectApdu(apdus::abortTransfer(), h("805A0000"));
}

BOOST_AUTO_TEST_SUITE_END()
