#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>

extern char** environ;

namespace epurse::testing {
namespace {

std::vector<char*> cArgv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int decodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// posix_spawnp with `setup` adding file actions. Termination signals may be blocked in the
// test process; the child starts with none blocked.
Result<pid_t> spawn(const std::vector<std::string>& argv,
                    const std::function<void(posix_spawn_file_actions_t&)>& setup) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  setup(actions);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  auto args = cArgv(argv);
  const int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return makeError(ErrorCode::kIo, "cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

Result<ChildProcess> ChildProcess::start(const std::vector<std::string>& argv, const std::string& stderrPath) {
  auto pid = spawn(argv, [&](posix_spawn_file_actions_t& actions) {
    if (!stderrPath.empty()) {
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderrPath.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                       0600);
    }
  });
  if (!pid) return pid.error();
  return ChildProcess(*pid);
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = other.pid_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void ChildProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

Result<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return makeError(ErrorCode::kInvalidArgument, "no child to wait for");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return decodeStatus(status);
    }
    if (r < 0 && errno != EINTR) return makeError(ErrorCode::kIo, std::string("waitpid: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() >= deadline) return makeError(ErrorCode::kTimeout, "child still running");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<CommandOutput> runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) return makeError(ErrorCode::kIo, "pipe failed");
  auto spawned = spawn(argv, [&](posix_spawn_file_actions_t& actions) {
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDERR_FILENO);
  });
  ::close(pipeFds[1]);
  if (!spawned) {
    ::close(pipeFds[0]);
    return spawned.error();
  }
  const pid_t pid = *spawned;
  CommandOutput result{-1, {}};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      ::close(pipeFds[0]);
      return makeError(ErrorCode::kTimeout, argv[0] + " did not finish in time; output so far: " + result.out);
    }
    pollfd p{pipeFds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(pipeFds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipeFds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exitCode = decodeStatus(status);
  return result;
}

}  // namespace epurse::testing
