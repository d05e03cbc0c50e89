// One epurse-issuer subcommand: its options on the command line and what it does.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <vector>

namespace epurse::issuer::cli {

class Command {
 public:
  virtual ~Command() = default;
  virtual CLI::App* addTo(CLI::App& app) = 0;
  // The exit code (docs/cli.md).
  virtual int run() = 0;
};

using Commands = std::vector<std::unique_ptr<Command>>;

// One function per file, each adding its commands.
void addInitCommand(Commands& commands);
void addPersonalizeCommand(Commands& commands);
void addCardCommands(Commands& commands);      // load, unload, unblock-pin
void addCollectCommands(Commands& commands);   // collect, import
void addBooksCommands(Commands& commands);     // reconcile, refund, revoke
void addRegistryCommands(Commands& commands);  // cards, show, history
void addReportCommand(Commands& commands);

}  // namespace epurse::issuer::cli
