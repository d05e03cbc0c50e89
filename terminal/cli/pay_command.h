#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <optional>
#include <string>

#include "terminal/cli/command.h"
#include "terminal/cli/transfer_run.h"
#include "terminal/receipt/receipt_file.h"

namespace epurse::terminal {

// What a payment is for: --order TEXT (its UTF-8 bytes) or --order-file F (its bytes, as
// they are). Shared by `pay` and `accept`.
struct OrderOptions {
  std::optional<std::string> text;
  std::optional<std::string> file;

  // The two options, which exclude each other; `pay` requires one (given()).
  void addTo(CLI::App& command);
  bool given() const { return text || file; }
  // The order's bytes; kIo if the file cannot be read. No order: empty.
  Result<Bytes> read() const;
};

// What a payment for `order` asks of the transfer (pay, accept): `amount`, the PIN's source,
// and SHA-256 of the order as the purchase reference (receipt_file.h).
TransferPlan paymentPlan(const std::string& amount, const TransferOptions& options, ByteView order);

// The receipt of a payment made with paymentPlan: the order's hash is its pd's reference.
PaymentReceipt receiptOf(const TransferDone& done);

// --json of a payment: pd, order hash, both sides, the receipt file (null when none).
nlohmann::json paymentJson(const TransferDone& done, const host::ReaderSession& payer,
                           const host::ReaderSession& merchant, const std::optional<std::string>& receiptFile);

// `epurse pay --from R1 --merchant R2 --amount A (--order TEXT | --order-file F)
// [--receipt FILE]`: a transfer to the merchant's purse whose purchase reference is
// SHA-256 of the order, and the receipt that proves it (receipt_file.h).
struct PayCommand : Command {
  TransferOptions options;
  OrderOptions order;
  std::string from, merchant, amount;
  std::optional<std::string> receipt;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
