#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>

#include "cli/reader_options.h"
#include "terminal/cli/command.h"

namespace epurse::terminal {

// `epurse export [--reader R] --out FILE [--force] [--terminal TEXT] [--json]`: one signed
// reading of the card's logs (host::readEvidence over a fresh random challenge: certificate,
// both logs, both signed audit heads) in the audit export file `epurse-issuer import` takes
// (cli/audit_export.h, docs/protocol.md "Audit export"). Nothing is verified here: the
// issuer checks the file under its key. FILE is written whole or not at all (base/durable_file.h), and
// an existing FILE is kept unless --force; both are found out before the card is read.
struct ExportCommand : Command {
  cli::ReaderOptions reader;
  bool json = false;
  bool force = false;
  std::string outFile;
  std::optional<std::string> terminal;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
