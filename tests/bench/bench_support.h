// What the benchmarks share: the floor of the PC/SC path (a bare vpcd responder: everything a
// card process does on the wire, nothing it does inside), summary statistics, the private
// daemon's vpcd port and connecting to a reader's card.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apdu/pcsc_channel.h"

namespace epurse::bench {

// "<program>: why" on stderr, then exit(1). Benchmarks fail only on errors, never on time.
[[noreturn]] void die(const std::string& why);

// EPURSE_VPCD_PORT from tests/pcsc/with-private-pcscd.sh (reader 0; reader 1 is port + 1).
std::uint16_t vpcdPortFromEnv();

// A child process serving vpcd on `port` with the same socket handling as a card process
// (VpcdLink), answering 9000 to every APDU; its ATR is the epurse T=1 ATR.
pid_t startFloorResponder(std::uint16_t port);
void stopFloorResponder(pid_t pid);  // SIGKILL and reap: it has no state to lose

struct Stats {
  double median, p99, mean;
};
Stats summarise(std::vector<double> values);  // values must not be empty

// Waits up to 10 s for a card in `reader`, then connects to it.
std::unique_ptr<PcscChannel> connectWhenPresent(PcscContext& ctx, const std::string& reader);

}  // namespace epurse::bench
