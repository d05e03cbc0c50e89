// Model-based random test of the purse: five purses of one issuer and one purse of a foreign
// issuer, thousands of random operations (issuer-signed loads and unloads, PIN checks,
// transfers driven step by step through TransferSession between random pairs, dropped and
// duplicated messages, lying terminals, ABORTs, power losses at a random write of a random
// command under every crash mode, power cycles, recovery and exception-log clearing), with an
// independent model of every purse checked against the cards after every step.
//
// Running it (Boost.Test passes everything after "--" to the test):
//   purse_model_test                                  the CI run: the default seed, 3000 steps
//   purse_model_test -- --seed=12345 --steps=20000    another seed and length
// The seed and step count are printed at the start. A failure prints the seed, the step and
// the last 20 operations; rerunning with the same --seed and --steps replays exactly the same
// operations (the cards' keys and signatures differ from run to run, nothing else does).
//
// The model predicts, for every command, the exact status word and every field of the purse
// afterwards (balance, sequence number, load counter, protocol state and pd, PIN state, each
// exception record, each transaction log record with its chain hash); a refused command must
// leave the purse's image byte for byte unchanged. A torn command is resolved against the two
// states the purse may legally be in after its power-up (the command took effect, or it did
// not): the card must be in exactly one of them. On top of that, the three Mondex properties:
//   (1) no value created: the balances never add up to more than loaded minus unloaded, and no
//       payee is ever credited for a pd its payer was not debited for;
//   (2) all value accounted: whenever every purse is idle (forced every 50 steps by ABORT or a
//       power cycle), balances + the value of every pd that both its payer and its payee
//       logged as an exception (kept in an archive across exception-log clears) equal loaded
//       minus unloaded exactly;
//   (3) only authentic purses: every pd in any log names only purses of this issuer, and the
//       foreign purse's every attempt to take part is refused and leaves nothing in any log.
#define BOOST_TEST_MODULE purse_model
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/hex.h"
#include "card/persistence/tear_injector.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/signed_payloads.h"
#include "protocol/transfer_messages.h"
#include "host/card_statements.h"
#include "host/log_verifier.h"
#include "terminal/transfer/transfer_driver.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/fault_injection_env.h"
#include "tests/support/purse_fixture.h"

namespace epurse::testing {
namespace {

using protocol::Amount;
using protocol::CardCertificate;
using protocol::Digest;
using protocol::ExceptionRecord;
using protocol::LogRecord;
using protocol::LogType;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;
using protocol::PurseId;
using protocol::SignedTransferMessage;
using protocol::StartOrder;
using protocol::TransferMessage;
using protocol::ValueOrder;

constexpr std::uint64_t kDefaultSeed = 20261123;
constexpr int kDefaultSteps = 3000;
constexpr std::size_t kHome = 5;                // purses of the issuer under test
constexpr std::size_t kForeign = kHome;         // index of the foreign issuer's purse
constexpr std::size_t kPurses = kHome + 1;
constexpr int kCheckpointEvery = 50;
constexpr std::size_t kHistory = 20;
constexpr std::size_t kExceptionCapacity = 8;  // docs: the exception log holds 8 records
constexpr std::size_t kLogCapacity = 32;       // docs: the transaction log keeps the last 32
constexpr std::uint8_t kPinTries = 3;
constexpr std::size_t kMaxPendingSessions = 4;
constexpr std::size_t kMaxDelivered = 40;
constexpr const char* kPin = "1234";
constexpr const char* kWrongPin = "9999";

struct Options {
  std::uint64_t seed = kDefaultSeed;
  int steps = kDefaultSteps;
};

Options parseOptions() {
  Options o;
  const auto& suite = boost::unit_test::framework::master_test_suite();
  for (int i = 1; i < suite.argc; ++i) {
    const std::string arg = suite.argv[i];
    if (arg.rfind("--seed=", 0) == 0) {
      o.seed = std::stoull(arg.substr(7));
    } else if (arg.rfind("--steps=", 0) == 0) {
      o.steps = std::stoi(arg.substr(8));
    } else {
      throw std::invalid_argument("purse_model_test: unknown argument " + arg + " (use -- --seed=N --steps=N)");
    }
  }
  if (o.steps <= 0) throw std::invalid_argument("purse_model_test: --steps must be positive");
  return o;
}

// A check failed or the card did something the model cannot explain.
struct ModelFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void failNow(const std::string& what) { throw ModelFailure(what); }

#define MODEL_CHECK(condition, message)  \
  do {                                   \
    if (!(condition)) {                  \
      std::ostringstream model_check_;   \
      model_check_ << message;           \
      failNow(model_check_.str());       \
    }                                    \
  } while (0)

std::string swHex(sw::StatusWord s) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(s));
  return buf;
}

