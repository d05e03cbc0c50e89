// `cards`, `show ID`, `history ID`: what the ledger holds about the purses it issued. Read
// only: these never need the issuer key.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "cli/json_values.h"
#include "host/money.h"
#include "issuer/cli/command.h"
#include "issuer/cli/findings_text.h"
#include "issuer/cli/issuer_context.h"

namespace epurse::issuer::cli {
namespace {

using ledger::Transaction;

// "active", "revoked" or "flagged" (a finding other than a gap), revoked first.
struct PurseState {
  bool revoked = false, flagged = false;
  std::string text() const { return revoked ? "revoked" : flagged ? "flagged" : "active"; }
};

Result<PurseState> stateOf(Transaction& tx, const protocol::PurseId& id) {
  PurseState state;
  auto findings = tx.findingsOf(id);
  if (!findings) return findings.error();
  for (const auto& f : *findings) state.flagged = state.flagged || f.kind != ledger::FindingKind::kGap;
  auto revocation = tx.latestRevocation();
  if (!revocation) return revocation.error();
  if (*revocation) {
    const auto& r = (*revocation)->list.revoked;
    state.revoked = std::find(r.begin(), r.end(), id) != r.end();
  }
  return state;
}

// A read-only command: the context, a snapshot, and the failure as the ledger's.
struct ReadOnly {
  epurse::cli::Output output;
  std::unique_ptr<IssuerContext> context;
  std::unique_ptr<Transaction> tx;
  std::optional<int> failed;

  explicit ReadOnly(const CommonOptions& options) : output(kProgram, options.json, std::cout, std::cerr) {
    Failure failure = Failure::unset();
    auto opened = IssuerContext::open(options, failure);
    if (!opened) {
      failed = fail(output, failure);
      return;
    }
    context = std::move(*opened);
    auto snapshot = context->ledger().beginRead();
    if (!snapshot) {
      failed = fail(output, Failure::ledgerProblem(snapshot.error()));
      return;
    }
    tx = std::move(*snapshot);
  }
  int ledgerFailure(const Error& error) { return fail(output, Failure::ledgerProblem(error)); }
};

class CardsCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("cards", "The registry: every purse, its balance at its last collection, its state");
    addHomeOption(*c, options_);
    return c;
  }

  int run() override {
    ReadOnly r(options_);
    if (r.failed) return *r.failed;
    auto purses = r.tx->purses();
    if (!purses) return r.ledgerFailure(purses.error());
    auto latest = r.tx->latestCollections();
    if (!latest) return r.ledgerFailure(latest.error());
    std::map<protocol::PurseId, ledger::CollectionRow> last;
    for (auto& c : *latest) last[c.purseId] = c;
    nlohmann::json list = nlohmann::json::array();
    if (!r.output.json()) {
      r.output.text() << std::left << std::setw(18) << "ID" << std::setw(10) << "currency" << std::setw(16)
                      << "balance" << std::setw(25) << "last collected" << "status\n";
    }
    for (const auto& p : *purses) {
      auto state = stateOf(*r.tx, p.purseId);
      if (!state) return r.ledgerFailure(state.error());
      const auto found = last.find(p.purseId);
      const protocol::Currency currency = p.certificate.currency;
      const std::string code = currencyText(currency);
      if (r.output.json()) {
        nlohmann::json j = {{"purseId", protocol::purseIdHex(p.purseId)}, {"currency", code}, {"status", state->text()}};
        j["balance"] = found == last.end() ? nlohmann::json(nullptr)
                                           : epurse::cli::moneyJson(found->second.transactionHead.balance, currency);
        j["lastCollected"] = found == last.end() ? nlohmann::json(nullptr) : nlohmann::json(found->second.collectedAt);
        list.push_back(j);
        continue;
      }
      const std::string balance = found == last.end() ? "-" : amountText(found->second.transactionHead.balance, currency);
      const std::string when = found == last.end() ? "never" : formatTime(found->second.collectedAt);
      r.output.text() << std::setw(18) << protocol::purseIdHex(p.purseId) << std::setw(10) << code << std::setw(16)
                      << balance << std::setw(25) << when << state->text() << "\n";
    }
    if (r.output.json()) return r.output.result({{"purses", list}});
    if (purses->empty()) r.output.text() << "(no purses registered yet)\n";
    return epurse::cli::kExitOk;
  }

