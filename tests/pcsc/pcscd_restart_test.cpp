// The PC/SC daemon itself dies in the middle of a transfer (SIGKILLed just before VAL, through
// epurse's test hook, when the payer has already debited): `epurse transfer` must say that value
// may be in flight (exit 10, with the recover command), and once a new pcscd runs and the card
// processes have found it again, `recover` accounts for every cent. Its own binary: it replaces
// the daemon that tests/pcsc/with-private-pcscd.sh started, so nothing else runs beside it.
#define BOOST_TEST_MODULE pcscd_restart_test
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "tests/support/epurse_value_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::value_cli;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  BOOST_TEST_REQUIRE(value != nullptr, name << " is not set: run through tests/pcsc/with-private-pcscd.sh");
  return value;
}

// The daemon started in place of the wrapper's; it lives until the test program ends.
std::unique_ptr<ChildProcess> replacementDaemon;

// A new pcscd on the wrapper's configuration, and a context on it that lists both readers.
std::unique_ptr<PcscContext> restartPcscd(const std::filesystem::path& dir) {
  auto daemon = ChildProcess::start({"pcscd", "--foreground", "--config", environment("EPURSE_PCSCD_CONFIG")},
                                    (dir / "pcscd-restarted.log").string());
  BOOST_TEST_REQUIRE(daemon.isOk(), why(daemon));
  replacementDaemon = std::make_unique<ChildProcess>(std::move(*daemon));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    auto context = PcscContext::establish();
    if (context) {
      auto names = (*context)->readerNames();
      if (names && names->size() == 2u) return std::move(*context);
    }
    BOOST_TEST_REQUIRE((std::chrono::steady_clock::now() < deadline), "the new pcscd did not show both readers in 10 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(pcscd_restart, ValueFixture)

BOOST_AUTO_TEST_CASE(pcscd_killed_before_val_is_exit_10_and_recover_accounts_for_the_value_after_a_restart) {
  const std::string pcscd = environment("EPURSE_PCSCD_PID");
  const std::uint32_t payerSeq = statusOf(*a).nextSeq;
  const long long total = balanceOf(*a) + balanceOf(*b);

  ::setenv("EPURSE_TEST_KILL_CARD", ("val:" + pcscd).c_str(), 1);
  const auto out = epurse({"transfer", "--from", "0", "--to", "1", "--amount", "1.00", "--json"});
  ::unsetenv("EPURSE_TEST_KILL_CARD");
  BOOST_TEST(out.exitCode == 10, out.out);
  const json j = parsed(out);
  BOOST_TEST(j["error"]["code"] == "recovery_needed", out.out);
  const std::string command = "epurse recover --from '" + readers[0] + "' --to '" + readers[1] + "'";
  BOOST_TEST(j["recover"]["command"] == command, out.out);
  BOOST_TEST(j["recover"]["pd"]["fromSeq"] == payerSeq);

  // No daemon: a clear "PC/SC is not running" (exit 3), nothing sent.
  const auto noDaemon = epurse({"status", "--reader", "0"});
  BOOST_TEST(noDaemon.exitCode == 3, noDaemon.out);

  context = restartPcscd(dir);
  waitFor(0, true);  // the card processes reconnect to the new vpcd on their own
  waitFor(1, true);
  const auto fate = recoverAndCheck(total, 100, payerSeq);
  BOOST_TEST((fate == terminal::TransferFate::kValueLost), "the debited 1.00 is not reported lost in transit");

  // And the readers work again for the next customer.
  const auto again = epurse({"transfer", "--from", "0", "--to", "1", "--amount", "1.00"});
  BOOST_TEST(again.exitCode == 0, again.out);
  BOOST_TEST(has(again.out, "Moved EUR 1.00"), again.out);
}

BOOST_AUTO_TEST_SUITE_END()
