#include "issuer/cli/value_orders.h"

#include "cli/exit_codes.h"

namespace epurse::issuer::cli {

Result<ValueOrderOutcome> sendValueOrder(IssuerContext& context, CardAtHand& card, ledger::OrderKind kind,
                                         protocol::Amount amount,
                                         const std::optional<protocol::PaymentDetails>& refundOf, Failure& failure) {
  const auto& s = card.status;
  ledger::OrderRow row;
  row.purseId = s.purseId;
  row.kind = kind;
  row.order.counter = s.loadCounter;
  row.order.amount = amount;
  row.order.currency = s.currency;
  row.order.date = today();
  row.refundOf = refundOf;
  row.authorisedAt = now();
  auto id = context.books().authoriseOrder(row);
  if (!id) {
    failure = id.error().code == ErrorCode::kInvalidArgument ? Failure{id.error(), epurse::cli::kExitFailed, "refused"}
                                                             : Failure::ledgerProblem(id.error());
    return failure.error;
  }
  const std::string pending = "; order " + std::to_string(*id) + " stays pending until the purse's next collect";
  const IssuerSigner& signer = *context.signer();
  auto command = kind == ledger::OrderKind::kUnload ? signer.unload(s.purseId, row.order) : signer.load(s.purseId, row.order);
  if (!command) {
    failure = Failure::of(command.error());
    failure.error.message += pending;
    return failure.error;
  }
  auto sent = kind == ledger::OrderKind::kUnload ? card.purse().unload(*command) : card.purse().load(*command);
  if (!sent) {
    failure = Failure::of(sent.failure().error);
    if (sent.failure().sw) {
      failure.exitCode = epurse::cli::kExitFailed;
      failure.key = "card_refused";
    }
    failure.error.message += pending;
    return failure.error;
  }
  auto confirmed = context.books().confirmOrder(*id, sent->responseData, now());
  if (!confirmed) {
    failure = {confirmed.error(), epurse::cli::kExitFailed, "check_failed"};
    failure.error.message = "the card's receipt does not verify: " + confirmed.error().message + pending;
    return failure.error;
  }
  return ValueOrderOutcome{*id, *confirmed};
}

}  // namespace epurse::issuer::cli
