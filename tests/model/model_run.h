// One run of the purse model: the world of purses (five of one issuer, one foreign), the
// random steps (model_steps.cpp) and the operations they are made of (model_operations.cpp),
// the model's predictions for every command (model_predictions.cpp) and the checks after
// every step (model_invariants.cpp), all driven from one seed so a run can be replayed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "card/persistence/tear_injector.h"
#include "host/card_statements.h"
#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/transfer_messages.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/model/model_check.h"
#include "tests/model/purse_model.h"
#include "tests/support/purse_fixture.h"

namespace epurse::testing::model {

using protocol::CardCertificate;
using protocol::PurseId;
using protocol::SignedTransferMessage;
using protocol::StartOrder;
using protocol::TransferMessage;
using protocol::ValueOrder;

inline constexpr std::uint64_t kDefaultSeed = 20261123;
inline constexpr int kDefaultSteps = 3000;
inline constexpr std::size_t kHome = 5;                // purses of the issuer under test
inline constexpr std::size_t kForeign = kHome;         // index of the foreign issuer's purse
inline constexpr std::size_t kPurses = kHome + 1;
inline constexpr int kCheckpointEvery = 50;
inline constexpr std::size_t kHistory = 20;
inline constexpr std::size_t kMaxPendingSessions = 4;
inline constexpr std::size_t kMaxDelivered = 40;
inline constexpr const char* kPin = "1234";
inline constexpr const char* kWrongPin = "9999";

// The run's seed and length (purse_model_test -- --seed=N --steps=N).
struct Options {
  std::uint64_t seed = kDefaultSeed;
  int steps = kDefaultSteps;
};

// What happened to one command.
enum class Outcome { kAccepted, kRefused, kTornCommitted, kTornNotCommitted };
inline bool tookEffect(Outcome o) { return o == Outcome::kAccepted || o == Outcome::kTornCommitted; }

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

// The issuer's books watching a run (issuer_books_model_test): told of every value order of the
// issuer under test before it goes to the card and of its verified receipt, and asked to
// collect a purse before its exception log is cleared, at random moments, and every purse at
// each checkpoint, where every purse is idle and the model knows what the books must say.
// An observer reports a failure by throwing ModelFailure (MODEL_CHECK).
class BooksObserver {
 public:
  virtual ~BooksObserver() = default;
  // The issuer under test, before any purse is issued: the books are its.
  virtual void issuerReady(TestIssuer& issuer) = 0;
  virtual void purseIssued(const PurseId& id, const CardCertificate& cert, const PurseProfile& profile) = 0;
  // A handle for receiptArrived.
  virtual std::uint64_t orderAuthorised(const PurseId& id, const ValueOrder& order, bool isLoad) = 0;
  virtual void receiptArrived(std::uint64_t handle, const Bytes& responseData) = 0;
  virtual void collect(const std::string& name, host::PurseClient& purse) = 0;
  // After every home purse was collected at a checkpoint: what the model says they hold, the
  // value the issuer put in net (loads − unloads that took effect), and the value lost in
  // transit (every pd in both its payer's and its payee's exception log).
  virtual void checkpoint(std::int64_t inCards, std::int64_t netLoaded, std::int64_t lostInTransit) = 0;
};

class ModelRun {
 public:
  explicit ModelRun(Options options, BooksObserver* books = nullptr)
      : options_(options), rng_(options.seed), books_(books) {}

  // Runs every step; returns "" or the failure with its context.
  std::string execute();

  std::string statistics() const;
  int stat(const std::string& name) const;

  // What a reconciliation (the issuer's books against the purses) is to be checked against:
  // each purse's ID and the balance the model says it holds, the value loaded and unloaded,
  // and the value lost in transit (every pd that both its payer and its payee logged as an
  // exception, across exception-log clears).
  std::size_t purseCount() const { return kPurses; }
  bool isHome(std::size_t i) const { return i < kHome; }
  const PurseId& purseId(std::size_t i) const { return purses_[i].id; }
  const PurseState& expected(std::size_t i) const { return model_[i]; }
  Amount expectedBalance(std::size_t i) const { return model_[i].balance; }
  std::uint64_t loaded() const { return loaded_; }
  std::uint64_t unloaded() const { return unloaded_; }
  std::uint64_t valueLostInTransit() const { return lostValue(); }

 private:
  // ---- plumbing -------------------------------------------------------------------------

  std::string context(const std::string& what);
  void rememberStep();
  void note(const std::string& s) { current_ << s << "; "; }
  void count(const std::string& name) { ++stats_[name]; }

  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi);
  bool chance(int percent) { return static_cast<int>(uniform(0, 99)) < percent; }
  std::size_t anyHome() { return static_cast<std::size_t>(uniform(0, kHome - 1)); }
  std::size_t otherHome(std::size_t not_);

  TestPurse& card(std::size_t i) { return *purses_[i].card; }
  host::PurseClient& client(std::size_t i) { return purses_[i].card->client(); }
  const std::string& name(std::size_t i) { return purses_[i].name; }
  TestIssuer& issuerOf(std::size_t i) { return *issuers_[static_cast<std::size_t>(purses_[i].issuer)]; }

