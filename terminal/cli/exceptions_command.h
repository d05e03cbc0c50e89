#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>

#include "cli/reader_options.h"
#include "terminal/cli/command.h"

namespace epurse::terminal {

// `epurse exceptions [--reader R] [--json]`: the card's exception log, each record explained
// from this card's side (docs/protocol.md "Aborts and the exception log"): a record is a
// transfer the card left in epa (payer, debited, no acknowledgement) or epv (payee, never
// credited). What happened to the value depends on whether the other purse's log names the
// same pd, which only the issuer, holding both, can tell; the explanation says both cases.
struct ExceptionsCommand : Command {
  cli::ReaderOptions reader;
  bool json = false;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