std::string pdText(const PaymentDetails& pd) {
  std::ostringstream os;
  os << "pd{" << toHex(ByteView(pd.fromId).last(1)) << "#" << pd.fromSeq << " -> " << toHex(ByteView(pd.toId).last(1))
     << "#" << pd.toSeq << " " << pd.value << "}";
  return os.str();
}

const char* stateName(ProtocolStatus s) { return protocol::protocolStatusName(s); }

Bytes keyOf(const PaymentDetails& pd) { return pd.encode(); }

template <typename T>
T need(Result<T> r, const std::string& what) {
  if (!r) failNow(what + ": " + r.error().toString());
  return std::move(*r);
}

// The status word a terminal result carries: 9000 on success, the refusal otherwise. A result
// with no status word (the exchange failed, or the answer does not parse or is not what the
// transfer asked for) is a failure of the card.
template <typename R>
sw::StatusWord swOf(const R& r, const std::string& what) {
  if (r) return sw::kSuccess;
  if (auto s = r.refusal()) return *s;
  failNow(what + ": no status word: " + r.error().toString());
}

// One transaction log record as the model expects it.
struct LogEntry {
  std::uint32_t number = 0;
  LogType type = LogType::kLoad;
  PaymentDetails details;
  Amount balanceAfter = 0;
  Digest chainHash{};
};

// Everything the model says one purse holds. Copyable: predictions are copies with the
// command applied.
struct PurseState {
  Amount balance = 0;
  std::uint32_t nextSeq = 1;
  std::uint32_t loadCounter = 0;
  std::uint32_t logAppended = 0;
  std::uint32_t exceptionsAppended = 0;
  ProtocolStatus state = ProtocolStatus::kIdle;
  PaymentDetails pd;  // meaningful unless idle
  bool pinVerified = false;
  std::uint8_t pinTries = kPinTries;
  std::vector<ExceptionRecord> exceptions;  // held, oldest first
  std::deque<LogEntry> log;                 // the newest kLogCapacity records
  Digest headHash{};

  // Mondex abort: back to idle, pd logged where value may be in flight.
  void abortTransfer() {
    if (state == ProtocolStatus::kEpv || state == ProtocolStatus::kEpa) {
      ExceptionRecord r;
      r.number = ++exceptionsAppended;
      r.abortedIn = state;
      r.pd = pd;
      exceptions.push_back(r);
    }
    state = ProtocolStatus::kIdle;
  }
  void powerUp() {
    abortTransfer();
    pinVerified = false;
  }
  void appendLog(LogType type, const PaymentDetails& details) {
    LogRecord r;
    r.number = logAppended + 1;
    r.type = type;
    r.details = details;
    r.balanceAfter = balance;
    r.chainHash = r.expectedChainHash(headHash);
    headHash = r.chainHash;
    logAppended = r.number;
    log.push_back(LogEntry{r.number, type, details, balance, r.chainHash});
    if (log.size() > kLogCapacity) log.pop_front();
  }
};

// What the card says, for comparing with a PurseState.
struct Observed {
  protocol::PurseStatus status;
  std::vector<ExceptionRecord> exceptions;
};

// "" when the card is in state `m`, else the first difference.
std::string difference(const PurseState& m, const Observed& o) {
  std::ostringstream os;
  const auto& s = o.status;
  if (s.balance != m.balance) os << "balance " << s.balance << " (model " << m.balance << ")";
  else if (s.nextSeq != m.nextSeq) os << "nextSeq " << s.nextSeq << " (model " << m.nextSeq << ")";
  else if (s.loadCounter != m.loadCounter) os << "load counter " << s.loadCounter << " (model " << m.loadCounter << ")";
  else if (s.logAppended != m.logAppended) os << "log records " << s.logAppended << " (model " << m.logAppended << ")";
  else if (s.protocol != m.state) os << "protocol " << stateName(s.protocol) << " (model " << stateName(m.state) << ")";
  else if (s.exceptionsHeld != m.exceptions.size()) {
    os << "exception records " << int{s.exceptionsHeld} << " (model " << m.exceptions.size() << ")";
  } else if (s.pinVerified != m.pinVerified) os << "PIN verified " << s.pinVerified << " (model " << m.pinVerified << ")";
  else if (s.pinTriesLeft != m.pinTries) os << "PIN tries " << int{s.pinTriesLeft} << " (model " << int{m.pinTries} << ")";
  else if (s.lifeCycle != protocol::LifeCycle::kPersonalised) os << "life cycle " << protocol::lifeCycleName(s.lifeCycle);
  else if (s.date != kToday) os << "date " << s.date;
  else if (!(o.exceptions == m.exceptions)) {
    os << "exception log differs: card";
    for (const auto& r : o.exceptions) os << " [" << r.number << " " << stateName(r.abortedIn) << " " << pdText(r.pd) << "]";
    os << ", model";
    for (const auto& r : m.exceptions) os << " [" << r.number << " " << stateName(r.abortedIn) << " " << pdText(r.pd) << "]";
  }
  return os.str();
}

