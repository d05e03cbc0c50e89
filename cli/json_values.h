// How values read from a purse appear in --json output, the same in every command.
#pragma once

#include <nlohmann/json.hpp>

#include "apdu/pcsc_channel.h"
#include "protocol/purse_status.h"
#include "protocol/purse_types.h"

namespace epurse::cli {

// {"minorUnits": 1250, "amount": "12.50", "currency": "EUR", "currencyNumeric": 978,
//  "text": "EUR 12.50"}; "amount" and "currency" are null for an unknown currency.
nlohmann::json moneyJson(protocol::Amount minorUnits, protocol::Currency currency);

// The status record's fields a user reads: purse ID, life cycle, balance, limits, ...
nlohmann::json purseStatusJson(const protocol::PurseStatus& status);

// "T=0", "T=1"
const char* protocolText(Protocol protocol);

}  // namespace epurse::cli
