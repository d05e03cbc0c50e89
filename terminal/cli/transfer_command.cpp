#include "terminal/cli/transfer_command.h"

#include <algorithm>
#include <iostream>

#include "cli/exit_codes.h"
#include "host/money.h"

namespace epurse::terminal {

CLI::App* TransferCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand("transfer", "Move value from the purse in one reader to the purse in another");
  command->add_option("--from", from, "The payer's reader: number (from 'readers') or (part of) its name")->required();
  command->add_option("--to", to, "The payee's reader")->required();
  command->add_option("--amount", amount, "The amount in the payer's currency, e.g. 12.50")->required();
  command->add_option("--ref", ref, "A reference of up to 32 bytes, carried in the transfer's pd");
  options.addTo(*command);
  return command;
}

int TransferCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", options.json, out, err);
  TransferPlan plan;
  plan.amountText = amount;
  plan.pinFile = options.pinFile;
  if (ref.size() > plan.reference.size()) {
    return output.usage("--ref is " + std::to_string(ref.size()) + " bytes; at most " +
                        std::to_string(plan.reference.size()) + " fit in the pd; nothing was sent");
  }
  std::copy(ref.begin(), ref.end(), plan.reference.begin());

  int code = cli::kExitOk;
  ApduObserver* trace = options.tracer(err);
  std::shared_ptr<PcscContext> context;
  auto payer = openParty(output, "payer", from, options.protocol, trace, context, code);
  if (!payer) return code;
  auto payee = openParty(output, "payee", to, options.protocol, trace, context, code);
  if (!payee) return code;

  TransferDone done;
  code = runValueTransfer(output, TransferParties{*payer, *payee}, plan, done);
  if (code != cli::kExitOk) return code;

  const auto& pd = done.receipt.pd;
  if (output.json()) {
    return output.result({{"transfer", cli::pdJson(pd)},
                          {"pinVerified", done.pinVerified},
                          {"payer", partyJson(*payer, done.payerBefore, done.payerAfter)},
                          {"payee", partyJson(*payee, done.payeeBefore, done.payeeAfter)}});
  }
  auto balance = [](const std::optional<protocol::PurseStatus>& s) {
    return s ? host::formatMoney(s->balance, s->currency) : std::string("(could not be read)");
  };
  out << "Moved " << host::formatMoney(pd.value, pd.currency) << " from purse " << protocol::purseIdHex(pd.fromId)
      << " (" << payer->readerName() << ") to purse " << protocol::purseIdHex(pd.toId) << " ("
      << payee->readerName() << ").\n"
      << "  payer balance now " << balance(done.payerAfter) << "\n"
      << "  payee balance now " << balance(done.payeeAfter) << "\n";
  return output.result(nullptr);
}

int TransferCommand::run() { return run(std::cout, std::cerr); }

void addTransferCommand(Commands& commands) { commands.push_back(std::make_unique<TransferCommand>()); }

}  // namespace epurse::terminal
