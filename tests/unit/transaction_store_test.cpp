#define BOOST_TEST_MODULE transaction_store_test
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <random>

#include "card/persistence/transaction_store.h"
#include "tests/support/fault_injection_env.h"

using namespace epurse;
using namespace epurse::card;
using epurse::testing::CrashMode;
using epurse::testing::FaultInjectionEnv;

namespace {

constexpr std::size_t kCapacity = 4096;
const std::string kPath = "/card.img";

std::unique_ptr<TransactionStore> openStore(card::Env& env, TearInjector* tear = nullptr) {
  TransactionStore::Options options;
  options.capacityForNewImage = kCapacity;
  options.tear = tear;
  auto store = TransactionStore::open(env, kPath, options);
  BOOST_TEST_REQUIRE(store.isOk(), (store.isOk() ? "" : store.error().toString()));
  return std::move(*store);
}

Bytes memory(const TransactionStore& s) {
  auto v = s.read(0, s.capacity());
  return Bytes(v.begin(), v.end());
}

// One logical update made of three separate writes, like a debit that also logs and counts.
void writeTriple(TransactionStore& s, std::uint8_t tag) {
  BOOST_TEST_REQUIRE(s.begin().isOk());
  BOOST_TEST_REQUIRE(s.write(10, Bytes(8, tag)).isOk());
  BOOST_TEST_REQUIRE(s.write(2000, Bytes(100, static_cast<std::uint8_t>(tag + 1))).isOk());
  BOOST_TEST_REQUIRE(s.write(kCapacity - 4, Bytes(4, static_cast<std::uint8_t>(tag + 2))).isOk());
}

Bytes expectedAfterTriples(const std::vector<std::uint8_t>& tags) {
  Bytes m(kCapacity, 0);
  for (auto tag : tags) {
    std::fill(m.begin() + 10, m.begin() + 18, tag);
    std::fill(m.begin() + 2000, m.begin() + 2100, static_cast<std::uint8_t>(tag + 1));
    std::fill(m.end() - 4, m.end(), static_cast<std::uint8_t>(tag + 2));
  }
  return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(fresh_image_is_zeroed_and_generation_one) {
  FaultInjectionEnv env;
  auto s = openStore(env);
  BOOST_TEST(s->capacity() == kCapacity);
  BOOST_TEST(s->generation() == 1u);
  BOOST_TEST(memory(*s) == Bytes(kCapacity, 0));
  BOOST_TEST(env.contents(kPath).size() == TransactionStore::imageSize(kCapacity));
  BOOST_TEST(!env.fileExists(kPath + ".new"));
}

BOOST_AUTO_TEST_CASE(committed_transaction_survives_reopen) {
  FaultInjectionEnv env;
  {
    auto s = openStore(env);
    writeTriple(*s, 0x11);
    BOOST_TEST_REQUIRE(s->commit().isOk());
    BOOST_TEST(s->generation() == 2u);
  }
  auto s = openStore(env);
  BOOST_TEST(memory(*s) == expectedAfterTriples({0x11}));
  BOOST_TEST(s->generation() == 2u);
}

BOOST_AUTO_TEST_CASE(abort_restores_every_byte_and_reads_see_own_writes) {
  FaultInjectionEnv env;
  auto s = openStore(env);
  writeTriple(*s, 0x21);
  BOOST_TEST_REQUIRE(s->commit().isOk());
  const Bytes before = memory(*s);
  writeTriple(*s, 0x33);
  BOOST_TEST(s->read(10, 1)[0] == 0x33);  // the transaction sees its own writes
  s->abort();
  BOOST_TEST(!s->inTransaction());
  BOOST_TEST(memory(*s) == before);
  auto again = openStore(env);  // and nothing of it reached the image
  BOOST_TEST(memory(*again) == before);
}

BOOST_AUTO_TEST_CASE(writes_outside_a_transaction_and_nesting_are_refused) {
  FaultInjectionEnv env;
  auto s = openStore(env);
  const std::uint64_t ops = env.operations();
  auto w = s->write(0, Bytes{1});
  BOOST_TEST(!w.isOk());
  BOOST_TEST((w.error().code == ErrorCode::kInvalidArgument));
  BOOST_TEST_REQUIRE(s->begin().isOk());
  BOOST_TEST(!s->begin().isOk());
  BOOST_TEST(!s->write(kCapacity - 1, Bytes{1, 2}).isOk());  // out of range
  BOOST_TEST(!s->write(kCapacity + 10, Bytes{}).isOk());
  BOOST_CHECK_THROW(s->read(kCapacity, 1), std::out_of_range);
  s->abort();
  BOOST_TEST(!s->commit().isOk());  // nothing open
  BOOST_TEST(env.operations() == ops);  // no file I/O happened
  BOOST_TEST(memory(*s) == Bytes(kCapacity, 0));
}

BOOST_AUTO_TEST_CASE(empty_transaction_commits_without_io) {
  FaultInjectionEnv env;
  auto s = openStore(env);
  const auto ops = env.operations();
  BOOST_TEST_REQUIRE(s->begin().isOk());
  BOOST_TEST(s->commit().isOk());
  BOOST_TEST(env.operations() == ops);
  BOOST_TEST(s->generation() == 1u);
}

BOOST_AUTO_TEST_CASE(a_commit_is_one_write_and_one_sync) {
  FaultInjectionEnv env;
  auto s = openStore(env);
  const auto ops = env.operations();
  writeTriple(*s, 0x44);
  BOOST_TEST_REQUIRE(s->commit().isOk());
  BOOST_TEST(env.operations() - ops == 2u);
}

// Tear at every persistent write of a three-write transaction and its commit, under every
// crash mode: after power-up the memory is exactly the old state or exactly the new one, and
// the new one whenever commit returned.
BOOST_AUTO_TEST_CASE(tear_at_every_write_is_all_or_nothing) {
  int tornRuns = 0;
  for (CrashMode mode : epurse::testing::kAllCrashModes) {
    for (std::uint64_t n = 1;; ++n) {
      TearInjector tear;
      FaultInjectionEnv env(&tear);
      bool committed = false;
      bool torn = false;
      {
        auto s = openStore(env, &tear);
        writeTriple(*s, 0x51);
        BOOST_TEST_REQUIRE(s->commit().isOk());
        tear.arm(n);
        try {
          writeTriple(*s, 0x61);
          committed = s->commit().isOk();
        } catch (const PowerLost&) {
          torn = true;
        }
      }
      if (!torn) {
        BOOST_TEST(committed);
        BOOST_TEST(n == 6u);  // 3 applet writes + 1 slot write + 1 sync = 5 tear points
        break;
      }
      ++tornRuns;
      env.crash(mode, static_cast<std::uint32_t>(n));
      auto s = openStore(env);
      const Bytes got = memory(*s);
      const bool isOld = got == expectedAfterTriples({0x51});
      const bool isNew = got == expectedAfterTriples({0x51, 0x61});
      BOOST_TEST((isOld || isNew), "tear at write " << n << ", " << crashModeName(mode) << ": mixed state");
      // The new state can only appear if the slot write happened (tear at the sync).
      if (n <= 4) BOOST_TEST(isOld, "tear at write " << n << " before the slot write yet new state");
      // And it must still work afterwards.
      writeTriple(*s, 0x71);
      BOOST_TEST_REQUIRE(s->commit().isOk());
      auto again = openStore(env);
      BOOST_TEST(memory(*again)[10] == 0x71);
    }
  }
  BOOST_TEST(tornRuns == 5 * 4);
}

// A sequence of transactions with a tear at every write of the whole sequence: the state
// after power-up is the state after some prefix of the transactions, and that prefix holds
// every transaction whose commit had returned.
BOOST_AUTO_TEST_CASE(tear_anywhere_in_a_sequence_keeps_a_committed_prefix) {
  const std::vector<std::uint8_t> tags{0x10, 0x20, 0x30, 0x40};
  for (CrashMode mode : epurse::testing::kAllCrashModes) {
    for (std::uint64_t n = 1; n <= 5 * tags.size(); ++n) {
      TearInjector tear;
      FaultInjectionEnv env(&tear);
      std::size_t returned = 0;
      {
        auto s = openStore(env, &tear);
        tear.arm(n);
        try {
          for (auto tag : tags) {
            writeTriple(*s, tag);
            BOOST_TEST_REQUIRE(s->commit().isOk());
            ++returned;
          }
        } catch (const PowerLost&) {
        }
      }
      env.crash(mode, static_cast<std::uint32_t>(n * 7));
      auto s = openStore(env);
      const Bytes got = memory(*s);
      std::size_t matched = tags.size() + 1;
      for (std::size_t k = 0; k <= tags.size(); ++k) {
        if (got == expectedAfterTriples(std::vector<std::uint8_t>(tags.begin(), tags.begin() + k))) matched = k;
      }
      BOOST_TEST(matched <= tags.size(), "tear at " << n << " (" << crashModeName(mode) << "): not a prefix");
      BOOST_TEST(matched >= returned, "tear at " << n << ": a commit that returned was lost");
      BOOST_TEST(matched <= returned + 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(tear_while_creating_the_image_leaves_no_half_image) {
  for (std::uint64_t n = 1; n <= 2; ++n) {
    TearInjector tear;
    FaultInjectionEnv env(&tear);
    tear.arm(n);
    BOOST_CHECK_THROW(openStore(env, &tear), PowerLost);
    env.crash(CrashMode::kTearLastWrite, 3);
    BOOST_TEST(!env.fileExists(kPath));  // only the temporary file can be half written
    auto s = openStore(env);             // and the next start simply creates a fresh image
    BOOST_TEST(s->generation() == 1u);
  }
}

BOOST_AUTO_TEST_CASE(failed_commit_rolls_back_and_stops_writes_until_restart) {
  for (std::uint64_t failing = 1; failing <= 2; ++failing) {  // the slot write, then the sync
    FaultInjectionEnv env;
    auto s = openStore(env);
    writeTriple(*s, 0x0A);
    BOOST_TEST_REQUIRE(s->commit().isOk());
    const Bytes before = memory(*s);
    writeTriple(*s, 0x0B);
    env.failOperation(failing);
    auto c = s->commit();
    BOOST_TEST(!c.isOk());
    BOOST_TEST((c.error().code == ErrorCode::kIo));
    BOOST_TEST(memory(*s) == before);
    BOOST_TEST(!s->begin().isOk());  // the on-disk outcome is unknown: no more writes
    s.reset();
    auto again = openStore(env);
    const Bytes after = memory(*again);
    BOOST_TEST((after == before || after == expectedAfterTriples({0x0A, 0x0B})));
  }
}

BOOST_AUTO_TEST_CASE(corrupt_images_are_refused_and_never_overwritten) {
  const Bytes good = TransactionStore::freshImage(kCapacity);
  auto corruptWith = [&](Bytes image, const std::string& why) {
    FaultInjectionEnv env;
    env.setContents(kPath, image);
    TransactionStore::Options options;
    auto s = TransactionStore::open(env, kPath, options);
    BOOST_TEST(!s.isOk(), why);
    if (!s.isOk()) BOOST_TEST((s.error().code == ErrorCode::kCorrupt), why);
    BOOST_TEST(env.contents(kPath) == image, why << ": the file was changed");
  };
  corruptWith(Bytes{}, "empty file");
  corruptWith(Bytes(100, 0x41), "not an image");
  Bytes wrongVersion = good;
  wrongVersion[11] = 9;
  corruptWith(wrongVersion, "unknown version");
  Bytes truncated = good;
  truncated.resize(good.size() - 1);
  corruptWith(truncated, "truncated");
  Bytes bothBad = good;
  bothBad[TransactionStore::kFileHeaderSize + TransactionStore::kSlotHeaderSize + 5] ^= 0x01;  // slot 0 data
  corruptWith(bothBad, "slot 0 flipped bit, slot 1 never written");
}

BOOST_AUTO_TEST_CASE(one_damaged_slot_falls_back_to_the_other) {
  FaultInjectionEnv env;
  {
    auto s = openStore(env);
    writeTriple(*s, 0x01);  // generation 2 lands in slot 1
    BOOST_TEST_REQUIRE(s->commit().isOk());
  }
  Bytes image = env.contents(kPath);
  const std::size_t slot1 = TransactionStore::kFileHeaderSize + TransactionStore::kSlotHeaderSize + kCapacity;
  image[slot1 + TransactionStore::kSlotHeaderSize + 10] ^= 0xFF;
  env.setContents(kPath, image);
  auto s = openStore(env);
  BOOST_TEST(s->generation() == 1u);
  BOOST_TEST(memory(*s) == Bytes(kCapacity, 0));
}

BOOST_AUTO_TEST_CASE(posix_env_persists_and_locks_out_a_second_process) {
  const auto dir = std::filesystem::temp_directory_path() / ("epurse-store-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "card.img").string();
  {
    auto s = TransactionStore::open(card::Env::posix(), path, {});
    BOOST_TEST_REQUIRE(s.isOk());
    auto second = TransactionStore::open(card::Env::posix(), path, {});
    BOOST_TEST(!second.isOk());
    BOOST_TEST((second.error().code == ErrorCode::kBusy));
    BOOST_TEST_REQUIRE((*s)->begin().isOk());
    BOOST_TEST_REQUIRE((*s)->write(100, toBytes("persisted")).isOk());
    BOOST_TEST_REQUIRE((*s)->commit().isOk());
  }
  auto s = TransactionStore::open(card::Env::posix(), path, {});
  BOOST_TEST_REQUIRE(s.isOk());
  auto v = (*s)->read(100, 9);
  BOOST_TEST((Bytes(v.begin(), v.end()) == toBytes("persisted")));
  BOOST_TEST(std::filesystem::file_size(path) == TransactionStore::imageSize(TransactionStore::kDefaultCapacity));
  s = makeError(ErrorCode::kInternal, "closed");
  std::filesystem::remove_all(dir);
}

// A card image holds the card's private key and PIN: owner-only, even under umask 0.
BOOST_AUTO_TEST_CASE(a_new_card_image_and_its_lock_are_owner_only_whatever_the_umask) {
  const auto dir = std::filesystem::temp_directory_path() / ("epurse-store-mode-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "card.img").string();
  const mode_t before = ::umask(0);
  {
    auto s = TransactionStore::open(card::Env::posix(), path, {});
    ::umask(before);
    BOOST_TEST_REQUIRE(s.isOk());
    const auto modeOf = [](const std::string& p) {
      return static_cast<unsigned>(std::filesystem::status(p).permissions() & std::filesystem::perms::all);
    };
    BOOST_TEST(modeOf(path) == 0600u);
    BOOST_TEST(modeOf(path + ".lock") == 0600u);
  }
  std::filesystem::remove_all(dir);
}
