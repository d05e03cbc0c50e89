// The APDU trace hook: an observer on a CardChannel sees every exchange transmit() makes,
// GET RESPONSE and 6Cxx resends included, with its time; the printer names the purse's
// commands and never shows a PIN.
#define BOOST_TEST_MODULE apdu_trace_test
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "apdu/card_channel.h"
#include "apdu/status_word.h"
#include "base/hex.h"
#include "card/runtime/card_os.h"
#include "host/apdu_trace.h"
#include "protocol/purse_apdus.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::testing;
using Step = ApduExchange::Step;

namespace {

// Keeps a copy of every exchange (the observer's bytes are valid during the call only).
struct Recorder final : ApduObserver {
  struct Seen {
    Step step;
    Bytes command;
    Bytes response;
    std::optional<Error> error;
    std::optional<sw::StatusWord> sw;
    std::chrono::nanoseconds elapsed;
    std::string commandLine, responseLine;
  };
  std::vector<Seen> seen;

  void onExchange(const ApduExchange& e) override {
    seen.push_back({e.step, Bytes(e.command.begin(), e.command.end()), Bytes(e.response.begin(), e.response.end()),
                    e.error ? std::optional<Error>(*e.error) : std::nullopt, e.statusWord(), e.elapsed,
                    host::traceCommandLine(e), host::traceResponseLine(e)});
  }
};

// What the card answered, raw, for the same commands: what the trace must show.
struct RawRecorder final : CardChannel {
  explicit RawRecorder(CardChannel& inner) : inner_(inner) {}
  Result<Bytes> transmitRaw(ByteView command) override {
    auto r = inner_.transmitRaw(command);
    raw.push_back({Bytes(command.begin(), command.end()), r ? *r : Bytes{}});
    return r;
  }
  std::vector<std::pair<Bytes, Bytes>> raw;

 private:
  CardChannel& inner_;
};

struct FailingChannel final : CardChannel {
  Result<Bytes> transmitRaw(ByteView) override {
    return makeError(ErrorCode::kCardRemoved, "the card left the reader");
  }
};

std::string spaced(const Bytes& b) {
  std::string out;
  const std::string hex = toHex(b);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (i) out += ' ';
    out += hex.substr(i, 2);
  }
  return out;
}

// A personalised T=0 purse: SELECT answers 61xx, GET DATA with Le 00 answers 6Cxx.
struct T0Purse {
  TestIssuer issuer;
  TestPurse purse{TransportProtocol::kT0};
  Recorder recorder;
  RawRecorder channel{purse.card().channel()};
  host::PurseClient client{channel};

