// One value order to the purse in the reader, as load, unload and refund send it: authorised
// (durable, pending) → signed at the card's load counter with today's date → sent → confirmed by
// the card's verified receipt. Whatever fails after authorisation leaves the order pending and
// says so; the purse's next collection settles it from the card's signed log.
#pragma once

#include <optional>

#include "issuer/cli/card_session.h"
#include "issuer/cli/issuer_context.h"

namespace epurse::issuer::cli {

struct ValueOrderOutcome {
  ledger::RowId orderId = 0;
  protocol::ValueReceipt receipt;
};

Result<ValueOrderOutcome> sendValueOrder(IssuerContext& context, CardAtHand& card, ledger::OrderKind kind,
                                         protocol::Amount amount,
                                         const std::optional<protocol::PaymentDetails>& refundOf, Failure& failure);

}  // namespace epurse::issuer::cli
