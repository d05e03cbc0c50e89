// Loads, unloads and refunds: authorised (pending) before the order is sent, settled only by
// the card's signed word — its receipt here, or its log at the next collection (ingestion.cpp).
#include <algorithm>

#include "host/card_statements.h"
#include "issuer/books/books.h"
#include "issuer/books/books_failure.h"
#include "issuer/books/books_steps.h"

namespace epurse::issuer {

using namespace books_internal;
using ledger::OrderKind;

namespace books_internal {

std::vector<ledger::OrderRow> pendingOrdersWithin(ledger::Transaction& tx, const protocol::PurseId& purseId) {
  std::vector<ledger::OrderRow> pending;
  for (auto& order : take(tx.ordersOf(purseId))) {
    if (!take(tx.settlementOf(order.id))) pending.push_back(std::move(order));
  }
  return pending;
}

RefundState refundStateWithin(ledger::Transaction& tx) {
  RefundState state;
  std::vector<ledger::SettlementRow> settlements = take(tx.settlements());
  auto settlementOf = [&](ledger::RowId id) -> const ledger::SettlementRow* {
    auto it = std::lower_bound(settlements.begin(), settlements.end(), id,
                               [](const ledger::SettlementRow& s, ledger::RowId v) { return s.orderId < v; });
    return it != settlements.end() && it->orderId == id ? &*it : nullptr;
  };
  for (const auto& order : take(tx.orders())) {
    if (order.kind != OrderKind::kRefund || !order.refundOf) continue;
    const auto* settled = settlementOf(order.id);
    if (!settled) state.pending.insert(pdKey(*order.refundOf));
    else if (settled->outcome == ledger::Settlement::kConfirmed) state.confirmed.insert(pdKey(*order.refundOf));
  }
  return state;
}

}  // namespace books_internal

namespace {

bool isRevoked(ledger::Transaction& tx, const protocol::PurseId& purseId) {
  auto latest = take(tx.latestRevocation());
  return latest && std::find(latest->list.revoked.begin(), latest->list.revoked.end(), purseId) !=
                       latest->list.revoked.end();
}

std::string idText(const protocol::PurseId& id) { return protocol::purseIdHex(id); }

void requireRefundable(ledger::Transaction& tx, const ledger::OrderRow& order) {
  if (!order.refundOf) fail(ErrorCode::kInvalidArgument, "a refund must name the lost transfer it refunds");
  const protocol::PaymentDetails& pd = *order.refundOf;
  if (pd.fromId != order.purseId) fail(ErrorCode::kInvalidArgument, "a refund goes to the payer of the lost transfer");
  if (pd.value != order.order.amount || pd.currency != order.order.currency) {
    fail(ErrorCode::kInvalidArgument, "a refund is for exactly the lost transfer's value and currency");
  }
  const auto lost = take(tx.lostTransfers());
  if (std::none_of(lost.begin(), lost.end(), [&](const ledger::LostTransferRow& l) { return l.pd == pd; })) {
    fail(ErrorCode::kInvalidArgument, "the transfer is not proven lost (run reconcile after collecting both purses)");
  }
  const RefundState state = refundStateWithin(tx);
  const PdKey key = pdKey(pd);
  if (state.confirmed.count(key)) fail(ErrorCode::kInvalidArgument, "the lost transfer is refunded already");
  if (state.pending.count(key)) {
    fail(ErrorCode::kInvalidArgument,
         "a refund of this transfer is pending; collect the payer's card to settle it first");
  }
}

}  // namespace

Result<ledger::RowId> Books::authoriseOrder(const ledger::OrderRow& order) {
  return guarded([&] {
    auto tx = take(ledger_.beginWrite());
    auto purse = take(tx->findPurse(order.purseId));
    if (!purse) fail(ErrorCode::kInvalidArgument, "purse " + idText(order.purseId) + " is not registered with this issuer");
    if (isRevoked(*tx, order.purseId)) fail(ErrorCode::kInvalidArgument, "purse " + idText(order.purseId) + " is revoked");
    if (order.order.currency != purse->certificate.currency) {
      fail(ErrorCode::kInvalidArgument, "the order's currency is not the purse's");
    }
    if (order.order.amount == 0) fail(ErrorCode::kInvalidArgument, "the amount must not be zero");
    if (order.kind == OrderKind::kRefund) requireRefundable(*tx, order);
    const ledger::RowId id = take(tx->addOrder(order));
    check(tx->commit());
    return id;
  });
}

Result<protocol::ValueReceipt> Books::confirmOrder(ledger::RowId orderId, ByteView receiptResponse,
                                                   ledger::UnixTime now) {
  return guarded([&] {
    if (receiptResponse.size() < protocol::ValueReceipt::kSize) fail(ErrorCode::kMalformed, "the receipt is too short");
    const auto claimed = take(protocol::ValueReceipt::decode(receiptResponse.first(protocol::ValueReceipt::kSize)));
    auto tx = take(ledger_.beginWrite());
    auto purse = take(tx->findPurse(claimed.purseId));
    if (!purse) fail(ErrorCode::kProtocol, "the receipt names purse " + idText(claimed.purseId) + ", which is not registered");
    const auto orders = take(tx->ordersOf(claimed.purseId));
    auto it = std::find_if(orders.begin(), orders.end(), [&](const ledger::OrderRow& o) { return o.id == orderId; });
    if (it == orders.end()) fail(ErrorCode::kProtocol, "the receipt is not for order " + std::to_string(orderId));
    const ledger::OrderRow& order = *it;
    const auto kind = order.kind == OrderKind::kUnload ? host::ReceiptKind::kUnload : host::ReceiptKind::kLoad;
    const auto receipt = take(host::verifyReceipt(receiptResponse, kind, purse->certificate, issuerKey_));
    if (receipt.counter != order.order.counter || receipt.amount != order.order.amount ||
        receipt.currency != order.order.currency) {
      fail(ErrorCode::kProtocol, "the card's receipt does not match order " + std::to_string(orderId));
    }
    if (auto settled = take(tx->settlementOf(orderId))) {
      if (settled->outcome == ledger::Settlement::kConfirmed) return receipt;  // confirmed by its log already
      fail(ErrorCode::kCorrupt, "order " + std::to_string(orderId) + " was voided, yet the card sent its receipt");
    }
    ledger::SettlementRow row;
    row.orderId = orderId;
    row.outcome = ledger::Settlement::kConfirmed;
    row.source = ledger::SettlementSource::kReceipt;
    row.logNumber = receipt.logNumber;
    row.evidence = Bytes(receiptResponse.begin(), receiptResponse.end());
    row.settledAt = now;
    check(tx->addSettlement(row));
    // The card's counter has moved past this order's: no other order for it can apply now.
    for (const auto& other : pendingOrdersWithin(*tx, order.purseId)) {
      if (other.order.counter != order.order.counter) continue;
      ledger::SettlementRow voided;
      voided.orderId = other.id;
      voided.outcome = ledger::Settlement::kVoided;
      voided.source = ledger::SettlementSource::kReceipt;
      voided.evidence = row.evidence;
      voided.settledAt = now;
      check(tx->addSettlement(voided));
    }
    check(tx->commit());
    return receipt;
  });
}

Result<std::vector<protocol::PaymentDetails>> Books::owedRefunds(const protocol::PurseId& purseId) {
  return guarded([&] {
    auto tx = take(ledger_.beginRead());
    const RefundState state = refundStateWithin(*tx);
    std::vector<protocol::PaymentDetails> owed;
    for (const auto& lost : take(tx->lostTransfers())) {
      if (lost.pd.fromId != purseId) continue;
      const PdKey key = pdKey(lost.pd);
      if (!state.confirmed.count(key) && !state.pending.count(key)) owed.push_back(lost.pd);
    }
    check(tx->commit());
    return owed;
  });
}

}  // namespace epurse::issuer
