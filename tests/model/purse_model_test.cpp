// Model-based random test of the purse: five purses of one issuer and one purse of a foreign
// issuer, thousands of random operations (issuer-signed loads and unloads, PIN checks,
// transfers driven step by step through TransferSession between random pairs, dropped and
// duplicated messages, lying terminals, ABORTs, power losses at a random write of a random
// command under every crash mode, power cycles, recovery and exception-log clearing), with an
// independent model of every purse checked against the cards after every step. The model
// itself is the library in tests/model/ (epurse_test_model).
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

#include <chrono>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>

#include "tests/model/model_run.h"

namespace epurse::testing {
namespace {

using model::kCheckpointEvery;
using model::kDefaultSeed;
using model::kDefaultSteps;
using model::ModelRun;
using model::Options;

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

