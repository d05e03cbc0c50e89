#include "terminal/cli/accept_command.h"

#include <csignal>
#include <filesystem>
#include <iostream>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "host/money.h"

namespace epurse::terminal {
namespace {

// How long one wait for a card lasts before the stop flag is looked at again: short enough
// for Ctrl-C to feel immediate, long enough to cost nothing.
constexpr unsigned kWaitSliceMs = 250;

volatile std::sig_atomic_t stopRequested = 0;

extern "C" void noteStop(int) { stopRequested = 1; }

void installStopHandlers() {
  struct sigaction action {};
  action.sa_handler = noteStop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a PC/SC exchange under way is not cut short
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

std::string receiptName(const protocol::PaymentDetails& pd) {
  std::string name = "receipt-";
  name += protocol::purseIdHex(pd.fromId);
  name += "-";
  name += std::to_string(pd.fromSeq);
  name += ".json";
  return name;
}

}  // namespace

CLI::App* AcceptCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand("accept", "Point of sale: take a payment from each customer card presented");
  command->add_option("--merchant", merchant, "The merchant's reader: number (from 'readers') or (part of) its name")
      ->required();
  command->add_option("--amount", amount, "The amount of each payment, e.g. 12.50")->required();
  order.addTo(*command);
  command->add_option("--receipts", receipts, "Write each payment's receipt into this directory");
  command->add_option("--count", count, "Stop after this many payments")->check(CLI::PositiveNumber);
  options.addTo(*command);
  return command;
}

int AcceptCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", options.json, out, err);
  auto orderBytes = order.read();
  if (!orderBytes) return output.usage(orderBytes.error().message);
  if (receipts && !std::filesystem::is_directory(*receipts)) {
    return output.usage("--receipts " + *receipts + ": not a directory");
  }
  const TransferPlan plan = paymentPlan(amount, options, *orderBytes);

  int code = cli::kExitOk;
  ApduObserver* trace = options.tracer(err);
  std::shared_ptr<PcscContext> context;  // the merchant's, also for waiting for customers
  auto payee = openParty(output, "merchant", merchant, options.protocol, trace, context, code);
  if (!payee) return code;

  stopRequested = 0;
  installStopHandlers();
  unsigned paid = 0;
  auto event = [&](nlohmann::json object, const std::string& text) {
    if (output.json()) {
      output.result(object);
    } else {
      out << text << "\n";
      out.flush();
    }
  };
  auto stop = [&](int exitCode) {
    if (exitCode == cli::kExitOk) {
      event({{"event", "stopped"}, {"payments", paid}},
            "Stopped after " + std::to_string(paid) + " payment" + (paid == 1 ? "" : "s") + ".");
    }
    return exitCode;
  };

  while (!stopRequested && !(count && paid >= *count)) {
    event({{"event", "waiting"}, {"merchant", payee->readerName()}},
          "Waiting for a customer's card (Ctrl-C to stop)...");
    std::optional<std::string> reader;
    while (!reader && !stopRequested) {
      auto seen = context->waitForCardInAnyReaderExcept(payee->readerName(), kWaitSliceMs);
      if (!seen && stopRequested) break;  // a wait the signal cut short
      if (!seen) return output.fail(seen.error(), {{"event", "failed"}});
      reader = *seen;
    }
    if (!reader) break;

    const nlohmann::json failed = {{"event", "failed"}, {"reader", *reader}};
    {
      auto payer = openParty(output, "customer", *reader, options.protocol, trace, context, code, failed);
      if (payer) {
        TransferDone done;
        code = runValueTransfer(output, TransferParties{*payer, *payee}, plan, done, failed);
        if (code == cli::kExitRecoveryNeeded) return code;
        if (code == cli::kExitOk) {
          ++paid;
          std::optional<std::string> file;
          if (receipts) file = (std::filesystem::path(*receipts) / receiptName(done.receipt.pd)).string();
          nlohmann::json object = paymentJson(done, *payer, *payee, file);
          object["event"] = "paid";
          std::string text = "Paid " + host::formatMoney(done.receipt.pd.value, done.receipt.pd.currency) +
                             " from purse " + protocol::purseIdHex(done.receipt.pd.fromId);
          if (file) {
            if (Status written = writeReceiptFile(*file, receiptOf(done)); !written) {
              object["receipt"] = nullptr;
              object["receiptError"] = written.error().message;
              text += " (the receipt could not be written: " + written.error().message + ")";
            } else {
              text += ", receipt " + *file;
            }
          }
          text += ". Remove the card.";
          event(object, text);
        }
      }
    }  // the customer's card is released before waiting for it to go
    if (stopRequested || (count && paid >= *count)) break;
    for (;;) {
      if (stopRequested) return stop(cli::kExitOk);
      Status gone = context->waitForCard(*reader, false, kWaitSliceMs);
      if (gone) break;
      if (gone.error().code != ErrorCode::kTimeout) break;  // the reader itself went away
    }
    event({{"event", "removed"}, {"reader", *reader}}, "Card removed.");
  }
  return stop(cli::kExitOk);
}

int AcceptCommand::run() { return run(std::cout, std::cerr); }

void addAcceptCommand(Commands& commands) { commands.push_back(std::make_unique<AcceptCommand>()); }

}  // namespace epurse::terminal
