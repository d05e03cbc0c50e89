// How the programs show a pd (the payment details of one transfer) to a person and, in
// epurse, in --json: who paid whom, at which sequence numbers, how much.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "protocol/payment_details.h"

namespace epurse::cli {

// "0102030405060701 #3 -> 0102030405060702 #1, EUR 5.00"
std::string transferText(const protocol::PaymentDetails& pd);

// {"pd": HEX (62 bytes, as epurse-issuer refund --pd takes it), "from", "fromSeq", "to",
//  "toSeq", "value": money, "reference": HEX}: every command's --json gives a pd this way.
nlohmann::json pdJson(const protocol::PaymentDetails& pd);

}  // namespace epurse::cli
