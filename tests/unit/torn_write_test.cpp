// Power cuts INSIDE a write, on a real file through the real PosixEnv: a disk stores whole
// 512-byte sectors, so a cut leaves a sector-aligned prefix of the write, or that prefix and
// garbage after it. Every such cut of every slot write (both slots), then SQLite's crash
// modes (src/test6.c) for the writes not yet synced when the power went. Each time, after
// power-up: the store opens (never bricked), holds exactly the old state or exactly the new
// one, and its next commit works.
#define BOOST_TEST_MODULE torn_write_test
#include <boost/test/unit_test.hpp>

#include "card/persistence/tear_injector.h"
#include "card/persistence/transaction_store.h"
#include "tests/support/faulty_posix_env.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::card;
using namespace epurse::testing;

namespace {

constexpr std::size_t kCapacity = 8192;  // a purse card's size: a slot write spans 17 sectors

std::unique_ptr<TransactionStore> openOn(Env& env, const std::string& path) {
  TransactionStore::Options options;
  options.capacityForNewImage = kCapacity;
  auto store = TransactionStore::open(env, path, options);
  BOOST_TEST_REQUIRE(store.isOk(), "open: " << why(store));
  return std::move(*store);
}

Bytes memoryOf(const TransactionStore& s) {
  const ByteView v = s.read(0, s.capacity());
  return Bytes(v.begin(), v.end());
}

Bytes fileBytes(const std::string& path) {
  auto file = Env::posix().openForUpdate(path);
  BOOST_TEST_REQUIRE(file.isOk(), why(file));
  auto all = (*file)->readAll();
  BOOST_TEST_REQUIRE(all.isOk(), why(all));
  return *all;
}

// The transaction every cut falls into: three writes, as a debit that also logs and counts.
void stage(TransactionStore& s, std::uint8_t tag) {
  BOOST_TEST_REQUIRE(s.begin().isOk());
  BOOST_TEST_REQUIRE(s.write(10, Bytes(8, tag)).isOk());
  BOOST_TEST_REQUIRE(s.write(3000, Bytes(600, static_cast<std::uint8_t>(tag + 1))).isOk());
  BOOST_TEST_REQUIRE(s.write(kCapacity - 4, Bytes(4, static_cast<std::uint8_t>(tag + 2))).isOk());
}

// An image `commits` transactions old, the states before and after one more, and where that
// commit writes (observed through the Env, not taken from the layout).
struct Scenario {
  Bytes image;
  Bytes oldMemory, newMemory;
  std::uint64_t slotOffset = 0, slotSize = 0;
};

constexpr std::uint8_t kTag = 0x40;

Scenario prepare(const std::string& path, int commits) {
  BOOST_TEST_REQUIRE(Env::posix().removeFile(path).isOk());
  Scenario sc;
  {
    auto s = openOn(Env::posix(), path);
    for (int i = 1; i <= commits; ++i) {
      stage(*s, static_cast<std::uint8_t>(i));
      BOOST_TEST_REQUIRE(s->commit().isOk());
    }
    sc.oldMemory = memoryOf(*s);
  }
  sc.image = fileBytes(path);
  FaultyPosixEnv env;
  auto s = openOn(env, path);
  stage(*s, kTag);
  sc.newMemory = memoryOf(*s);
  BOOST_TEST_REQUIRE(s->commit().isOk());
  BOOST_TEST_REQUIRE(env.writes().size() == 1u);  // a commit is one write and one sync
  sc.slotOffset = env.writes().back().offset;
  sc.slotSize = env.writes().back().data.size();
  return sc;
}

void restore(const std::string& path, const Bytes& image) {
  BOOST_TEST_REQUIRE(Env::posix().writeNewFile(path, image).isOk());
}

enum class Outcome { kOld, kNew, kMixed };

// Powers up on the plain PosixEnv: whole, and still working.
Outcome powerUp(const std::string& path, const Scenario& sc, const std::string& where) {
  Outcome out = Outcome::kMixed;
  {
    auto s = openOn(Env::posix(), path);
    const Bytes m = memoryOf(*s);
    if (m == sc.oldMemory) out = Outcome::kOld;
    if (m == sc.newMemory) out = Outcome::kNew;
    BOOST_TEST((out != Outcome::kMixed), where << ": memory is neither the old state nor the new one");
    stage(*s, 0x77);
    const Status next = s->commit();
    BOOST_TEST(next.isOk(), where << ": the next commit fails: " << why(next));
  }
  auto again = openOn(Env::posix(), path);
  BOOST_TEST((again->read(10, 1)[0] == 0x77), where << ": the next commit did not persist");
  return out;
}

const char* outcomeName(Outcome o) { return o == Outcome::kOld ? "old" : o == Outcome::kNew ? "new" : "mixed"; }

}  // namespace

