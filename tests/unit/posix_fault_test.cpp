// The purse card on a real file through the real PosixEnv, with the file system failing under
// it: a short pwrite at each write of a LOAD's commit, EIO from each fdatasync, a full disk
// (ENOSPC). Each time the card answers 6581 (memory failure) to the LOAD, refuses to write
// again until restarted, and after a restart on the plain PosixEnv holds exactly its state
// from before the LOAD (balance, logs, sequence numbers: the whole persistent memory) and
// takes the next LOAD.
#define BOOST_TEST_MODULE posix_fault_test
#include <boost/test/unit_test.hpp>

#include <functional>
#include <optional>

#include "apdu/status_word.h"
#include "card/persistence/tear_injector.h"
#include "card/persistence/transaction_store.h"
#include "card/purse/purse_applet.h"
#include "card/runtime/card_os.h"
#include "card/runtime/in_process_channel.h"
#include "protocol/purse_commands.h"
#include "tests/support/faulty_posix_env.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/test_printing.h"

namespace epurse::testing {
namespace {

constexpr protocol::Amount kStart = 5000;
constexpr protocol::Amount kLoad = 700;

// The store, card OS and purse applet on a file, rebuilt from it at every power-up exactly as
// a new epurse-card process builds them.
class RealFilePurse {
 public:
  explicit RealFilePurse(std::string path) : path_(std::move(path)) { powerUp(card::Env::posix()); }

  void powerUp(card::Env& env) {
    os_.reset();
    store_.reset();  // first: its lock must go before the image is opened again
    card::TransactionStore::Options options;
    options.capacityForNewImage = card::CardOs::capacityFor(card::PurseApplet().persistentSize());
    auto store = card::TransactionStore::open(env, path_, options);
    BOOST_TEST_REQUIRE(store.isOk(), "open: " << why(store));
    store_ = std::move(*store);
    os_ = std::make_unique<card::CardOs>(*store_, card::CardConfig{});
    const Status installed =
        os_->install(Bytes(protocol::kPurseAid.begin(), protocol::kPurseAid.end()), std::make_unique<card::PurseApplet>());
    BOOST_TEST_REQUIRE(installed.isOk(), why(installed));
    const Status started = os_->start();
    BOOST_TEST_REQUIRE(started.isOk(), why(started));
    os_->powerOn();
    if (channel_) {
      channel_->rebind(*os_);
    } else {
      channel_ = std::make_unique<card::InProcessChannel>(*os_);
      client_ = std::make_unique<host::PurseClient>(*channel_);
    }
    const auto selected = client_->select();
    BOOST_TEST_REQUIRE(selected.isOk(), why(selected));
  }

  host::PurseClient& client() { return *client_; }
  Bytes memory() const {
    const ByteView v = store_->read(0, store_->capacity());
    return Bytes(v.begin(), v.end());
  }
  protocol::PurseStatus status() {
    auto s = client_->status();
    BOOST_TEST_REQUIRE(s.isOk(), why(s));
    return *s;
  }

