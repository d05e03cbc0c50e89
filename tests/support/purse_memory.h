// A purse whose counters stand where no test could drive them with commands: its persistent
// memory (card/purse/purse_layout.h) written behind the applet's back.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>

#include "card/persistence/transaction_store.h"
#include "card/purse/purse_layout.h"
#include "card/runtime/card_os.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/raw_bytes.h"

namespace epurse::testing::checks {

inline Bytes u32(std::uint32_t v) {
  Bytes out;
  appendU32(out, v);
  return out;
}

// Writes `bytes` at `offset` of the purse's persistent memory as one transaction of the card's
// own store, behind the applet's back. The purse's region follows the card directory (it is
// the only applet).
inline void writePurseMemory(TestPurse& purse, std::size_t offset, const Bytes& bytes) {
  card::TransactionStore& store = purse.card().store();
  BOOST_TEST_REQUIRE(store.begin().isOk());
  BOOST_TEST_REQUIRE(store.write(card::CardOs::kDirectorySize + offset, bytes).isOk());
  BOOST_TEST_REQUIRE(store.commit().isOk());
}

// The same, then the card powered up again.
inline void patchPurse(TestPurse& purse, std::size_t offset, const Bytes& bytes) {
  writePurseMemory(purse, offset, bytes);
  purse.powerCycle();
}

}  // namespace epurse::testing::checks
