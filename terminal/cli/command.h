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
void addRecoverCommand(Commands& commands);  // recover
void addPinCommand(Commands& commands);      // pin verify, pin change
void addTransferCommand(Commands& commands);        // transfer
void addPayCommand(Commands& commands);             // pay
void addVerifyReceiptCommand(Commands& commands);   // verify-receipt
void addAcceptCommand(Commands& commands);          // accept
void addStatusCommand(Commands& commands);      // status
void addLogCommand(Commands& commands);         // log
void addExceptionsCommand(Commands& commands);  // exceptions
void addExportCommand(Commands& commands);      // export
void addWatchCommand(Commands& commands);       // watch

}  // namespace epurse::terminal
