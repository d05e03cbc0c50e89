#include "issuer/report/report_json.h"

#include "base/hex.h"
#include "issuer/report/report_lines.h"
#include "issuer/report/report_money.h"

namespace epurse::issuer::report {
namespace {

using nlohmann::json;

json currencyJson(const CurrencyReport& section) {
  json out;
  out["currency"] = section.currency;
  out["code"] = currencyLabel(section.currency);
  for (const ReportLine& line : reportLines()) {
    if (line.money) out[line.key] = moneyJson(section.*line.money, section.currency);
    else out[line.key] = section.*line.count;
  }
  out["identity"] = {{"holds", section.identityHolds()},
                     {"difference", moneyJson(section.identityDifference, section.currency)}};
  return out;
}

json pointJson(const ReportPoint& point) {
  return {{"at", point.at},
          {"atText", utcText(point.at)},
          {"currency", point.currency},
          {"code", currencyLabel(point.currency)},
          {"loaded", moneyJson(point.loaded, point.currency)},
          {"refunded", moneyJson(point.refunded, point.currency)},
          {"unloaded", moneyJson(point.unloaded, point.currency)},
          {"float", moneyJson(point.floatValue, point.currency)}};
}

}  // namespace

json moneyJson(Money minorUnits, protocol::Currency currency) {
  return {{"minor", minorUnits}, {"text", moneyText(minorUnits, currency)}};
}

json reportJson(const Report& report) {
  json out;
  out["at"] = report.at;
  out["atText"] = utcText(report.at);
  out["identityHolds"] = report.identityHolds();
  out["currencies"] = json::array();
  for (const CurrencyReport& section : report.currencies) out["currencies"].push_back(currencyJson(section));
  out["timeline"] = json::array();
  for (const ReportPoint& point : report.timeline) out["timeline"].push_back(pointJson(point));
  out["findings"] = json::array();
  for (const ledger::FindingRow& f : report.findings) {
    // The finding's value at risk is in the flagged purse's currency, which the row does
    // not carry: it is given in minor units only.
    out["findings"].push_back({{"purse", protocol::purseIdHex(f.purseId)},
                               {"kind", findingKindName(f.kind)},
                               {"collection", f.collectionId},
                               {"valueAtRisk", f.valueAtRisk},
                               {"detail", f.detail},
                               {"foundAt", f.foundAt},
                               {"foundAtText", utcText(f.foundAt)}});
  }
  out["unresolved"] = json::array();
  for (const protocol::PaymentDetails& pd : report.unresolved) {
    out["unresolved"].push_back({{"pd", toHex(pd.encode())},
                                 {"from", protocol::purseIdHex(pd.fromId)},
                                 {"to", protocol::purseIdHex(pd.toId)},
                                 {"value", moneyJson(pd.value, pd.currency)},
                                 {"code", currencyLabel(pd.currency)}});
  }
  return out;
}

}  // namespace epurse::issuer::report
