// Value in from the issuer (LOAD) and back to it (UNLOAD). Each order is signed by the issuer
// over this purse's ID and the load counter the card expects next, so an order works once,
// on one card; the card answers with a receipt it signs itself.
#include "card/purse/purse_applet.h"
#include "card/purse/purse_layout.h"
#include "card/purse/purse_logs.h"
#include "card/purse/require_decoded.h"
#include "card/runtime/iso_exception.h"
#include "protocol/signed_payloads.h"

namespace epurse::card {

using namespace purse_layout;
using protocol::LifeCycle;

Bytes PurseApplet::load(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  requireLifeCycle(LifeCycle::kPersonalised);
  if (memory().protocolStatus() != protocol::ProtocolStatus::kIdle) IsoException::throwIt(sw::kConditionsNotSatisfied);
  return applyValueOrder(command, true);
}

Bytes PurseApplet::unload(const CommandApdu& command) {
  requireP1P2(command, 0, 0);
  requireLifeCycle(LifeCycle::kPersonalised);
  if (memory().protocolStatus() != protocol::ProtocolStatus::kIdle) IsoException::throwIt(sw::kConditionsNotSatisfied);
  if (!pinVerified()) IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  return applyValueOrder(command, false);
}

Bytes PurseApplet::applyValueOrder(const CommandApdu& command, bool isLoad) {
  const protocol::EcPublicKey& issuer = issuerKey();
  const protocol::PurseId purse = purseId();
  CardContext& card = *card_;
  auto split = protocol::splitSigned(command.data(), protocol::ValueOrder::kSize);
  if (!split) IsoException::throwIt(sw::kWrongLength);
  const auto domain = isLoad ? protocol::kDomainLoad : protocol::kDomainUnload;
  if (!issuer.verify(protocol::issuerOrderPayload(domain, purse, split->fields), split->signature)) {
    IsoException::throwIt(sw::kSecurityStatusNotSatisfied);
  }
  const auto order = requireDecoded(protocol::ValueOrder::decode(split->fields), sw::kWrongLength);
  PurseMemory m = memory();
  const std::uint32_t counter = m.loadCounter();
  if (order.counter != counter) IsoException::throwIt(sw::kConditionsNotSatisfied);  // replayed or out of order
  if (counter == UINT32_MAX || TransactionLog(m).appended() == UINT32_MAX) {
    IsoException::throwIt(purse_sw::kSequenceExhausted);
  }
  if (order.currency != m.currency() || order.amount == 0) IsoException::throwIt(sw::kWrongData);
  const std::uint64_t balance = m.balance();
  std::uint64_t after = 0;
  if (isLoad) {
    after = balance + order.amount;
    if (after > m.maxBalance()) IsoException::throwIt(purse_sw::kMaxBalanceExceeded);
  } else {
    if (order.amount > balance) IsoException::throwIt(purse_sw::kInsufficientFunds);
    after = balance - order.amount;
  }

  // The log carries the order in pd form: the issuer (by key ID) on one side, this purse on
  // the other, the load counter as the issuer's sequence number.
  protocol::PaymentDetails details;
  const auto issuerId = protocol::issuerKeyIdOf(issuer.encoded());
  protocol::PurseId issuerSide{};
  std::copy(issuerId.begin(), issuerId.end(), issuerSide.begin());
  details.fromId = isLoad ? issuerSide : purse;
  details.toId = isLoad ? purse : issuerSide;
  details.fromSeq = counter;
  details.value = order.amount;
  details.currency = order.currency;

  TransactionLog log(m);
  protocol::ValueReceipt receipt;
  receipt.purseId = purse;
  receipt.counter = counter;
  receipt.amount = order.amount;
  receipt.currency = order.currency;
  receipt.balanceAfter = static_cast<protocol::Amount>(after);
  receipt.logNumber = log.appended() + 1;
  Bytes response = receipt.encode();
  // Signed before the commit: a signing failure must leave the purse untouched.
  auto signature = cardKey().sign(
      protocol::domainPayload(isLoad ? protocol::kDomainLoadReceipt : protocol::kDomainUnloadReceipt, response));
  if (!signature) IsoException::throwIt(sw::kUnknown);
  appendBytes(response, *signature);

  card.beginTransaction();
  m.setBalance(static_cast<protocol::Amount>(after));
  m.setLoadCounter(counter + 1);
  if (order.date > m.date()) m.setDate(order.date);
  log.append(isLoad ? protocol::LogType::kLoad : protocol::LogType::kUnload, details,
             static_cast<protocol::Amount>(after));
  card.commitTransaction();
  return response;
}

}  // namespace epurse::card
