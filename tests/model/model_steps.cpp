// The step generator: one random operation per step, by weight, and the housekeeping between
// steps (exception-log clears, the checkpoints where every purse is made idle).
#include "tests/model/model_run.h"

#include <algorithm>
#include <iostream>

#include "host/log_verifier.h"
#include "protocol/purse_apdus.h"
#include "protocol/signed_payloads.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/fault_injection_env.h"

namespace epurse::testing::model {

void ModelRun::opLoad() {
  const std::size_t i = anyHome();
  const Amount amount = static_cast<Amount>(chance(85) ? uniform(1, 30000) : uniform(30001, 100000));
  load(i, amount, chance(5));
}

void ModelRun::opUnload() {
  const std::size_t i = anyHome();
  const Amount balance = model_[i].balance;
  const Amount amount =
      static_cast<Amount>(balance > 0 && chance(85) ? uniform(1, balance) : uniform(balance + 1, balance + 5000));
  unload(i, amount, chance(90), chance(5));
}

void ModelRun::opTransfer() {
  const std::size_t payer = anyHome();
  const std::size_t payee = chance(3) ? payer : otherHome(payer);
  Session& s = newSession(payer, payee);
  advance(s, chance(55) ? 5 : static_cast<int>(uniform(1, 4)));
}

void ModelRun::opContinue() {
  if (sessions_.empty()) return opTransfer();
  Session& s = *sessions_[uniform(0, sessions_.size() - 1)];
  note("continue #" + std::to_string(s.number));
  advance(s, static_cast<int>(uniform(1, 3)));
}

void ModelRun::opDuplicate() {
  if (delivered_.empty()) return opTransfer();
  const Delivered& d = delivered_[uniform(0, delivered_.size() - 1)];
  const std::size_t target = chance(75) ? d.target : static_cast<std::size_t>(uniform(0, kPurses - 1));
  const char* kind = d.kind == TransferMessage::kReq ? "REQ" : d.kind == TransferMessage::kVal ? "VAL" : "ACK";
  terminal::TransferSession via(client(target), client(target), d.message.pd.value, d.message.pd.reference);
  std::optional<SignedTransferMessage> answer;
  const SignedTransferMessage message = d.message;
  sendMessage(target, d.kind, message, via, answer, std::string("duplicate ") + kind + " of " + pdText(message.pd));
  count("duplicates");
}

void ModelRun::opAbort() {
  const std::size_t i = anyHome();
  abortPurse(i);
  if (chance(50)) abortPurse(otherHome(i));
  count("aborts");
}

void ModelRun::opPowerCycle() {
  std::vector<std::size_t> busy;
  for (std::size_t i = 0; i < kHome; ++i) {
    if (model_[i].state != ProtocolStatus::kIdle) busy.push_back(i);
  }
  const std::size_t i = !busy.empty() && chance(70) ? busy[uniform(0, busy.size() - 1)] : anyHome();
  powerCycle(i, chance(40));
}

void ModelRun::opVerify() {
  const std::size_t i = anyHome();
  verifyPin(i, !(model_[i].pinTries >= 2 && chance(15)));
}

void ModelRun::opRecover() {
  const std::size_t a = anyHome();
  const std::size_t b = otherHome(a);
  PurseState ma = model_[a], mb = model_[b];
  ma.abortTransfer();
  mb.abortTransfer();
  auto report = terminal::recover(client(a), client(b));
  MODEL_CHECK(report.isOk(), "recover " << name(a) << ", " << name(b) << ": " << report.error().toString());
  model_[a] = ma;
  model_[b] = mb;
  note("recover " + name(a) + ", " + name(b) + ": " + std::to_string(report->findings.size()) + " findings");
  MODEL_CHECK(report->payerLog == ma.exceptions, "recover: " << name(a) << "'s exception log is not the model's");
  MODEL_CHECK(report->payeeLog == mb.exceptions, "recover: " << name(b) << "'s exception log is not the model's");
  for (const auto& f : report->findings) {
    auto it = truth_.find(keyOf(f.pd));
    MODEL_CHECK(it != truth_.end(), "recover names " << pdText(f.pd) << ", a transfer the model never saw");
    const Truth& t = it->second;
    switch (f.fate) {
      case terminal::TransferFate::kValueLost:
        MODEL_CHECK(t.debited && !t.credited, "recover says " << pdText(f.pd) << " lost; debited " << t.debited
                                                              << " credited " << t.credited);
        break;
      case terminal::TransferFate::kNothingMoved:
        MODEL_CHECK(!t.credited, "recover says nothing moved for " << pdText(f.pd) << ", yet the payee was credited");
        break;
      case terminal::TransferFate::kArrivedUnacknowledged:
        MODEL_CHECK(t.debited, "recover says " << pdText(f.pd) << " arrived, yet the payer was never debited");
        break;
    }
  }
  count("recoveries");
}

void ModelRun::opForeign() {
  const std::size_t h = anyHome();
  const bool foreignPays = chance(50);
  const std::size_t payer = foreignPays ? kForeign : h;
  const std::size_t payee = foreignPays ? h : kForeign;
  terminal::TransferSession s(client(payer), client(payee), static_cast<Amount>(uniform(1, 2000)), {});
  auto parties = s.readParties();
  MODEL_CHECK(parties.isOk(), "read parties: " << parties.error().toString());
  note(name(payer) + " pays " + name(payee) + " (foreign)");
  PaymentDetails pd;
  const StartOrder toPayer = *s.payerOrder();
  const Prediction pf = predictStart(payer, true, toPayer, pd);
  MODEL_CHECK(pf.sw == sw::kSecurityStatusNotSatisfied, "the model expects a foreign START FROM to pass");
  deliver(payer, "foreign START FROM", pf, [&] { return swOf(s.startFrom(toPayer), "START FROM"); });
  const StartOrder toPayee = *s.payeeOrder();
  const Prediction pt = predictStart(payee, false, toPayee, pd);
  MODEL_CHECK(pt.sw == sw::kSecurityStatusNotSatisfied, "the model expects a foreign START TO to pass");
  deliver(payee, "foreign START TO", pt, [&] { return swOf(s.startTo(toPayee), "START TO"); });
  count("foreign attempts");
  if (!delivered_.empty() && chance(30)) {
    const Delivered& d = delivered_[uniform(0, delivered_.size() - 1)];
    terminal::TransferSession via(client(kForeign), client(kForeign), 1, {});
    std::optional<SignedTransferMessage> answer;
    const SignedTransferMessage message = d.message;
    sendMessage(kForeign, d.kind, message, via, answer, "genuine message relayed to the foreign purse");
  }
}

void ModelRun::opTear() {
  const std::size_t p = anyHome();
  pendingTear_ = PendingTear{p, uniform(1, 12), 0};
  note("tear armed for " + name(p) + " at write " + std::to_string(pendingTear_->n));
  for (auto& s : sessions_) {
    const bool toPayer = s->next == 0 || s->next == 2 || s->next == 4;
    if (!s->dead && s->next < 5 && (toPayer ? s->payer : s->payee) == p && chance(70)) {
      advance(*s, static_cast<int>(uniform(1, 5)));
      return;
    }
  }
  const auto r = uniform(0, 99);
  if (r < 45) {
    const bool asPayer = chance(50);
    pendingTear_->skip = static_cast<int>(uniform(0, asPayer ? 2 : 1));  // START FROM, REQ, ACK / START TO, VAL
    const auto value = static_cast<Amount>(uniform(1, 20000));
    Session& s = asPayer ? newSession(p, otherHome(p), value) : newSession(otherHome(p), p, value);
    advance(s, 5);
  } else if (r < 60) {
    load(p, static_cast<Amount>(uniform(1, 20000)), false);
  } else if (r < 75) {
    const Amount balance = model_[p].balance;
    unload(p, static_cast<Amount>(balance > 0 ? uniform(1, balance) : 1), true, false);
  } else if (r < 85 && !model_[p].exceptions.empty()) {
    clearExceptions(p);
  } else {
    abortPurse(p);
  }
}

void ModelRun::collectForBooks(std::size_t i) {
  if (books_ == nullptr || !isHome(i)) return;
  books_->collect(name(i), client(i));
  count("collections");
}

void ModelRun::opCollect() {
  const std::size_t i = anyHome();
  note("collect " + name(i));
  collectForBooks(i);
}

void ModelRun::randomOperation() {
  // Only a run the books watch draws collections, so purse_model_test's runs stay as they were.
  if (books_ != nullptr && chance(6)) return opCollect();
  struct Op {
    int weight;
    void (ModelRun::*run)();
  };
  static constexpr Op kOps[] = {
      {10, &ModelRun::opLoad},    {7, &ModelRun::opUnload},      {22, &ModelRun::opTransfer},
      {14, &ModelRun::opContinue}, {7, &ModelRun::opDuplicate},  {6, &ModelRun::opAbort},
      {20, &ModelRun::opTear},    {5, &ModelRun::opPowerCycle},  {5, &ModelRun::opVerify},
      {3, &ModelRun::opRecover},  {4, &ModelRun::opForeign},
  };
  int total = 0;
  for (const Op& op : kOps) total += op.weight;
  int r = static_cast<int>(uniform(0, static_cast<std::uint64_t>(total - 1)));
  for (const Op& op : kOps) {
    if (r < op.weight) {
      (this->*op.run)();
      break;
    }
    r -= op.weight;
  }
  dropFinishedSessions();
}

void ModelRun::clearExceptions(std::size_t i) {
  auto raw = client(i).readRawRecords(protocol::kSfiExceptionLog);
  MODEL_CHECK(raw.isOk(), name(i) << ": read exception log: " << raw.error().toString());
  std::vector<ExceptionRecord> records;
  for (const Bytes& b : *raw) records.push_back(need(ExceptionRecord::decode(b), "exception record"));
  MODEL_CHECK(records == model_[i].exceptions, name(i) << ": exception log is not the model's before clearing");
  archive(i, records);
  collectForBooks(i);  // the issuer archives what it clears
  std::vector<std::size_t> chosen;
  for (std::size_t k = 0; k < records.size(); ++k) {
    if (chance(80)) chosen.push_back(k);
  }
  if (chosen.empty()) chosen.push_back(static_cast<std::size_t>(uniform(0, records.size() - 1)));
  std::shuffle(chosen.begin(), chosen.end(), rng_);
  protocol::ExceptionClearOrder order;
  std::vector<Bytes> named;
  for (std::size_t k : chosen) {
    order.numbers.push_back(records[k].number);
    named.push_back((*raw)[k]);
  }
  order.digest = protocol::exceptionRecordsDigest(named);
  const CommandApdu command = need(issuerOf(i).signer().clearExceptionLog(purses_[i].id, order), "sign CLEAR");
  Prediction p{sw::kSuccess, model_[i]};
  std::erase_if(p.after.exceptions, [&](const ExceptionRecord& r) {
    return std::find(order.numbers.begin(), order.numbers.end(), r.number) != order.numbers.end();
  });
  const Outcome o = deliver(i, "CLEAR EXCEPTION LOG (" + std::to_string(chosen.size()) + " of " +
                                   std::to_string(records.size()) + ")",
                            p, [&] { return swOf(client(i).execute(command), "CLEAR EXCEPTION LOG"); });
  if (tookEffect(o)) count("exception clears");
  if (o == Outcome::kAccepted && chance(20)) {
    // The same order again names records no longer held.
    Prediction replay{sw::kReferencedDataNotFound, model_[i]};
    deliver(i, "replayed CLEAR EXCEPTION LOG", replay,
            [&] { return swOf(client(i).execute(command), "CLEAR EXCEPTION LOG"); });
  }
  threshold_[i] = static_cast<std::size_t>(uniform(3, kExceptionCapacity));
}

void ModelRun::housekeeping() {
  for (std::size_t i = 0; i < kHome; ++i) {
    if (threshold_[i] == 0) threshold_[i] = static_cast<std::size_t>(uniform(3, kExceptionCapacity));
    if (model_[i].exceptions.size() >= threshold_[i]) clearExceptions(i);
  }
}

void ModelRun::checkpoint() {
  for (std::size_t i = 0; i < kPurses; ++i) {
    if (model_[i].state == ProtocolStatus::kIdle) continue;
    if (chance(50)) {
      abortPurse(i);
    } else {
      powerCycle(i, false);
    }
  }
  count("checkpoints");
  if (books_ == nullptr) return;
  std::int64_t inCards = 0;
  for (std::size_t i = 0; i < kHome; ++i) {
    collectForBooks(i);
    archive(i, model_[i].exceptions);  // what the exception logs hold now counts for lostValue()
    inCards += model_[i].balance;
  }
  books_->checkpoint(inCards, static_cast<std::int64_t>(loaded_) - static_cast<std::int64_t>(unloaded_),
                     static_cast<std::int64_t>(lostValue()));
}

}  // namespace epurse::testing::model
