#include "cli/payment_details_text.h"

#include "base/hex.h"
#include "cli/json_values.h"
#include "host/money.h"

namespace epurse::cli {

std::string transferText(const protocol::PaymentDetails& pd) {
  std::string text = protocol::purseIdHex(pd.fromId);
  text += " #";
  text += std::to_string(pd.fromSeq);
  text += " -> ";
  text += protocol::purseIdHex(pd.toId);
  text += " #";
  text += std::to_string(pd.toSeq);
  text += ", ";
  text += host::formatMoney(pd.value, pd.currency);
  return text;
}

nlohmann::json pdJson(const protocol::PaymentDetails& pd) {
  return {{"pd", toHex(pd.encode())},
          {"from", protocol::purseIdHex(pd.fromId)},
          {"fromSeq", pd.fromSeq},
          {"to", protocol::purseIdHex(pd.toId)},
          {"toSeq", pd.toSeq},
          {"value", moneyJson(pd.value, pd.currency)},
          {"reference", toHex(pd.reference)}};
}

}  // namespace epurse::cli
