#include "tests/bench/bench_support.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "apdu/atr.h"
#include "apdu/status_word.h"
#include "card/runtime/card_atr.h"
#include "card/vpcd/vpcd_card_server.h"

namespace epurse::bench {
namespace {

class FloorResponder final : public card::VpcdCard {
 public:
  void powerOff() override {}
  void powerOn() override {}
  void reset() override {}
  const Bytes& atr() override { return atr_; }
  Bytes transmit(ByteView) override { return {sw::sw1(sw::kSuccess), sw::sw2(sw::kSuccess)}; }

 private:
  Bytes atr_ = buildAtr(TransportProtocol::kT1, card::epurseHistoricalBytes(TransportProtocol::kT1));
};

}  // namespace

void die(const std::string& why) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, why.c_str());
  std::exit(1);
}

std::uint16_t vpcdPortFromEnv() {
  const char* portEnv = std::getenv("EPURSE_VPCD_PORT");
  if (!portEnv) die("EPURSE_VPCD_PORT is not set: run through tests/pcsc/with-private-pcscd.sh");
  return static_cast<std::uint16_t>(std::atoi(portEnv));
}

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

void stopFloorResponder(pid_t pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

Stats summarise(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  return {values[values.size() / 2], values[std::min(values.size() - 1, values.size() * 99 / 100)],
          sum / static_cast<double>(values.size())};
}

std::unique_ptr<PcscChannel> connectWhenPresent(PcscContext& ctx, const std::string& reader) {
  if (Status s = ctx.waitForCard(reader, true, 10000); !s) die(s.error().toString());
  auto ch = PcscChannel::connect(ctx, reader);
  if (!ch) die(ch.error().toString());
  return std::move(*ch);
}

}  // namespace epurse::bench
