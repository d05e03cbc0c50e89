// A purse's status record (GET DATA 0101) as `epurse status` and `epurse watch` show it:
// the fields a person reads, the protocol state in words, and for a blank card what its
// personalisation still lacks.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "host/purse_client.h"
#include "protocol/payment_details.h"
#include "protocol/purse_status.h"

namespace epurse::terminal {

// What the card says about a transfer it is in. Only in epa does the card's own log hold the
// pd (the "transfer out" record REQ wrote); in epr and epv it is known only to the card.
struct PendingTransfer {
  protocol::ProtocolStatus state = protocol::ProtocolStatus::kIdle;
  std::uint32_t ownSeq = 0;                       // this purse's sequence number in the pd
  std::optional<protocol::PaymentDetails> pd;     // epa only
};

// "payer" (epr, epa), "payee" (epv); "" when idle.
const char* transferRole(protocol::ProtocolStatus state);
// "idle", "in a transfer as payer (epa: debited, waiting for the payee's acknowledgement)", ...
std::string protocolStateText(const protocol::PurseStatus& status);

// The personalisation steps a blank card has not done yet: "issuer key", "key pair",
// "personalisation data", "certificate".
std::vector<std::string> missingPersonalisation(std::uint8_t flags);

// YYYYMMDD as "2030-12-31"; "none" for 0.
std::string dateText(protocol::Date date);

// One line for `watch`: "purse 0102030405060709  personalised  EUR 12.50" or
// "blank purse (lacks: ...)".
std::string purseSummary(const protocol::PurseStatus& status);

// `epurse status`, human: one "label  value" line per field.
std::string statusText(const protocol::PurseStatus& status, const std::optional<host::PinResult>& pin,
                       const std::optional<PendingTransfer>& pending);
// `epurse status --json`: cli::purseStatusJson and the rest (docs/terminal.md).
nlohmann::json statusJson(const protocol::PurseStatus& status, const std::optional<host::PinResult>& pin,
                          const std::optional<PendingTransfer>& pending);

}  // namespace epurse::terminal
