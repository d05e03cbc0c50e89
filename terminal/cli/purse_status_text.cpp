#include "terminal/cli/purse_status_text.h"

#include <algorithm>
#include <cstdio>

#include "base/hex.h"
#include "cli/json_values.h"
#include "cli/payment_details_text.h"
#include "host/money.h"
#include "protocol/purse_commands.h"

namespace epurse::terminal {
namespace {

using protocol::ProtocolStatus;

struct PersonalisationStep {
  std::uint8_t flag;
  const char* name;
};
constexpr PersonalisationStep kSteps[] = {{protocol::kPersoIssuerKey, "issuer key"},
                                          {protocol::kPersoKeyPair, "key pair"},
                                          {protocol::kPersoData, "personalisation data"},
                                          {protocol::kPersoCertificate, "certificate"}};

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

// The log is a ring: it holds the newest `capacity` of the records ever written.
std::uint32_t logHeld(const protocol::PurseStatus& s) { return std::min<std::uint32_t>(s.logAppended, s.logCapacity); }

void line(std::string& out, const char* label, const std::string& value) {
  std::string padded = label;
  padded.resize(std::max<std::size_t>(padded.size() + 2, 14), ' ');
  out += padded;
  out += value;
  out += '\n';
}

std::string pinText(const protocol::PurseStatus& s, const std::optional<host::PinResult>& pin) {
  if (!pin) return std::to_string(s.pinTriesLeft) + " tries left";
  switch (pin->outcome) {
    case host::PinResult::Outcome::kVerified: return "verified in this session";
    case host::PinResult::Outcome::kWrong: return std::to_string(pin->triesLeft) + " tries left";
    case host::PinResult::Outcome::kBlocked: return "blocked: the issuer unblocks it (epurse-issuer unblock-pin)";
  }
  return "?";
}

nlohmann::json pinJson(const protocol::PurseStatus& s, const std::optional<host::PinResult>& pin) {
  const bool blocked = pin ? pin->outcome == host::PinResult::Outcome::kBlocked : s.pinTriesLeft == 0;
  const bool verified = pin ? pin->verified() : s.pinVerified;
  int tries = s.pinTriesLeft;
  if (pin && pin->outcome == host::PinResult::Outcome::kWrong) tries = pin->triesLeft;
  if (blocked) tries = 0;
  return {{"triesLeft", tries}, {"verified", verified}, {"blocked", blocked}};
}

}  // namespace

const char* transferRole(ProtocolStatus state) {
  switch (state) {
    case ProtocolStatus::kIdle: return "";
    case ProtocolStatus::kEpr: return "payer";
    case ProtocolStatus::kEpv: return "payee";
    case ProtocolStatus::kEpa: return "payer";
  }
  return "";
}

std::string protocolStateText(const protocol::PurseStatus& status) {
  switch (status.protocol) {
    case ProtocolStatus::kIdle: return "idle";
    case ProtocolStatus::kEpr:
      return "in a transfer as payer (epr: started, nothing debited yet, waiting for the payee's request)";
    case ProtocolStatus::kEpv:
      return "in a transfer as payee (epv: waiting for the payer's value; nothing credited yet)";
    case ProtocolStatus::kEpa:
      return "in a transfer as payer (epa: debited, waiting for the payee's acknowledgement)";
  }
  return "?";
}

std::vector<std::string> missingPersonalisation(std::uint8_t flags) {
  std::vector<std::string> missing;
  for (const auto& step : kSteps) {
    if (!(flags & step.flag)) missing.emplace_back(step.name);
  }
  return missing;
}

std::string dateText(protocol::Date date) {
  if (date == 0) return "none";
  char text[16];
  std::snprintf(text, sizeof text, "%04u-%02u-%02u", date / 10000, date / 100 % 100, date % 100);
  return text;
}

std::string purseSummary(const protocol::PurseStatus& s) {
  if (s.lifeCycle == protocol::LifeCycle::kBlank) {
    return std::string("blank purse (not personalised; lacks ") + joined(missingPersonalisation(s.personalisation)) + ")";
  }
  std::string text = std::string("purse ") + protocol::purseIdHex(s.purseId) + "  " + protocol::lifeCycleName(s.lifeCycle) + "  " +
                     host::formatMoney(s.balance, s.currency);
  if (s.protocol != ProtocolStatus::kIdle) {
    text += "  in a transfer as ";
    text += transferRole(s.protocol);
  }
  if (s.exceptionsHeld > 0) text += std::string("  ") + std::to_string(s.exceptionsHeld) + " exception record(s)";
  return text;
}

std::string statusText(const protocol::PurseStatus& s, const std::optional<host::PinResult>& pin,
                       const std::optional<PendingTransfer>& pending) {
  std::string out;
  if (s.lifeCycle == protocol::LifeCycle::kBlank) {
    line(out, "purse", "blank: not personalised");
    const auto missing = missingPersonalisation(s.personalisation);
    line(out, "lacks", joined(missing));
    line(out, "next step", "epurse-issuer personalize --reader R ...");
    return out;
  }
  line(out, "purse", protocol::purseIdHex(s.purseId) + "  " + protocol::lifeCycleName(s.lifeCycle));
  line(out, "issuer key", toHex(s.issuerKeyId));
  line(out, "certificate", std::string("valid until ") + dateText(s.certificateExpiry));
  line(out, "balance", host::formatMoney(s.balance, s.currency));
  line(out, "limits", std::string("max balance ") + host::formatMoney(s.maxBalance, s.currency) + ", transfer limit " +
                          host::formatMoney(s.perTransferMax, s.currency) + ", no PIN up to " +
                          host::formatMoney(s.noPinLimit, s.currency));
  line(out, "state", protocolStateText(s));
  if (pending) {
    if (pending->pd) {
      line(out, "pending", cli::transferText(*pending->pd) + "  pd " + toHex(pending->pd->encode()));
    } else {
      line(out, "pending", std::string("this purse's sequence number ") + std::to_string(pending->ownSeq) +
                               "; the card keeps the rest of the pd to itself until the transfer ends");
    }
    line(out, "to settle", "epurse recover --from PAYER --to PAYEE (both cards), or remove the card: it aborts");
  }
  line(out, "log", std::to_string(logHeld(s)) + " of " + std::to_string(s.logCapacity) + " records (" +
                       std::to_string(s.logAppended) + " written in all)");
  line(out, "exceptions", std::to_string(s.exceptionsHeld) + " of " + std::to_string(s.exceptionCapacity) +
                              (s.exceptionsHeld ? " (epurse exceptions explains them)" : ""));
  line(out, "PIN", pinText(s, pin));
  line(out, "next seq", std::to_string(s.nextSeq));
  line(out, "card date", dateText(s.date));
  return out;
}

nlohmann::json statusJson(const protocol::PurseStatus& s, const std::optional<host::PinResult>& pin,
                          const std::optional<PendingTransfer>& pending) {
  nlohmann::json j = cli::purseStatusJson(s);
  const bool blank = s.lifeCycle == protocol::LifeCycle::kBlank;
  nlohmann::json missing = nlohmann::json::array();
  for (const auto& m : missingPersonalisation(s.personalisation)) missing.push_back(m);
  j["blank"] = blank;
  j["missing"] = blank ? missing : nlohmann::json::array();
  j["issuerKeyId"] = toHex(s.issuerKeyId);
  j["protocolStateText"] = protocolStateText(s);
  nlohmann::json transfer = nullptr;
  if (s.protocol != ProtocolStatus::kIdle) {
    transfer = {{"role", transferRole(s.protocol)},
                {"state", protocol::protocolStatusName(s.protocol)},
                {"ownSeq", pending ? nlohmann::json(pending->ownSeq) : nlohmann::json(nullptr)},
                {"pd", pending && pending->pd ? cli::pdJson(*pending->pd) : nlohmann::json(nullptr)}};
  }
  j["transfer"] = transfer;
  j["log"] = {{"held", logHeld(s)}, {"capacity", s.logCapacity}, {"appended", s.logAppended}};
  j["exceptions"] = {{"held", s.exceptionsHeld}, {"capacity", s.exceptionCapacity}};
  j["pin"] = blank ? nlohmann::json(nullptr) : pinJson(s, pin);  // a blank card has no PIN yet
  j["loadCounter"] = s.loadCounter;
  j["adminCounter"] = s.adminCounter;
  j["revocationListVersion"] = s.revocationVersion;
  return j;
}

}  // namespace epurse::terminal