 private:
  std::string path_;
  std::unique_ptr<card::TransactionStore> store_;
  std::unique_ptr<card::CardOs> os_;
  std::unique_ptr<card::InProcessChannel> channel_;
  std::unique_ptr<host::PurseClient> client_;
};

struct World {
  TempDir dir;
  std::string path = dir.file("card.img");
  TestIssuer issuer;
  RealFilePurse purse{path};
  World() {
    PurseProfile profile;
    profile.id = testPurseId(1);
    issuer.personalise(purse.client(), profile);
    issuer.load(purse.client(), kStart);
  }
};

enum class AfterRestart { kOldState, kNewState };

Bytes fileRange(const std::string& path, std::uint64_t offset, std::size_t length) {
  auto file = card::Env::posix().openForUpdate(path);
  BOOST_TEST_REQUIRE(file.isOk(), why(file));
  auto all = (*file)->readAll();
  BOOST_TEST_REQUIRE(all.isOk(), why(all));
  BOOST_TEST_REQUIRE(offset + length <= all->size());
  const auto from = all->begin() + static_cast<std::ptrdiff_t>(offset);
  return Bytes(from, from + static_cast<std::ptrdiff_t>(length));
}

// One LOAD through `env` with the fault `arm` sets; after the restart, the state it must have.
// The failed commit's slot is in the file whole when every byte that did not reach it was
// already there (a short write that left out only bytes the slot held, or a sync that failed
// after the page cache took the write): then the whole LOAD, otherwise none of it. Nothing
// when the LOAD never reached the fault (fewer writes or syncs than asked).
std::optional<AfterRestart> loadUnderFault(World& w, FaultyPosixEnv& env, const std::function<void()>& arm,
                                           const std::string& where) {
  w.purse.powerUp(env);
  const Bytes before = w.purse.memory();
  const auto was = w.purse.status();
  auto log = w.purse.client().readTransactionLog();
  BOOST_TEST_REQUIRE(log.isOk(), why(log));
  const CommandApdu order = w.issuer.loadOrder(w.purse.client(), kLoad);
  arm();
  const auto answer = w.purse.client().send(order);
  BOOST_TEST_REQUIRE(answer.isOk(), where << ": " << why(answer));
  if (!env.faultFired()) {
    BOOST_TEST((answer->sw() == sw::kSuccess), where << ": LOAD without a fault answers " << swHex(answer->sw()));
    return std::nullopt;
  }
  BOOST_TEST((answer->sw() == sw::kMemoryFailure), where << ": LOAD answers " << swHex(answer->sw()) << ", not 6581");
  const auto retry = w.purse.client().send(order);
  BOOST_TEST_REQUIRE(retry.isOk(), why(retry));
  BOOST_TEST((retry->sw() == sw::kMemoryFailure), where << ": the failed card took a write: " << swHex(retry->sw()));

  BOOST_TEST_REQUIRE(!env.writes().empty());
  const Bytes& attempted = env.writes().back().data;
  const AfterRestart expect = fileRange(w.path, env.writes().back().offset, attempted.size()) == attempted
                                  ? AfterRestart::kNewState
                                  : AfterRestart::kOldState;
  w.purse.powerUp(card::Env::posix());
  const auto now = w.purse.status();
  if (expect == AfterRestart::kOldState) {
    BOOST_TEST((w.purse.memory() == before), where << ": persistent memory changed by a failed LOAD");
    BOOST_TEST(now.balance == was.balance, where);
    BOOST_TEST(now.loadCounter == was.loadCounter, where);
  } else {  // the write reached the file before the sync failed: the whole LOAD, or nothing
    BOOST_TEST_REQUIRE(attempted.size() > before.size());
    const Bytes after(attempted.end() - static_cast<std::ptrdiff_t>(before.size()), attempted.end());
    BOOST_TEST((w.purse.memory() == after), where << ": not the state the failed commit wrote");
    BOOST_TEST(now.balance == was.balance + kLoad, where);
    BOOST_TEST(now.loadCounter == was.loadCounter + 1, where);
  }
  BOOST_TEST(now.nextSeq == was.nextSeq, where);
  BOOST_TEST(now.logAppended == was.logAppended + (expect == AfterRestart::kNewState ? 1u : 0u), where);
  auto logNow = w.purse.client().readTransactionLog();
  BOOST_TEST_REQUIRE(logNow.isOk(), why(logNow));
  if (expect == AfterRestart::kOldState) BOOST_TEST(logNow->size() == log->size(), where);

  w.issuer.load(w.purse.client(), kLoad);  // throws unless the restarted card takes it
  BOOST_TEST(w.purse.status().balance == now.balance + kLoad, where << ": the next LOAD did not count");
  return expect;
}

}  // namespace

// A short write that left out bytes the slot did not already hold leaves the old state; one
// that left out only bytes it held is the whole commit (kept: every prefix length but those).
BOOST_AUTO_TEST_CASE(short_write_at_each_write_of_a_commit_answers_6581_and_leaves_a_whole_state) {
  World w;
  int old = 0, whole = 0;
  for (std::uint64_t n = 1; n <= 8; ++n) {
    bool reached = false;
    for (std::size_t keep : {std::size_t{0}, std::size_t{1}, std::size_t{47}, std::size_t{48}, std::size_t{512},
                             std::size_t{4096}, std::size_t{1} << 20}) {  // the last: all but one byte
      FaultyPosixEnv env;
      const std::string where = "write " + std::to_string(n) + " short at " + std::to_string(keep) + " bytes";
      const auto got = loadUnderFault(w, env, [&] { env.shortWriteAt(n, keep); }, where);
      reached = got.has_value();
      if (got) ++(*got == AfterRestart::kOldState ? old : whole);
      if (got && keep < 48) BOOST_TEST((*got == AfterRestart::kOldState), where << ": a torn slot header loaded");
    }
    if (!reached) break;
  }
  BOOST_TEST_MESSAGE("short writes: " << old << " left the old state, " << whole << " the whole new one");
  BOOST_TEST(old >= 4);
}

BOOST_AUTO_TEST_CASE(eio_on_each_sync_answers_6581_and_keeps_the_old_state) {
  World w;
  int faults = 0;
  for (std::uint64_t n = 1; n <= 8; ++n) {
    FaultyPosixEnv env;
    const std::string where = "sync " + std::to_string(n) + " fails, writes lost";
    const auto got = loadUnderFault(w, env, [&] { env.failSyncAt(n, true); }, where);
    if (!got) break;
    BOOST_TEST((*got == AfterRestart::kOldState), where);
    ++faults;
  }
  BOOST_TEST(faults >= 1);
}

// fdatasync failed, but the page cache kept the write: the card said 6581, yet after the
// restart the whole LOAD is there. All or nothing still; the issuer sees the load counter.
BOOST_AUTO_TEST_CASE(eio_on_sync_with_the_write_kept_leaves_the_whole_new_state) {
  World w;
  FaultyPosixEnv env;
  const auto got = loadUnderFault(w, env, [&] { env.failSyncAt(1, false); }, "sync 1 fails, write kept");
  BOOST_TEST_REQUIRE(got.has_value());
  BOOST_TEST((*got == AfterRestart::kNewState));
}

BOOST_AUTO_TEST_CASE(disk_full_answers_6581_and_keeps_the_old_state) {
  World w;
  FaultyPosixEnv env;
  const auto got = loadUnderFault(w, env, [&] { env.diskFullFromWrite(1); }, "ENOSPC");
  BOOST_TEST_REQUIRE(got.has_value());
  BOOST_TEST((*got == AfterRestart::kOldState));
}

// The power goes inside the LOAD's slot write, at each sector boundary of it, with the rest of
// the write left old or garbled: after power-up the purse holds the state before the LOAD or
// the whole LOAD (only when every byte of the slot is the new one), and takes the next LOAD.
BOOST_AUTO_TEST_CASE(power_cut_at_each_sector_of_a_load_leaves_the_purse_whole) {
  World w;
  int old = 0, whole = 0;
  bool lastCut = false;
  for (std::size_t i = 0; !lastCut; ++i) {
    for (bool garble : {false, true}) {
      const std::string where = "cut " + std::to_string(i) + (garble ? " + garbage" : "");
      FaultyPosixEnv env;
      w.purse.powerUp(env);
      const Bytes before = w.purse.memory();
      const auto was = w.purse.status();
      const CommandApdu order = w.issuer.loadOrder(w.purse.client(), kLoad);
      env.cutPowerAtWrite(1, i, garble, static_cast<std::uint32_t>(i));
      BOOST_CHECK_THROW((void)w.purse.client().send(order), card::PowerLost);
      BOOST_TEST_REQUIRE(env.writes().size() == 1u);
      const auto& cut = env.writes().back();
      lastCut = i + 1 >= sectorCutPoints(cut.offset, cut.data.size()).size();
      const bool isNew = fileRange(w.path, cut.offset, cut.data.size()) == cut.data;
      w.purse.powerUp(card::Env::posix());
      const Bytes after(cut.data.end() - static_cast<std::ptrdiff_t>(before.size()), cut.data.end());
      BOOST_TEST((w.purse.memory() == (isNew ? after : before)), where << ": neither the old state nor the new one");
      BOOST_TEST(w.purse.status().balance == was.balance + (isNew ? kLoad : 0), where);
      ++(isNew ? whole : old);
      w.issuer.load(w.purse.client(), kLoad);  // throws unless the card takes it
    }
  }
  BOOST_TEST_MESSAGE("power cuts inside the LOAD: " << old << " left the old state, " << whole << " the whole LOAD");
  BOOST_TEST(old >= 2);
  BOOST_TEST(whole >= 1);  // at least the cut after the last byte
}

// A new card on a full disk: no image, an I/O error, and the next start on a disk with room
// makes a good one.
BOOST_AUTO_TEST_CASE(disk_full_at_image_creation_leaves_no_image) {
  TempDir dir;
  const std::string path = dir.file("card.img");
  FaultyPosixEnv env;
  env.diskFullFromWrite(1);
  auto store = card::TransactionStore::open(env, path, {});
  BOOST_TEST_REQUIRE(!store.isOk());
  BOOST_TEST((store.error().code == ErrorCode::kIo), store.error().toString());
  BOOST_TEST(!card::Env::posix().fileExists(path));
  RealFilePurse purse(path);
  BOOST_TEST((purse.status().lifeCycle == protocol::LifeCycle::kBlank));
}

}  // namespace epurse::testing
