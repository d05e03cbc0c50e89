// `epurse transfer` and `epurse pay` as whole processes (what a script or a shop's till calls),
// against the same transfer through the library in one process (terminal::runTransfer over
// two PcscChannels to the same cards) and against the floor of starting the program
// (`epurse --version`), all measured in the same run (with `epurse readers` as a pointer to
// where the time goes: start-up + a PC/SC context + SELECT of both purses), interleaved in
// rounds so that a noisy machine hits every kind alike. Two epurse-card processes in the two readers of a private
// pcscd, personalised by the TestIssuer; the value moves back and forth below the no-PIN
// limit, so balances never run out and no PIN is asked. Target (issue 10): the program costs
// at most the library transfer + 1.3 x the start-up floor, by medians. Prints the figures,
// the ratio and `target met` / `target NOT met`; exits non-zero only on errors, never on
// time (77, which ctest counts as skipped, when this epurse has no `transfer` or `pay`).
//
// Run through tests/pcsc/with-private-pcscd.sh (it exports EPURSE_VPCD_PORT).
//   terminal_bench [--quick]
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "apdu/pcsc_channel.h"
#include "host/money.h"
#include "host/purse_client.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/bench/bench_support.h"
#include "tests/support/child_process.h"
#include "tests/support/purse_fixture.h"

using namespace epurse;
using bench::die;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

constexpr protocol::Amount kValue = 100;     // EUR 1.00: below the no-PIN limit (20.00)
constexpr protocol::Amount kLoaded = 50000;  // on purse A; every kind alternates A->B, B->A
constexpr double kFloorFactor = 1.3;
constexpr int kExitSkipped = 77;
constexpr auto kProgramTimeout = std::chrono::milliseconds(30000);

fs::path scratchDir;  // removed at exit, whatever the exit

double since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

struct Plugged {
  std::unique_ptr<testing::ChildProcess> process;
  std::unique_ptr<PcscChannel> channel;
  std::unique_ptr<host::PurseClient> client;
};

protocol::Amount balanceOf(host::PurseClient& purse) {
  auto s = purse.status();
  if (!s) die("status: " + s.error().toString());
  return s->balance;
}

// One program run; dies unless it exits 0.
double timedRun(const std::vector<std::string>& argv) {
  const auto t0 = Clock::now();
  auto out = testing::runCommand(argv, kProgramTimeout);
  const double ms = since(t0);
  if (!out) die(argv[1] + ": " + out.error().toString());
  if (out->exitCode != 0) {
    std::string cmd;
    for (const auto& a : argv) {
      cmd += a;
      cmd += ' ';
    }
    die(cmd + "exited " + std::to_string(out->exitCode) + ":\n" + out->out);
  }
  return ms;
}

// Whether this epurse has the subcommand at all (a build without the value commands merged).
bool hasCommand(const std::string& name) {
  // `epurse NAME --help` without NAME prints the program's help and exits 0, so look for the
  // option both commands have.
  auto out = testing::runCommand({EPURSE_CLI_PROGRAM, name, "--help"}, kProgramTimeout);
  return out && out->exitCode == 0 && out->out.find("--amount") != std::string::npos;
}

void line(const char* label, const bench::Stats& s) {
  std::printf("  %-40s median %8.3f ms   p99 %8.3f ms   mean %8.3f ms\n", label, s.median, s.p99, s.mean);
}

