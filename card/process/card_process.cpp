#include "card/process/card_process.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "base/hex.h"
#include "card/persistence/transaction_store.h"
#include "card/runtime/card_os.h"
#include "card/vpcd/vpcd_card_server.h"
#include "card/vpcd/vpcd_protocol.h"

namespace epurse::card {
namespace {

// vpcd opens two slots per reader.conf entry (Debian's build too): ports 35963 and 35964.
// Other vpcd entries listen on ports of their own: reach them with --port.
constexpr unsigned kMaxReaderIndex = 1;

// SIGTERM and SIGINT arrive on a file descriptor that the vpcd loop polls, so a signal is
// handled between two APDUs and never inside a commit.
int blockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return -1;
  return signalfd(-1, &set, SFD_CLOEXEC);
}

}  // namespace

int runCardProcess(int argc, char** argv, const std::string& programName, const std::vector<AppletSpec>& applets) {
  CLI::App app{"A virtual smart card for pcsc-lite's vpcd reader driver: it connects to vpcd, which\n"
               "then shows it as a card in a PC/SC reader.",
               programName};
  std::string statePath;
  unsigned reader = 0;
  unsigned port = 0;
  std::string host = vpcd::kDefaultHost;
  std::string protocol = "t1";
  bool quiet = false;
  app.add_option("--state", statePath, "Card image file; created on first start")->required();
  app.add_option("--reader", reader, "vpcd reader slot N (0 or 1): connects to port 35963+N")
      ->check(CLI::Range(0u, kMaxReaderIndex));
  app.add_option("--port", port, "vpcd port to connect to (overrides --reader)")->check(CLI::Range(1u, 65535u));
  app.add_option("--host", host, "Host where pcscd with vpcd runs")->capture_default_str();
  app.add_option("--protocol", protocol, "Transmission protocol the ATR offers")
      ->check(CLI::IsMember({"t0", "t1"}))
      ->capture_default_str();
  app.add_flag("--quiet,-q", quiet, "Only report errors");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  // One write per line, so the logs of several card processes on one terminal never interleave.
  auto emit = [&](const std::string& text) {
    const std::string line = programName + ": " + text + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  };
  auto log = [&](const std::string& line) {
    if (!quiet) emit(line);
  };
  auto fail = [&](const std::string& line) {
    emit("error: " + line);
    return 1;
  };

  const int signals = blockTerminationSignals();
  if (signals < 0) return fail("cannot set up signal handling");

  std::vector<std::unique_ptr<Applet>> made;
  std::size_t appletBytes = 0;
  for (const auto& spec : applets) {
    made.push_back(spec.make());
    appletBytes += made.back()->persistentSize();
  }
  // A new image gets just the memory its applets need: every commit writes and hashes a
  // whole slot, so memory nobody uses would cost time on every transaction.
  TransactionStore::Options options;
  options.capacityForNewImage = CardOs::capacityFor(appletBytes);
  auto store = TransactionStore::open(Env::posix(), statePath, options);
  if (!store) return fail(store.error().message);

  CardConfig config;
  config.protocol = protocol == "t0" ? TransportProtocol::kT0 : TransportProtocol::kT1;
  CardOs os(**store, config);
  for (std::size_t i = 0; i < applets.size(); ++i) {
    if (Status s = os.install(applets[i].aid, std::move(made[i])); !s) return fail(s.error().message);
  }
  if (Status s = os.start(); !s) return fail(s.error().message);

  VpcdEndpoint endpoint;
  endpoint.host = host;
  endpoint.port = port != 0 ? static_cast<std::uint16_t>(port) : static_cast<std::uint16_t>(vpcd::kDefaultPort + reader);
  log("card image " + statePath + " (generation " + std::to_string((*store)->generation()) + "), ATR " +
      toHex(os.atr()) + ", " + std::to_string(applets.size()) + " applet(s)");

  CardOsOnVpcd card(os);
  runVpcdClient(endpoint, card, signals, log);
  log("stopping");
  ::close(signals);
  return 0;
}

}  // namespace epurse::card
