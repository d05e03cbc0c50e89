// APDU round trip through pcscd + vpcd to the echo applet in a real card process, against a
// floor measured in the same run: a bare vpcd responder with the same socket handling
// (VpcdLink) that answers 9000 to everything. Also in-process APDUs per second and durable
// commits per second. Prints figures and ratios; times are never asserted. The floor
// responder lives in bench_support, shared with purse_transfer_bench.
//
// Run through tests/pcsc/with-private-pcscd.sh (it exports EPURSE_VPCD_PORT).
//   apdu_roundtrip_bench [--quick]
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "apdu/pcsc_channel.h"
#include "base/hex.h"
#include "card/persistence/transaction_store.h"
#include "card/runtime/card_os.h"
#include "card/runtime/in_process_channel.h"
#include "tests/bench/bench_support.h"
#include "tests/support/child_process.h"
#include "tests/support/echo_applet.h"

using namespace epurse;
using Clock = std::chrono::steady_clock;

namespace {

using bench::die;

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
  const std::uint16_t port = bench::vpcdPortFromEnv();
  const int rounds = quick ? 2 : 40;
  const int perRound = quick ? 50 : 100;

  const pid_t floorPid = bench::startFloorResponder(static_cast<std::uint16_t>(port + 1));
  const auto dir = std::filesystem::temp_directory_path() / ("epurse-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto card = testing::ChildProcess::start(
      {EPURSE_ECHO_CARD, "--state", (dir / "echo.img").string(), "--port", std::to_string(port), "--quiet"});
  if (!card) die(card.error().toString());

  auto ctx = PcscContext::establish();
  if (!ctx) die(ctx.error().toString());
  auto readers = (*ctx)->readerNames();
  if (!readers || readers->size() < 2) die("expected two vpcd readers");
  auto echoChannel = bench::connectWhenPresent(**ctx, (*readers)[0]);
  auto floorChannel = bench::connectWhenPresent(**ctx, (*readers)[1]);

  const CommandApdu select(0x00, kInsSelect, 0x04, 0x0C, testing::kEchoAid);
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
  const bench::Stats c = bench::summarise(cardUs), f = bench::summarise(floorUs);

  echoChannel.reset();
  floorChannel.reset();
  card->signal(SIGTERM);
  (void)card->wait(std::chrono::milliseconds(5000));
  bench::stopFloorResponder(floorPid);

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

  const double ratio = c.median / f.median;
  std::printf("APDU round trip through pcscd + vpcd (%zu APDUs each, 16-byte case 4 ECHO)\n", cardUs.size());
  std::printf("  %-34s median %8.1f us   p99 %8.1f us   mean %8.1f us\n", "echo applet in epurse card process",
              c.median, c.p99, c.mean);
  std::printf("  %-34s median %8.1f us   p99 %8.1f us   mean %8.1f us\n", "floor: bare vpcd responder", f.median,
              f.p99, f.mean);
  std::printf("  ratio card/floor (median)          %.3f   target <= 1.25: %s\n", ratio,
              ratio <= 1.25 ? "met" : "NOT met");
  std::printf("In process (no pcscd)\n");
  std::printf("  echo APDUs per second              %.0f\n", inProcessPerSec);
  std::printf("  durable commit (STORE, 1 fdatasync) %.1f us per APDU\n", commitUs);
  if (quick) std::printf("(quick run: figures are not meaningful)\n");
  return 0;
}
