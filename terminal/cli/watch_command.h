#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>

#include "terminal/cli/command.h"

namespace epurse::terminal {

// `epurse watch [--count N] [--trace] [--json]`: like pcsc_scan, but knowing purses. Lists
// the readers and the cards present, then one line (with --json one object) per change as
// it happens: a card inserted (with its ATR and, for a purse, its status: SELECT and GET
// DATA), a card removed, a reader plugged in or unplugged. It waits in
// PcscContext::waitForReaderChange, never polling. SIGINT (Ctrl-C) or SIGTERM end it, exit
// 0; so does the N-th change with --count N (the listing at the start is not counted).
struct WatchCommand : Command {
  bool json = false;
  bool trace = false;
  std::optional<unsigned> count;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
