#include "terminal/cli/pay_command.h"

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <type_traits>
#include <sys/stat.h>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "host/money.h"

namespace epurse::terminal {
namespace {

// An order bigger than this is not an order but a mistake (the wrong file).
constexpr std::size_t kMaxOrderSize = 16 * 1024 * 1024;

std::string utcNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

void OrderOptions::addTo(CLI::App& command) {
  auto* textOption = command.add_option("--order", text, "The order, as text: hashed into the purchase reference");
  auto* fileOption = command.add_option("--order-file", file, "The order, as a file's bytes");
  textOption->excludes(fileOption);
}

Result<Bytes> OrderOptions::read() const {
  if (text) return Bytes(text->begin(), text->end());
  if (!file) return Bytes{};
  std::ifstream in(*file, std::ios::binary);
  if (!in) return makeError(ErrorCode::kIo, "cannot read the order file " + *file);
  Bytes bytes;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    bytes.insert(bytes.end(), buffer, buffer + in.gcount());
    if (bytes.size() > kMaxOrderSize) {
      return makeError(ErrorCode::kInvalidArgument, "the order file " + *file + " is larger than 16 MiB");
    }
  }
  if (in.bad()) return makeError(ErrorCode::kIo, "cannot read the order file " + *file);
  return bytes;
}

TransferPlan paymentPlan(const std::string& amount, const TransferOptions& options, ByteView order) {
  TransferPlan plan;
  plan.amountText = amount;
  plan.pinFile = options.pinFile;
  plan.reference = purchaseReferenceFor(order);
  return plan;
}

PaymentReceipt receiptOf(const TransferDone& done) {
  static_assert(std::is_same_v<protocol::Digest, protocol::PurchaseReference>);
  PaymentReceipt r;
  r.pd = done.receipt.pd;
  r.orderHash = done.receipt.pd.reference;
  r.req = done.receipt.req;
  r.val = done.receipt.val;
  r.ack = done.receipt.ack;
  r.payerCertificate = done.payerCertificate;
  r.payeeCertificate = done.payeeCertificate;
  r.paidAt = utcNow();
  return r;
}

nlohmann::json paymentJson(const TransferDone& done, const host::ReaderSession& payer,
                           const host::ReaderSession& merchant, const std::optional<std::string>& receiptFile) {
  return {{"payment", cli::pdJson(done.receipt.pd)},
          {"orderHash", toHex(done.receipt.pd.reference)},
          {"pinVerified", done.pinVerified},
          {"payer", partyJson(payer, done.payerBefore, done.payerAfter)},
          {"merchant", partyJson(merchant, done.payeeBefore, done.payeeAfter)},
          {"receipt", receiptFile ? nlohmann::json(*receiptFile) : nlohmann::json(nullptr)}};
}

CLI::App* PayCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand("pay", "Pay a merchant's purse for an order, with a signed receipt");
  command->add_option("--from", from, "The customer's reader: number (from 'readers') or (part of) its name")
      ->required();
  command->add_option("--merchant", merchant, "The merchant's reader")->required();
  command->add_option("--amount", amount, "The amount in the customer's currency, e.g. 12.50")->required();
  order.addTo(*command);
  command->add_option("--receipt", receipt, "Write the receipt to this file (never overwritten)");
  options.addTo(*command);
  return command;
}

int PayCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", options.json, out, err);
  if (!order.given()) return output.usage("give the order with --order TEXT or --order-file FILE");
  auto orderBytes = order.read();
  if (!orderBytes) return output.usage(orderBytes.error().message + "; nothing was sent");
  struct stat existing {};
  if (receipt && ::lstat(receipt->c_str(), &existing) == 0) {
    return output.usage("the receipt file " + *receipt + " already exists; a receipt is never overwritten; "
                        "nothing was sent");
  }
  const TransferPlan plan = paymentPlan(amount, options, *orderBytes);

  int code = cli::kExitOk;
  ApduObserver* trace = options.tracer(err);
  std::shared_ptr<PcscContext> context;
  auto payer = openParty(output, "customer", from, options.protocol, trace, context, code);
  if (!payer) return code;
  auto payee = openParty(output, "merchant", merchant, options.protocol, trace, context, code);
  if (!payee) return code;

  TransferDone done;
  code = runValueTransfer(output, TransferParties{*payer, *payee}, plan, done);
  if (code != cli::kExitOk) return code;

  nlohmann::json paid = paymentJson(done, *payer, *payee, receipt);
  if (receipt) {
    if (Status written = writeReceiptFile(*receipt, receiptOf(done)); !written) {
      paid["receipt"] = nullptr;
      return output.failWith("receipt_not_written",
                             "paid, but the receipt could not be written: " + written.error().message +
                                 " (the card logs hold the payment)",
                             cli::kExitFailed, paid);
    }
  }
  if (output.json()) return output.result(paid);
  const auto& pd = done.receipt.pd;
  auto balance = [](const std::optional<protocol::PurseStatus>& s) {
    return s ? host::formatMoney(s->balance, s->currency) : std::string("(could not be read)");
  };
  out << "Paid " << host::formatMoney(pd.value, pd.currency) << " from purse " << protocol::purseIdHex(pd.fromId)
      << " to merchant purse " << protocol::purseIdHex(pd.toId) << ".\n"
      << "  order SHA-256 " << toHex(plan.reference) << "\n";
  if (receipt) out << "  receipt written to " << *receipt << "\n";
  out << "  customer balance now " << balance(done.payerAfter) << "\n"
      << "  merchant balance now " << balance(done.payeeAfter) << "\n";
  return output.result(nullptr);
}

int PayCommand::run() { return run(std::cout, std::cerr); }

void addPayCommand(Commands& commands) { commands.push_back(std::make_unique<PayCommand>()); }

}  // namespace epurse::terminal
