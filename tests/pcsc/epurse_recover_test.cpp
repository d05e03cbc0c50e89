// `epurse recover` through pcscd + vpcd against epurse-card processes: a transfer stopped by
// the test (terminal::TransferSession over its own connections) after each step, then the
// program ABORTs both purses and names the fate of the value with its pd, in words, in --json
// and by exit code; the balances show it told the truth.
#define BOOST_TEST_MODULE epurse_recover_test
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "tests/support/purse_end_to_end_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::e2e;
using nlohmann::json;

namespace {

constexpr Amount kLoaded = 5000;
constexpr Amount kValue = 1250;  // "EUR 12.50", below the no-PIN limit

enum class StopAfter { kNothing, kStartFrom, kStartTo, kReq, kVal };

struct RecoverFixture : PurseFixture {
  std::unique_ptr<Card> a = plug(0, "a.img");
  std::unique_ptr<Card> b = plug(1, "b.img");
  std::string idA, idB;

  RecoverFixture() {
    personalise(*a, *b);
    load(*a, kLoaded);
    idA = protocol::purseIdHex(status(*a).purseId);
    idB = protocol::purseIdHex(status(*b).purseId);
  }

  // A transfer of kValue from A to B relayed up to `stop`, then both connections let go
  // (SCARD_LEAVE_CARD: the purses stay where the transfer left them). The pd it started.
  PaymentDetails interrupt(StopAfter stop, std::uint8_t ref) {
    terminal::TransferSession session(a->purse(), b->purse(), kValue, reference(ref));
    PaymentDetails pd{};
    BOOST_TEST_REQUIRE(session.readParties().isOk());
    if (stop != StopAfter::kNothing) {
      auto started = session.startFrom();
      BOOST_TEST_REQUIRE(started.isOk(), why(started));
      pd = *started;
    }
    std::optional<protocol::SignedTransferMessage> req, val;
    if (stop >= StopAfter::kStartTo) {
      auto r = session.startTo();
      BOOST_TEST_REQUIRE(r.isOk(), why(r));
      req = *r;
    }
    if (stop >= StopAfter::kReq) {
      auto v = session.req(*req);
      BOOST_TEST_REQUIRE(v.isOk(), why(v));
      val = *v;
    }
    if (stop >= StopAfter::kVal) {
      auto ack = session.val(*val);
      BOOST_TEST_REQUIRE(ack.isOk(), why(ack));
    }
    release();
    return pd;
  }

  void release() {
    for (Card* card : {a.get(), b.get()}) {
      card->client.reset();
      card->channel.reset();
    }
  }
  void reattach() {
    for (Card* card : {a.get(), b.get()}) {
      auto ch = PcscChannel::connect(*context, readers[card->slot]);
      BOOST_TEST_REQUIRE(ch.isOk(), why(ch));
      card->channel = std::make_unique<RecordingChannel>(std::move(*ch));
      card->client = std::make_unique<host::PurseClient>(*card->channel);
      BOOST_TEST_REQUIRE(card->client->select().isOk());
    }
  }

  CommandOutput epurse(std::vector<std::string> args) const {
    args.insert(args.begin(), EPURSE_CLI_PROGRAM);
    auto out = runCommand(args, 30000ms);
    BOOST_TEST_REQUIRE(out.isOk(), why(out));
    return *out;
  }
  CommandOutput recover(bool asJson, unsigned fromSlot = 0, unsigned toSlot = 1) const {
    std::vector<std::string> args{"recover", "--from", readers[fromSlot], "--to", readers[toSlot]};
    if (asJson) args.push_back("--json");
    return epurse(args);
  }
  static json parsed(const CommandOutput& out) {
    json j = json::parse(out.out, nullptr, false);
    BOOST_TEST_REQUIRE(j.is_object(), "not one JSON object: " << out.out);
    return j;
  }

  // "EUR 12.50 from purse A (seq 3) to purse B (seq 1)"
  std::string pdText(const PaymentDetails& pd) const {
    return "EUR 12.50 from purse " + idA + " (seq " + std::to_string(pd.fromSeq) + ") to purse " + idB + " (seq " +
           std::to_string(pd.toSeq) + ")";
  }

  void checkOneFinding(const json& j, const PaymentDetails& pd, const std::string& fate) const {
    BOOST_TEST_REQUIRE(j["findings"].size() == 1u, j.dump());
    const json& f = j["findings"][0];
    BOOST_TEST(f["fate"] == fate);
    BOOST_TEST(f["refundable"] == (fate == "lost"));
    BOOST_TEST(f["pd"]["from"] == idA);
    BOOST_TEST(f["pd"]["to"] == idB);
    BOOST_TEST(f["pd"]["fromSeq"] == pd.fromSeq);
    BOOST_TEST(f["pd"]["toSeq"] == pd.toSeq);
    BOOST_TEST(f["pd"]["value"]["minorUnits"] == kValue);
    BOOST_TEST(f["pd"]["value"]["text"] == "EUR 12.50");
  }

