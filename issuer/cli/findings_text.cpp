#include "issuer/cli/findings_text.h"

#include "base/hex.h"
#include "cli/json_values.h"
#include "host/money.h"

namespace epurse::issuer::cli {

const char* findingKindName(ledger::FindingKind kind) {
  switch (kind) {
    case ledger::FindingKind::kGap: return "gap";
    case ledger::FindingKind::kRollback: return "rollback";
    case ledger::FindingKind::kFork: return "fork";
    case ledger::FindingKind::kDuplicateSeq: return "duplicate sequence";
    case ledger::FindingKind::kUnexplained: return "unexplained balance";
  }
  return "unknown";
}

const char* orderKindName(ledger::OrderKind kind) {
  switch (kind) {
    case ledger::OrderKind::kLoad: return "load";
    case ledger::OrderKind::kUnload: return "unload";
    case ledger::OrderKind::kRefund: return "refund";
  }
  return "unknown";
}

const char* transferClassName(TransferClass outcome) {
  switch (outcome) {
    case TransferClass::kLost: return "lost";
    case TransferClass::kNotLost: return "not lost";
    case TransferClass::kUnresolved: return "unresolved";
  }
  return "unknown";
}

std::string findingText(const ledger::FindingRow& f, std::optional<protocol::Currency> currency) {
  std::string text = findingKindName(f.kind);
  text += " on purse ";
  text += protocol::purseIdHex(f.purseId);
  if (!f.detail.empty()) {
    text += ": ";
    text += f.detail;
  }
  if (f.valueAtRisk) {
    text += " (value at risk: ";
    if (currency) {
      text += host::formatMoney(f.valueAtRisk, *currency);
    } else {
      text += std::to_string(f.valueAtRisk);
      text += " minor units";
    }
    text += ")";
  }
  return text;
}

nlohmann::json findingJson(const ledger::FindingRow& f, std::optional<protocol::Currency> currency) {
  nlohmann::json j = {{"id", f.id},
          {"purseId", protocol::purseIdHex(f.purseId)},
          {"kind", findingKindName(f.kind)},
          {"collectionId", f.collectionId},
          {"valueAtRiskMinorUnits", f.valueAtRisk},
          {"detail", f.detail},
          {"foundAt", f.foundAt}};
  if (currency) j["valueAtRisk"] = epurse::cli::moneyJson(f.valueAtRisk, *currency);
  return j;
}

nlohmann::json pdJson(const protocol::PaymentDetails& pd) {
  return {{"pd", toHex(pd.encode())},
          {"payer", protocol::purseIdHex(pd.fromId)},
          {"payerSeq", pd.fromSeq},
          {"payee", protocol::purseIdHex(pd.toId)},
          {"payeeSeq", pd.toSeq},
          {"value", epurse::cli::moneyJson(pd.value, pd.currency)}};
}

std::string amountText(protocol::Amount minorUnits, protocol::Currency currency) {
  auto text = host::formatAmount(minorUnits, currency);
  return text ? *text : std::to_string(minorUnits);
}

std::string currencyText(protocol::Currency currency) {
  const auto info = host::findCurrency(currency);
  return info ? std::string(info->code) : std::to_string(currency);
}

}  // namespace epurse::issuer::cli
