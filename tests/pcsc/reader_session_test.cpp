// ReaderSession end to end, under a private pcscd (tests/pcsc/with-private-pcscd.sh): the
// real purse card process (EPURSE_CARD_PROGRAM) and the echo card (EPURSE_ECHO_CARD) in
// vpcd's two readers, and the session choosing, connecting, selecting and recovering exactly
// as the programs do.
#define BOOST_TEST_MODULE reader_session_test
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>

#include <string>
#include <vector>

#include "apdu/pcsc_channel.h"
#include "host/reader_session.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "tests/support/child_process.h"
#include "tests/support/private_pcscd_readers.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::testing;
using namespace std::chrono_literals;
using host::ReaderSelector;
using host::ReaderSession;
using host::ReaderSessionOptions;

namespace {

// The INS of every exchange the session made, to see what it sent after a reset.
struct InsRecorder final : ApduObserver {
  std::vector<std::uint8_t> ins;
  void onExchange(const ApduExchange& e) override { ins.push_back(e.command[1]); }
};

struct SessionFixture : PrivatePcscdReaders {
  SessionFixture() : PrivatePcscdReaders("epurse-session") {}

  ChildProcess start(const char* program, unsigned slot, const std::string& image, const std::string& protocol = "t1") {
    auto child = ChildProcess::start({program, "--state", (dir / image).string(), "--port", std::to_string(port + slot),
                                      "--protocol", protocol, "--quiet"},
                                     (dir / "cards.log").string());
    BOOST_TEST_REQUIRE(child.isOk(), why(child));
    auto s = context->waitForCard(readers[slot], true, kCardArrivalMs);
    BOOST_TEST_REQUIRE(s.isOk(), why(s));
    return std::move(*child);
  }
  ChildProcess purse(unsigned slot, const std::string& protocol = "t1") {
    return start(EPURSE_CARD_PROGRAM, slot, "purse" + std::to_string(slot) + ".img", protocol);
  }
  ChildProcess echo(unsigned slot) { return start(EPURSE_ECHO_CARD, slot, "echo" + std::to_string(slot) + ".img"); }

  static Result<std::unique_ptr<ReaderSession>> open(ReaderSelector reader, Protocol protocol = Protocol::kAny,
                                                     ApduObserver* trace = nullptr) {
    ReaderSessionOptions options;
    options.reader = std::move(reader);
    options.protocol = protocol;
    options.trace = trace;
    return ReaderSession::open(options);
  }

  std::unique_ptr<ReaderSession> opened(ReaderSelector reader, Protocol protocol = Protocol::kAny,
                                        ApduObserver* trace = nullptr) {
    auto session = open(std::move(reader), protocol, trace);
    BOOST_TEST_REQUIRE(session.isOk(), why(session));
    return std::move(*session);
  }

  // The failure's code, and every text the message must hold.
  template <typename R>
  static void fails(const R& r, ErrorCode code, const std::vector<std::string>& texts) {
    BOOST_TEST_REQUIRE(!r.isOk());
    BOOST_TEST((r.error().code == code), r.error().toString());
    for (const auto& t : texts) BOOST_TEST(r.error().message.find(t) != std::string::npos, r.error().message);
  }