// What happened to one command.
enum class Outcome { kAccepted, kRefused, kTornCommitted, kTornNotCommitted };
bool tookEffect(Outcome o) { return o == Outcome::kAccepted || o == Outcome::kTornCommitted; }

struct Prediction {
  sw::StatusWord sw = sw::kSuccess;
  PurseState after;  // the purse if the command takes effect (sw 9000); unchanged otherwise
};

struct PurseInfo {
  std::string name;
  PurseId id{};
  int issuer = 0;  // 0: the issuer under test, 1: the foreign one
  PurseProfile profile;
  std::unique_ptr<TestPurse> card;
  CardCertificate cert;
  Bytes certBytes;
  std::optional<protocol::EcPublicKey> key;
};

struct PendingTear {
  std::size_t purse;
  std::uint64_t n;
  int skip;  // tearable commands to this purse to let through first
};

struct Session {
  int number = 0;
  std::size_t payer = 0, payee = 0;
  Amount value = 0;
  enum class Lie { kNone, kPayerSeqToPayee, kPayeeSeqToPayer, kValueToPayee } lie = Lie::kNone;
  std::unique_ptr<terminal::TransferSession> driver;
  int next = 0;  // 0 START FROM, 1 START TO, 2 REQ, 3 VAL, 4 ACK, 5 done
  bool dead = false;
  std::optional<SignedTransferMessage> req, val, ack;
};

struct Delivered {
  TransferMessage kind;
  SignedTransferMessage message;
  std::size_t target;
};

// Every exception record ever read, by pd: who logged it, under which record number.
struct ArchiveEntry {
  PaymentDetails pd;
  std::map<std::size_t, std::uint32_t> loggedBy;  // purse -> record number
  bool payerLogged = false;
  bool payeeLogged = false;
};

struct Truth {
  bool debited = false;   // the payer accepted REQ
  bool credited = false;  // the payee accepted VAL
  Amount value = 0;
};

class ModelRun {
 public:
  explicit ModelRun(Options options) : options_(options), rng_(options.seed) {}

