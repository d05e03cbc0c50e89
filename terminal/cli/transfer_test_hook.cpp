#include "terminal/cli/transfer_test_hook.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace epurse::terminal {
namespace {

// A killed child of another process stays a zombie until its parent reaps it: dead either way.
bool dead(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close == std::string::npos || (close + 2 < line.size() && line[close + 2] == 'Z');
}

// The number after "STEP:" in the variable `name` when its STEP is `step`, else 0.
long hookArgument(const char* name, std::string_view step) {
  const char* value = std::getenv(name);
  if (value == nullptr) return 0;
  const std::string_view hook(value);
  const auto colon = hook.find(':');
  if (colon == std::string_view::npos || hook.substr(0, colon) != step) return 0;
  return std::atol(std::string(hook.substr(colon + 1)).c_str());
}

}  // namespace

void transferStepHook(std::string_view step) {
  if (const long signalNumber = hookArgument(kSignalAtEnvironment, step); signalNumber > 0) {
    ::raise(static_cast<int>(signalNumber));
  }
  const pid_t pid = static_cast<pid_t>(hookArgument(kKillCardEnvironment, step));
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!dead(pid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace epurse::terminal
