// Clone and rollback detection: a card image copied, or put back to an older state, and spent
// again. Once both histories are seen the purse is flagged, revoked, and the value spent
// beyond what it had is reported exactly; the report's identity still adds up.
#define BOOST_TEST_MODULE issuer_books_clone_test
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "card/purse/purse_layout.h"
#include "tests/support/issuer_books_fixture.h"
#include "tests/support/purse_memory.h"

using namespace epurse;
using namespace epurse::testing;
using issuer::ledger::FindingKind;

namespace {

// A second card whose memory is a copy of `original`'s as it is now.
std::unique_ptr<TestPurse> copyOf(TestPurse& original) {
  auto copy = std::make_unique<TestPurse>();
  copy->card().env().setContents(InMemoryCard::kImagePath, original.image());
  copy->powerCycle();
  return copy;
}

bool revoked(BooksFixture& f, const protocol::PurseId& id) {
  auto latest = f.books().latestRevocation();
  return latest.isOk() && latest->has_value() &&
         std::count((*latest)->list.revoked.begin(), (*latest)->list.revoked.end(), id) == 1;
}

std::size_t findingsOf(const issuer::IngestOutcome& o, FindingKind kind) {
  return std::count_if(o.findings.begin(), o.findings.end(), [&](const auto& x) { return x.kind == kind; });
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_copies_spending_are_flagged_revoked_and_the_excess_reported) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  auto c = f.issue(3);
  f.load(*a, 10000);
  f.collect(*a);
  auto copy = copyOf(*a);
  pay(*a, *b, 6000);
  pay(*copy, *c, 7000);
  auto first = f.collect(*a);
  BOOST_TEST(first.findings.empty());
  auto second = f.collect(*copy);
  BOOST_TEST_REQUIRE(findingsOf(second, FindingKind::kFork) == 1u);
  BOOST_TEST(second.revoked);
  BOOST_TEST(revoked(f, testPurseId(1)));
  // 6000 + 7000 spent from a purse that had 10000 at the fork: 3000 beyond.
  BOOST_TEST(second.findings.front().valueAtRisk == 3000u);
  f.collect(*b);
  f.collect(*c);
  auto r = f.euro();
  BOOST_TEST(r.flaggedPurses == 1u);
  BOOST_TEST(r.valueAtRisk == 3000);
  BOOST_TEST(r.copiesCredits == 7000);  // c's credit from the copy has no debit in a's books
  BOOST_TEST(r.identityDifference == 0);
}

BOOST_AUTO_TEST_CASE(a_copy_never_collected_is_found_by_its_payees_sequence_numbers) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  auto c = f.issue(3);
  f.load(*a, 10000);
  auto copy = copyOf(*a);
  pay(*a, *b, 2000);
  pay(*copy, *c, 2500);  // the same payer sequence number, another payee
  f.collect(*b);
  auto found = f.collect(*c);
  BOOST_TEST_REQUIRE(findingsOf(found, FindingKind::kDuplicateSeq) == 1u);
  BOOST_TEST(found.findings.front().purseId == testPurseId(1));
  BOOST_TEST(found.revoked);
  BOOST_TEST(revoked(f, testPurseId(1)));
}

BOOST_AUTO_TEST_CASE(an_older_image_put_back_and_spent_again_is_flagged_with_the_value_spent_twice) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  f.load(*a, 5000);
  const Bytes saved = a->image();
  pay(*a, *b, 4000);
  f.collect(*a);
  a->card().env().setContents(InMemoryCard::kImagePath, saved);  // back to 5000
  a->powerCycle();
  pay(*a, *b, 3000);
  auto found = f.collect(*a);
  BOOST_TEST_REQUIRE(findingsOf(found, FindingKind::kFork) == 1u);
  // 4000 + 3000 spent of 5000.
  BOOST_TEST(found.findings.front().valueAtRisk == 2000u);
  BOOST_TEST(found.revoked);
  f.collect(*b);
  BOOST_TEST(f.euro().identityDifference == 0);
}

