#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>

#include "cli/reader_options.h"
#include "terminal/cli/command.h"

namespace epurse::terminal {

// `epurse log [--reader R] [--verify --issuer-key PEM] [--json]`: the card's transaction log,
// newest first. With --verify the log comes from one signed reading (host::readEvidence with
// a fresh random challenge) and is shown only after host::verifyEvidence accepted the whole
// of it under the issuer key: certificate, both signed audit heads, the hash chain up to the
// head, the exception log's digest. A failed check is exit 1, check_failed, naming what failed.
struct LogCommand : Command {
  cli::ReaderOptions reader;
  bool json = false;
  bool verify = false;
  std::string issuerKeyFile;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
