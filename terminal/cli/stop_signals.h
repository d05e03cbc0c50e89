// Ctrl-C (SIGINT) and SIGTERM for a command that waits on PC/SC: they end the wait at once
// and the command ends cleanly, with its usual exit code. A signal handler cannot end
// SCardGetStatusChange (pcsc-lite retries a poll that a signal interrupts), so the signals
// are blocked and a thread of our own takes them with sigwait and cancels the context's wait
// (PcscContext::cancelWait, the one call another thread may make on it), repeating the
// cancel until the command is done, in case the signal came just before the command began a
// wait.
#pragma once

#include <atomic>
#include <thread>

#include "apdu/pcsc_channel.h"

namespace epurse::terminal {

class StopSignals {
 public:
  // Blocks SIGINT and SIGTERM in this thread (and the threads it starts later) and starts
  // the thread that takes them. Make it before any other thread.
  explicit StopSignals(PcscContext& context);
  ~StopSignals();  // ends the thread; the signals stay blocked until the process exits
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // A stop signal came: finish what is under way and end.
  bool stopRequested() const { return stop_.load(); }

 private:
  void run();

  PcscContext& context_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace epurse::terminal
