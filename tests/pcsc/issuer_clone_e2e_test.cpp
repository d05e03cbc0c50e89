// A copied or restored card, found by epurse-issuer end to end: real epurse-card processes
// under a private pcscd, their image files copied (a clone) or put back (a rollback) between
// runs, exactly what an attacker with the card's memory can do, then `epurse-issuer collect`
// over PC/SC. The issuer must flag the purse, revoke it in the same collection, push the new
// list to the next card it collects, and that card must then refuse the copy.
#define BOOST_TEST_MODULE issuer_clone_e2e_test
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>

#include "tests/support/issuer_cli_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::issuer_cli;

namespace fs = std::filesystem;

namespace {

constexpr const char* kPurseA = "0102030405060701";
constexpr const char* kPurseB = "0102030405060702";

struct CloneFixture : IssuerCliFixture {
  std::unique_ptr<Card> a, b;

  // An issuer, A (50.00) and B personalised and collected once: the ledger knows both.
  CloneFixture() {
    initIssuer();
    a = plugDetached(0, "a.img");
    b = plugDetached(1, "b.img");
    personalize(*a, std::string(kPurseA));
    personalize(*b, std::string(kPurseB));
    load(*a, "50.00");
    collect(*a);
    collect(*b);
  }

  std::string image(const std::string& name) const { return (dir / name).string(); }

  // The card in `slot` taken out (SIGTERM: a clean stop), so its image can be copied.
  void takeOut(std::unique_ptr<Card>& card) { unplug(card, SIGTERM, 0); }

  void transferBetween(Card& payer, Card& payee, protocol::Amount value, std::uint8_t ref) {
    attach(payer);
    attach(payee);
    transfer(payer, payee, value, ref);
    detach(payer);
    detach(payee);
  }

  // The findings of one collection, by kind name.
  static std::vector<std::string> kindsOf(const json& collected) {
    std::vector<std::string> kinds;
    for (const auto& f : collected["findings"]) kinds.push_back(f["kind"].get<std::string>());
    return kinds;
  }
  static bool has(const std::vector<std::string>& kinds, const std::string& kind) {
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(issuer_clone_e2e, CloneFixture)

BOOST_AUTO_TEST_CASE(a_copied_card_image_that_spends_twice_is_a_fork_revoked_and_then_refused) {
  // The attacker copies A's memory (50.00), lets A spend 30.00 to B, then spends 30.00 again
  // from the copy: both payments carry A's same sequence number, and together they spend
  // 10.00 more than A ever held.
  takeOut(a);
  fs::copy_file(image("a.img"), image("clone.img"));
  a = plugDetached(0, "a.img");
  transferBetween(*a, *b, 3000, 1);
  const json first = collect(*a);
  BOOST_TEST(first["findings"].empty(), first.dump());
  BOOST_TEST(first["revoked"] == false);

  takeOut(a);
  auto clone = plugDetached(0, "clone.img");
  BOOST_TEST(statusOf(*clone).balance == 5000u);  // the copy still holds the spent 30.00
  transferBetween(*clone, *b, 3000, 2);
  const json found = collect(*clone);
  const auto kinds = kindsOf(found);
  BOOST_TEST((has(kinds, "fork") || has(kinds, "duplicate sequence")), found.dump());
  BOOST_TEST(found["revoked"] == true, found.dump());
  // Value at risk: what the copies spent beyond what the purse held at the fork (docs/issuer.md).
  std::int64_t atRisk = 0;
  for (const auto& f : found["findings"]) atRisk += f["valueAtRiskMinorUnits"].get<std::int64_t>();
  BOOST_TEST(atRisk == 1000, found.dump());
  const json shown = issuerJson({"show", kPurseA});
  BOOST_TEST(shown["status"] == "revoked", shown.dump());

  // B receives the new revocation list at its next collection, and refuses the copy from then on.
  const json atB = collect(*b);
  BOOST_TEST(atB["revocationListPushed"] == true, atB.dump());
  attach(*clone);
  attach(*b);
  const auto bBefore = status(*b);
  auto refused = terminal::runTransfer(clone->purse(), b->purse(), 100, e2e::reference(3));
  BOOST_TEST(!refused.isOk(), "B took a payment from a revoked purse");
  BOOST_TEST(status(*b).balance == bBefore.balance);
  detach(*clone);
  detach(*b);

  // The report's identity still holds: the copy's credit at B is counted as copies' credits.
  const json report = issuerJson({"report"});
  BOOST_TEST(report["identityHolds"] == true, report.dump());
}

BOOST_AUTO_TEST_CASE(a_card_image_put_back_from_a_backup_is_a_rollback_and_revoked) {
  // A backup of A holding 50.00; A spends 10.00 to B and is collected; then the backup is put
  // back: the card claims 50.00 again, with a log behind the one the issuer holds.
  takeOut(a);
  fs::copy_file(image("a.img"), image("backup.img"));
  a = plugDetached(0, "a.img");
  transferBetween(*a, *b, 1000, 1);
  const json spent = collect(*a);
  BOOST_TEST(spent["findings"].empty(), spent.dump());

  takeOut(a);
  fs::copy_file(image("backup.img"), image("a.img"), fs::copy_options::overwrite_existing);
  a = plugDetached(0, "a.img");
  BOOST_TEST(statusOf(*a).balance == 5000u);
  const json found = collect(*a);
  const auto kinds = kindsOf(found);
  BOOST_TEST(has(kinds, "rollback"), found.dump());
  BOOST_TEST(found["revoked"] == true, found.dump());
  // Collected again: nothing new, still revoked, and the books still add up.
  auto human = issuer(signing({"collect", "--reader", readerArg(*a)}));
  BOOST_TEST(human.exitCode == 0, human.out);
  BOOST_TEST(human.out.find("0 new log records") != std::string::npos, human.out);
  const json shown = issuerJson({"show", kPurseA});
  BOOST_TEST(shown["status"] == "revoked", shown.dump());
  const json report = issuerJson({"report"});
  BOOST_TEST(report["identityHolds"] == true, report.dump());
}

BOOST_AUTO_TEST_SUITE_END()