  T0Purse() {
    PurseProfile profile;
    profile.id = testPurseId(7);
    issuer.personalise(purse.client(), profile);
    channel.setObserver(&recorder);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(every_exchange_of_a_t0_select_is_seen_including_get_response, T0Purse) {
  auto selected = client.select();
  BOOST_TEST_REQUIRE(selected.isOk(), why(selected));
  BOOST_TEST_REQUIRE(recorder.seen.size() == 2u);
  BOOST_TEST_REQUIRE(channel.raw.size() == 2u);
  BOOST_TEST((recorder.seen[0].step == Step::kCommand));
  BOOST_TEST(recorder.seen[0].command == protocol::apdus::selectPurse().serialize());
  BOOST_TEST(recorder.seen[0].response.size() == 2u);
  BOOST_TEST(sw::sw1(*recorder.seen[0].sw) == sw::kSw1BytesAvailable);
  BOOST_TEST((recorder.seen[1].step == Step::kGetResponse));
  BOOST_TEST(recorder.seen[1].command[1] == kInsGetResponse);
  BOOST_TEST((recorder.seen[1].sw == sw::kSuccess));
  for (std::size_t i = 0; i < 2; ++i) {  // exactly the bytes that crossed, both ways
    BOOST_TEST(recorder.seen[i].command == channel.raw[i].first);
    BOOST_TEST(recorder.seen[i].response == channel.raw[i].second);
    BOOST_TEST(!recorder.seen[i].error.has_value());
    BOOST_TEST(recorder.seen[i].elapsed.count() > 0);
  }
  BOOST_TEST(recorder.seen[0].commandLine == "> " + spaced(protocol::apdus::selectPurse().serialize()) + "  SELECT");
  BOOST_TEST(recorder.seen[0].responseLine.rfind("< 61 ", 0) == 0u, recorder.seen[0].responseLine);
  BOOST_TEST(recorder.seen[1].commandLine.find("GET RESPONSE") != std::string::npos, recorder.seen[1].commandLine);
  BOOST_TEST(recorder.seen[1].responseLine.find(" 90 00  9000 success  (") != std::string::npos,
             recorder.seen[1].responseLine);
  BOOST_TEST(recorder.seen[1].responseLine.find(" ms)") != std::string::npos, recorder.seen[1].responseLine);
}

BOOST_FIXTURE_TEST_CASE(a_6cxx_resend_is_seen_and_named, T0Purse) {
  auto status = client.status();  // GET DATA with Le 00: T=0 asks for the exact Le
  BOOST_TEST_REQUIRE(status.isOk(), why(status));
  BOOST_TEST_REQUIRE(recorder.seen.size() == channel.raw.size());
  BOOST_TEST_REQUIRE(recorder.seen.size() == 2u);
  BOOST_TEST((recorder.seen[0].step == Step::kCommand));
  BOOST_TEST(sw::sw1(*recorder.seen[0].sw) == sw::kSw1WrongLe);
  BOOST_TEST((recorder.seen[1].step == Step::kResend));
  BOOST_TEST(recorder.seen[1].commandLine.find("GET DATA (resent") != std::string::npos, recorder.seen[1].commandLine);
  BOOST_TEST(recorder.seen[1].response.size() == protocol::PurseStatus::kSize + 2);
}

BOOST_FIXTURE_TEST_CASE(pins_are_masked_in_every_pin_command, T0Purse) {
  const auto pin = *protocol::makePinBlock("1234");
  const auto newPin = *protocol::makePinBlock("987654");
  auto verified = client.verifyPin(pin);
  BOOST_TEST_REQUIRE(verified.isOk(), why(verified));
  BOOST_TEST(verified->verified());
  auto changed = client.changePin(pin, newPin);
  BOOST_TEST_REQUIRE(changed.isOk(), why(changed));
  const Bytes pinBytes(pin.begin(), pin.end()), newPinBytes(newPin.begin(), newPin.end());

  std::string all;
  for (const auto& s : recorder.seen) all += s.commandLine + "\n" + s.responseLine + "\n";
  BOOST_TEST(all.find(spaced(pinBytes)) == std::string::npos, all);
  BOOST_TEST(all.find(spaced(newPinBytes)) == std::string::npos, all);
  BOOST_TEST(all.find(toHex(pinBytes)) == std::string::npos, all);
  // The recorder got the real bytes (a trace hook sees what is sent); only the lines mask.
  BOOST_TEST(recorder.seen[0].command.size() == 5u + pinBytes.size());
  BOOST_TEST(recorder.seen[0].commandLine == "> 00 20 00 80 08 ** ** ** ** ** ** ** **  VERIFY");
  const auto change = std::find_if(recorder.seen.begin(), recorder.seen.end(),
                                   [](const auto& s) { return s.command[1] == protocol::kInsChangeReferenceData; });
  BOOST_TEST_REQUIRE((change != recorder.seen.end()));
  std::string masked;
  for (int i = 0; i < 16; ++i) masked += " **";
  BOOST_TEST(change->commandLine == "> 00 24 00 80 10" + masked + "  CHANGE REFERENCE DATA");

  // RESET RETRY COUNTER carries the new PIN inside the issuer order; all its data is masked.
  protocol::PinUnblockOrder order;
  order.adminCounter = 3;
  order.newPin = newPin;
  const Bytes reset = protocol::apdus::resetRetryCounter(order, Bytes(64, 0xAB)).serialize();
  ApduExchange e;
  e.command = reset;
  const std::string line = host::traceCommandLine(e);
  BOOST_TEST(line.find(spaced(newPinBytes)) == std::string::npos, line);
  BOOST_TEST(line.find("AB") == std::string::npos, line);
  BOOST_TEST(line.find("RESET RETRY COUNTER") != std::string::npos, line);
  // PERSONALISE carries the initial PIN inside the personalisation data; all its data is masked.
  protocol::Personalisation perso;
  perso.pin = *protocol::makePinBlock("4711");
  const Bytes persoPin(perso.pin.begin(), perso.pin.end());
  const Bytes personalise = protocol::apdus::personalise(perso, Bytes(64, 0xCD)).serialize();
  e.command = personalise;
  const std::string persoLine = host::traceCommandLine(e);
  BOOST_TEST(persoLine.find(spaced(persoPin)) == std::string::npos, persoLine);
  BOOST_TEST(persoLine.find("CD") == std::string::npos, persoLine);
  BOOST_TEST(persoLine.find("PERSONALISE") != std::string::npos, persoLine);
  // VERIFY without data (tries left) has nothing to hide.
  const Bytes tries = protocol::apdus::pinTriesLeft().serialize();
  e.command = tries;
  BOOST_TEST(host::traceCommandLine(e) == "> 00 20 00 80  VERIFY");
  // A VERIFY that does not parse: everything past the header is masked.
  const Bytes broken{0x00, 0x20, 0x00, 0x80, 0x08, 0x31, 0x32, 0x33};
  e.command = broken;
  BOOST_TEST(host::traceCommandLine(e) == "> 00 20 00 80 ** ** ** **");
}

BOOST_AUTO_TEST_CASE(a_failed_exchange_is_seen_with_its_error_and_time) {
  FailingChannel channel;
  Recorder recorder;
  channel.setObserver(&recorder);
  auto r = channel.transmit(protocol::apdus::getData(protocol::kDataPurseStatus));
  BOOST_TEST(!r.isOk());
  BOOST_TEST_REQUIRE(recorder.seen.size() == 1u);
  BOOST_TEST_REQUIRE(recorder.seen[0].error.has_value());
  BOOST_TEST((recorder.seen[0].error->code == ErrorCode::kCardRemoved));
  BOOST_TEST(!recorder.seen[0].sw.has_value());
  BOOST_TEST(recorder.seen[0].commandLine == "> 00 CA 01 01 00  GET DATA");
  BOOST_TEST(recorder.seen[0].responseLine.rfind("< failed: card removed: the card left the reader  (", 0) == 0u,
             recorder.seen[0].responseLine);
}

BOOST_AUTO_TEST_CASE(the_printer_writes_two_lines_per_exchange_and_can_be_removed) {
  EchoCardFixture card(TransportProtocol::kT0);
  std::ostringstream out;
  host::ApduTracePrinter printer(out);
  card.channel().setObserver(&printer);
  const CommandApdu selectEcho(0x00, kInsSelect, kSelectByDfName, 0x00, kEchoAid, 256);
  card.send(selectEcho);  // SELECT → 61xx → GET RESPONSE
  const std::string text = out.str();
  BOOST_TEST(std::count(text.begin(), text.end(), '\n') == 4, text);
  BOOST_TEST(text.rfind("> 00 A4 04 00 0B F0 45 50 55 52 53 45 45 43 48 4F 00  SELECT\n< 61 ", 0) == 0u, text);
  BOOST_TEST(text.find("\n> 00 C0 00 00 ") != std::string::npos, text);
  BOOST_TEST(text.find("  GET RESPONSE\n< ") != std::string::npos, text);
  BOOST_TEST(text.find("90 00  9000 success  (") != std::string::npos, text);
  card.channel().setObserver(nullptr);
  card.send(selectEcho);
  BOOST_TEST(out.str() == text);
}

BOOST_AUTO_TEST_CASE(elapsed_time_reads_in_milliseconds) {
  BOOST_TEST(host::formatElapsed(std::chrono::microseconds(210)) == "0.21 ms");
  BOOST_TEST(host::formatElapsed(std::chrono::milliseconds(12)) == "12.00 ms");
  BOOST_TEST(host::formatElapsed(std::chrono::nanoseconds(0)) == "0.00 ms");
}
