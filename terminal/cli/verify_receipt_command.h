#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>

#include "terminal/cli/command.h"

namespace epurse::terminal {

// `epurse verify-receipt FILE [--order-file F] --issuer-key PEM`: checks a payment receipt
// offline (terminal/receipt/receipt_check.h). Exit 0 when every check passes, 1
// (check_failed) naming each that did not; 1 (malformed_receipt) naming the bad field for a
// file that is not a receipt.
struct VerifyReceiptCommand : Command {
  std::string file;
  std::optional<std::string> orderFile;
  std::string issuerKey;
  bool json = false;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
