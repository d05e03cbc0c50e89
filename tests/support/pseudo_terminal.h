// A program run on a pseudo-terminal, as a person at a keyboard runs it: its stdin, stdout and
// stderr are the pty's slave side (so isatty() is true and echo can be switched off), and the
// test types on the master side and reads everything the program wrote, echo included. For
// the no-echo PIN and passphrase prompts and the progress lines shown only on a terminal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"

namespace epurse::testing {

class PseudoTerminalProgram {
 public:
  static Result<PseudoTerminalProgram> start(const std::vector<std::string>& argv);
  PseudoTerminalProgram(PseudoTerminalProgram&& other) noexcept;
  PseudoTerminalProgram& operator=(PseudoTerminalProgram&&) = delete;
  ~PseudoTerminalProgram();  // SIGKILLs and reaps a program still running

  // Reads until `text` has appeared in the output (kTimeout otherwise).
  Status waitFor(const std::string& text, std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));
  // Reads until `seen(output())` holds; `what` names it in the error.
  Status waitUntil(const std::function<bool(const std::string&)>& seen, const std::string& what,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));
  // Types `text` (add "\n" for Enter).
  Status type(const std::string& text);
  // Reads to the end (the program closing the pty) and returns its exit status (or 128 + signal).
  Result<int> finish(std::chrono::milliseconds timeout = std::chrono::milliseconds(60000));
  // Everything the program wrote so far, with "\r\n" as the terminal sends it.
  const std::string& output() const { return output_; }
  pid_t pid() const { return pid_; }

 private:
  PseudoTerminalProgram(pid_t pid, int master) : pid_(pid), master_(master) {}
  // One read of what is there within `timeout`; false at the end of output.
  bool readSome(std::chrono::milliseconds timeout);

  pid_t pid_;
  int master_;
  std::string output_;
};

}  // namespace epurse::testing