  static protocol::PurseStatus status(ReaderSession& session) {
    auto s = session.purse().status();
    BOOST_TEST_REQUIRE(s.isOk(), why(s));
    return *s;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(reader_session, SessionFixture)

BOOST_AUTO_TEST_CASE(by_index) {
  auto card = purse(1);
  auto session = opened(ReaderSelector::byIndex(1));
  BOOST_TEST(session->readerName() == readers[1]);
  BOOST_TEST(session->readerIndex() == 1u);
  BOOST_TEST((status(*session).lifeCycle == protocol::LifeCycle::kBlank));
  BOOST_TEST(opened(ReaderSelector::parse("1"))->readerName() == readers[1]);
  fails(open(ReaderSelector::byIndex(2)), ErrorCode::kNoReader, {"no reader number 2 (there are 2)", readers[0]});
}

BOOST_AUTO_TEST_CASE(by_name_exact_or_unique_substring_in_any_case) {
  auto card = purse(1);
  BOOST_TEST(opened(ReaderSelector::byName(readers[1]))->readerIndex() == 1u);
  const std::string tail = readers[1].substr(readers[1].size() - 4);  // "0 01": only reader 1's name ends so
  BOOST_TEST_REQUIRE(readers[0].find(tail) == std::string::npos);
  BOOST_TEST(opened(ReaderSelector::parse(tail))->readerName() == readers[1]);
  std::string upper = readers[1];
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  BOOST_TEST(opened(ReaderSelector::byName(upper.substr(2)))->readerName() == readers[1]);
  // A text in both names is ambiguous; one in neither names no reader.
  fails(open(ReaderSelector::byName(readers[0].substr(0, 7))), ErrorCode::kInvalidArgument,
        {"several readers", readers[0], readers[1]});
  fails(open(ReaderSelector::byName("no such reader")), ErrorCode::kNoReader, {"no such reader", readers[0]});
}

BOOST_AUTO_TEST_CASE(default_is_the_only_reader_holding_a_purse) {
  auto echoCard = echo(0);
  auto purseCard = purse(1);
  auto session = opened(ReaderSelector::automatic());
  BOOST_TEST(session->readerName() == readers[1]);
  status(*session);
}

BOOST_AUTO_TEST_CASE(default_without_a_purse_lists_the_readers) {
  fails(open(ReaderSelector::automatic()), ErrorCode::kNoCard,
        {"no reader holds a purse", readers[0] + "  no card", readers[1] + "  no card"});
  auto echoCard = echo(0);
  fails(open(ReaderSelector::automatic()), ErrorCode::kNoApplication,
        {"no reader holds a purse", readers[0] + "  card present, not a purse", readers[1] + "  no card"});
}

BOOST_AUTO_TEST_CASE(default_with_two_purses_lists_the_readers) {
  auto a = purse(0);
  auto b = purse(1);
  fails(open(ReaderSelector::automatic()), ErrorCode::kInvalidArgument,
        {"several readers hold a purse", "--reader", readers[0] + "  purse", readers[1] + "  purse"});
  BOOST_TEST(opened(ReaderSelector::byIndex(0))->readerName() == readers[0]);
}

BOOST_AUTO_TEST_CASE(t0_and_t1) {
  auto t0 = purse(0, "t0");
  auto t1 = purse(1, "t1");
  auto s0 = opened(ReaderSelector::byIndex(0), Protocol::kT0);
  BOOST_TEST((s0->protocol() == Protocol::kT0));
  BOOST_TEST(status(*s0).purseId == protocol::PurseId{});  // 6Cxx and GET RESPONSE under PC/SC
  auto s1 = opened(ReaderSelector::byIndex(1), Protocol::kT1);
  BOOST_TEST((s1->protocol() == Protocol::kT1));
  BOOST_TEST((opened(ReaderSelector::byIndex(0))->protocol() == Protocol::kT0));  // any: what the card offers
  fails(open(ReaderSelector::byIndex(0), Protocol::kT1), ErrorCode::kProtocol, {"does not offer T=1"});
  fails(open(ReaderSelector::byIndex(1), Protocol::kT0), ErrorCode::kProtocol, {"does not offer T=0"});
}

BOOST_AUTO_TEST_CASE(a_card_that_refuses_the_purse_select_is_not_a_purse) {
  auto card = echo(0);
  fails(open(ReaderSelector::byIndex(0)), ErrorCode::kNoApplication, {"is not a purse", "6A82"});
  // Without requirePurse (epurse apdu) any card will do.
  ReaderSessionOptions any;
  any.reader = ReaderSelector::byIndex(0);
  any.requirePurse = false;
  auto raw = ReaderSession::open(any);
  BOOST_TEST_REQUIRE(raw.isOk(), why(raw));
  any.reader = ReaderSelector::automatic();
  BOOST_TEST(ReaderSession::open(any).isOk());
}

BOOST_AUTO_TEST_CASE(any_card_by_default_needs_exactly_one_card_and_sends_it_nothing) {
  ReaderSessionOptions any;
  any.requirePurse = false;
  fails(ReaderSession::open(any), ErrorCode::kNoCard, {"no reader holds a card", readers[0] + "  no card"});
  auto echoCard = echo(0);
  auto purseCard = purse(1);
  InsRecorder trace;
  any.trace = &trace;
  fails(ReaderSession::open(any), ErrorCode::kInvalidArgument,
        {"several readers hold a card", readers[0] + "  card present", readers[1] + "  card present"});
  BOOST_TEST(trace.ins.empty());  // no SELECT went to the cards to find out
}

BOOST_AUTO_TEST_CASE(an_empty_reader_has_no_card) {
  auto card = purse(0);
  fails(open(ReaderSelector::byIndex(1)), ErrorCode::kNoCard, {"no card in reader '" + readers[1] + "'"});
}

BOOST_AUTO_TEST_CASE(a_card_killed_mid_session_is_removed) {
  auto card = purse(0);
  auto session = opened(ReaderSelector::byIndex(0));
  status(*session);
  card.signal(SIGKILL);
  BOOST_TEST_REQUIRE(card.wait(5000ms).isOk());
  BOOST_TEST_REQUIRE(context->waitForCard(readers[0], false, kCardArrivalMs).isOk());
  auto s = session->purse().status();
  fails(s, ErrorCode::kCardRemoved, {"the card left reader '" + readers[0] + "'"});
}

BOOST_AUTO_TEST_CASE(a_reset_by_another_program_is_recovered_for_reads_and_reported_for_the_rest) {
  auto card = purse(0);
  InsRecorder trace;
  auto session = opened(ReaderSelector::byIndex(0), Protocol::kAny, &trace);
  const auto before = status(*session);
  auto resetByAnother = [&] {
    auto other = PcscChannel::connect(*context, readers[0]);
    BOOST_TEST_REQUIRE(other.isOk(), why(other));
    BOOST_TEST_REQUIRE((*other)->disconnect(true).isOk());  // SCARD_RESET_CARD
  };

  // A read: reselected and resent, the caller sees only the answer.
  resetByAnother();
  trace.ins.clear();
  BOOST_TEST((status(*session) == before));
  const std::uint8_t select = protocol::apdus::selectPurse().ins();
  const std::vector<std::uint8_t> read{protocol::kInsGetData, select, protocol::kInsGetData};
  BOOST_TEST(trace.ins == read);

  // A command that could change the purse: reselected, not resent, reported.
  resetByAnother();
  trace.ins.clear();
  auto aborted = session->purse().abort();
  fails(aborted, ErrorCode::kCardReset, {"reset by another program during ABORT", "not resent", "status"});
  const std::vector<std::uint8_t> notResent{protocol::kInsAbort, select};
  BOOST_TEST(trace.ins == notResent);
  BOOST_TEST((status(*session) == before));  // selected again: usable at once
}

BOOST_AUTO_TEST_CASE(a_personalised_purse_through_the_session) {
  auto card = purse(0);
  TestIssuer issuer;
  auto session = opened(ReaderSelector::automatic());
  PurseProfile profile;
  profile.id = testPurseId(9);
  issuer.personalise(session->purse(), profile);
  issuer.load(session->purse(), 1250);
  const auto s = status(*session);
  BOOST_TEST(s.purseId == testPurseId(9));
  BOOST_TEST(s.balance == 1250u);
  BOOST_TEST(s.currency == kEuro);
  auto survey = host::surveyReaders(*context, true);
  BOOST_TEST_REQUIRE(survey.isOk(), why(survey));
  BOOST_TEST_REQUIRE(survey->size() == 2u);
  BOOST_TEST((*survey)[0].isPurse);
  BOOST_TEST_REQUIRE((*survey)[0].status.has_value());
  BOOST_TEST((*survey)[0].status->balance == 1250u);
  BOOST_TEST(!(*survey)[1].cardPresent);
}

BOOST_AUTO_TEST_SUITE_END()

// libpcsclite reads PCSCLITE_CSOCK_NAME once per process, and this process has long reached
// the private pcscd: the session is opened in a fresh run of this very program, pointed at
// a socket that does not exist.
BOOST_AUTO_TEST_CASE(no_service) {
  if (std::getenv("EPURSE_SESSION_NO_SERVICE_CHILD") != nullptr) {
    auto session = ReaderSession::open(ReaderSessionOptions{});
    BOOST_TEST_REQUIRE(!session.isOk());
    BOOST_TEST((session.error().code == ErrorCode::kNoService), session.error().toString());
    BOOST_TEST(session.error().message.find("is pcscd running?") != std::string::npos, session.error().message);
    return;
  }
  char self[4096] = {};
  BOOST_TEST_REQUIRE(::readlink("/proc/self/exe", self, sizeof self - 1) > 0);
  ::setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm", 1);
  ::setenv("EPURSE_SESSION_NO_SERVICE_CHILD", "1", 1);
  auto child = runCommand({self, "--run_test=no_service"});
  ::unsetenv("EPURSE_SESSION_NO_SERVICE_CHILD");
  ::unsetenv("PCSCLITE_CSOCK_NAME");
  BOOST_TEST_REQUIRE(child.isOk(), why(child));
  BOOST_TEST(child->exitCode == 0, child->out);
  BOOST_TEST(child->out.find("No errors detected") != std::string::npos, child->out);
}
