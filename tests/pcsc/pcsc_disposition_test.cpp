// What a terminal writer must know about PC/SC and a transfer in progress, proved against
// epurse-card under a private pcscd (tests/pcsc/with-private-pcscd.sh), as docs/terminal.md
// ("For people who write their own terminal") states it:
//   - SCARD_RESET_CARD and SCARD_UNPOWER_CARD on the payee's connection abort its transfer
//     step (the power-up abort logs pd); SCARD_LEAVE_CARD keeps it only while pcscd has not
//     yet powered the unused card down, so a terminal holds both connections throughout;
//   - a card process that dies in the middle of an APDU: SCardTransmit succeeds with 0 bytes,
//     or (the command unread, or sent after the death) fails with SCARD_E_NOT_TRANSACTED; the
//     PcscChannel and the ReaderSession report both as kCardRemoved;
//   - which reader name is which vpcd port.
#define BOOST_TEST_MODULE pcsc_disposition_test
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <reader.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <thread>

#include "apdu/atr.h"
#include "apdu/status_word.h"
#include "card/runtime/card_atr.h"
#include "host/reader_session.h"
#include "tests/support/purse_end_to_end_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::e2e;

namespace {

// Well past pcscd 1.9.9's power-down of an unused card: vpcd has no card-event thread, so
// the event loop polls every 400 ms and powers the card off on its second poll after the
// last SCardDisconnect (0.4-0.8 s); a CCID reader waits PCSCLITE_POWER_OFF_GRACE_PERIOD (5 s).
constexpr auto kPastPowerOff = std::chrono::milliseconds(2500);

// A vpcd card process (its own minimal vpcd client, to control when it dies) that answers
// every APDU 9000 and the presence poll with an ATR, except:
//   INS E0: read, then exit without answering, as a card pulled in the middle of an APDU;
//   INS E2: answered 9000; the process exits 20 ms after answering the next presence poll
//           (vpcd has read that answer), as a card pulled between two APDUs: pcscd notices
//           only at its next poll, 400 ms later.
constexpr std::uint8_t kInsDieReading = 0xE0;
constexpr std::uint8_t kInsDieAfterPoll = 0xE2;
constexpr std::uint8_t kVpcdGetAtr = 0x04;
constexpr std::size_t kLengthSize = 2;

bool readExactly(int fd, std::uint8_t* out, std::size_t n) {
  for (std::size_t got = 0; got < n;) {
    const ssize_t r = ::recv(fd, out + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<std::size_t>(r);
  }
  return true;
}

void sendFrame(int fd, const Bytes& payload) {
  Bytes frame{static_cast<std::uint8_t>(payload.size() >> 8), static_cast<std::uint8_t>(payload.size())};
  frame.insert(frame.end(), payload.begin(), payload.end());
  if (::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(frame.size())) ::_exit(3);
}

[[noreturn]] void runDyingCard(std::uint16_t port) {
  const Bytes atr = buildAtr(TransportProtocol::kT1, card::epurseHistoricalBytes(TransportProtocol::kT1));
  int fd = -1;
  for (;;) {  // vpcd may not listen yet
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) break;
    ::close(fd);
    ::usleep(50000);
  }
  bool dieAfterPoll = false;
  for (;;) {
    std::uint8_t head[kLengthSize];
    if (!readExactly(fd, head, sizeof head)) ::_exit(0);
    Bytes m(static_cast<std::size_t>(head[0] << 8 | head[1]));
    if (!readExactly(fd, m.data(), m.size())) ::_exit(0);
    if (m.size() == 1) {
      if (m[0] != kVpcdGetAtr) continue;  // power off/on/reset get no answer
      sendFrame(fd, atr);
      if (dieAfterPoll) {
        ::usleep(20000);
        ::_exit(0);
      }
      continue;
    }
    if (m.size() >= 2 && m[1] == kInsDieReading) ::_exit(0);
    if (m.size() >= 2 && m[1] == kInsDieAfterPoll) dieAfterPoll = true;
    sendFrame(fd, {sw::sw1(sw::kSuccess), sw::sw2(sw::kSuccess)});
  }
}

pid_t startDyingCard(std::uint16_t port) {
  const pid_t pid = ::fork();
  BOOST_TEST_REQUIRE(pid >= 0);
  if (pid == 0) runDyingCard(port);
  return pid;
}

void reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Until the card process has exited on its own (it has closed its socket).
void awaitExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

// The raw PC/SC view: what SCardTransmit itself returns, without our channel's mapping.
struct RawTransmit {
  LONG rv;
  DWORD length;
};
RawTransmit rawTransmit(PcscContext& context, const std::string& reader, const Bytes& command) {
  SCARDHANDLE card = 0;
  DWORD active = 0;
  BOOST_TEST_REQUIRE(SCardConnect(context.handle(), reader.c_str(), SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1, &card,
                                  &active) == SCARD_S_SUCCESS);
  BYTE response[MAX_BUFFER_SIZE];
  DWORD length = sizeof response;
  const LONG rv = SCardTransmit(card, SCARD_PCI_T1, command.data(), static_cast<DWORD>(command.size()), nullptr,
                                response, &length);
  SCardDisconnect(card, SCARD_LEAVE_CARD);
  return {rv, length};
}

const Bytes kEcho = {0x80, 0x10, 0x00, 0x00, 0x00};
const Bytes kDieReading = {0x80, kInsDieReading, 0x00, 0x00, 0x00};
const Bytes kDieAfterPoll = {0x80, kInsDieAfterPoll, 0x00, 0x00, 0x00};

// A transfer started on two purses: the payer A in epr (START FROM), the payee B in epv
// (START TO answered REQ). Returns the pd.
struct Started {
  std::unique_ptr<Card> a, b;
  PaymentDetails pd;
  protocol::PurseStatus bBefore;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(pcsc_disposition, PurseFixture)

Started startTransfer(PurseFixture& f) {
  Started s;
  s.a = f.plug(0, "payer.img");
  s.b = f.plug(1, "payee.img");
  f.personalise(*s.a, *s.b);
  f.load(*s.a, 5000);
  s.bBefore = f.status(*s.b);
  terminal::TransferSession session(s.a->purse(), s.b->purse(), 700, reference(1));
  BOOST_TEST_REQUIRE(session.readParties().isOk());
  auto pd = session.startFrom();
  BOOST_TEST_REQUIRE(pd.isOk(), why(pd));
  auto req = session.startTo();
  BOOST_TEST_REQUIRE(req.isOk(), why(req));
  BOOST_TEST_REQUIRE((f.status(*s.b).protocol == ProtocolStatus::kEpv));
  s.pd = *pd;
  return s;
}

// The payee's only connection closes with `disposition`; after `pause` a new connection
// selects the purse and reads its status.
protocol::PurseStatus releaseAndReconnect(PurseFixture& f, Started& s, DWORD disposition,
                                          std::chrono::milliseconds pause) {
  BOOST_TEST_REQUIRE(s.b->channel->pcsc().disconnectWith(disposition).isOk());
  std::this_thread::sleep_for(pause);
  auto ch = PcscChannel::connect(*f.context, f.readers[1]);
  BOOST_TEST_REQUIRE(ch.isOk(), why(ch));
  s.b->channel = std::make_unique<RecordingChannel>(std::move(*ch));
  s.b->client = std::make_unique<host::PurseClient>(*s.b->channel);
  BOOST_TEST_REQUIRE(s.b->client->select().isOk());
  return f.status(*s.b);
}

void checkAborted(PurseFixture& f, Started& s, const protocol::PurseStatus& after) {
  BOOST_TEST((after.protocol == ProtocolStatus::kIdle));
  BOOST_TEST(after.balance == s.bBefore.balance);
  BOOST_TEST(after.exceptionsHeld == s.bBefore.exceptionsHeld + 1);
  BOOST_TEST(holds(f.exceptionLog(*s.b), s.pd, ProtocolStatus::kEpv));
}

BOOST_AUTO_TEST_CASE(reset_card_aborts_the_transfer_step) {
  Started s = startTransfer(*this);
  checkAborted(*this, s, releaseAndReconnect(*this, s, SCARD_RESET_CARD, std::chrono::milliseconds(0)));
}

BOOST_AUTO_TEST_CASE(unpower_card_aborts_the_transfer_step) {
  Started s = startTransfer(*this);
  checkAborted(*this, s, releaseAndReconnect(*this, s, SCARD_UNPOWER_CARD, std::chrono::milliseconds(0)));
}

BOOST_AUTO_TEST_CASE(leave_card_keeps_the_step_only_until_pcscd_powers_the_card_down) {
  Started s = startTransfer(*this);
  // Back at once: still powered, still waiting for VAL with nothing logged.
  const auto soon = releaseAndReconnect(*this, s, SCARD_LEAVE_CARD, std::chrono::milliseconds(0));
  BOOST_TEST((soon.protocol == ProtocolStatus::kEpv));
  BOOST_TEST(soon.exceptionsHeld == s.bBefore.exceptionsHeld);
  // Back after pcscd powered the unused card down: aborted at power-up, pd logged.
  checkAborted(*this, s, releaseAndReconnect(*this, s, SCARD_LEAVE_CARD, kPastPowerOff));
}

BOOST_AUTO_TEST_CASE(holding_the_connection_keeps_the_step_past_the_power_down) {
  Started s = startTransfer(*this);
  std::this_thread::sleep_for(kPastPowerOff);
  BOOST_TEST((status(*s.b).protocol == ProtocolStatus::kEpv));
  BOOST_TEST((status(*s.a).protocol == ProtocolStatus::kEpr));
}

BOOST_AUTO_TEST_CASE(reader_names_follow_the_vpcd_ports) {
  // Reader 0 ("… 00 00") is vpcd's port P (EPURSE_VPCD_PORT), reader 1 ("… 00 01") is P + 1.
  BOOST_TEST(readers[0].size() > 6u);
  BOOST_TEST(readers[0].substr(readers[0].size() - 6) == " 00 00");
  BOOST_TEST(readers[1].substr(readers[1].size() - 6) == " 00 01");
  BOOST_TEST(readers[0].substr(0, readers[0].size() - 6) == readers[1].substr(0, readers[1].size() - 6));
  auto b = plug(1, "only.img");  // --port P + 1
  auto r0 = context->reader(readers[0]);
  auto r1 = context->reader(readers[1]);
  BOOST_TEST_REQUIRE((r0.isOk() && r1.isOk()));
  BOOST_TEST(!r0->cardPresent);
  BOOST_TEST(r1->cardPresent);
}

BOOST_AUTO_TEST_CASE(a_card_dying_while_reading_a_command_answers_zero_bytes_then_is_removed) {
  const pid_t pid = startDyingCard(port);
  waitFor(0, true);
  BOOST_TEST(rawTransmit(*context, readers[0], kEcho).rv == SCARD_S_SUCCESS);
  const RawTransmit raw = rawTransmit(*context, readers[0], kDieReading);
  BOOST_TEST(raw.rv == SCARD_S_SUCCESS, pcsc_stringify_error(raw.rv));  // success ...
  BOOST_TEST(raw.length == 0u);                                          // ... with nothing
  waitFor(0, false);
  reap(pid);

  // Through our channel the same death is a removed card.
  const pid_t again = startDyingCard(port);
  waitFor(0, true);
  auto ch = PcscChannel::connect(*context, readers[0]);
  BOOST_TEST_REQUIRE(ch.isOk(), why(ch));
  BOOST_TEST((*ch)->transmitRaw(kEcho).isOk());
  auto r = (*ch)->transmitRaw(kDieReading);
  BOOST_TEST_REQUIRE(!r.isOk());
  BOOST_TEST((r.error().code == ErrorCode::kCardRemoved), r.error().toString());
  ch->reset();
  reap(again);
}

BOOST_AUTO_TEST_CASE(a_command_to_a_card_that_died_before_the_presence_poll_is_not_transacted) {
  SCARDHANDLE raw = 0;
  DWORD active = 0;
  const pid_t pid = startDyingCard(port);
  waitFor(0, true);
  BOOST_TEST_REQUIRE(SCardConnect(context->handle(), readers[0].c_str(), SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1, &raw,
                                  &active) == SCARD_S_SUCCESS);
  BYTE response[MAX_BUFFER_SIZE];
  DWORD length = sizeof response;
  BOOST_TEST(SCardTransmit(raw, SCARD_PCI_T1, kDieAfterPoll.data(), 5, nullptr, response, &length) ==
             SCARD_S_SUCCESS);
  awaitExit(pid);
  length = sizeof response;
  const LONG rv = SCardTransmit(raw, SCARD_PCI_T1, kEcho.data(), 5, nullptr, response, &length);
  // vpcd sends the length, the dead card's kernel answers with RST, sending the rest fails.
  BOOST_TEST(rv == SCARD_E_NOT_TRANSACTED, pcsc_stringify_error(rv) << ", " << length << " bytes");
  SCardDisconnect(raw, SCARD_LEAVE_CARD);
  waitFor(0, false);

  // Through a ReaderSession (any card), the same death is kCardRemoved.
  const pid_t again = startDyingCard(port);
  waitFor(0, true);
  host::ReaderSessionOptions options;
  options.reader = host::ReaderSelector::byIndex(0);
  options.requirePurse = false;
  auto session = host::ReaderSession::open(options);
  BOOST_TEST_REQUIRE(session.isOk(), why(session));
  BOOST_TEST((*session)->channel().transmitRaw(kDieAfterPoll).isOk());
  awaitExit(again);
  auto r = (*session)->channel().transmit(CommandApdu(0x80, 0x10, 0, 0));
  BOOST_TEST_REQUIRE(!r.isOk());
  BOOST_TEST((r.error().code == ErrorCode::kCardRemoved), r.error().toString());
  session->reset();
}

BOOST_AUTO_TEST_SUITE_END()
