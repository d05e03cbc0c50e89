#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>

#include "terminal/cli/command.h"
#include "terminal/cli/transfer_run.h"

namespace epurse::terminal {

// `epurse transfer --from R1 --to R2 --amount A [--ref TEXT]`: card to card between two
// readers (transfer_run.h). --ref is carried as the purchase reference: its UTF-8 bytes,
// zero-padded to 32 (longer is a usage error).
struct TransferCommand : Command {
  TransferOptions options;
  std::string from, to, amount, ref;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
