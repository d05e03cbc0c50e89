// The checks after every step: every purse as the model says, every transaction log chained
// and as appended, and the three Mondex properties (no value created, all value accounted,
// only authentic purses).
#include "tests/model/model_run.h"

#include <algorithm>
#include <iostream>

#include "host/log_verifier.h"
#include "protocol/purse_apdus.h"
#include "protocol/signed_payloads.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/fault_injection_env.h"

namespace epurse::testing::model {

void ModelRun::archive(std::size_t i, const std::vector<ExceptionRecord>& records) {
  for (const ExceptionRecord& r : records) {
    ArchiveEntry& e = archive_[keyOf(r.pd)];
    e.pd = r.pd;
    auto [it, inserted] = e.loggedBy.emplace(i, r.number);
    MODEL_CHECK(inserted || it->second == r.number, name(i) << " logged " << pdText(r.pd) << " twice (records "
                                                            << it->second << " and " << r.number << ")");
    // Property (3): the pd names this purse and a purse of this issuer, nothing else.
    const auto from = purseWithId(r.pd.fromId);
    const auto to = purseWithId(r.pd.toId);
    MODEL_CHECK(from && to && *from < kHome && *to < kHome && (*from == i || *to == i),
                name(i) << " logged " << pdText(r.pd) << ", which names a purse not of this issuer or not itself");
    if (*from == i) {
      MODEL_CHECK(r.abortedIn == ProtocolStatus::kEpa, name(i) << " logged " << pdText(r.pd) << " as payer in "
                                                                << stateName(r.abortedIn));
      e.payerLogged = true;
    } else {
      MODEL_CHECK(r.abortedIn == ProtocolStatus::kEpv, name(i) << " logged " << pdText(r.pd) << " as payee in "
                                                                << stateName(r.abortedIn));
      e.payeeLogged = true;
    }
  }
}

std::uint64_t ModelRun::lostValue() const {
  std::uint64_t lost = 0;
  for (const auto& [key, e] : archive_) {
    if (e.payerLogged && e.payeeLogged) lost += e.pd.value;
  }
  return lost;
}

void ModelRun::checkEverything() {
  std::uint64_t sum = 0;
  bool allIdle = true;
  for (std::size_t i = 0; i < kPurses; ++i) {
    const Observed o = observe(i);
    const std::string diff = difference(model_[i], o);
    MODEL_CHECK(diff.empty(), name(i) << " is not what the model says: " << diff);
    if (i < kHome) {
      sum += o.status.balance;
      archive(i, o.exceptions);
    }
    if (o.status.protocol != ProtocolStatus::kIdle) allIdle = false;
    checkTransactionLog(i);
  }
  // The foreign purse: never in a transfer, nothing moved, nothing logged but its own load.
  MODEL_CHECK(model_[kForeign].balance == foreignBalance_ && model_[kForeign].logAppended == 1 &&
                  model_[kForeign].exceptions.empty(),
              "the foreign purse took part in something");

  // (1) No value created.
  MODEL_CHECK(sum <= loaded_ - unloaded_, "VALUE CREATED: balances " << sum << " > loaded " << loaded_ << " - unloaded "
                                                                     << unloaded_);
  // (2) All value accounted, whenever every purse is idle.
  if (allIdle) {
    const std::uint64_t lost = lostValue();
    MODEL_CHECK(sum + lost == loaded_ - unloaded_, "VALUE UNACCOUNTED: balances " << sum << " + lost (pd in both logs) "
                                                                                 << lost << " != loaded " << loaded_
                                                                                 << " - unloaded " << unloaded_);
    // The archive and the model's own account of every transfer agree.
    std::uint64_t lostByTruth = 0;
    for (const auto& [key, t] : truth_) {
      if (t.debited && !t.credited) lostByTruth += t.value;
    }
    MODEL_CHECK(lost == lostByTruth, "the exception logs say " << lost << " lost, the transfers themselves "
                                                               << lostByTruth);
    count("property 2 checks");
  }
}

void ModelRun::checkTransactionLog(std::size_t i) {
  auto log = client(i).readTransactionLog();
  MODEL_CHECK(log.isOk(), name(i) << ": transaction log: " << log.error().toString());
  const Status chain = host::verifyTransactionLog(*log);
  MODEL_CHECK(chain.isOk(), name(i) << ": transaction log chain: " << chain.toString());
  const auto& expected = model_[i].log;
  MODEL_CHECK(log->size() == expected.size(), name(i) << ": " << log->size() << " log records, the model "
                                                      << expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const LogRecord& r = (*log)[k];
    const LogEntry& e = expected[k];
    MODEL_CHECK(r.number == e.number && r.type == e.type && r.details == e.details &&
                    r.balanceAfter == e.balanceAfter && r.chainHash == e.chainHash,
                name(i) << ": log record " << r.number << " (" << protocol::logTypeName(r.type) << " "
                        << pdText(r.details) << " balance " << r.balanceAfter << ") is not the model's "
                        << e.number << " (" << protocol::logTypeName(e.type) << " " << pdText(e.details)
                        << " balance " << e.balanceAfter << ")");
    // Property (3) for transfers: both sides are purses of this issuer.
    if (r.type == LogType::kTransferIn || r.type == LogType::kTransferOut || r.type == LogType::kTransferAcked) {
      const auto from = purseWithId(r.details.fromId);
      const auto to = purseWithId(r.details.toId);
      MODEL_CHECK(i < kHome && from && to && *from < kHome && *to < kHome,
                  name(i) << " logged a transfer with a purse not of this issuer: " << pdText(r.details));
    }
  }
  count("log chains verified");
}

}  // namespace epurse::testing::model