  // Runs every step; returns "" or the failure with its context.
  std::string execute() {
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

  std::string statistics() const {
    std::ostringstream os;
    for (const auto& [name, count] : stats_) os << "  " << name << ": " << count << "\n";
    os << "  loaded " << loaded_ << ", unloaded " << unloaded_ << ", lost (both logs) " << lostValue() << "\n";
    return os.str();
  }
  int stat(const std::string& name) const {
    auto it = stats_.find(name);
    return it == stats_.end() ? 0 : it->second;
  }

 private:
  // ---- plumbing -------------------------------------------------------------------------

  std::string context(const std::string& what) {
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
  void rememberStep() {
    history_.push_back("step " + std::to_string(step_) + ": " + current_.str());
    if (history_.size() > kHistory) history_.pop_front();
  }
  void note(const std::string& s) { current_ << s << "; "; }
  void count(const std::string& name) { ++stats_[name]; }

  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  bool chance(int percent) { return static_cast<int>(uniform(0, 99)) < percent; }
  std::size_t anyHome() { return static_cast<std::size_t>(uniform(0, kHome - 1)); }
  std::size_t otherHome(std::size_t not_) {
    std::size_t j = anyHome();
    while (j == not_) j = anyHome();
    return j;
  }

  TestPurse& card(std::size_t i) { return *purses_[i].card; }
  host::PurseClient& client(std::size_t i) { return purses_[i].card->client(); }
  const std::string& name(std::size_t i) { return purses_[i].name; }
  TestIssuer& issuerOf(std::size_t i) { return *issuers_[static_cast<std::size_t>(purses_[i].issuer)]; }

  std::optional<std::size_t> purseWithId(const PurseId& id) const {
    for (std::size_t i = 0; i < kPurses; ++i) {
      if (purses_[i].id == id) return i;
    }
    return std::nullopt;
  }
  std::size_t purseWithCertificate(const Bytes& cert) {
    for (std::size_t i = 0; i < kPurses; ++i) {
      if (purses_[i].certBytes == cert) return i;
    }
    failNow("the model sent a certificate it does not know");
  }

  Observed observe(std::size_t i) {
    Observed o;
    o.status = card(i).status();
    auto log = client(i).readExceptionLog();
    if (!log) failNow(name(i) + ": exception log: " + log.error().toString());
    o.exceptions = *log;
    return o;
  }

  // ---- setup ----------------------------------------------------------------------------

  void setUp() {
    std::cout << "purse_model_test: seed=" << options_.seed << " steps=" << options_.steps << std::endl;
    issuers_.push_back(std::make_unique<TestIssuer>());
    issuers_.push_back(std::make_unique<TestIssuer>());
    for (std::size_t i = 0; i < kPurses; ++i) {
      PurseInfo& p = purses_[i];
      p.issuer = i == kForeign ? 1 : 0;
      p.name = i == kForeign ? std::string("F") : "P" + std::to_string(i + 1);
      p.profile.id = testPurseId(i == kForeign ? 0x46 : static_cast<std::uint8_t>(i + 1));
      p.profile.pin = kPin;
      p.id = p.profile.id;
      p.card = std::make_unique<TestPurse>();
      p.cert = issuerOf(i).personalise(p.card->client(), p.profile);
      p.certBytes = p.cert.encode();
      p.key = need(protocol::EcPublicKey::fromUncompressed(p.cert.publicKey), "card key");
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

  // ---- delivering one command -----------------------------------------------------------

  // Sends one command to purse `i` by calling `send` (which returns the card's status word),
  // with the pending tear armed if it is this purse's turn. Checks the status word against the
  // prediction; a refusal must leave the image unchanged (unless `refusalMayWrite`, for a
  // wrong PIN). A power loss is resolved against the two legal states after power-up.
  Outcome deliver(std::size_t i, const std::string& what, const Prediction& p, const std::function<sw::StatusWord()>& send,
                  bool tearable = true, bool refusalMayWrite = false) {
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

  // After a power loss in a command and the power-up: the purse is what it was, or what the
  // command made it, each followed by the power-up abort. Exactly those two are legal.
  bool resolveTear(std::size_t i, const PurseState& before, const PurseState& after) {
    PurseState notDone = before;
    notDone.powerUp();
    PurseState done = after;
    done.powerUp();
    const Observed o = observe(i);
    const std::string dNot = difference(notDone, o);
    const std::string dDone = difference(done, o);
    MODEL_CHECK(dNot.empty() || dDone.empty(), name(i) << " after a torn command is in neither legal state: as if not done: "
                                                       << dNot << "; as if done: " << dDone);
    const bool committed = !dNot.empty();
    model_[i] = committed ? done : notDone;
    return committed;
  }

  // ---- predictions ----------------------------------------------------------------------

  PaymentDetails issuerSide(std::size_t i, std::uint32_t counter, Amount amount, bool isLoad) {
    PurseId issuerId{};
    const auto keyId = issuerOf(i).key().keyId();
    std::copy(keyId.begin(), keyId.end(), issuerId.begin());
    PaymentDetails d;
    d.fromId = isLoad ? issuerId : purses_[i].id;
    d.toId = isLoad ? purses_[i].id : issuerId;
    d.fromSeq = counter;
    d.value = amount;
    d.currency = purses_[i].profile.currency;
    return d;
  }

  Prediction predictValueOrder(std::size_t i, const ValueOrder& order, bool isLoad) {
    const PurseState& m = model_[i];
    const PurseProfile& limits = purses_[i].profile;
    Prediction p{sw::kSuccess, m};
    if (m.state != ProtocolStatus::kIdle) p.sw = sw::kConditionsNotSatisfied;
    else if (!isLoad && !m.pinVerified) p.sw = sw::kSecurityStatusNotSatisfied;
    else if (order.counter != m.loadCounter) p.sw = sw::kConditionsNotSatisfied;
    else if (isLoad && std::uint64_t{m.balance} + order.amount > limits.maxBalance) {
      p.sw = protocol::purse_sw::kMaxBalanceExceeded;
    } else if (!isLoad && order.amount > m.balance) {
      p.sw = protocol::purse_sw::kInsufficientFunds;
    }
    if (p.sw != sw::kSuccess) return p;
    p.after.balance = isLoad ? m.balance + order.amount : m.balance - order.amount;
    p.after.loadCounter = m.loadCounter + 1;
    p.after.appendLog(isLoad ? LogType::kLoad : LogType::kUnload, issuerSide(i, order.counter, order.amount, isLoad));
    return p;
  }

  // START FROM (asPayer) or START TO to purse x naming the purse whose certificate `order`
  // carries. `pd` receives the pd the purse must answer.
  Prediction predictStart(std::size_t x, bool asPayer, const StartOrder& order, PaymentDetails& pd) {
    const PurseState& m = model_[x];
    const PurseProfile& limits = purses_[x].profile;
    const std::size_t j = purseWithCertificate(order.counterpartyCertificate);
    Prediction p{sw::kSuccess, m};
    const bool abortLogs = m.state == ProtocolStatus::kEpv || m.state == ProtocolStatus::kEpa;
    if (purses_[j].issuer != purses_[x].issuer) p.sw = sw::kSecurityStatusNotSatisfied;
    else if (j == x || order.value == 0) p.sw = sw::kWrongData;
    else if (asPayer && order.value > limits.perTransferMax) p.sw = protocol::purse_sw::kTransferLimitExceeded;
    else if (asPayer && order.value > m.balance) p.sw = protocol::purse_sw::kInsufficientFunds;
    else if (asPayer && order.value > limits.noPinLimit && !m.pinVerified) p.sw = sw::kSecurityStatusNotSatisfied;
    else if (!asPayer && std::uint64_t{m.balance} + order.value > limits.maxBalance) {
      p.sw = protocol::purse_sw::kMaxBalanceExceeded;
    } else if (m.exceptions.size() + (abortLogs ? 1 : 0) >= kExceptionCapacity) {
      p.sw = sw::kNotEnoughMemory;
    }
    pd.fromId = asPayer ? purses_[x].id : purses_[j].id;
    pd.fromSeq = asPayer ? m.nextSeq : order.counterpartySeq;
    pd.toId = asPayer ? purses_[j].id : purses_[x].id;
    pd.toSeq = asPayer ? order.counterpartySeq : m.nextSeq;
    pd.value = order.value;
    pd.currency = limits.currency;
    pd.reference = order.reference;
    if (p.sw != sw::kSuccess) return p;
    p.after.abortTransfer();
    p.after.nextSeq = m.nextSeq + 1;
    p.after.state = asPayer ? ProtocolStatus::kEpr : ProtocolStatus::kEpv;
    p.after.pd = pd;
    return p;
  }

  static ProtocolStatus stateFor(TransferMessage kind) {
    switch (kind) {
      case TransferMessage::kReq: return ProtocolStatus::kEpr;
      case TransferMessage::kVal: return ProtocolStatus::kEpv;
      case TransferMessage::kAck: return ProtocolStatus::kEpa;
    }
    return ProtocolStatus::kIdle;
  }

  // REQ, VAL or ACK to purse x: its state, its own pd, and the signature of the counterparty
  // it was started with, over this message's domain.
  Prediction predictMessage(std::size_t x, TransferMessage kind, const SignedTransferMessage& msg) {
    const PurseState& m = model_[x];
    Prediction p{sw::kSuccess, m};
    if (m.state != stateFor(kind) || !(msg.pd == m.pd)) {
      p.sw = sw::kConditionsNotSatisfied;
      return p;
    }
    const auto counterparty = purseWithId(m.state == ProtocolStatus::kEpv ? m.pd.fromId : m.pd.toId);
    MODEL_CHECK(counterparty.has_value(), "a purse in a transfer with an unknown purse");
    if (!purses_[*counterparty].key->verify(protocol::transferPayload(kind, m.pd), msg.signature)) {
      p.sw = sw::kSecurityStatusNotSatisfied;
      return p;
    }
    switch (kind) {
      case TransferMessage::kReq:
        if (m.pd.value > m.balance) {
          p.sw = protocol::purse_sw::kInsufficientFunds;
          return p;
        }
        p.after.balance = m.balance - m.pd.value;
        p.after.state = ProtocolStatus::kEpa;
        p.after.appendLog(LogType::kTransferOut, m.pd);
        break;
      case TransferMessage::kVal:
        if (std::uint64_t{m.balance} + m.pd.value > purses_[x].profile.maxBalance) {
          p.sw = protocol::purse_sw::kMaxBalanceExceeded;
          return p;
        }
        p.after.balance = m.balance + m.pd.value;
        p.after.state = ProtocolStatus::kIdle;
        p.after.appendLog(LogType::kTransferIn, m.pd);
        break;
      case TransferMessage::kAck:
        p.after.state = ProtocolStatus::kIdle;
        p.after.appendLog(LogType::kTransferAcked, m.pd);
        break;
    }
    return p;
  }

  Prediction predictAbort(std::size_t i) {
    Prediction p{sw::kSuccess, model_[i]};
    p.after.abortTransfer();
    return p;
  }

  // ---- operations -----------------------------------------------------------------------

  void load(std::size_t i, Amount amount, bool stale) {
    ValueOrder order;
    order.counter = model_[i].loadCounter - (stale && model_[i].loadCounter > 0 ? 1 : 0);
    order.amount = amount;
    order.currency = purses_[i].profile.currency;
    order.date = kToday;
    const CommandApdu command = need(issuerOf(i).signer().load(purses_[i].id, order), "sign LOAD");
    const Prediction p = predictValueOrder(i, order, true);
    std::optional<host::SignedReceipt> receipt;
    const Outcome o = deliver(i, std::string(stale ? "replayed " : "") + "LOAD " + std::to_string(amount), p, [&] {
      auto r = client(i).load(command);
      if (r) receipt = *r;
      return swOf(r, "LOAD");
    });
    if (o == Outcome::kAccepted) checkReceipt(i, *receipt, host::ReceiptKind::kLoad, order);
    if (o == Outcome::kTornCommitted || o == Outcome::kTornNotCommitted) checkLoadCounter(i, order, o);
    if (tookEffect(o)) {
      (purses_[i].issuer == 0 ? loaded_ : foreignLoaded_) += amount;
      count("loads");
    }
  }

  void unload(std::size_t i, Amount amount, bool verifyFirst, bool stale) {
    if (verifyFirst && !model_[i].pinVerified) verifyPin(i, true);
    ValueOrder order;
    order.counter = model_[i].loadCounter - (stale && model_[i].loadCounter > 0 ? 1 : 0);
    order.amount = amount;
    order.currency = purses_[i].profile.currency;
    order.date = kToday;
    const CommandApdu command = need(issuerOf(i).signer().unload(purses_[i].id, order), "sign UNLOAD");
    const Prediction p = predictValueOrder(i, order, false);
    std::optional<host::SignedReceipt> receipt;
    const Outcome o = deliver(i, std::string(stale ? "replayed " : "") + "UNLOAD " + std::to_string(amount), p, [&] {
      auto r = client(i).unload(command);
      if (r) receipt = *r;
      return swOf(r, "UNLOAD");
    });
    // An unload counts when the card answered 9000 with a receipt that verifies, or when a
    // power loss struck it and the load counter shows it took effect.
    if (o == Outcome::kAccepted) checkReceipt(i, *receipt, host::ReceiptKind::kUnload, order);
    if (o == Outcome::kTornCommitted || o == Outcome::kTornNotCommitted) checkLoadCounter(i, order, o);
    if (tookEffect(o)) {
      unloaded_ += amount;
      count("unloads");
    }
  }

  // A torn LOAD or UNLOAD took effect exactly when the card's load counter moved past the order.
  void checkLoadCounter(std::size_t i, const ValueOrder& order, Outcome o) {
    const std::uint32_t counter = card(i).status().loadCounter;
    MODEL_CHECK(counter == order.counter + (o == Outcome::kTornCommitted ? 1 : 0),
                name(i) << ": load counter " << counter << " after a torn order " << order.counter);
  }

  void checkReceipt(std::size_t i, const host::SignedReceipt& r, host::ReceiptKind kind, const ValueOrder& order) {
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

  void verifyPin(std::size_t i, bool correct) {
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

  void abortPurse(std::size_t i) {
    deliver(i, "ABORT", predictAbort(i), [&] { return swOf(client(i).abort(), "ABORT"); });
  }

  void powerCycle(std::size_t i, bool tear) {
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

  // The messages a session delivers, through its TransferSession.
  Outcome sendMessage(std::size_t x, TransferMessage kind, const SignedTransferMessage& msg,
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

  void rememberMessage(TransferMessage kind, const SignedTransferMessage& msg, std::size_t target) {
    delivered_.push_back(Delivered{kind, msg, target});
    if (delivered_.size() > kMaxDelivered) delivered_.pop_front();
  }

  // One step of a session. The terminal stops the session at the first refusal or loss.
  void advance(Session& s) {
    const std::string tag = "#" + std::to_string(s.number) + " ";
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
        if (o == Outcome::kAccepted) MODEL_CHECK(*answer == pd, "START FROM answered " << pdText(*answer) << ", not " << pdText(pd));
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
          MODEL_CHECK(purses_[s.payee].key->verify(protocol::transferPayload(TransferMessage::kReq, pd), answer->signature),
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

  void advance(Session& s, int steps) {
    for (int k = 0; k < steps && !s.dead && s.next < 5; ++k) advance(s);
    if (!s.dead && s.next < 5) note("#" + std::to_string(s.number) + " stopped before step " + std::to_string(s.next));
  }

  void dropFinishedSessions() {
    std::erase_if(sessions_, [](const std::unique_ptr<Session>& s) { return s->dead || s->next >= 5; });
    while (sessions_.size() > kMaxPendingSessions) {
      note("#" + std::to_string(sessions_.front()->number) + " abandoned");
      sessions_.erase(sessions_.begin());
    }
  }

  Amount pickValue() {
    const auto r = uniform(0, 99);
    if (r < 50) return static_cast<Amount>(uniform(1, 2000));
    if (r < 80) return static_cast<Amount>(uniform(2001, 20000));
    if (r < 95) return static_cast<Amount>(uniform(20001, 50000));
    return static_cast<Amount>(uniform(50001, 60000));  // above the per-transfer maximum
  }

  Session& newSession(std::size_t payer, std::size_t payee, std::optional<Amount> value = std::nullopt) {
    auto s = std::make_unique<Session>();
    s->number = ++sessionCount_;
    s->payer = payer;
    s->payee = payee;
    s->value = value ? *value : pickValue();
    if (chance(8)) s->lie = static_cast<Session::Lie>(uniform(1, 3));
    protocol::PurchaseReference reference{};
    for (auto& b : reference) b = static_cast<std::uint8_t>(uniform(0, 255));
    s->driver = std::make_unique<terminal::TransferSession>(client(payer), client(payee), s->value, reference);
    note("#" + std::to_string(s->number) + " " + name(payer) + " pays " + name(payee) + " " + std::to_string(s->value) +
         (s->lie == Session::Lie::kNone ? "" : " (lying terminal " + std::to_string(static_cast<int>(s->lie)) + ")"));
    if (s->value > purses_[payer].profile.noPinLimit && chance(70) && !model_[payer].pinVerified) verifyPin(payer, true);
    sessions_.push_back(std::move(s));
    return *sessions_.back();
  }

  // ---- the random operations ------------------------------------------------------------

  void opLoad() {
    const std::size_t i = anyHome();
    const Amount amount = static_cast<Amount>(chance(85) ? uniform(1, 30000) : uniform(30001, 100000));
    load(i, amount, chance(5));
  }

  void opUnload() {
    const std::size_t i = anyHome();
    const Amount balance = model_[i].balance;
    const Amount amount = static_cast<Amount>(balance > 0 && chance(85) ? uniform(1, balance) : uniform(balance + 1, balance + 5000));
    unload(i, amount, chance(90), chance(5));
  }

  void opTransfer() {
    const std::size_t payer = anyHome();
    const std::size_t payee = chance(3) ? payer : otherHome(payer);
    Session& s = newSession(payer, payee);
    advance(s, chance(55) ? 5 : static_cast<int>(uniform(1, 4)));
  }

  void opContinue() {
    if (sessions_.empty()) return opTransfer();
    Session& s = *sessions_[uniform(0, sessions_.size() - 1)];
    note("continue #" + std::to_string(s.number));
    advance(s, static_cast<int>(uniform(1, 3)));
  }

  void opDuplicate() {
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

  void opAbort() {
    const std::size_t i = anyHome();
    abortPurse(i);
    if (chance(50)) abortPurse(otherHome(i));
    count("aborts");
  }

  // Mostly a purse in a transfer, whose power-up abort writes (and so can be torn itself).
  void opPowerCycle() {
    std::vector<std::size_t> busy;
    for (std::size_t i = 0; i < kHome; ++i) {
      if (model_[i].state != ProtocolStatus::kIdle) busy.push_back(i);
    }
    const std::size_t i = !busy.empty() && chance(70) ? busy[uniform(0, busy.size() - 1)] : anyHome();
    powerCycle(i, chance(40));
  }

  void opVerify() {
    const std::size_t i = anyHome();
    verifyPin(i, !(model_[i].pinTries >= 2 && chance(15)));
  }

  void opRecover() {
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

  // The foreign purse tries to pay or be paid by one of ours: both sides refuse at START, and
  // nothing of it may reach any log. Sometimes a genuine message is relayed to it as well.
  void opForeign() {
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

  // Tears the next command of a chosen purse at a random write, then does something that sends
  // that purse commands: a step of a transfer it is in, a new transfer, a load, an unload, an
  // ABORT or an exception-log clear.
  void opTear() {
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

  void randomOperation() {
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

  // ---- exception logs: archive, clear ---------------------------------------------------

  // Every record read goes into the archive, keyed by pd, with the purse that logged it.
  void archive(std::size_t i, const std::vector<ExceptionRecord>& records) {
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

  std::uint64_t lostValue() const {
    std::uint64_t lost = 0;
    for (const auto& [key, e] : archive_) {
      if (e.payerLogged && e.payeeLogged) lost += e.pd.value;
    }
    return lost;
  }

  // Archive the purse's exception records as READ RECORD returns them, then clear them (all,
  // or some) with the issuer's order naming them and their digest.
  void clearExceptions(std::size_t i) {
    auto raw = client(i).readRawRecords(protocol::kSfiExceptionLog);
    MODEL_CHECK(raw.isOk(), name(i) << ": read exception log: " << raw.error().toString());
    std::vector<ExceptionRecord> records;
    for (const Bytes& b : *raw) records.push_back(need(ExceptionRecord::decode(b), "exception record"));
    MODEL_CHECK(records == model_[i].exceptions, name(i) << ": exception log is not the model's before clearing");
    archive(i, records);
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

  void housekeeping() {
    for (std::size_t i = 0; i < kHome; ++i) {
      if (threshold_[i] == 0) threshold_[i] = static_cast<std::size_t>(uniform(3, kExceptionCapacity));
      if (model_[i].exceptions.size() >= threshold_[i]) clearExceptions(i);
    }
  }

  // Every purse idle: an ABORT or a power cycle for each one in a transfer.
  void checkpoint() {
    for (std::size_t i = 0; i < kPurses; ++i) {
      if (model_[i].state == ProtocolStatus::kIdle) continue;
      if (chance(50)) {
        abortPurse(i);
      } else {
        powerCycle(i, false);
      }
    }
    count("checkpoints");
  }

  // ---- the checks after every step ------------------------------------------------------

  void checkEverything() {
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

  // The chain verifies, and every record is the one the model appended.
  void checkTransactionLog(std::size_t i) {
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

  // ---- state ----------------------------------------------------------------------------

  Options options_;
  std::mt19937_64 rng_;
  int step_ = 0;
  std::ostringstream current_;
  std::deque<std::string> history_;
  std::map<std::string, int> stats_;

  std::vector<std::unique_ptr<TestIssuer>> issuers_;
  PurseInfo purses_[kPurses];
  PurseState model_[kPurses];
  std::size_t threshold_[kPurses] = {};
  std::uint64_t loaded_ = 0;
  std::uint64_t unloaded_ = 0;
  std::uint64_t foreignLoaded_ = 0;
  Amount foreignBalance_ = 0;

  std::vector<std::unique_ptr<Session>> sessions_;
  int sessionCount_ = 0;
  std::deque<Delivered> delivered_;
  std::optional<PendingTear> pendingTear_;
  std::map<Bytes, ArchiveEntry> archive_;
  std::map<Bytes, Truth> truth_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(purse_model)

BOOST_AUTO_TEST_CASE(random_operations_keep_the_model_and_the_mondex_properties) {
  Options options;
  try {
    options = parseOptions();
  } catch (const std::exception& e) {
    BOOST_FAIL(e.what());
  }
  const auto started = std::chrono::steady_clock::now();
  ModelRun run(options);
  const std::string failure = run.execute();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "purse_model_test: seed=" << options.seed << " steps=" << options.steps << " in " << seconds << " s\n"
            << run.statistics() << std::flush;
  BOOST_TEST(failure.empty(), failure);
  if (!failure.empty()) return;

  // The default run must actually exercise what it claims to: tears that took effect and tears
  // that did not, value definitely lost and recovered in the accounts, clears, foreign
  // refusals, and the limits and states the purses refuse.
  if (options.seed == kDefaultSeed && options.steps >= kDefaultSteps) {
    BOOST_TEST(run.stat("transfers acknowledged") >= 100);
    BOOST_TEST(run.stat("tears: took effect") >= 5);
    BOOST_TEST(run.stat("tears: did not take effect") >= 10);
    BOOST_TEST(run.stat("tears in the power-up") >= 1);
    BOOST_TEST(run.stat("exception clears") >= 5);
    BOOST_TEST(run.stat("foreign attempts") >= 20);
    BOOST_TEST(run.stat("duplicates") >= 50);
    BOOST_TEST(run.stat("property 2 checks") >= kDefaultSteps / kCheckpointEvery);
    BOOST_TEST(run.stat("refused 6985") >= 50);
    BOOST_TEST(run.stat("refused 9401") >= 1);
    BOOST_TEST(run.stat("refused 9402") >= 1);
    BOOST_TEST(run.stat("refused 9403") >= 1);
    BOOST_TEST(run.stat("refused 6982") >= 20);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
