#include "cli/json_values.h"

#include "host/money.h"
#include "protocol/purse_commands.h"

namespace epurse::cli {

nlohmann::json moneyJson(protocol::Amount minorUnits, protocol::Currency currency) {
  nlohmann::json out;
  out["minorUnits"] = minorUnits;
  const auto info = host::findCurrency(currency);
  out["amount"] = info ? nlohmann::json(*host::formatAmount(minorUnits, currency)) : nlohmann::json(nullptr);
  out["currency"] = info ? nlohmann::json(std::string(info->code)) : nlohmann::json(nullptr);
  out["currencyNumeric"] = currency;
  out["text"] = host::formatMoney(minorUnits, currency);
  return out;
}

nlohmann::json purseStatusJson(const protocol::PurseStatus& s) {
  nlohmann::json out;
  out["purseId"] = protocol::purseIdHex(s.purseId);
  out["lifeCycle"] = protocol::lifeCycleName(s.lifeCycle);
  out["protocolStatus"] = protocol::protocolStatusName(s.protocol);
  out["balance"] = moneyJson(s.balance, s.currency);
  out["maxBalance"] = moneyJson(s.maxBalance, s.currency);
  out["perTransferMax"] = moneyJson(s.perTransferMax, s.currency);
  out["noPinLimit"] = moneyJson(s.noPinLimit, s.currency);
  out["pinTriesLeft"] = s.pinTriesLeft;
  out["nextSeq"] = s.nextSeq;
  out["date"] = s.date;
  out["certificateExpiry"] = s.certificateExpiry;
  return out;
}

const char* protocolText(Protocol protocol) {
  switch (protocol) {
    case Protocol::kT0: return "T=0";
    case Protocol::kT1: return "T=1";
    case Protocol::kAny: break;
  }
  return "T=0 or T=1";
}

}  // namespace epurse::cli
