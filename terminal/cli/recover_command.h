#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "host/apdu_trace.h"
#include "host/reader_session.h"
#include "terminal/cli/command.h"

namespace epurse::terminal {

// `epurse recover --from R1 --to R2 [--json] [--trace]`: after a transfer or payment that
// stopped half-way, ABORT both purses and say, for every transfer between them that their
// exception logs hold, what happened to the value (terminal/transfer/transfer_recovery.h):
// it arrived, nothing moved, or it was lost in transit and the issuer refunds it. Either
// reader may be the one that was the payer; the pd says who paid whom.
struct RecoverCommand : Command {
  std::string from, to;
  Protocol protocol = Protocol::kAny;
  bool trace = false;
  bool json = false;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);

 private:
  std::unique_ptr<host::ApduTracePrinter> printer_;
};

}  // namespace epurse::terminal