 private:
  CommonOptions options_;
};

// The purse named by ID, or the exit code of why not.
std::variant<ledger::PurseRow, int> purseNamed(ReadOnly& r, const std::string& text) {
  auto id = parsePurseId(text);
  if (!id) return r.output.usage(id.error().message);
  auto row = r.tx->findPurse(*id);
  if (!row) return r.ledgerFailure(row.error());
  if (!*row) {
    return r.output.failWith("unregistered", "purse " + text + " is not in this issuer's registry",
                             epurse::cli::kExitFailed);
  }
  return **row;
}

class ShowCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("show", "One purse: certificate, limits, orders, findings, collections");
    addHomeOption(*c, options_);
    c->add_option("ID", id_, "The purse ID, 16 hex digits")->required();
    return c;
  }

  int run() override {
    ReadOnly r(options_);
    if (r.failed) return *r.failed;
    auto named = purseNamed(r, id_);
    if (auto* code = std::get_if<int>(&named)) return *code;
    const auto& p = std::get<ledger::PurseRow>(named);
    const auto cur = p.certificate.currency;
    auto state = stateOf(*r.tx, p.purseId);
    auto orders = r.tx->ordersOf(p.purseId);
    auto findings = r.tx->findingsOf(p.purseId);
    auto collections = r.tx->collectionsOf(p.purseId);
    if (!state) return r.ledgerFailure(state.error());
    if (!orders) return r.ledgerFailure(orders.error());
    if (!findings) return r.ledgerFailure(findings.error());
    if (!collections) return r.ledgerFailure(collections.error());

    nlohmann::json j;
    j["purseId"] = protocol::purseIdHex(p.purseId);
    j["status"] = state->text();
    j["certificate"] = {{"cardPublicKey", toHex(p.certificate.publicKey)},
                        {"currencyNumeric", cur},
                        {"expiry", formatDate(p.certificate.expiry)},
                        {"issuerKeyId", toHex(p.certificate.issuerKeyId)}};
    j["limits"] = {{"maxBalance", epurse::cli::moneyJson(p.maxBalance, cur)},
                   {"transferLimit", epurse::cli::moneyJson(p.perTransferMax, cur)},
                   {"noPinLimit", epurse::cli::moneyJson(p.noPinLimit, cur)}};
    j["registeredAt"] = p.registeredAt;
    j["orders"] = nlohmann::json::array();
    for (const auto& o : *orders) {
      auto settled = r.tx->settlementOf(o.id);
      if (!settled) return r.ledgerFailure(settled.error());
      const std::string how = !*settled ? "pending"
                              : (*settled)->outcome == ledger::Settlement::kConfirmed ? "confirmed"
                                                                                      : "voided";
      j["orders"].push_back({{"id", o.id},
                             {"kind", orderKindName(o.kind)},
                             {"counter", o.order.counter},
                             {"amount", epurse::cli::moneyJson(o.order.amount, o.order.currency)},
                             {"authorisedAt", o.authorisedAt},
                             {"state", how}});
    }
    j["findings"] = nlohmann::json::array();
    for (const auto& f : *findings) j["findings"].push_back(findingJson(f, cur));
    j["collections"] = nlohmann::json::array();
    for (const auto& c : *collections) {
      j["collections"].push_back({{"id", c.id},
                                  {"at", c.collectedAt},
                                  {"source", c.source},
                                  {"balance", epurse::cli::moneyJson(c.transactionHead.balance, cur)},
                                  {"recordsAppended", c.transactionHead.appended},
                                  {"exceptionsHeld", c.exceptionHead.held}});
    }
    if (r.output.json()) return r.output.result(j);

    auto& out = r.output.text();
    out << "purse " << j["purseId"].get<std::string>() << "  " << state->text() << "\n"
        << "  currency        " << currencyText(cur) << "\n"
        << "  card key        " << toHex(p.certificate.publicKey) << "\n"
        << "  expires         " << formatDate(p.certificate.expiry) << "\n"
        << "  max balance     " << host::formatMoney(p.maxBalance, cur) << "\n"
        << "  transfer limit  " << host::formatMoney(p.perTransferMax, cur) << "\n"
        << "  no-PIN limit    " << host::formatMoney(p.noPinLimit, cur) << "\n"
        << "  registered      " << formatTime(p.registeredAt) << "\n";
    out << "orders (" << orders->size() << ")\n";
    for (const auto& o : j["orders"]) {
      out << "  " << o["id"].get<long long>() << "  " << o["kind"].get<std::string>() << "  "
          << o["amount"]["text"].get<std::string>() << "  counter " << o["counter"].get<long long>() << "  "
          << o["state"].get<std::string>() << "\n";
    }
    out << "findings (" << findings->size() << ")\n";
    for (const auto& f : *findings) out << "  " << findingText(f, cur) << "\n";
    out << "collections (" << collections->size() << ")\n";
    for (const auto& c : *collections) {
      out << "  " << formatTime(c.collectedAt) << "  " << c.source << "  balance "
          << host::formatMoney(c.transactionHead.balance, cur) << "\n";
    }
    return epurse::cli::kExitOk;
  }

 private:
  CommonOptions options_;
  std::string id_;
};