  // After recover: both idle, and the balances as the fate says.
  void checkBalances(Amount payer, Amount payee) {
    reattach();
    const auto sa = status(*a), sb = status(*b);
    BOOST_TEST((sa.protocol == ProtocolStatus::kIdle && sb.protocol == ProtocolStatus::kIdle));
    BOOST_TEST(sa.balance == payer);
    BOOST_TEST(sb.balance == payee);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(epurse_recover, RecoverFixture)

BOOST_AUTO_TEST_CASE(nothing_to_recover_when_no_transfer_was_interrupted) {
  release();
  const auto out = recover(false);
  BOOST_TEST(out.exitCode == cli::kExitOk, out.out);
  BOOST_TEST(out.out.find("nothing to recover") != std::string::npos, out.out);
  const json j = parsed(recover(true));
  BOOST_TEST(j["aborted"] == false);
  BOOST_TEST(j["findings"].empty());
  BOOST_TEST(j["purses"]["from"]["purseId"] == idA);
  BOOST_TEST(j["purses"]["to"]["stateBefore"] == "idle");
  checkBalances(kLoaded, 0);
}

BOOST_AUTO_TEST_CASE(stopped_after_start_from_aborts_the_payer_and_nothing_moved) {
  interrupt(StopAfter::kStartFrom, 1);
  const json j = parsed(recover(true));
  BOOST_TEST(j["findings"].empty(), j.dump());
  const auto out = recover(false);
  BOOST_TEST(out.exitCode == cli::kExitOk, out.out);
  BOOST_TEST(out.out.find("nothing to recover") != std::string::npos, out.out);  // already aborted
  checkBalances(kLoaded, 0);
}

BOOST_AUTO_TEST_CASE(stopped_after_start_to_nothing_moved) {
  const auto pd = interrupt(StopAfter::kStartTo, 2);
  const auto out = recover(false);
  BOOST_TEST(out.exitCode == cli::kExitOk, out.out);
  BOOST_TEST(out.out.find(pdText(pd) + ": nothing moved") != std::string::npos, out.out);
  checkOneFinding(parsed(recover(true)), pd, "nothing_moved");
  checkBalances(kLoaded, 0);
}

BOOST_AUTO_TEST_CASE(stopped_after_req_the_value_is_lost_and_refundable) {
  const auto pd = interrupt(StopAfter::kReq, 3);
  const json j = parsed(recover(true));
  BOOST_TEST(j["aborted"] == true, j.dump());
  BOOST_TEST(j["purses"]["from"]["stateBefore"] == "epa");
  BOOST_TEST(j["purses"]["to"]["stateBefore"] == "epv");
  checkOneFinding(j, pd, "lost");
  const auto out = recover(false);  // the logs keep the pd until the issuer clears them
  BOOST_TEST(out.exitCode == cli::kExitOk, out.out);
  BOOST_TEST(out.out.find(pdText(pd) + " was lost in transit") != std::string::npos, out.out);
  BOOST_TEST(out.out.find("epurse export / epurse-issuer collect, then reconcile and refund") != std::string::npos);
  checkBalances(kLoaded - kValue, 0);
}

BOOST_AUTO_TEST_CASE(stopped_after_val_the_value_arrived) {
  const auto pd = interrupt(StopAfter::kVal, 4);
  const auto out = recover(false);
  BOOST_TEST(out.exitCode == cli::kExitOk, out.out);
  BOOST_TEST(out.out.find("was in a transfer (epa): aborted") != std::string::npos, out.out);
  BOOST_TEST(out.out.find(pdText(pd) + " arrived") != std::string::npos, out.out);
  checkOneFinding(parsed(recover(true)), pd, "arrived");
  checkBalances(kLoaded - kValue, kValue);
}

BOOST_AUTO_TEST_CASE(the_readers_in_either_order_name_the_same_payer) {
  const auto pd = interrupt(StopAfter::kReq, 5);
  const json j = parsed(recover(true, 1, 0));
  checkOneFinding(j, pd, "lost");  // from A to B, as pd says, though --from names B
  checkBalances(kLoaded - kValue, 0);
}

BOOST_AUTO_TEST_CASE(a_missing_card_or_the_same_reader_twice_changes_nothing) {
  interrupt(StopAfter::kReq, 6);
  const auto same = recover(false, 0, 0);
  BOOST_TEST(same.exitCode == cli::kExitUsage, same.out);
  BOOST_TEST(same.out.find("same reader") != std::string::npos, same.out);
  unplug(b, SIGTERM, 0);
  const json j = parsed(recover(true));
  BOOST_TEST(j["error"]["exit"] == cli::kExitNoCard, j.dump());
  BOOST_TEST(recover(false).exitCode == cli::kExitNoCard);
  // Nothing is aborted before both purses answer: the payer still holds its transfer.
  const auto traced = epurse({"recover", "--from", readers[0], "--to", readers[1], "--trace"});
  BOOST_TEST(traced.exitCode == cli::kExitNoCard, traced.out);
  BOOST_TEST(traced.out.find("SELECT") != std::string::npos, traced.out);
  BOOST_TEST(traced.out.find("ABORT") == std::string::npos, traced.out);
}

BOOST_AUTO_TEST_SUITE_END()
