// The operations the random steps are made of: value orders, PIN, ABORT, power cycles, and the
// transfer sessions, each command delivered against its prediction.
#include "tests/model/model_run.h"

#include <algorithm>
#include <iostream>

#include "host/log_verifier.h"
#include "protocol/purse_apdus.h"
#include "protocol/signed_payloads.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/fault_injection_env.h"

namespace epurse::testing::model {
namespace {

// "#12": a transfer session as the step log names it (built with append: GCC 12 at -O3
// misreads "#" + std::to_string(n) as an overlapping copy).
std::string sessionTag(int number) { return std::string("#").append(std::to_string(number)); }

}  // namespace

void ModelRun::load(std::size_t i, Amount amount, bool stale) {
  ValueOrder order;
  order.counter = model_[i].loadCounter - (stale && model_[i].loadCounter > 0 ? 1 : 0);
  order.amount = amount;
  order.currency = purses_[i].profile.currency;
  order.date = kToday;
  const CommandApdu command = need(issuerOf(i).signer().load(purses_[i].id, order), "sign LOAD");
  const Prediction p = predictValueOrder(i, order, true);
  // The issuer's books authorise only fresh orders: a replayed one is an attacker's.
  const bool watched = books_ != nullptr && isHome(i) && !stale;
  const std::uint64_t handle = watched ? books_->orderAuthorised(purses_[i].id, order, true) : 0;
  std::optional<host::SignedReceipt> receipt;
  const Outcome o = deliver(i, std::string(stale ? "replayed " : "") + "LOAD " + std::to_string(amount), p, [&] {
    auto r = client(i).load(command);
    if (r) receipt = *r;
    return swOf(r, "LOAD");
  });
  if (o == Outcome::kAccepted) checkReceipt(i, *receipt, host::ReceiptKind::kLoad, order);
  if (o == Outcome::kAccepted && watched) books_->receiptArrived(handle, receipt->responseData);
  if (o == Outcome::kTornCommitted || o == Outcome::kTornNotCommitted) checkLoadCounter(i, order, o);
  if (tookEffect(o)) {
    (purses_[i].issuer == 0 ? loaded_ : foreignLoaded_) += amount;
    count("loads");
  }
}

void ModelRun::unload(std::size_t i, Amount amount, bool verifyFirst, bool stale) {
  if (verifyFirst && !model_[i].pinVerified) verifyPin(i, true);
  ValueOrder order;
  order.counter = model_[i].loadCounter - (stale && model_[i].loadCounter > 0 ? 1 : 0);
  order.amount = amount;
  order.currency = purses_[i].profile.currency;
  order.date = kToday;
  const CommandApdu command = need(issuerOf(i).signer().unload(purses_[i].id, order), "sign UNLOAD");
  const Prediction p = predictValueOrder(i, order, false);
  const bool watched = books_ != nullptr && isHome(i) && !stale;
  const std::uint64_t handle = watched ? books_->orderAuthorised(purses_[i].id, order, false) : 0;
  std::optional<host::SignedReceipt> receipt;
  const Outcome o = deliver(i, std::string(stale ? "replayed " : "") + "UNLOAD " + std::to_string(amount), p, [&] {
    auto r = client(i).unload(command);
    if (r) receipt = *r;
    return swOf(r, "UNLOAD");
  });
  // An unload counts when the card answered 9000 with a receipt that verifies, or when a
  // power loss struck it and the load counter shows it took effect.
  if (o == Outcome::kAccepted) checkReceipt(i, *receipt, host::ReceiptKind::kUnload, order);
  if (o == Outcome::kAccepted && watched) books_->receiptArrived(handle, receipt->responseData);
  if (o == Outcome::kTornCommitted || o == Outcome::kTornNotCommitted) checkLoadCounter(i, order, o);
  if (tookEffect(o)) {
    unloaded_ += amount;
    count("unloads");
  }
}

void ModelRun::checkLoadCounter(std::size_t i, const ValueOrder& order, Outcome o) {
  const std::uint32_t counter = card(i).status().loadCounter;
  MODEL_CHECK(counter == order.counter + (o == Outcome::kTornCommitted ? 1 : 0),
              name(i) << ": load counter " << counter << " after a torn order " << order.counter);
}

void ModelRun::checkReceipt(std::size_t i, const host::SignedReceipt& r, host::ReceiptKind kind,
                            const ValueOrder& order) {
  auto verified = host::verifyReceipt(r.responseData, kind, purses_[i].cert, issuerOf(i).key().verificationKey());
  MODEL_CHECK(verified.isOk(), name(i) << ": receipt does not verify: " << verified.error().toString());
  const auto& v = *verified;
  MODEL_CHECK(v.purseId == purses_[i].id && v.counter == order.counter && v.amount == order.amount &&
                  v.currency == order.currency && v.balanceAfter == model_[i].balance &&
                  v.logNumber == model_[i].logAppended,
              name(i) << ": receipt says counter " << v.counter << " amount " << v.amount << " balance "
                      << v.balanceAfter << " record " << v.logNumber << "; the model: counter " << order.counter
                      << " balance " << model_[i].balance << " record " << model_[i].logAppended);
}

void ModelRun::verifyPin(std::size_t i, bool correct) {
  const PurseState& m = model_[i];
  Prediction p{sw::kSuccess, m};
  if (correct) {
    p.after.pinTries = kPinTries;
    p.after.pinVerified = true;
  } else {
    p.sw = sw::verifyFailed(static_cast<std::uint8_t>(m.pinTries - 1));
    p.after.pinTries = static_cast<std::uint8_t>(m.pinTries - 1);
    p.after.pinVerified = false;
  }
  const auto block = need(protocol::makePinBlock(correct ? kPin : kWrongPin), "PIN block");
  // VERIFY is never torn here (purse_tear_test tears it at every write).
  deliver(
      i, correct ? "VERIFY" : "VERIFY wrong PIN", p,
      [&]() -> sw::StatusWord {
        auto r = client(i).verifyPin(block);
        if (!r) return swOf(r, "VERIFY");
        switch (r->outcome) {
          case host::PinResult::Outcome::kVerified: return sw::kSuccess;
          case host::PinResult::Outcome::kWrong: return sw::verifyFailed(r->triesLeft);
          case host::PinResult::Outcome::kBlocked: return sw::kAuthenticationMethodBlocked;
        }
        return 0;
      },
      false, !correct);
}

void ModelRun::abortPurse(std::size_t i) {
  deliver(i, "ABORT", predictAbort(i), [&] { return swOf(client(i).abort(), "ABORT"); });
}

void ModelRun::powerCycle(std::size_t i, bool tear) {
  PurseState after = model_[i];
  after.powerUp();
  if (tear) {
    const std::uint64_t n = uniform(1, 12);
    card(i).card().tear().arm(n);
    try {
      card(i).powerCycle();
      note("power cycle " + name(i) + " (tear at write " + std::to_string(n) + " missed)");
    } catch (const card::PowerLost&) {
      const CrashMode mode = kAllCrashModes[uniform(0, 3)];
      card(i).card().env().crash(mode, static_cast<std::uint32_t>(uniform(0, UINT32_MAX)));
      card(i).card().tear().disarm();
      card(i).powerCycle();
      note("power cycle " + name(i) + " TORN at write " + std::to_string(n) + " of the power-up (" +
           crashModeName(mode) + ")");
      count("tears in the power-up");
    }
    card(i).card().tear().disarm();
  } else {
    card(i).powerCycle();
    note("power cycle " + name(i));
  }
  model_[i] = after;
  count("power cycles");
}

Outcome ModelRun::sendMessage(std::size_t x, TransferMessage kind, const SignedTransferMessage& msg,
                    terminal::TransferSession& via, std::optional<SignedTransferMessage>& answer,
                    const std::string& label) {
  const Prediction p = predictMessage(x, kind, msg);
  const Outcome o = deliver(x, label, p, [&]() -> sw::StatusWord {
    switch (kind) {
      case TransferMessage::kReq: {
        auto r = via.req(msg);
        if (r) answer = *r;
        return swOf(r, label);
      }
      case TransferMessage::kVal: {
        auto r = via.val(msg);
        if (r) answer = *r;
        return swOf(r, label);
      }
      case TransferMessage::kAck: return swOf(via.ack(msg), label);
    }
    return 0;
  });
  if (o == Outcome::kAccepted && kind != TransferMessage::kAck) {
    // The answer is the next message, over the same pd, signed by this purse.
    const TransferMessage next = kind == TransferMessage::kReq ? TransferMessage::kVal : TransferMessage::kAck;
    MODEL_CHECK(answer && answer->pd == msg.pd, name(x) << ": the answer to " << label << " carries another pd");
    MODEL_CHECK(purses_[x].key->verify(protocol::transferPayload(next, msg.pd), answer->signature),
                name(x) << ": the answer to " << label << " is not signed by the purse");
  }
  if (tookEffect(o)) {
    Truth& t = truth_[keyOf(msg.pd)];
    t.value = msg.pd.value;
    if (kind == TransferMessage::kReq) t.debited = true;
    if (kind == TransferMessage::kVal) {
      // Property (1), per transfer: a credit needs the payer's debit first.
      MODEL_CHECK(t.debited, "value created: " << name(x) << " credited for " << pdText(msg.pd)
                                               << " which its payer was never debited for");
      t.credited = true;
    }
    if (kind == TransferMessage::kAck) count("transfers acknowledged");
  }
  return o;
}

void ModelRun::rememberMessage(TransferMessage kind, const SignedTransferMessage& msg, std::size_t target) {
  delivered_.push_back(Delivered{kind, msg, target});
  if (delivered_.size() > kMaxDelivered) delivered_.pop_front();
}

void ModelRun::advance(Session& s) {
  const std::string tag = sessionTag(s.number) + " ";
  switch (s.next) {
    case 0: {  // START FROM to the payer, with the parties read just before it
      auto parties = s.driver->readParties();
      MODEL_CHECK(parties.isOk(), "read parties: " << parties.error().toString());
      StartOrder order = *s.driver->payerOrder();
      if (s.lie == Session::Lie::kPayeeSeqToPayer) order.counterpartySeq += 1;
      PaymentDetails pd;
      const Prediction p = predictStart(s.payer, true, order, pd);
      std::optional<PaymentDetails> answer;
      const Outcome o = deliver(s.payer, tag + "START FROM " + std::to_string(s.value), p, [&] {
        auto r = s.driver->startFrom(order);
        if (r) answer = *r;
        return swOf(r, "START FROM");
      });
      if (o == Outcome::kAccepted)
        MODEL_CHECK(*answer == pd, "START FROM answered " << pdText(*answer) << ", not " << pdText(pd));
      if (tookEffect(o)) {
        truth_[keyOf(pd)].value = pd.value;
        count("transfers started");
      }
      if (o != Outcome::kAccepted) s.dead = true;
      break;
    }
    case 1: {  // START TO to the payee, answered by REQ
      StartOrder order = *s.driver->payeeOrder();
      if (s.lie == Session::Lie::kPayerSeqToPayee) order.counterpartySeq += 1;
      if (s.lie == Session::Lie::kValueToPayee && order.value > 1) order.value -= 1;
      PaymentDetails pd;
      const Prediction p = predictStart(s.payee, false, order, pd);
      std::optional<SignedTransferMessage> answer;
      const Outcome o = deliver(s.payee, tag + "START TO", p, [&] {
        auto r = s.driver->startTo(order);
        if (r) answer = *r;
        return swOf(r, "START TO");
      });
      if (o == Outcome::kAccepted) {
        MODEL_CHECK(answer->pd == pd, "START TO answered " << pdText(answer->pd) << ", not " << pdText(pd));
        MODEL_CHECK(
            purses_[s.payee].key->verify(protocol::transferPayload(TransferMessage::kReq, pd), answer->signature),
            "the REQ is not signed by the payee");
        s.req = answer;
      }
      if (tookEffect(o)) truth_[keyOf(pd)].value = pd.value;
      if (o != Outcome::kAccepted) {
        s.dead = true;
      }
      break;
    }
    case 2:
      if (sendMessage(s.payer, TransferMessage::kReq, *s.req, *s.driver, s.val, tag + "REQ") == Outcome::kAccepted) {
        rememberMessage(TransferMessage::kReq, *s.req, s.payer);
      } else {
        s.dead = true;
      }
      break;
    case 3:
      if (sendMessage(s.payee, TransferMessage::kVal, *s.val, *s.driver, s.ack, tag + "VAL") == Outcome::kAccepted) {
        rememberMessage(TransferMessage::kVal, *s.val, s.payee);
      } else {
        s.dead = true;
      }
      break;
    case 4: {
      std::optional<SignedTransferMessage> none;
      if (sendMessage(s.payer, TransferMessage::kAck, *s.ack, *s.driver, none, tag + "ACK") == Outcome::kAccepted) {
        rememberMessage(TransferMessage::kAck, *s.ack, s.payer);
      } else {
        s.dead = true;
      }
      break;
    }
    default: break;
  }
  ++s.next;
}

void ModelRun::advance(Session& s, int steps) {
  for (int k = 0; k < steps && !s.dead && s.next < 5; ++k) advance(s);
  if (!s.dead && s.next < 5) note(sessionTag(s.number) + " stopped before step " + std::to_string(s.next));
}

void ModelRun::dropFinishedSessions() {
  std::erase_if(sessions_, [](const std::unique_ptr<Session>& s) { return s->dead || s->next >= 5; });
  while (sessions_.size() > kMaxPendingSessions) {
    note(sessionTag(sessions_.front()->number) + " abandoned");
    sessions_.erase(sessions_.begin());
  }
}

Amount ModelRun::pickValue() {
  const auto r = uniform(0, 99);
  if (r < 50) return static_cast<Amount>(uniform(1, 2000));
  if (r < 80) return static_cast<Amount>(uniform(2001, 20000));
  if (r < 95) return static_cast<Amount>(uniform(20001, 50000));
  return static_cast<Amount>(uniform(50001, 60000));  // above the per-transfer maximum
}

Session& ModelRun::newSession(std::size_t payer, std::size_t payee, std::optional<Amount> value) {
  auto s = std::make_unique<Session>();
  s->number = ++sessionCount_;
  s->payer = payer;
  s->payee = payee;
  s->value = value ? *value : pickValue();
  if (chance(8)) s->lie = static_cast<Session::Lie>(uniform(1, 3));
  protocol::PurchaseReference reference{};
  for (auto& b : reference) b = static_cast<std::uint8_t>(uniform(0, 255));
  s->driver = std::make_unique<terminal::TransferSession>(client(payer), client(payee), s->value, reference);
  note(sessionTag(s->number) + " " + name(payer) + " pays " + name(payee) + " " + std::to_string(s->value) +
       (s->lie == Session::Lie::kNone ? "" : std::string(" (lying terminal ").append(std::to_string(static_cast<int>(s->lie))).append(")")));
  if (s->value > purses_[payer].profile.noPinLimit && chance(70) && !model_[payer].pinVerified) verifyPin(payer, true);
  sessions_.push_back(std::move(s));
  return *sessions_.back();
}

}  // namespace epurse::testing::model
