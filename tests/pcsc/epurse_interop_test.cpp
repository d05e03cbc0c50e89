// Clients no one here wrote, against an epurse-card process through pcscd + vpcd: pcsc-tools'
// scriptor running tests/interop/select_and_status.scriptor, a pyscard script
// (tests/interop/read_status.py) that knows only docs/apdu.md, and pcsc_scan. Each must see
// the purse as the card holds it: the FCI and the status record, field by field at the
// offsets docs/apdu.md gives, against what the test personalised and loaded.
#define BOOST_TEST_MODULE epurse_interop_test
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/byte_codec.h"
#include "tests/support/purse_end_to_end_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::e2e;
using nlohmann::json;

namespace {

const std::string kInterop = std::string(EPURSE_SOURCE_DIR) + "/tests/interop/";
constexpr Amount kLoaded = 1234;

std::uint32_t be32(const Bytes& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

// The status record's fields at the offsets of docs/apdu.md § Status record.
void checkStatusRecord(const Bytes& r, const protocol::PurseStatus& s) {
  BOOST_TEST_REQUIRE(r.size() == protocol::PurseStatus::kSize);
  BOOST_TEST(r[0] == 1);                                          // format version
  BOOST_TEST(r[1] == static_cast<std::uint8_t>(s.lifeCycle));     // 1 personalised
  BOOST_TEST(r[1] == 1);
  BOOST_TEST(r[3] == 0);                                          // idle
  BOOST_TEST(r[4] == 3);                                          // PIN tries
  BOOST_TEST(toHex(ByteView(r.data() + 6, 8)) == protocol::purseIdHex(s.purseId));
  BOOST_TEST(((r[14] << 8) | r[15]) == 978);                      // EUR
  BOOST_TEST(be32(r, 16) == kLoaded);                             // balance
  BOOST_TEST(be32(r, 20) == s.maxBalance);
  BOOST_TEST(be32(r, 24) == s.perTransferMax);
  BOOST_TEST(be32(r, 28) == s.noPinLimit);
  BOOST_TEST(be32(r, 32) == s.nextSeq);
  BOOST_TEST(be32(r, 36) == 1u);                                  // one load
  BOOST_TEST(be32(r, 44) == s.date);
  BOOST_TEST(r[52] == 32);                                        // log capacity
  BOOST_TEST(r[54] == 8);                                         // exception capacity
  BOOST_TEST(toHex(ByteView(r.data() + 59, 8)) == toHex(s.issuerKeyId));
  BOOST_TEST(be32(r, 67) == s.certificateExpiry);
  BOOST_TEST((r == s.encode()));
}

// The bytes of every "< xx xx ... : comment" line scriptor prints, one Bytes per response
// (a long response continues over several lines before its ':').
std::vector<Bytes> scriptorResponses(const std::string& output) {
  std::vector<Bytes> responses;
  std::istringstream in(output);
  std::string line;
  bool open = false;
  while (std::getline(in, line)) {
    if (line.rfind("< ", 0) == 0) {
      responses.emplace_back();
      open = true;
      line = line.substr(2);
    } else if (!open || line.rfind("> ", 0) == 0) {
      open = false;
      continue;
    }
    const auto colon = line.find(':');
    std::istringstream words(line.substr(0, colon));
    std::string word;
    while (words >> word) {
      auto byte = fromHex(word);
      if (byte && byte->size() == 1) responses.back().push_back((*byte)[0]);
    }
    if (colon != std::string::npos) open = false;
  }
  // The RESET line ("< OK: ATR") holds no response bytes before its ':'.
  std::erase_if(responses, [](const Bytes& r) { return r.empty(); });
  return responses;
}

struct InteropFixture : PurseFixture {
  std::unique_ptr<Card> card = plug(0, "purse.img");  // T=1
  protocol::PurseStatus expected;
  Bytes atr;

  InteropFixture() {
    issuer.personalise(card->purse(), profile(5));
    load(*card, kLoaded);
    expected = status(*card);
    auto a = card->channel->pcsc().atr();
    BOOST_TEST_REQUIRE(a.isOk(), why(a));
    atr = *a;
    card->client.reset();
    card->channel.reset();
  }

  static CommandOutput run(const std::vector<std::string>& argv) {
    auto out = runCommand(argv, 30000ms);
    BOOST_TEST_REQUIRE(out.isOk(), why(out));
    return *out;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(epurse_interop, InteropFixture)

BOOST_AUTO_TEST_CASE(scriptor_selects_the_purse_and_reads_its_status) {
  // scriptor's exit status says nothing about the card (it is not 0 at the script's end).
  const auto out = run({"scriptor", "-r", readers[0], kInterop + "select_and_status.scriptor"});
  const auto responses = scriptorResponses(out.out);
  BOOST_TEST_REQUIRE(responses.size() == 2u, out.out);
  Bytes fci = responses[0];
  BOOST_TEST_REQUIRE(fci.size() == 23u + 2, out.out);
  BOOST_TEST(toHex(ByteView(fci.data() + 22, 3)) == "019000");  // life cycle, 9000
  BOOST_TEST(toHex(ByteView(fci.data(), 4)) == "6F158408");
  BOOST_TEST(toHex(ByteView(fci.data() + 4, 8)) == toHex(protocol::kPurseAid));
  BOOST_TEST(toHex(ByteView(fci.data() + 12, 2)) == "A509");
  BOOST_TEST(toHex(ByteView(fci.data() + 14, 8)) == protocol::purseIdHex(expected.purseId));
  BOOST_TEST(fci[22] == 1);  // personalised
  Bytes record = responses[1];
  BOOST_TEST_REQUIRE(record.size() == protocol::PurseStatus::kSize + 2, out.out);
  BOOST_TEST(toHex(ByteView(record.data() + protocol::PurseStatus::kSize, 2)) == "9000");
  record.resize(protocol::PurseStatus::kSize);
  checkStatusRecord(record, expected);
}

BOOST_AUTO_TEST_CASE(a_pyscard_client_reads_every_status_field) {
  // Debian's python3 (python3-pyscard installs there), not one earlier in PATH.
  const auto out = run({"/usr/bin/python3", kInterop + "read_status.py", readers[0]});
  BOOST_TEST_REQUIRE(out.exitCode == 0, out.out);
  const json j = json::parse(out.out, nullptr, false);
  BOOST_TEST_REQUIRE(j.is_object(), out.out);
  BOOST_TEST(j["atr"] == toHex(atr));
  BOOST_TEST(j["fci"].get<std::string>().substr(28) == protocol::purseIdHex(expected.purseId) + "01");
  const json& s = j["status"];
  BOOST_TEST(s["formatVersion"] == 1);
  BOOST_TEST(s["lifeCycle"] == 1);
  BOOST_TEST(s["personalisation"] == expected.personalisation);
  BOOST_TEST(s["protocolStatus"] == 0);
  BOOST_TEST(s["pinTriesLeft"] == 3);
  BOOST_TEST(s["pinVerified"] == 0);
  BOOST_TEST(s["purseId"] == protocol::purseIdHex(expected.purseId));
  BOOST_TEST(s["currency"] == 978);
  BOOST_TEST(s["balance"] == kLoaded);
  BOOST_TEST(s["maxBalance"] == expected.maxBalance);
  BOOST_TEST(s["perTransferMax"] == expected.perTransferMax);
  BOOST_TEST(s["noPinLimit"] == expected.noPinLimit);
  BOOST_TEST(s["nextSeq"] == expected.nextSeq);
  BOOST_TEST(s["loadCounter"] == 1);
  BOOST_TEST(s["adminCounter"] == expected.adminCounter);
  BOOST_TEST(s["date"] == expected.date);
  BOOST_TEST(s["logAppended"] == expected.logAppended);
  BOOST_TEST(s["logCapacity"] == 32);
  BOOST_TEST(s["exceptionsHeld"] == 0);
  BOOST_TEST(s["exceptionCapacity"] == 8);
  BOOST_TEST(s["revocationVersion"] == expected.revocationVersion);
  BOOST_TEST(s["issuerKeyId"] == toHex(expected.issuerKeyId));
  BOOST_TEST(s["certificateExpiry"] == expected.certificateExpiry);
}

BOOST_AUTO_TEST_CASE(pcsc_scan_names_the_reader_and_the_atr) {
  const auto out = run({"pcsc_scan", "-n", "-t", "2"});
  BOOST_TEST(out.out.find(readers[0]) != std::string::npos, out.out);
  std::string spaced;
  for (std::size_t i = 0; i < atr.size(); ++i) {
    if (i) spaced += ' ';
    spaced += toHex(ByteView(&atr[i], 1));
  }
  BOOST_TEST(out.out.find("ATR: " + spaced) != std::string::npos, out.out);
}

BOOST_AUTO_TEST_SUITE_END()