BOOST_AUTO_TEST_CASE(an_older_image_put_back_is_a_rollback_at_the_next_collection) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  f.load(*a, 5000);
  const Bytes saved = a->image();
  pay(*a, *b, 1000);
  f.collect(*a);
  a->card().env().setContents(InMemoryCard::kImagePath, saved);
  a->powerCycle();
  auto found = f.collect(*a);
  BOOST_TEST(findingsOf(found, FindingKind::kRollback) == 1u);
  BOOST_TEST(found.revoked);
  // An old export of the same card imported later is stale, not a rollback.
  BooksFixture g;
  auto x = g.issue(1);
  g.load(*x, 100);
  auto old = g.read(*x);
  g.load(*x, 100);
  g.collect(*x);
  auto stale = g.ingest(old, false);
  BOOST_TEST_REQUIRE(stale.isOk());
  BOOST_TEST(stale->findings.empty());
}

BOOST_AUTO_TEST_CASE(records_overwritten_before_collection_are_a_gap_and_the_identity_still_holds) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  f.load(*a, 50000);
  f.collect(*a);
  for (int i = 0; i < 14; ++i) pay(*a, *b, 100, static_cast<std::uint8_t>(i));  // 28 records
  f.load(*a, 1000);
  for (int i = 0; i < 3; ++i) pay(*a, *b, 100, static_cast<std::uint8_t>(20 + i));  // the ring holds 32
  auto found = f.collect(*a);
  BOOST_TEST(findingsOf(found, FindingKind::kGap) == 1u);
  BOOST_TEST(!found.revoked);
  f.collect(*b);
  BOOST_TEST(f.euro().identityDifference == 0);
}

// An edited image raising its own balance: the card signs and chains every record it writes,
// so only the arithmetic shows it: a record's balance that does not follow from the one before.
BOOST_AUTO_TEST_CASE(a_balance_raised_in_the_card_image_is_unexplained_by_exactly_the_excess) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  f.load(*a, 5000);
  f.collect(*a);
  checks::patchPurse(*a, card::purse_layout::kBalance, checks::u32(9000));  // 4000 minted
  pay(*a, *b, 1000);
  auto found = f.collect(*a);
  BOOST_TEST_REQUIRE(findingsOf(found, FindingKind::kUnexplained) == 1u);
  auto it = std::find_if(found.findings.begin(), found.findings.end(),
                         [](const auto& x) { return x.kind == FindingKind::kUnexplained; });
  BOOST_TEST(it->valueAtRisk == 4000u);  // says 8000 where 5000 - 1000 explains 4000
  BOOST_TEST(found.revoked);
}

// Someone with the issuer's key (stolen, or an insider) signs a load the books never
// authorised and applies it: the card accepts it, as it must, but its collection finds the
// load record matching no order, with exactly its value at risk, and the purse is flagged.
BOOST_AUTO_TEST_CASE(a_load_signed_outside_the_books_is_unexplained_by_exactly_its_value) {
  BooksFixture f;
  auto a = f.issue(1);
  f.load(*a, 1000);
  BOOST_TEST_REQUIRE(f.collect(*a).findings.empty());

  const auto status = a->status();
  const protocol::ValueOrder rogue{status.loadCounter, 7000, status.currency, kToday};
  (void)checks::expectOk(*a, checks::required(f.issuer().signer().load(status.purseId, rogue), "the rogue load"),
                         "LOAD signed outside the books");
  BOOST_TEST_REQUIRE(a->status().balance == 8000u);

  auto found = f.collect(*a);
  BOOST_TEST_REQUIRE(findingsOf(found, FindingKind::kUnexplained) == 1u);
  const auto it = std::find_if(found.findings.begin(), found.findings.end(),
                               [](const auto& x) { return x.kind == FindingKind::kUnexplained; });
  BOOST_TEST(it->valueAtRisk == 7000u);
  BOOST_TEST(it->detail.find("matches no order") != std::string::npos, it->detail);
  BOOST_TEST(f.euro().flaggedPurses == 1u);
  BOOST_TEST(f.euro().valueAtRisk == 7000);
}
