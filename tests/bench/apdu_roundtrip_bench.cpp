// APDU round trip through pcscd + vpcd to the echo applet in a real card process, against a
// floor measured in the same run: a bare vpcd responder with the same socket handling
// (VpcdLink) that answers 9000 to everything. Also in-process APDUs per second and durable
// commits per second. Prints figures and ratios; times are never asserted.
//
// Run through tests/pcsc/with-private-pcscd.sh (it exports EPURSE_VPCD_PORT).
//   apdu_roundtrip_bench [--quick]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "apdu/atr.h"
#include "apdu/pcsc_channel.h"
#include "card/persistence/transaction_store.h"
#include "card/runtime/card_os.h"
#include "card/runtime/in_process_channel.h"
#include "card/vpcd/vpcd_card_server.h"
#include "tests/support/child_process.h"
#include "tests/support/echo_applet.h"

using namespace epurse;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "apdu_roundtrip_bench: %s\n", why.c_str());
  std::exit(1);
}

// The floor: everything a card process does on the wire, nothing it does inside.
class FloorResponder final : public card::VpcdCard {
 public:
  void powerOff() override {}
  void powerOn() override {}
  void reset() override {}
  const Bytes& atr() override { return atr_; }
  Bytes transmit(ByteView) override { return {sw::sw1(sw::kSuccess), sw::sw2(sw::kSuccess)}; }

 private:
  Bytes atr_ = buildAtr(TransportProtocol::kT1, epurseHistoricalBytes(TransportProtocol::kT1));
};

pid_t startFloorResponder(std::uint16_t port) {
  const pid_t pid = ::fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    FloorResponder floor;
    card::runVpcdClient({"127.0.0.1", port}, floor, -1, [](const std::string&) {});
    ::_exit(0);
  }
  return pid;
}

struct Stats {
  double medianUs, p99Us, meanUs;
};

Stats summarise(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double v : us) sum += v;
  return {us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)], sum / static_cast<double>(us.size())};
}

std::unique_ptr<PcscChannel> connectWhenPresent(PcscContext& ctx, const std::string& reader) {
  if (Status s = ctx.waitForCard(reader, true, 10000); !s) die(s.error().toString());
  auto ch = PcscChannel::connect(ctx, reader);
  if (!ch) die(ch.error().toString());
  return std::move(*ch);
}

double timeOne(CardChannel& channel, const CommandApdu& command, const Bytes& expectData) {
  const auto t0 = Clock::now();
  auto r = channel.transmit(command);
  const auto t1 = Clock::now();
  if (!r || r->sw() != sw::kSuccess || r->data() != expectData) {
    die("wrong answer: " + (r ? sw::describe(r->sw()) + " " + toHex(r->data()) : r.error().toString()));
  }
  return std::chrono::duration<double, std::micro>(t1 - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const char* portEnv = std::getenv("EPURSE_VPCD_PORT");
  if (!portEnv) die("EPURSE_VPCD_PORT is not set: run through tests/pcsc/with-private-pcscd.sh");
  const auto port = static_cast<std::uint16_t>(std::atoi(portEnv));
  const int rounds = quick ? 2 : 40;
  const int perRound = quick ? 50 : 100;

  const pid_t floorPid = startFloorResponder(static_cast<std::uint16_t>(port + 1));
  const auto dir = std::filesystem::temp_directory_path() / ("epurse-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto card = testing::ChildProcess::start(
      {EPURSE_ECHO_CARD, "--state", (dir / "echo.img").string(), "--port", std::to_string(port), "--quiet"});
  if (!card) die(card.error().toString());

  auto ctx = PcscContext::establish();
  if (!ctx) die(ctx.error().toString());
  auto readers = (*ctx)->readerNames();
  if (!readers || readers->size() < 2) die("expected two vpcd readers");
  auto echoChannel = connectWhenPresent(**ctx, (*readers)[0]);
  auto floorChannel = connectWhenPresent(**ctx, (*readers)[1]);

  const CommandApdu select(0x00, card::kInsSelect, 0x04, 0x0C, testing::kEchoAid);
  if (auto r = echoChannel->transmit(select); !r || r->sw() != sw::kSuccess) die("cannot select the echo applet");
  const Bytes payload(16, 0xA5);
  const CommandApdu echo(testing::kEchoCla, testing::kInsEcho, 0, 0, payload, 256);

  // Warm up both paths, then interleave blocks so drift on the machine hits both alike.
  for (int i = 0; i < 100; ++i) {
    timeOne(*echoChannel, echo, payload);
    timeOne(*floorChannel, echo, {});
  }
  std::vector<double> cardUs, floorUs;
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < perRound; ++i) cardUs.push_back(timeOne(*echoChannel, echo, payload));
    for (int i = 0; i < perRound; ++i) floorUs.push_back(timeOne(*floorChannel, echo, {}));
  }
  const Stats c = summarise(cardUs), f = summarise(floorUs);

  echoChannel.reset();
  floorChannel.reset();
  card->signal(SIGTERM);
  (void)card->wait(std::chrono::milliseconds(5000));
  ::kill(floorPid, SIGKILL);
  ::waitpid(floorPid, nullptr, 0);

  // In process: the same APDU straight into a card OS, and durable commits on this disk.
  auto store = card::TransactionStore::open(card::Env::posix(), (dir / "inproc.img").string(), {});
  if (!store) die(store.error().toString());
  card::CardOs os(**store, {});
  if (!os.install(testing::kEchoAid, std::make_unique<testing::EchoApplet>()) || !os.start()) die("card start");
  card::InProcessChannel inProcess(os);
  if (auto r = inProcess.transmit(select); !r || r->sw() != sw::kSuccess) die("in-process select failed");
  const int inProcessN = quick ? 2000 : 300000;
  auto t0 = Clock::now();
  for (int i = 0; i < inProcessN; ++i) {
    auto r = inProcess.transmit(echo);
    if (!r || r->data() != payload) die("in-process echo failed");
  }
  const double inProcessPerSec = inProcessN / std::chrono::duration<double>(Clock::now() - t0).count();
  const int commitsN = quick ? 20 : 2000;
  const CommandApdu storeCmd(testing::kEchoCla, testing::kInsStore, 0, 0, Bytes(64, 0x11));
  t0 = Clock::now();
  for (int i = 0; i < commitsN; ++i) {
    auto r = inProcess.transmit(storeCmd);
    if (!r || r->sw() != sw::kSuccess) die("in-process store failed");
  }
  const double commitUs = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / commitsN;
  std::filesystem::remove_all(dir);

  const double ratio = c.medianUs / f.medianUs;
  std::printf("APDU round trip through pcscd + vpcd (%zu APDUs each, 16-byte case 4 ECHO)\n", cardUs.size());
  std::printf("  %-34s median %8.1f us   p99 %8.1f us   mean %8.1f us\n", "echo applet in epurse card process",
              c.medianUs, c.p99Us, c.meanUs);
  std::printf("  %-34s median %8.1f us   p99 %8.1f us   mean %8.1f us\n", "floor: bare vpcd responder", f.medianUs,
              f.p99Us, f.meanUs);
  std::printf("  ratio card/floor (median)          %.3f   target <= 1.25: %s\n", ratio,
              ratio <= 1.25 ? "met" : "NOT met");
  std::printf("In process (no pcscd)\n");
  std::printf("  echo APDUs per second              %.0f\n", inProcessPerSec);
  std::printf("  durable commit (STORE, 1 fdatasync) %.1f us per APDU\n", commitUs);
  if (quick) std::printf("(quick run: figures are not meaningful)\n");
  return 0;
}
