#pragma once

#include <CLI/CLI.hpp>

#include "cli/output.h"
#include "cli/reader_options.h"
#include "terminal/cli/command.h"

namespace epurse::terminal {

// `epurse readers [--json] [--trace]`: every PC/SC reader, whether it holds a card, the
// card's ATR and protocols, and for a purse its ID, life cycle and balance. Finding out
// sends SELECT of the purse AID and GET DATA (status) to every card present.
struct ReadersCommand : Command {
  bool json = false;
  bool trace = false;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
