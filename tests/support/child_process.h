// Starting and stopping programs from tests (the card processes, opensc-tool, pcsc_scan).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/result.h"

namespace epurse::testing {

class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH) with its stderr going to `stderrPath` (or inherited).
  static Result<ChildProcess> start(const std::vector<std::string>& argv, const std::string& stderrPath = "");
  ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();  // SIGKILLs and reaps a child still running

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  void signal(int sig);
  // The exit status (or 128 + signal), or kTimeout.
  Result<int> wait(std::chrono::milliseconds timeout);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

struct CommandOutput {
  int exitCode;
  std::string out;  // stdout and stderr together
};

// Runs a command to completion and captures its output; a command still running after
// `timeout` is killed and reported as kTimeout.
Result<CommandOutput> runCommand(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));

}  // namespace epurse::testing
