// `load`, `unload`, `unblock-pin`: issuer orders for a registered, active purse in a reader.
// A value order is recorded durably as pending (Books::authoriseOrder) before it is signed
// and sent, and confirmed only by the card's verified receipt; an order whose receipt never
// arrives stays pending, and the purse's next collection settles it from its signed log.
#include <iostream>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "cli/json_values.h"
#include "host/money.h"
#include "issuer/cli/card_session.h"
#include "issuer/cli/command.h"
#include "cli/secret_input.h"
#include "issuer/cli/value_orders.h"
#include "protocol/purse_commands.h"

namespace epurse::issuer::cli {
using epurse::cli::readSecret;
using epurse::cli::readNewSecret;
namespace {

using ledger::OrderKind;

// VERIFY with the PIN from --pin-file or the terminal; kExitWrongPin / kExitPinBlocked when the card says no.
std::optional<int> verifyPin(epurse::cli::Output& output, CardAtHand& card, const std::optional<std::string>& pinFile) {
  auto pin = readSecret({"PIN", "--pin-file", pinFile, false});
  if (!pin) return output.fail(pin.error());
  auto block = protocol::makePinBlock(pin->text());
  if (!block) return output.usage("the PIN: " + block.error().message);
  auto verified = card.purse().verifyPin(*block);
  block->fill(0);
  if (!verified) return output.fail(verified.failure());
  if (verified->outcome == host::PinResult::Outcome::kBlocked) {
    return output.failWith("pin_blocked", "the PIN is blocked (unblock-pin); nothing was signed",
                           epurse::cli::kExitPinBlocked);
  }
  if (!verified->verified()) {
    return output.failWith("wrong_pin", "wrong PIN: " + std::to_string(verified->triesLeft) + " tries left; nothing was signed",
                           epurse::cli::kExitWrongPin);
  }
  return std::nullopt;
}

}  // namespace

namespace {

class ValueCommand final : public Command {
 public:
  explicit ValueCommand(OrderKind kind) : kind_(kind) {}

  CLI::App* addTo(CLI::App& app) override {
    const bool unload = kind_ == OrderKind::kUnload;
    auto* c = app.add_subcommand(unload ? "unload" : "load",
                                 unload ? "Take value out of a purse (needs its PIN), with an issuer-signed UNLOAD"
                                        : "Put value into a purse with an issuer-signed LOAD");
    addHomeOption(*c, options_);
    addPassphraseFileOption(*c, options_);
    reader_.addTo(*c);
    c->add_option("--amount", amount_, "The amount in the purse's currency, e.g. 12.50")->required();
    if (unload) c->add_option("--pin-file", pinFile_, "Read the purse's PIN from this file (default: asked)");
    return c;
  }