  std::optional<std::size_t> purseWithId(const PurseId& id) const;
  std::size_t purseWithCertificate(const Bytes& cert);

  Observed observe(std::size_t i);

  // ---- setup ----------------------------------------------------------------------------

  void setUp();

  // ---- delivering one command -----------------------------------------------------------

  // Sends one command to purse `i` by calling `send` (which returns the card's status word),
  // with the pending tear armed if it is this purse's turn. Checks the status word against the
  // prediction; a refusal must leave the image unchanged (unless `refusalMayWrite`, for a
  // wrong PIN). A power loss is resolved against the two legal states after power-up.
  Outcome deliver(std::size_t i, const std::string& what, const Prediction& p,
                  const std::function<sw::StatusWord()>& send, bool tearable = true, bool refusalMayWrite = false);

  // After a power loss in a command and the power-up: the purse is what it was, or what the
  // command made it, each followed by the power-up abort. Exactly those two are legal.
  bool resolveTear(std::size_t i, const PurseState& before, const PurseState& after);

  // ---- predictions ----------------------------------------------------------------------

  PaymentDetails issuerSide(std::size_t i, std::uint32_t counter, Amount amount, bool isLoad);

  Prediction predictValueOrder(std::size_t i, const ValueOrder& order, bool isLoad);

  // START FROM (asPayer) or START TO to purse x naming the purse whose certificate `order`
  // carries. `pd` receives the pd the purse must answer.
  Prediction predictStart(std::size_t x, bool asPayer, const StartOrder& order, PaymentDetails& pd);

  static ProtocolStatus stateFor(TransferMessage kind);

  // REQ, VAL or ACK to purse x: its state, its own pd, and the signature of the counterparty
  // it was started with, over this message's domain.
  Prediction predictMessage(std::size_t x, TransferMessage kind, const SignedTransferMessage& msg);

  Prediction predictAbort(std::size_t i);

  // ---- operations -----------------------------------------------------------------------

  void load(std::size_t i, Amount amount, bool stale);

  void unload(std::size_t i, Amount amount, bool verifyFirst, bool stale);

  // A torn LOAD or UNLOAD took effect exactly when the card's load counter moved past the order.
  void checkLoadCounter(std::size_t i, const ValueOrder& order, Outcome o);

  void checkReceipt(std::size_t i, const host::SignedReceipt& r, host::ReceiptKind kind, const ValueOrder& order);

  void verifyPin(std::size_t i, bool correct);

  void abortPurse(std::size_t i);

  void powerCycle(std::size_t i, bool tear);

  // The messages a session delivers, through its TransferSession.
  Outcome sendMessage(std::size_t x, TransferMessage kind, const SignedTransferMessage& msg,
                      terminal::TransferSession& via, std::optional<SignedTransferMessage>& answer,
                      const std::string& label);

  void rememberMessage(TransferMessage kind, const SignedTransferMessage& msg, std::size_t target);

  // One step of a session. The terminal stops the session at the first refusal or loss.
  void advance(Session& s);

  void advance(Session& s, int steps);

  void dropFinishedSessions();

  Amount pickValue();

  Session& newSession(std::size_t payer, std::size_t payee, std::optional<Amount> value = std::nullopt);

  // ---- the random operations ------------------------------------------------------------

  void opLoad();

  void opUnload();

  void opTransfer();

  void opContinue();

  void opDuplicate();

  void opAbort();

  // Mostly a purse in a transfer, whose power-up abort writes (and so can be torn itself).
  void opPowerCycle();

  void opVerify();

  void opRecover();

  // The foreign purse tries to pay or be paid by one of ours: both sides refuse at START, and
  // nothing of it may reach any log. Sometimes a genuine message is relayed to it as well.
  void opForeign();

  // Tears the next command of a chosen purse at a random write, then does something that sends
  // that purse commands: a step of a transfer it is in, a new transfer, a load, an unload, an
  // ABORT or an exception-log clear.
  void opTear();

  void randomOperation();

  // ---- exception logs: archive, clear ---------------------------------------------------

  // Every record read goes into the archive, keyed by pd, with the purse that logged it.
  void archive(std::size_t i, const std::vector<ExceptionRecord>& records);

  std::uint64_t lostValue() const;

  // Archive the purse's exception records as READ RECORD returns them, then clear them (all,
  // or some) with the issuer's order naming them and their digest.
  void clearExceptions(std::size_t i);

  void housekeeping();

  // Every purse idle: an ABORT or a power cycle for each one in a transfer.
  void checkpoint();

  // ---- the checks after every step ------------------------------------------------------

  void checkEverything();

  // The chain verifies, and every record is the one the model appended.
  void checkTransactionLog(std::size_t i);

  // ---- state ----------------------------------------------------------------------------

  Options options_;
  std::mt19937_64 rng_;
  BooksObserver* books_;  // not owned; null in purse_model_test
  void collectForBooks(std::size_t i);
  void opCollect();
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
  std::map<PdKey, ArchiveEntry> archive_;
  std::map<PdKey, Truth> truth_;
};

}  // namespace epurse::testing::model
