#include "tests/support/pseudo_terminal.h"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace epurse::testing {
namespace {

using Clock = std::chrono::steady_clock;

int statusOf(int raw) { return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw); }

std::chrono::milliseconds left(Clock::time_point deadline) {
  const auto now = Clock::now();
  return now >= deadline ? std::chrono::milliseconds(0)
                         : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
}

}  // namespace

Result<PseudoTerminalProgram> PseudoTerminalProgram::start(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return makeError(ErrorCode::kIo, std::string("forkpty: ") + std::strerror(errno));
  if (pid == 0) {
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return PseudoTerminalProgram(pid, master);
}

PseudoTerminalProgram::PseudoTerminalProgram(PseudoTerminalProgram&& other) noexcept
    : pid_(other.pid_), master_(other.master_), output_(std::move(other.output_)) {
  other.pid_ = -1;
  other.master_ = -1;
}

PseudoTerminalProgram::~PseudoTerminalProgram() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int raw = 0;
    ::waitpid(pid_, &raw, 0);
  }
  if (master_ >= 0) ::close(master_);
}

bool PseudoTerminalProgram::readSome(std::chrono::milliseconds timeout) {
  pollfd p{master_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return true;  // nothing yet (or interrupted): not the end
  char buffer[4096];
  const ssize_t n = ::read(master_, buffer, sizeof buffer);
  if (n <= 0) return false;  // EIO once the slave side is closed by every process
  output_.append(buffer, static_cast<std::size_t>(n));
  return true;
}

Status PseudoTerminalProgram::waitFor(const std::string& text, std::chrono::milliseconds timeout) {
  return waitUntil([&](const std::string& out) { return out.find(text) != std::string::npos; }, "'" + text + "'",
                   timeout);
}

Status PseudoTerminalProgram::waitUntil(const std::function<bool(const std::string&)>& seen, const std::string& what,
                                        std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!seen(output_)) {
    if (left(deadline).count() == 0) {
      return makeError(ErrorCode::kTimeout, what + " did not appear; the program wrote: " + output_);
    }
    if (!readSome(std::min(left(deadline), std::chrono::milliseconds(200)))) {
      return makeError(ErrorCode::kIo, "the program ended before " + what + " appeared; it wrote: " + output_);
    }
  }
  return Status::ok();
}

Status PseudoTerminalProgram::type(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(master_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return makeError(ErrorCode::kIo, std::string("typing on the pty: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

Result<int> PseudoTerminalProgram::finish(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (readSome(std::min(left(deadline), std::chrono::milliseconds(200)))) {
    if (left(deadline).count() == 0) return makeError(ErrorCode::kTimeout, "the program did not end: " + output_);
    int raw = 0;
    // A program whose child still holds the pty open would keep us reading forever: stop
    // once the program itself has ended and nothing more arrives.
    if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
      pid_ = -1;
      while (readSome(std::chrono::milliseconds(50))) {
        pollfd p{master_, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) break;
      }
      return statusOf(raw);
    }
  }
  int raw = 0;
  if (::waitpid(pid_, &raw, 0) != pid_) return makeError(ErrorCode::kIo, "waitpid failed");
  pid_ = -1;
  return statusOf(raw);
}

}  // namespace epurse::testing