// Both slots: after one commit the next goes to slot 0, after two to slot 1.
BOOST_AUTO_TEST_CASE(every_sector_cut_of_each_slot_write_leaves_old_or_new_state) {
  TempDir dir;
  const std::string path = dir.file("card.img");
  for (int commits : {1, 2}) {
    const Scenario sc = prepare(path, commits);
    const auto points = sectorCutPoints(sc.slotOffset, sc.slotSize);
    BOOST_TEST_REQUIRE(points.size() >= sc.slotSize / kSectorSize);
    for (std::size_t i = 0; i < points.size(); ++i) {
      for (bool garble : {false, true}) {
        const std::string where = "slot at " + std::to_string(sc.slotOffset) + ", cut at " +
                                  std::to_string(points[i]) + (garble ? " + garbage" : "");
        restore(path, sc.image);
        {
          FaultyPosixEnv env;
          auto s = openOn(env, path);
          stage(*s, kTag);
          env.cutPowerAtWrite(1, i, garble, static_cast<std::uint32_t>(i));
          BOOST_CHECK_THROW((void)s->commit(), PowerLost);
        }
        // Only the whole write makes the new state; any part of it leaves the old one.
        const Outcome expected = i + 1 == points.size() ? Outcome::kNew : Outcome::kOld;
        const Outcome got = powerUp(path, sc, where);
        BOOST_TEST((got == expected), where << ": " << outcomeName(got) << " state, expected " << outcomeName(expected));
      }
    }
  }
}

// The power goes at the fdatasync: the slot write is in the file but not yet durable.
BOOST_AUTO_TEST_CASE(unsynced_slot_write_dropped_kept_garbled_or_torn_leaves_old_or_new_state) {
  TempDir dir;
  const std::string path = dir.file("card.img");
  for (int commits : {1, 2}) {
    const Scenario sc = prepare(path, commits);
    for (CrashMode mode : kAllCrashModes) {
      for (std::uint32_t seed = 1; seed <= 6; ++seed) {
        const std::string where = "slot at " + std::to_string(sc.slotOffset) + ", " + crashModeName(mode) +
                                  ", seed " + std::to_string(seed);
        restore(path, sc.image);
        FaultyPosixEnv env;
        {
          auto s = openOn(env, path);
          stage(*s, kTag);
          env.cutPowerAtSync(1);
          BOOST_CHECK_THROW((void)s->commit(), PowerLost);
        }
        const Status crashed = env.crash(mode, seed);
        BOOST_TEST_REQUIRE(crashed.isOk(), why(crashed));
        const Outcome got = powerUp(path, sc, where);
        if (mode == CrashMode::kDropUnsynced || mode == CrashMode::kGarbleUnsynced) {
          BOOST_TEST((got == Outcome::kOld), where << ": " << outcomeName(got) << " state, expected old");
        } else if (mode == CrashMode::kKeepUnsynced) {
          BOOST_TEST((got == Outcome::kNew), where << ": " << outcomeName(got) << " state, expected new");
        }
      }
    }
  }
}

// The image is created under a temporary name and renamed: a cut anywhere in its one write
// leaves no card image, and the next power-up makes a fresh one.
BOOST_AUTO_TEST_CASE(every_sector_cut_of_the_new_image_write_leaves_no_half_image) {
  TempDir dir;
  const std::string path = dir.file("card.img");
  const auto points = sectorCutPoints(0, TransactionStore::imageSize(kCapacity));
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    for (bool garble : {false, true}) {
      const std::string where = "cut at " + std::to_string(points[i]) + (garble ? " + garbage" : "");
      BOOST_TEST_REQUIRE(Env::posix().removeFile(path).isOk());
      {
        FaultyPosixEnv env;
        env.cutPowerAtWrite(1, i, garble, static_cast<std::uint32_t>(i));
        TransactionStore::Options options;
        options.capacityForNewImage = kCapacity;
        BOOST_CHECK_THROW((void)TransactionStore::open(env, path, options), PowerLost);
      }
      BOOST_TEST(!Env::posix().fileExists(path), where << ": a half-written image is in place");
      auto s = openOn(Env::posix(), path);
      BOOST_TEST((memoryOf(*s) == Bytes(kCapacity, 0)), where);
      BOOST_TEST(s->generation() == 1u, where);
    }
  }
}