  int run() override {
    epurse::cli::Output output(kProgram, options_.json, std::cout, std::cerr);
    const bool unload = kind_ == OrderKind::kUnload;
    Failure failure = Failure::unset();
    auto context = IssuerContext::open(options_, failure);
    if (!context) return fail(output, failure);
    auto card = openCard(reader_, failure);
    if (!card) return fail(output, failure);
    auto registered = requireActivePurse(**context, **card, failure);
    if (!registered) return fail(output, failure);
    const auto& s = (*card)->status;
    auto amount = host::parseAmount(amount_, s.currency);
    if (!amount) return output.usage("--amount: " + amount.error().message + "; nothing was sent");
    if (*amount == 0) return output.usage("--amount must be above zero; nothing was sent");
    if (!unload && static_cast<std::uint64_t>(s.balance) + *amount > s.maxBalance) {
      return output.usage("loading " + host::formatMoney(*amount, s.currency) + " would take purse " +
                          protocol::purseIdHex(s.purseId) + " above its maximum balance of " +
                          host::formatMoney(s.maxBalance, s.currency) + " (it holds " +
                          host::formatMoney(s.balance, s.currency) + "); nothing was signed");
    }
    if (unload && *amount > s.balance) {
      return output.usage("purse " + protocol::purseIdHex(s.purseId) + " holds only " +
                          host::formatMoney(s.balance, s.currency) + "; nothing was signed");
    }
    if (Status unlocked = (*context)->unlock(options_, failure); !unlocked) return fail(output, failure);
    auto pushed = pushRevocationList(**context, **card);
    if (!pushed) return output.fail(pushed.failure());
    if (unload) {
      if (auto refused = verifyPin(output, **card, pinFile_)) return *refused;
    }
    auto done = sendValueOrder(**context, **card, kind_, *amount, std::nullopt, failure);
    if (!done) return fail(output, failure);
    const auto& r = done->receipt;
    if (output.json()) {
      return output.result({{"purseId", protocol::purseIdHex(s.purseId)},
                            {"orderId", done->orderId},
                            {"amount", epurse::cli::moneyJson(*amount, s.currency)},
                            {"balance", epurse::cli::moneyJson(r.balanceAfter, s.currency)},
                            {"revocationListPushed", *pushed}});
    }
    output.text() << (unload ? "unloaded " : "loaded ") << host::formatMoney(*amount, s.currency)
                  << (unload ? " from purse " : " into purse ") << protocol::purseIdHex(s.purseId) << " (order "
                  << done->orderId << ")\n"
                  << "balance " << host::formatMoney(r.balanceAfter, s.currency) << "\n";
    if (*pushed) output.text() << "revocation list version " << (*card)->status.revocationVersion << " sent\n";
    return epurse::cli::kExitOk;
  }

 private:
  OrderKind kind_;
  CommonOptions options_;
  epurse::cli::ReaderOptions reader_;
  std::string amount_;
  std::optional<std::string> pinFile_;
};

class UnblockPinCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("unblock-pin", "Reset a purse's PIN tries and set a new PIN (issuer-signed)");
    addHomeOption(*c, options_);
    addPassphraseFileOption(*c, options_);
    reader_.addTo(*c);
    c->add_option("--new-pin-file", newPinFile_, "Read the new PIN from this file (default: asked twice)");
    return c;
  }

  int run() override {
    epurse::cli::Output output(kProgram, options_.json, std::cout, std::cerr);
    Failure failure = Failure::unset();
    auto context = IssuerContext::open(options_, failure);
    if (!context) return fail(output, failure);
    auto card = openCard(reader_, failure);
    if (!card) return fail(output, failure);
    auto registered = requireActivePurse(**context, **card, failure);
    if (!registered) return fail(output, failure);
    auto pin = readNewSecret({"new PIN", "--new-pin-file", newPinFile_, false});
    if (!pin) return output.fail(pin.error());
    protocol::PinUnblockOrder order;
    auto block = protocol::makePinBlock(pin->text());
    if (!block) return output.usage("the new PIN: " + block.error().message);
    order.newPin = *block;
    order.adminCounter = (*card)->status.adminCounter;
    if (Status unlocked = (*context)->unlock(options_, failure); !unlocked) return fail(output, failure);
    auto command = (*context)->signer()->unblockPin((*card)->status.purseId, order);
    order.newPin.fill(0);
    block->fill(0);
    if (!command) return output.fail(command.error());
    if (auto r = (*card)->purse().execute(*command); !r) return output.fail(r.failure());
    const std::string id = protocol::purseIdHex((*card)->status.purseId);
    if (output.json()) return output.result({{"purseId", id}, {"pinUnblocked", true}});
    output.text() << "purse " << id << ": PIN unblocked and replaced\n";
    return epurse::cli::kExitOk;
  }

 private:
  CommonOptions options_;
  epurse::cli::ReaderOptions reader_;
  std::optional<std::string> newPinFile_;
};

}  // namespace

void addCardCommands(Commands& commands) {
  commands.push_back(std::make_unique<ValueCommand>(OrderKind::kLoad));
  commands.push_back(std::make_unique<ValueCommand>(OrderKind::kUnload));
  commands.push_back(std::make_unique<UnblockPinCommand>());
}

}  // namespace epurse::issuer::cli
