#include "terminal/cli/verify_receipt_command.h"

#include <iostream>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/reader_options.h"
#include "host/money.h"
#include "terminal/cli/pay_command.h"
#include "terminal/cli/transfer_run.h"
#include "terminal/receipt/issuer_public_key.h"
#include "terminal/receipt/receipt_check.h"

namespace epurse::terminal {

CLI::App* VerifyReceiptCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand("verify-receipt", "Check a payment receipt offline with the issuer's public key");
  command->add_option("FILE", file, "The receipt file 'epurse pay --receipt' wrote")->required();
  command->add_option("--order-file", orderFile, "Also check that the receipt is for this order");
  command->add_option("--issuer-key", issuerKey, "The issuer's public key (PEM)")->required();
  cli::addJsonFlag(*command, json);
  return command;
}

int VerifyReceiptCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", json, out, err);
  auto key = loadIssuerPublicKey(issuerKey);
  if (!key) return output.usage("--issuer-key: " + key.error().message);
  auto receipt = readReceiptFile(file);
  if (!receipt) {
    if (receipt.error().code == ErrorCode::kIo) return output.usage(receipt.error().message);
    return output.failWith("malformed_receipt", receipt.error().message, cli::kExitFailed);
  }
  std::optional<Bytes> order;
  if (orderFile) {
    OrderOptions options;
    options.file = orderFile;
    auto bytes = options.read();
    if (!bytes) return output.usage(bytes.error().message);
    order = std::move(*bytes);
  }
  const ReceiptVerdict verdict = verifyReceipt(*receipt, *key, order);

  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : verdict.checks) checks.push_back({{"check", c.name}, {"passed", c.passed}, {"detail", c.detail}});
  nlohmann::json report = {{"file", file},
                           {"payment", cli::pdJson(receipt->pd)},
                           {"orderHash", toHex(receipt->orderHash)},
                           {"paidAt", receipt->paidAt},
                           {"orderChecked", order.has_value()},
                           {"checks", checks},
                           {"valid", verdict.passed()}};
  if (!verdict.passed()) {
    return output.failWith("check_failed", file + " does not prove the payment: " + verdict.failures(),
                           cli::kExitFailed, report);
  }
  if (output.json()) return output.result(report);
  const auto& pd = receipt->pd;
  out << file << ": a valid receipt: " << host::formatMoney(pd.value, pd.currency) << " paid by purse "
      << protocol::purseIdHex(pd.fromId) << " to purse " << protocol::purseIdHex(pd.toId) << "\n"
      << "  order SHA-256 " << toHex(receipt->orderHash)
      << (order ? " (matches the order file)" : " (no order file given: the order itself not checked)") << "\n";
  for (const auto& c : verdict.checks) out << "  ok  " << c.name << ": " << c.detail << "\n";
  return output.result(nullptr);
}

int VerifyReceiptCommand::run() { return run(std::cout, std::cerr); }

void addVerifyReceiptCommand(Commands& commands) { commands.push_back(std::make_unique<VerifyReceiptCommand>()); }

}  // namespace epurse::terminal