class HistoryCommand final : public Command {
 public:
  CLI::App* addTo(CLI::App& app) override {
    auto* c = app.add_subcommand("history", "One purse's archived, verified log records, oldest first");
    addHomeOption(*c, options_);
    c->add_option("ID", id_, "The purse ID, 16 hex digits")->required();
    return c;
  }

  int run() override {
    ReadOnly r(options_);
    if (r.failed) return *r.failed;
    auto named = purseNamed(r, id_);
    if (auto* code = std::get_if<int>(&named)) return *code;
    const auto& p = std::get<ledger::PurseRow>(named);
    auto rows = r.tx->logRecordsOf(p.purseId);
    if (!rows) return r.ledgerFailure(rows.error());
    const auto cur = p.certificate.currency;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& row : *rows) {
      const auto& rec = row.record;
      const auto& d = rec.details;
      std::string counterparty;
      bool credit = false;
      switch (rec.type) {
        case protocol::LogType::kLoad: counterparty = "issuer"; credit = true; break;
        case protocol::LogType::kUnload: counterparty = "issuer"; break;
        case protocol::LogType::kTransferIn: counterparty = protocol::purseIdHex(d.fromId); credit = true; break;
        case protocol::LogType::kTransferOut:
        case protocol::LogType::kTransferAcked: counterparty = protocol::purseIdHex(d.toId); break;
      }
      const std::string sign = rec.type == protocol::LogType::kTransferAcked ? "" : credit ? "+" : "-";
      if (r.output.json()) {
        list.push_back({{"number", rec.number},
                        {"type", protocol::logTypeName(rec.type)},
                        {"amount", epurse::cli::moneyJson(d.value, d.currency)},
                        {"balanceAfter", epurse::cli::moneyJson(rec.balanceAfter, cur)},
                        {"counterparty", counterparty},
                        {"collectionId", row.collectionId}});
        continue;
      }
      r.output.text() << std::setw(6) << std::right << rec.number << "  " << std::setw(16) << std::left
                      << protocol::logTypeName(rec.type) << std::setw(14) << std::right
                      << (sign + amountText(d.value, d.currency)) << "  balance " << std::setw(12)
                      << amountText(rec.balanceAfter, cur) << "  " << counterparty << "\n"
                      << std::left;
    }
    if (r.output.json()) return r.output.result({{"purseId", id_}, {"records", list}});
    if (rows->empty()) r.output.text() << "(no records collected yet)\n";
    return epurse::cli::kExitOk;
  }

 private:
  CommonOptions options_;
  std::string id_;
};

}  // namespace

void addRegistryCommands(Commands& commands) {
  commands.push_back(std::make_unique<CardsCommand>());
  commands.push_back(std::make_unique<ShowCommand>());
  commands.push_back(std::make_unique<HistoryCommand>());
}

}  // namespace epurse::issuer::cli
