#include "terminal/cli/stop_signals.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>

namespace epurse::terminal {
namespace {

// SIGUSR2 is only ours: the destructor sends it to end the thread's sigwait.
sigset_t takenSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  return set;
}

}  // namespace

StopSignals::StopSignals(PcscContext& context) : context_(context) {
  const sigset_t set = takenSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this] { run(); });
}

StopSignals::~StopSignals() {
  done_.store(true);
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
}

void StopSignals::run() {
  const sigset_t set = takenSignals();
  int signal = 0;
  if (sigwait(&set, &signal) != 0 || signal == SIGUSR2) return;
  stop_.store(true);
  while (!done_.load()) {
    (void)context_.cancelWait();  // nothing happens when no wait is in progress
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace epurse::terminal
