// The run itself: its loop, its setup, its failure context, and delivering one command with a
// possible power loss resolved against the two legal states.
#include "tests/model/model_run.h"

#include <algorithm>
#include <iostream>

#include "host/log_verifier.h"
#include "protocol/purse_apdus.h"
#include "protocol/signed_payloads.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/fault_injection_env.h"

namespace epurse::testing::model {

std::string ModelRun::execute() {
  try {
    setUp();
    for (step_ = 1; step_ <= options_.steps; ++step_) {
      current_.str("");
      current_.clear();
      randomOperation();
      pendingTear_.reset();
      housekeeping();
      if (step_ % kCheckpointEvery == 0 || step_ == options_.steps) checkpoint();
      checkEverything();
      rememberStep();
    }
    return "";
  } catch (const ModelFailure& f) {
    return context(f.what());
  } catch (const std::exception& e) {
    return context(std::string("exception: ") + e.what());
  } catch (const card::PowerLost& p) {
    return context("unexpected power loss at write " + std::to_string(p.atWrite));
  }
}

std::string ModelRun::statistics() const {
  std::ostringstream os;
  for (const auto& [name, count] : stats_) os << "  " << name << ": " << count << "\n";
  os << "  loaded " << loaded_ << ", unloaded " << unloaded_ << ", lost (both logs) " << lostValue() << "\n";
  return os.str();
}

int ModelRun::stat(const std::string& name) const {
  auto it = stats_.find(name);
  return it == stats_.end() ? 0 : it->second;
}

std::string ModelRun::context(const std::string& what) {
  std::ostringstream os;
  os << "purse_model_test FAILED: seed=" << options_.seed;
  if (step_ == 0) {
    os << " during setup";
  } else {
    os << " step=" << step_ << " (rerun: -- --seed=" << options_.seed << " --steps=" << options_.steps << ")";
  }
  os << "\n  " << what << "\n  operation in progress: " << current_.str() << "\n  last operations, oldest first:\n";
  for (const auto& h : history_) os << "    " << h << "\n";
  return os.str();
}

void ModelRun::rememberStep() {
  history_.push_back("step " + std::to_string(step_) + ": " + current_.str());
  if (history_.size() > kHistory) history_.pop_front();
}

std::uint64_t ModelRun::uniform(std::uint64_t lo, std::uint64_t hi) {
  return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
}

std::size_t ModelRun::otherHome(std::size_t not_) {
  std::size_t j = anyHome();
  while (j == not_) j = anyHome();
  return j;
}

std::optional<std::size_t> ModelRun::purseWithId(const PurseId& id) const {
  for (std::size_t i = 0; i < kPurses; ++i) {
    if (purses_[i].id == id) return i;
  }
  return std::nullopt;
}

std::size_t ModelRun::purseWithCertificate(const Bytes& cert) {
  for (std::size_t i = 0; i < kPurses; ++i) {
    if (purses_[i].certBytes == cert) return i;
  }
  failNow("the model sent a certificate it does not know");
}

Observed ModelRun::observe(std::size_t i) {
  Observed o;
  o.status = card(i).status();
  auto log = client(i).readExceptionLog();
  if (!log) failNow(name(i) + ": exception log: " + log.error().toString());
  o.exceptions = *log;
  return o;
}

void ModelRun::setUp() {
  std::cout << "purse_model_test: seed=" << options_.seed << " steps=" << options_.steps << std::endl;
  issuers_.push_back(std::make_unique<TestIssuer>());
  issuers_.push_back(std::make_unique<TestIssuer>());
  if (books_ != nullptr) books_->issuerReady(*issuers_[0]);
  for (std::size_t i = 0; i < kPurses; ++i) {
    PurseInfo& p = purses_[i];
    p.issuer = i == kForeign ? 1 : 0;
    p.name = i == kForeign ? std::string("F") : std::string("P").append(std::to_string(i + 1));
    p.profile.id = testPurseId(i == kForeign ? 0x46 : static_cast<std::uint8_t>(i + 1));
    p.profile.pin = kPin;
    p.id = p.profile.id;
    p.card = std::make_unique<TestPurse>();
    p.cert = issuerOf(i).personalise(p.card->client(), p.profile);
    p.certBytes = p.cert.encode();
    p.key = need(protocol::EcPublicKey::fromUncompressed(p.cert.publicKey), "card key");
    if (books_ != nullptr && isHome(i)) books_->purseIssued(p.id, p.cert, p.profile);
    // A freshly personalised purse: nothing loaded, no log, sequence number 1.
    const std::string diff = difference(model_[i], observe(i));
    MODEL_CHECK(diff.empty(), p.name << " after personalisation: " << diff);
  }
  for (std::size_t i = 0; i < kPurses; ++i) {
    current_.str("");
    current_ << "setup: ";
    load(i, static_cast<Amount>(uniform(5000, 40000)), false);
    MODEL_CHECK(model_[i].loadCounter == 1, name(i) << ": initial load refused");
  }
  foreignBalance_ = model_[kForeign].balance;
  checkEverything();
}

Outcome ModelRun::deliver(std::size_t i, const std::string& what, const Prediction& p,
                          const std::function<sw::StatusWord()>& send, bool tearable, bool refusalMayWrite) {
  TestPurse& target = card(i);
  const Bytes imageBefore = target.image();
  const PurseState before = model_[i];
  std::optional<std::uint64_t> armedAt;
  if (tearable && pendingTear_ && pendingTear_->purse == i) {
    if (pendingTear_->skip > 0) {
      --pendingTear_->skip;
    } else {
      armedAt = pendingTear_->n;
      pendingTear_.reset();
      target.card().tear().arm(*armedAt);
    }
  }
  sw::StatusWord got = 0;
  try {
    got = send();
  } catch (const card::PowerLost&) {
    MODEL_CHECK(armedAt.has_value(), what << " to " << name(i) << ": power lost with no tear armed");
    const CrashMode mode = kAllCrashModes[uniform(0, 3)];
    const auto crashSeed = static_cast<std::uint32_t>(uniform(0, UINT32_MAX));
    target.card().env().crash(mode, crashSeed);
    target.powerCycle();
    count("tears");
    note(what + " to " + name(i) + " TORN at write " + std::to_string(*armedAt) + " (" + crashModeName(mode) + ")");
    MODEL_CHECK(p.sw == sw::kSuccess, what << " to " << name(i) << ": predicted " << swHex(p.sw)
                                          << " (a refusal writes nothing), yet the power loss armed at write "
                                          << *armedAt << " struck it");
    const bool committed = resolveTear(i, before, p.after);
    note(committed ? "it took effect" : "it did not take effect");
    count(committed ? "tears: took effect" : "tears: did not take effect");
    return committed ? Outcome::kTornCommitted : Outcome::kTornNotCommitted;
  }
  if (armedAt) target.card().tear().disarm();
  note(what + " to " + name(i) + " " + swHex(got));
  MODEL_CHECK(got == p.sw, what << " to " << name(i) << ": card answered " << swHex(got) << ", the model predicted "
                                << swHex(p.sw));
  if (got == sw::kSuccess) {
    model_[i] = p.after;
    return Outcome::kAccepted;
  }
  count("refused " + swHex(got));
  if (!refusalMayWrite) {
    MODEL_CHECK(target.image() == imageBefore, what << " to " << name(i) << ": refused with " << swHex(got)
                                                    << " but the image changed");
  }
  if (refusalMayWrite) model_[i] = p.after;
  return Outcome::kRefused;
}

bool ModelRun::resolveTear(std::size_t i, const PurseState& before, const PurseState& after) {
  PurseState notDone = before;
  notDone.powerUp();
  PurseState done = after;
  done.powerUp();
  const Observed o = observe(i);
  const std::string dNot = difference(notDone, o);
  const std::string dDone = difference(done, o);
  MODEL_CHECK(dNot.empty() || dDone.empty(),
              name(i) << " after a torn command is in neither legal state: as if not done: " << dNot
                      << "; as if done: " << dDone);
  const bool committed = !dNot.empty();
  model_[i] = committed ? done : notDone;
  return committed;
}

}  // namespace epurse::testing::model