// The target for one command, by medians: program <= library + 1.3 x floor.
void verdict(const char* name, const bench::Stats& program, const bench::Stats& library, const bench::Stats& floor) {
  const double budget = library.median + kFloorFactor * floor.median;
  const double ratio = (program.median - library.median) / floor.median;
  std::printf("  %-40s %.3f ms vs library %.3f + %.1f x start-up %.3f = %.3f ms\n", name, program.median,
              library.median, kFloorFactor, floor.median, budget);
  std::printf("  %-40s ratio (program - library) / start-up = %.2f, target <= %.1f: target %s\n", "", ratio,
              kFloorFactor, program.median <= budget ? "met" : "NOT met");
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const std::uint16_t port = bench::vpcdPortFromEnv();
  const int rounds = quick ? 2 : 10;
  const int perRound = quick ? 10 : 30;  // per kind: 20 quick, 300 full
  const int warmup = quick ? 2 : 5;

  const bool haveTransfer = hasCommand("transfer"), havePay = hasCommand("pay");
  if (!haveTransfer || !havePay) {
    std::printf("terminal benchmark NOT measured: this epurse has no `%s` command\n", haveTransfer ? "pay" : "transfer");
    return kExitSkipped;
  }

  const fs::path dir = fs::path(EPURSE_BENCH_SCRATCH) / ("terminal-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  scratchDir = dir;
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(scratchDir, ec);
  });

  auto ctx = PcscContext::establish();
  if (!ctx) die(ctx.error().toString());
  auto readers = (*ctx)->readerNames();
  if (!readers || readers->size() < 2) die("expected two vpcd readers");

  // The bench keeps its own shared connection to both cards throughout: the library's
  // transfers use it, and it never disturbs the program's (no transactions, no reset).
  auto plug = [&](unsigned slot, const std::string& image) {
    Plugged p;
    auto child = testing::ChildProcess::start({EPURSE_CARD_PROGRAM, "--state", (dir / image).string(), "--port",
                                               std::to_string(port + slot), "--quiet"});
    if (!child) die("cannot start epurse-card: " + child.error().toString());
    p.process = std::make_unique<testing::ChildProcess>(std::move(*child));
    p.channel = bench::connectWhenPresent(**ctx, (*readers)[slot]);
    p.client = std::make_unique<host::PurseClient>(*p.channel);
    if (auto s = p.client->select(); !s) die("select: " + s.error().toString());
    return p;
  };
  Plugged a = plug(0, "a.img"), b = plug(1, "b.img");
  testing::TestIssuer issuer;
  try {
    testing::PurseProfile profile;
    profile.id = testing::testPurseId(1);
    issuer.personalise(*a.client, profile);
    profile.id = testing::testPurseId(2);
    issuer.personalise(*b.client, profile);
    issuer.load(*a.client, kLoaded);
  } catch (const std::exception& e) {
    die(std::string("personalising: ") + e.what());
  }

  auto formatted = host::formatAmount(kValue, testing::kEuro);
  if (!formatted) die("amount: " + formatted.error().toString());
  const std::string amount = *formatted;
  bool libraryAPays = true, transferAPays = true, payAPays = true;
  protocol::Amount aBalance = kLoaded;
  std::uint32_t order = 0;
  auto moved = [&](bool aPaid) { aBalance += aPaid ? -static_cast<protocol::Amount>(kValue) : kValue; };

  auto library = [&] {
    protocol::PurchaseReference reference{};
    reference[0] = static_cast<std::uint8_t>(++order);
    const auto t0 = Clock::now();
    auto r = libraryAPays ? terminal::runTransfer(*a.client, *b.client, kValue, reference)
                          : terminal::runTransfer(*b.client, *a.client, kValue, reference);
    const double ms = since(t0);
    if (!r) die("library transfer: " + r.error().toString());
    moved(libraryAPays);
    libraryAPays = !libraryAPays;
    return ms;
  };
  auto startUp = [&] { return timedRun({EPURSE_CLI_PROGRAM, "--version"}); };
  // Not a target, a pointer: start-up + a PC/SC context + connecting to and selecting both
  // purses, which every transfer also pays before its first command.
  auto readersRun = [&] { return timedRun({EPURSE_CLI_PROGRAM, "readers"}); };
  auto transfer = [&] {
    const double ms = timedRun({EPURSE_CLI_PROGRAM, "transfer", "--from", transferAPays ? "0" : "1", "--to",
                                transferAPays ? "1" : "0", "--amount", amount});
    moved(transferAPays);
    transferAPays = !transferAPays;
    return ms;
  };
  auto pay = [&] {
    const std::string text = "till order " + std::to_string(++order) + ": 1 coffee";
    const double ms = timedRun({EPURSE_CLI_PROGRAM, "pay", "--from", payAPays ? "0" : "1", "--merchant",
                                payAPays ? "1" : "0", "--amount", amount, "--order", text});
    moved(payAPays);
    payAPays = !payAPays;
    return ms;
  };

  for (int i = 0; i < warmup; ++i) {
    library();
    startUp();
    readersRun();
    transfer();
    pay();
  }
  std::vector<double> libraryMs, startUpMs, readersMs, transferMs, payMs;
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < perRound; ++i) libraryMs.push_back(library());
    for (int i = 0; i < perRound; ++i) startUpMs.push_back(startUp());
    for (int i = 0; i < perRound; ++i) readersMs.push_back(readersRun());
    for (int i = 0; i < perRound; ++i) transferMs.push_back(transfer());
    for (int i = 0; i < perRound; ++i) payMs.push_back(pay());
  }

  // Every run moved exactly kValue one way or the other: nothing created, nothing lost.
  const protocol::Amount seenA = balanceOf(*a.client), seenB = balanceOf(*b.client);
  if (seenA != aBalance || seenB != kLoaded - aBalance) {
    die("balances " + std::to_string(seenA) + " and " + std::to_string(seenB) + ", expected " +
        std::to_string(aBalance) + " and " + std::to_string(kLoaded - aBalance));
  }
  for (Plugged* p : {&a, &b}) {
    p->client.reset();
    p->channel.reset();
    p->process->signal(SIGTERM);
    auto rc = p->process->wait(std::chrono::milliseconds(5000));
    if (!rc || *rc != 0) die("epurse-card did not stop cleanly");
  }

  const bench::Stats sLibrary = bench::summarise(libraryMs), sStartUp = bench::summarise(startUpMs),
                     sReaders = bench::summarise(readersMs),
                     sTransfer = bench::summarise(transferMs), sPay = bench::summarise(payMs);
  std::printf("epurse as a whole process vs the library in one process (value %s, alternating direction; %zu runs "
              "of each kind in %d interleaved rounds; two epurse-card processes through pcscd + vpcd)\n",
              amount.c_str(), libraryMs.size(), rounds);
  line("library: terminal::runTransfer", sLibrary);
  line("floor: epurse --version (start-up)", sStartUp);
  line("epurse readers (start-up + PC/SC + SELECT)", sReaders);
  line("epurse transfer --from --to --amount", sTransfer);
  line("epurse pay --from --merchant --order", sPay);
  verdict("epurse transfer", sTransfer, sLibrary, sStartUp);
  verdict("epurse pay", sPay, sLibrary, sStartUp);
  if (quick) std::printf("(quick run: figures are not meaningful)\n");
  return 0;
}
