// One epurse subcommand: its options on the command line and what it does. Each command (or
// small group of commands) is in its own file and adds itself with one function below.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <vector>

namespace epurse::terminal {

class Command {
 public:
  virtual ~Command() = default;
  virtual CLI::App* addTo(CLI::App& app) = 0;
  // The exit code (cli/exit_codes.h, docs/terminal.md).
  virtual int run() = 0;
};

using Commands = std::vector<std::unique_ptr<Command>>;

void addReadersCommand(Commands& commands);  // readers
void addApduCommand(Commands& commands);     // apdu
void addTransferCommand(Commands& commands);        // transfer
void addPayCommand(Commands& commands);             // pay
void addVerifyReceiptCommand(Commands& commands);   // verify-receipt
void addAcceptCommand(Commands& commands);          // accept

}  // namespace epurse::terminal
