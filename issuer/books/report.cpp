// report(): every figure from the ledger's evidence, and the identity that ties them
// (report.h; docs/issuer.md "The report" derives it).
#include <algorithm>
#include <map>
#include <set>

#include "issuer/books/books.h"
#include "issuer/books/books_failure.h"
#include "issuer/books/history_check.h"
#include "issuer/books/transfer_classification.h"
#include "issuer/books/value_effects.h"

namespace epurse::issuer {

using namespace books_internal;
using protocol::LogType;

namespace {

// Record numbers a purse's collected log does not hold, below its newest: (after, before).
struct Gap {
  std::uint32_t after;
  std::uint32_t before;
};

struct PurseView {
  protocol::Currency currency = 0;
  std::uint32_t newest = 0;
  std::vector<Gap> gaps;
  bool inGap(std::uint32_t number) const {
    return std::any_of(gaps.begin(), gaps.end(), [&](const Gap& g) { return number > g.after && number < g.before; });
  }
};

struct TransferSeen {
  Money value = 0;
  protocol::Currency currency = 0;
  protocol::PurseId payer{};
  bool out = false;
  bool in = false;
};

}  // namespace

Result<Report> Books::report(ledger::UnixTime now) {
  return guarded([&] {
    auto tx = take(ledger_.beginRead());
    Report report;
    report.at = now;
    std::map<protocol::Currency, CurrencyReport> sections;
    auto section = [&](protocol::Currency c) -> CurrencyReport& {
      auto& s = sections[c];
      s.currency = c;
      return s;
    };

    std::set<protocol::PurseId> flagged;
    for (const auto& f : take(tx->findings())) {
      report.findings.push_back(f);
      if (meansClone(f.kind)) flagged.insert(f.purseId);
    }

    // Cards: balances at their newest collected record, the gaps below it, the transfers seen.
    std::map<protocol::PurseId, PurseView> views;
    std::map<PdKey, TransferSeen> transfers;
    for (const auto& purse : take(tx->purses())) {
      PurseView& view = views[purse.purseId];
      view.currency = purse.certificate.currency;
      CurrencyReport& s = section(view.currency);
      ++s.purses;
      std::uint32_t previous = 0;
      Money previousBalance = 0;
      for (const auto& row : take(tx->logRecordsOf(purse.purseId))) {
        const auto& r = row.record;
        if (r.number > previous + 1) {
          view.gaps.push_back({previous, r.number});
          s.hiddenInGaps += balanceBefore(r) - previousBalance;
        }
        previous = r.number;
        previousBalance = r.balanceAfter;
        if (r.type == LogType::kTransferOut || r.type == LogType::kTransferIn) {
          TransferSeen& t = transfers[pdKey(r.details)];
          t.value = r.details.value;
          t.currency = r.details.currency;
          t.payer = r.details.fromId;
          (r.type == LogType::kTransferOut ? t.out : t.in) = true;
        }
      }
      view.newest = previous;
      s.inCards += previousBalance;
    }

    // Orders: the float, what moves until the next collection, what is pending.
    std::vector<ledger::SettlementRow> settlements = take(tx->settlements());
    std::map<ledger::RowId, const ledger::SettlementRow*> settled;
    for (const auto& st : settlements) settled[st.orderId] = &st;
    std::vector<std::pair<ledger::UnixTime, const ledger::OrderRow*>> confirmed;
    const auto orders = take(tx->orders());
    for (const auto& order : orders) {
      CurrencyReport& s = section(order.order.currency);
      auto it = settled.find(order.id);
      if (it == settled.end()) {
        ++s.pendingOrders;
        (order.kind == ledger::OrderKind::kUnload ? s.pendingUnloads : s.pendingLoads) += order.order.amount;
        continue;
      }
      if (it->second->outcome != ledger::Settlement::kConfirmed) continue;
      confirmed.emplace_back(it->second->settledAt, &order);
      const Money amount = order.order.amount;
      if (order.kind == ledger::OrderKind::kUnload) s.unloaded += amount;
      else s.loaded += amount;
      if (order.kind == ledger::OrderKind::kRefund) s.refunded += amount;
      const PurseView& view = views[order.purseId];
      const std::uint32_t number = it->second->logNumber;
      if (number > view.newest) s.movingOrders += orderChange(order);
      else if (view.inGap(number)) s.hiddenInGaps -= orderChange(order);
    }

    // Lost transfers, and whether their debit is in the collected logs.
    std::set<PdKey> lost;
    std::set<PdKey> refundedPds;
    for (const auto& order : orders) {
      auto it = settled.find(order.id);
      if (order.kind == ledger::OrderKind::kRefund && order.refundOf && it != settled.end() &&
          it->second->outcome == ledger::Settlement::kConfirmed) {
        refundedPds.insert(pdKey(*order.refundOf));
      }
    }
    for (const auto& l : take(tx->lostTransfers())) {
      const PdKey key = pdKey(l.pd);
      lost.insert(key);
      CurrencyReport& s = section(l.pd.currency);
      s.lostTotal += l.pd.value;
      if (refundedPds.count(key)) s.lostRefunded += l.pd.value;
      auto seen = transfers.find(key);
      // A lost debit the payer's collected log does not show is inside a gap of that log.
      if (seen == transfers.end() || !seen->second.out) s.hiddenInGaps += l.pd.value;
    }
    for (const auto& [key, t] : transfers) {
      CurrencyReport& s = section(t.currency);
      if (t.out && t.in) continue;
      if (t.out) {
        if (!lost.count(key)) s.movingTransfers += t.value;
      } else if (flagged.count(t.payer)) {
        s.copiesCredits += t.value;
      } else {
        s.movingTransfers -= t.value;
      }
    }

    for (const auto& t : classifyTransfers(*tx, {})) {
      if (t.outcome != TransferClass::kUnresolved) continue;
      report.unresolved.push_back(t.pd);
      CurrencyReport& s = section(t.pd.currency);
      ++s.unresolvedTransfers;
      s.unresolvedValue += t.pd.value;
    }
    // A fork shows both copies' spending and gives the exact excess; without one, each
    // credit of a duplicated sequence number is at risk.
    std::set<protocol::PurseId> forked;
    for (const auto& f : report.findings)
      if (f.kind == ledger::FindingKind::kFork) forked.insert(f.purseId);
    for (const auto& f : report.findings) {
      if (!meansClone(f.kind)) continue;
      if (forked.count(f.purseId) && f.kind != ledger::FindingKind::kFork) continue;
      auto v = views.find(f.purseId);
      if (v != views.end()) section(v->second.currency).valueAtRisk += f.valueAtRisk;
    }
    for (const auto& id : flagged) {
      auto v = views.find(id);
      if (v != views.end()) ++section(v->second.currency).flaggedPurses;
    }

    for (auto& [currency, s] : sections) {
      s.floatValue = s.loaded - s.unloaded - s.refunded;
      s.lostUnrefunded = s.lostTotal - s.lostRefunded;
      s.identityRight = s.inCards + s.movingOrders + s.movingTransfers + s.lostUnrefunded - s.hiddenInGaps - s.copiesCredits;
      s.identityDifference = s.floatValue - s.identityRight;
      report.currencies.push_back(s);
    }

    std::sort(confirmed.begin(), confirmed.end(),
              [](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : a.second->id < b.second->id; });
    std::map<protocol::Currency, ReportPoint> running;
    for (const auto& [at, order] : confirmed) {
      ReportPoint& p = running[order->order.currency];
      p.at = at;
      p.currency = order->order.currency;
      if (order->kind == ledger::OrderKind::kUnload) p.unloaded += order->order.amount;
      else p.loaded += order->order.amount;
      if (order->kind == ledger::OrderKind::kRefund) p.refunded += order->order.amount;
      p.floatValue = p.loaded - p.unloaded - p.refunded;
      report.timeline.push_back(p);
    }
    check(tx->commit());
    return report;
  });
}

}  // namespace epurse::issuer
