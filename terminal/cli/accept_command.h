#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>

#include "terminal/cli/command.h"
#include "terminal/cli/pay_command.h"
#include "terminal/cli/transfer_run.h"

namespace epurse::terminal {

// `epurse accept --merchant R --amount A [--order TEXT|--order-file F] [--receipts DIR]
// [--count N]`: the point of sale. Holds the merchant's purse, waits for a customer's card in
// any other reader (SCardGetStatusChange), takes the payment (transfer_run.h), writes its
// receipt into DIR, says "remove card", waits for the card to go, and again, until SIGINT or
// SIGTERM, or N payments. A signal during a payment is only noted: the loop ends once the
// payment is done, never in the middle of it. A payment that leaves value in flight ends the
// loop with exit 10: the merchant's purse must be recovered before it takes another.
// --json: one object per line per event: waiting, paid, failed, removed, stopped.
struct AcceptCommand : Command {
  TransferOptions options;
  OrderOptions order;
  std::string merchant, amount;
  std::optional<std::string> receipts;
  std::optional<unsigned> count;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
