#include "terminal/transfer/transfer_recovery.h"

#include <algorithm>

namespace epurse::terminal {
namespace {

using namespace protocol;

constexpr const char* kPayer = "payer";
constexpr const char* kPayee = "payee";

struct PartyLog {
  PurseId id{};
  std::vector<ExceptionRecord> records;
};

host::CardResult<PartyLog> abortAndRead(host::PurseClient& purse, const char* party) {
  if (auto aborted = purse.abort(); !aborted) return aborted.failure().within(party);
  auto status = purse.status();
  if (!status) return status.failure().within(party);
  auto log = purse.readExceptionLog();
  if (!log) return log.failure().within(party);
  return PartyLog{status->purseId, std::move(*log)};
}

bool holds(const std::vector<ExceptionRecord>& log, const PaymentDetails& pd) {
  return std::any_of(log.begin(), log.end(), [&pd](const ExceptionRecord& r) { return r.pd == pd; });
}

}  // namespace

const char* transferFateName(TransferFate fate) {
  switch (fate) {
    case TransferFate::kValueLost: return "value lost (logged by both purses)";
    case TransferFate::kNothingMoved: return "nothing moved (logged by the payee only)";
    case TransferFate::kArrivedUnacknowledged: return "value arrived, ACK lost (logged by the payer only)";
  }
  return "?";
}

host::CardResult<RecoveryReport> recover(host::PurseClient& payer, host::PurseClient& payee) {
  auto a = abortAndRead(payer, kPayer);
  if (!a) return a.failure();
  auto b = abortAndRead(payee, kPayee);
  if (!b) return b.failure();

  RecoveryReport report;
  report.payerLog = a->records;
  report.payeeLog = b->records;
  auto logOf = [&](const PurseId& id) -> const std::vector<ExceptionRecord>* {
    if (id == a->id) return &a->records;
    if (id == b->id) return &b->records;
    return nullptr;
  };
  for (const auto* log : {&a->records, &b->records}) {
    for (const ExceptionRecord& record : *log) {
      const PaymentDetails& pd = record.pd;
      const auto* fromLog = logOf(pd.fromId);
      const auto* toLog = logOf(pd.toId);
      if (!fromLog || !toLog || fromLog == toLog) continue;  // not a transfer between these two
      const bool seen = std::any_of(report.findings.begin(), report.findings.end(),
                                    [&pd](const TransferFinding& f) { return f.pd == pd; });
      if (seen) continue;
      const bool inFrom = holds(*fromLog, pd);
      const bool inTo = holds(*toLog, pd);
      const TransferFate fate = inFrom && inTo ? TransferFate::kValueLost
                                : inTo         ? TransferFate::kNothingMoved
                                               : TransferFate::kArrivedUnacknowledged;
      report.findings.push_back(TransferFinding{pd, fate});
    }
  }
  return report;
}

}  // namespace epurse::terminal
