// `reconcile`, `refund`, `revoke`: decisions the books make from the evidence they hold.
// A refund is a LOAD of the payer's card for a transfer the reconciliation proved lost; the
// books refuse a second refund of the same transfer, so running refund again refunds nothing.
#include <iostream>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "cli/json_values.h"
#include "host/money.h"
#include "issuer/cli/card_session.h"
#include "issuer/cli/command.h"
#include "issuer/cli/findings_text.h"
#include "issuer/cli/value_orders.h"

namespace epurse::issuer::cli {
namespace {

class ReconcileCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("reconcile",
                                 "Match exception records across purses: lost (in both logs), not lost, or unresolved");
    addHomeOption(*c, options_);
    return c;
  }

  int run() override {
    epurse::cli::Output output(kProgram, options_.json, std::cout, std::cerr);
    Failure failure = Failure::unset();
    auto context = IssuerContext::open(options_, failure);
    if (!context) return fail(output, failure);
    auto r = (*context)->books().reconcile(now(), progressPrinter(options_, "reconciled"));
    if (!r) return fail(output, Failure::ledgerProblem(r.error()));
    if (output.json()) {
      nlohmann::json transfers = nlohmann::json::array();
      for (const auto& t : r->transfers) {
        nlohmann::json j = pdJson(t.pd);
        j["outcome"] = transferClassName(t.outcome);
        j["reason"] = t.reason;
        j["newlyLost"] = t.newlyLost;
        j["refunded"] = t.refunded;
        transfers.push_back(j);
      }
      return output.result({{"lost", r->lost},
                            {"notLost", r->notLost},
                            {"unresolved", r->unresolved},
                            {"newlyLost", r->newlyLost},
                            {"transfers", transfers}});
    }
    auto& out = output.text();
    out << r->transfers.size() << " transfers in exception logs: " << r->lost << " lost (" << r->newlyLost
        << " newly), " << r->notLost << " not lost, " << r->unresolved << " unresolved\n";
    for (const auto& t : r->transfers) {
      if (t.outcome == TransferClass::kNotLost) continue;
      out << "  " << transferClassName(t.outcome) << ": " << transferText(t.pd);
      if (!t.reason.empty()) out << " (" << t.reason << ")";
      if (t.outcome == TransferClass::kLost) out << (t.refunded ? ", refunded" : ", not refunded yet");
      out << "\n";
    }
    return epurse::cli::kExitOk;
  }

 private:
  CommonOptions options_;
};

class RefundCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("refund",
                                 "Refund the payer's card in the reader for transfers proved lost (a signed LOAD each), "
                                 "exactly once");
    addHomeOption(*c, options_);
    addPassphraseFileOption(*c, options_);
    reader_.addTo(*c);
    auto* all = c->add_flag("--all", all_, "Every lost transfer this purse is owed");
    c->add_option("--pd", pd_, "Only the lost transfer with these payment details (hex, as reconcile --json shows)")
        ->excludes(all);
    return c;
  }

  int run() override {
    epurse::cli::Output output(kProgram, options_.json, std::cout, std::cerr);
    if (!reader_.readerGiven()) {
      return output.usage("refund needs --reader R: a refund is a LOAD of the payer's own card, which must be in "
                          "the reader");
    }
    if (!all_ && !pd_) return output.usage("say which refunds: --all, or --pd HEX");
    std::optional<protocol::PaymentDetails> only;
    if (pd_) {
      auto bytes = fromHex(*pd_);
      auto pd = bytes ? protocol::PaymentDetails::decode(*bytes) : Result<protocol::PaymentDetails>(bytes.error());
      if (!pd) return output.usage("--pd: " + pd.error().message);
      only = *pd;
    }
    Failure failure = Failure::unset();
    auto context = IssuerContext::open(options_, failure);
    if (!context) return fail(output, failure);
    auto card = openCard(reader_, failure);
    if (!card) return fail(output, failure);
    auto registered = requireActivePurse(**context, **card, failure);
    if (!registered) return fail(output, failure);
    auto owed = (*context)->books().owedRefunds((*card)->status.purseId);
    if (!owed) return fail(output, Failure::ledgerProblem(owed.error()));
    std::vector<protocol::PaymentDetails> todo;
    for (const auto& pd : *owed) {
      if (!only || pd == *only) todo.push_back(pd);
    }
    const std::string id = protocol::purseIdHex((*card)->status.purseId);
    nlohmann::json refunds = nlohmann::json::array();
    if (!todo.empty()) {
      if (Status unlocked = (*context)->unlock(options_, failure); !unlocked) return fail(output, failure);
      auto pushed = pushRevocationList(**context, **card);
      if (!pushed) return output.fail(pushed.failure());
    }
    for (const auto& pd : todo) {
      auto status = (*card)->purse().status();  // the counter moved with the previous refund
      if (!status) return output.fail(status.failure(), {{"refunds", refunds}});
      (*card)->status = *status;
      if (static_cast<std::uint64_t>(status->balance) + pd.value > status->maxBalance) {
        return output.failWith("above_limit",
                               "refunding " + transferText(pd) + " would take purse " + id +
                                   " above its maximum balance; unload first (nothing was signed)",
                               epurse::cli::kExitFailed, {{"refunds", refunds}});
      }
      auto done = sendValueOrder(**context, **card, ledger::OrderKind::kRefund, pd.value, pd, failure);
      if (!done) return fail(output, failure, {{"refunds", refunds}});
      nlohmann::json j = pdJson(pd);
      j["orderId"] = done->orderId;
      j["balance"] = epurse::cli::moneyJson(done->receipt.balanceAfter, status->currency);
      refunds.push_back(j);
      if (!output.json()) {
        output.text() << "refunded " << transferText(pd) << " (order " << done->orderId << "), balance "
                      << host::formatMoney(done->receipt.balanceAfter, status->currency) << "\n";
      }
    }
    if (output.json()) return output.result({{"purseId", id}, {"refunds", refunds}});
    if (todo.empty()) output.text() << "purse " << id << " is owed no refund: nothing to do\n";
    return epurse::cli::kExitOk;
  }

 private:
  CommonOptions options_;
  epurse::cli::ReaderOptions reader_;
  bool all_ = false;
  std::optional<std::string> pd_;
};

class RevokeCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("revoke",
                                 "Add a purse to the signed revocation list; cards get it at their next load or collect");
    addHomeOption(*c, options_);
    addPassphraseFileOption(*c, options_);
    c->add_option("ID", id_, "The purse ID, 16 hex digits")->required();
    c->add_option("--reason", reason_, "Why, for the books");
    return c;
  }

  int run() override {
    epurse::cli::Output output(kProgram, options_.json, std::cout, std::cerr);
    auto id = parsePurseId(id_);
    if (!id) return output.usage(id.error().message);
    Failure failure = Failure::unset();
    auto context = IssuerContext::open(options_, failure);
    if (!context) return fail(output, failure);
    if (Status unlocked = (*context)->unlock(options_, failure); !unlocked) return fail(output, failure);
    auto row = (*context)->books().revoke(*id, reason_, now());
    if (!row) {
      if (row.error().code == ErrorCode::kInvalidArgument) {
        return output.failWith("refused", row.error().message, epurse::cli::kExitFailed);
      }
      return fail(output, Failure::ledgerProblem(row.error()));
    }
    if (output.json()) {
      return output.result({{"purseId", id_}, {"version", row->list.version}, {"revoked", row->list.revoked.size()}});
    }
    output.text() << "purse " << protocol::purseIdHex(*id) << " revoked: revocation list version "
                  << row->list.version << " (" << row->list.revoked.size() << " purses)\n";
    return epurse::cli::kExitOk;
  }

 private:
  CommonOptions options_;
  std::string id_, reason_;
};

}  // namespace

void addBooksCommands(Commands& commands) {
  commands.push_back(std::make_unique<ReconcileCommand>());
  commands.push_back(std::make_unique<RefundCommand>());
  commands.push_back(std::make_unique<RevokeCommand>());
}

}  // namespace epurse::issuer::cli
