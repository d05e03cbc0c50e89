// `epurse pay`, `epurse verify-receipt` and `epurse accept` end to end (the fixture of
// epurse_value_fixture.h): the order hashed into the purchase reference, the receipt file
// written once and verified offline with the issuer's public key, every tampering refused by
// name, a card killed mid-payment (exit 10, no receipt), and the point-of-sale loop taking two
// customers' cards in turn, then ended by SIGINT, while it waits and in the middle of a payment.
#define BOOST_TEST_MODULE epurse_pay_test
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/hex.h"
#include "protocol/ec_key.h"
#include "tests/support/epurse_value_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::value_cli;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string sha256Hex(const std::string& text) { return toHex(protocol::sha256(Bytes(text.begin(), text.end()))); }

// A program running in the background whose stdout the test reads line by line.
class Background {
 public:
  explicit Background(const std::vector<std::string>& argv, const std::string& stderrPath) {
    int fds[2];
    BOOST_TEST_REQUIRE(::pipe(fds) == 0);
    pid_ = ::fork();
    BOOST_TEST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      const int err = ::open(stderrPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) ::dup2(err, STDERR_FILENO);
      const int null = ::open("/dev/null", O_RDONLY);
      if (null >= 0) ::dup2(null, STDIN_FILENO);
      ::close(fds[0]);
      std::vector<char*> cargv;
      for (const auto& s : argv) cargv.push_back(const_cast<char*>(s.c_str()));
      cargv.push_back(nullptr);
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~Background() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
  }
  // The next line, or "" after `timeout` or at the end.
  std::string line(std::chrono::milliseconds timeout = 30000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string l = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return l;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[1024];
      const ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  json event() {
    const std::string l = line();
    json j = json::parse(l, nullptr, false);
    BOOST_TEST_REQUIRE(j.is_object(), "not a JSON line: '" << l << "'");
    return j;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  int wait(std::chrono::milliseconds timeout = 10000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
      ::usleep(10000);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

struct PayFixture : ValueFixture {
  // A card process on `image` in reader `slot`, which the test does not connect to.
  std::unique_ptr<Card> insertOnly(unsigned slot, const std::string& image) {
    const std::string path = (dir / image).string();
    auto child = ChildProcess::start({EPURSE_CARD_PROGRAM, "--state", path, "--port", std::to_string(port + slot),
                                      "--protocol", "t1", "--quiet"},
                                     (dir / "cards.log").string());
    BOOST_TEST_REQUIRE(child.isOk(), why(child));
    return std::unique_ptr<Card>(new Card{slot, path, std::move(*child), nullptr, nullptr});
  }

  std::string receiptPath = (dir / "receipt.json").string();
  std::string order = "2 x espresso\n1 x croissant\ntable 4\n";
  std::string orderFile = writeFile("order.txt", order);

  std::vector<std::string> pay(const std::string& amount, const std::string& receipt) const {
    return {"pay", "--from", "0", "--merchant", "1", "--amount", amount, "--order-file", orderFile, "--receipt",
            receipt};
  }
  json verifyJson(const std::string& file, int expectedExit, bool withOrder = true) const {
    std::vector<std::string> args{"verify-receipt", file, "--issuer-key", issuerPublicKey()};
    if (withOrder) {
      args.push_back("--order-file");
      args.push_back(orderFile);
    }
    return epurseJson(args, expectedExit);
  }
  // A copy of the receipt with one field changed by `edit`.
  std::string tampered(const std::string& name, const std::function<void(json&)>& edit) const {
    json j = json::parse(readText(receiptPath));
    edit(j);
    return writeFile(name, j.dump(2));
  }
};

// One hex digit of a hex string flipped at `index`.
std::string flipHex(const json& value, std::size_t index) {
  const std::string hex = value.get<std::string>();
  BOOST_TEST_REQUIRE(index < hex.size());
  std::string flipped = hex.substr(0, index);
  flipped.push_back(hex[index] == '0' ? '1' : '0');
  flipped.append(hex, index + 1, std::string::npos);
  return flipped;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(epurse_pay, PayFixture)

BOOST_AUTO_TEST_CASE(a_payment_writes_a_receipt_that_verifies_offline) {
  auto out = epurse(pay("12.50", receiptPath));
  BOOST_TEST(out.exitCode == 0, out.out);
  BOOST_TEST(has(out.out, "Paid EUR 12.50 from purse 0102030405060701 to merchant purse 0102030405060702"), out.out);
  BOOST_TEST(has(out.out, "order SHA-256 " + sha256Hex(order)), out.out);
  BOOST_TEST(has(out.out, "receipt written to " + receiptPath), out.out);
  BOOST_TEST(has(out.out, "customer balance now EUR 287.50"), out.out);
  BOOST_TEST(has(out.out, "merchant balance now EUR 22.50"), out.out);

  const json receipt = json::parse(readText(receiptPath));
  BOOST_TEST(receipt["format"] == "epurse-payment-receipt");
  BOOST_TEST(receipt["version"] == 1);
  BOOST_TEST(receipt["orderHash"] == sha256Hex(order));
  BOOST_TEST(receipt["payment"]["reference"] == sha256Hex(order));  // all 32 bytes of the hash
  BOOST_TEST(receipt["payment"]["value"] == 1250);
  BOOST_TEST(receipt["payment"]["payer"] == kPurseA);

  const json ok = verifyJson(receiptPath, 0);
  BOOST_TEST(ok["valid"] == true);
  BOOST_TEST(ok["orderChecked"] == true);
  BOOST_TEST(ok["checks"].size() == 10u);
  auto human = epurse({"verify-receipt", receiptPath, "--issuer-key", issuerPublicKey()});
  BOOST_TEST(human.exitCode == 0, human.out);
  BOOST_TEST(has(human.out, "a valid receipt: EUR 12.50 paid by purse 0102030405060701"), human.out);

  // --json of pay, and --order as text: the same hash for the same bytes.
  const std::string second = (dir / "second.json").string();
  const json j = epurseJson({"pay", "--from", "0", "--merchant", "1", "--amount", "1.00", "--order", order,
                             "--receipt", second},
                            0);
  BOOST_TEST(j["orderHash"] == sha256Hex(order));
  BOOST_TEST(j["payment"]["value"]["amount"] == "1.00");
  BOOST_TEST(j["receipt"] == second);
  BOOST_TEST(j["merchant"]["balance"]["amount"] == "23.50");
  verifyJson(second, 0);
}

BOOST_AUTO_TEST_CASE(a_receipt_is_never_overwritten_and_pay_checks_before_it_sends) {
  BOOST_TEST(epurse(pay("1.00", receiptPath)).exitCode == 0);
  const std::string before = readText(receiptPath);
  const json again = epurseJson(pay("1.00", receiptPath), 2);
  BOOST_TEST(has(again["error"]["message"], "already exists"));
  BOOST_TEST(readText(receiptPath) == before);
  BOOST_TEST(balanceOf(*a) == 29900);
  epurseJson({"pay", "--from", "0", "--merchant", "1", "--amount", "1.00"}, 2);  // no order
  epurseJson({"pay", "--from", "0", "--merchant", "1", "--amount", "1.001", "--order", "x"}, 2);
  epurseJson({"pay", "--from", "1", "--merchant", "0", "--amount", "12.00", "--order", "x"}, 13);  // b: 11.00
  BOOST_TEST(balanceOf(*a) == 29900);
}

BOOST_AUTO_TEST_CASE(every_tampering_is_refused_by_name) {
  BOOST_TEST_REQUIRE(epurse(pay("12.50", receiptPath)).exitCode == 0);
  struct Case {
    const char* name;
    std::function<void(json&)> edit;
    const char* failedCheck;
  };
  const std::vector<Case> cases = {
      {"req-sig", [](json& j) { j["req"] = flipHex(j["req"], 200); }, "REQ signature"},
      {"val-sig", [](json& j) { j["val"] = flipHex(j["val"], 200); }, "VAL signature"},
      {"ack-sig", [](json& j) { j["ack"] = flipHex(j["ack"], 200); }, "ACK signature"},
      {"ack-pd", [](json& j) { j["ack"] = flipHex(j["ack"], 50); }, "pd in ACK"},
      {"value", [](json& j) { j["payment"]["value"] = 125000; }, "pd in REQ"},
      {"order-hash", [](json& j) { j["orderHash"] = flipHex(j["orderHash"], 0); }, "purchase reference"},
      {"payer-cert", [](json& j) { j["payerCertificate"] = flipHex(j["payerCertificate"], 300); }, "payer certificate"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const json j = verifyJson(tampered(std::string(c.name) + ".json", c.edit), 1);
      BOOST_TEST(j["error"]["code"] == "check_failed");
      BOOST_TEST(has(j["error"]["message"], c.failedCheck), j.dump());
      BOOST_TEST(j["valid"] == false);
    }
  }
  // The wrong order.
  const std::string other = writeFile("other-order.txt", "1 x espresso\n");
  const json wrongOrder = epurseJson(
      {"verify-receipt", receiptPath, "--issuer-key", issuerPublicKey(), "--order-file", other}, 1);
  BOOST_TEST(has(wrongOrder["error"]["message"], "order: SHA-256 of the order file is"));
  // Not a receipt at all, or a broken one: a clear error naming what is wrong.
  const json notJson = verifyJson(writeFile("junk.json", "{\"format\": "), 1);
  BOOST_TEST(notJson["error"]["code"] == "malformed_receipt");
  const json shortReq = verifyJson(tampered("short.json", [](json& j) { j["req"] = "00"; }), 1);
  BOOST_TEST(has(shortReq["error"]["message"], "req"), shortReq.dump());
  // The wrong issuer key.
  const std::string otherHome = (dir / "other-issuer").string();
  auto init = runCommand({EPURSE_ISSUER_PROGRAM, "init", "--home", otherHome, "--passphrase-file", passphraseFile});
  BOOST_TEST_REQUIRE(init.isOk());
  const json wrongKey = epurseJson(
      {"verify-receipt", receiptPath, "--issuer-key", otherHome + "/issuer-public.pem"}, 1);
  BOOST_TEST(has(wrongKey["error"]["message"], "payer certificate"));
}

BOOST_AUTO_TEST_CASE(a_card_killed_mid_payment_is_exit_10_with_no_receipt) {
  for (const auto* step : {"req", "val", "ack"}) {
    for (bool payer : {true, false}) {
      if (std::string(step) == "ack" && !payer) continue;  // the payment is done by then
      BOOST_TEST_CONTEXT(std::string(payer ? "customer" : "merchant") + " killed before " + step) {
        const std::uint32_t seq = statusOf(*a).nextSeq;
        const long long total = balanceOf(*a) + balanceOf(*b);
        const std::string file = (dir / (std::string("killed-") + step + (payer ? "-a" : "-b") + ".json")).string();
        auto args = pay("1.00", file);
        args.push_back("--json");
        const auto out = epurseKillingAt(step, payer ? *a : *b, args);
        BOOST_TEST(out.exitCode == 10, out.out);
        const json j = parsed(out);
        BOOST_TEST(j["error"]["code"] == "recovery_needed");
        BOOST_TEST(has(j["error"]["message"], "epurse recover --from"));
        BOOST_TEST(!std::filesystem::exists(file));
        replugIfDead(a);
        replugIfDead(b);
        recoverAndCheck(total, 100, seq);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(accept_takes_two_customers_in_turn_then_stops) {
  // A second customer's card, prepared in reader 0 while a is out.
  a->process.signal(SIGKILL);
  BOOST_TEST_REQUIRE(a->process.wait(5000ms).isOk());
  waitFor(0, false);
  auto c = plugDetached(0, "c.img");
  personalizeWithPin(*c, "0102030405060703");
  load(*c, "50.00");
  c->process.signal(SIGKILL);
  BOOST_TEST_REQUIRE(c->process.wait(5000ms).isOk());
  waitFor(0, false);
  c.reset();
  a = plugDetached(0, "a.img");

  const std::string receipts = (dir / "receipts").string();
  std::filesystem::create_directory(receipts);
  Background accept({EPURSE_CLI_PROGRAM, "accept", "--merchant", readers[1], "--amount", "2.50", "--order", order,
                     "--receipts", receipts, "--count", "2", "--json"},
                    (dir / "accept.err").string());
  json e = accept.event();
  BOOST_TEST(e["event"] == "waiting");
  BOOST_TEST(e["merchant"] == readers[1]);
  e = accept.event();
  BOOST_TEST_REQUIRE(e["event"] == "paid", e.dump());
  BOOST_TEST(e["payment"]["from"] == kPurseA);
  BOOST_TEST(e["payment"]["value"]["amount"] == "2.50");
  const std::string first = e["receipt"];

  a->process.signal(SIGKILL);  // the customer takes the card away
  BOOST_TEST_REQUIRE(a->process.wait(5000ms).isOk());
  e = accept.event();
  BOOST_TEST(e["event"] == "removed");
  BOOST_TEST(e["reader"] == readers[0]);
  a.reset();
  BOOST_TEST(accept.event()["event"] == "waiting");
  c = insertOnly(0, "c.img");  // no connection of the test's own: accept alone talks to it
  e = accept.event();
  BOOST_TEST_REQUIRE(e["event"] == "paid", e.dump());
  BOOST_TEST(e["payment"]["from"] == "0102030405060703");
  BOOST_TEST(e["merchant"]["balance"]["amount"] == "15.00");
  const std::string second = e["receipt"];
  e = accept.event();
  BOOST_TEST(e["event"] == "stopped");
  BOOST_TEST(e["payments"] == 2);
  BOOST_TEST(accept.wait() == 0);
  verifyJson(first, 0);
  verifyJson(second, 0);
  BOOST_TEST(balanceOf(*c) == 4750);
}

BOOST_AUTO_TEST_CASE(sigint_ends_accept_cleanly) {
  a->process.signal(SIGKILL);  // no customer yet
  BOOST_TEST_REQUIRE(a->process.wait(5000ms).isOk());
  waitFor(0, false);
  Background accept({EPURSE_CLI_PROGRAM, "accept", "--merchant", "1", "--amount", "2.50", "--json"},
                    (dir / "accept.err").string());
  BOOST_TEST(accept.event()["event"] == "waiting");
  const auto sent = std::chrono::steady_clock::now();
  accept.signal(SIGINT);
  const json e = accept.event();
  BOOST_TEST(e["event"] == "stopped");
  BOOST_TEST(e["payments"] == 0);
  BOOST_TEST(accept.wait() == 0);
  const bool prompt = std::chrono::steady_clock::now() - sent < 3s;
  BOOST_TEST(prompt, "accept took 3 s or more to stop");
  BOOST_TEST(balanceOf(*b) == 1000);
}

// Ctrl-C while value is in flight (raised by the program itself just before VAL, through the
// test hook, so that it lands mid-payment every time): the payment is finished, not cut, its
// receipt written; then the loop stops. Cutting it there would leave 2.50 in transit.
BOOST_AUTO_TEST_CASE(sigint_during_a_payment_finishes_it_then_stops) {
  const auto before = statusOf(*a);
  const long long merchantBefore = balanceOf(*b);
  const std::string receipts = (dir / "receipts-sigint").string();
  std::filesystem::create_directory(receipts);
  ::setenv("EPURSE_TEST_SIGNAL_AT", ("val:" + std::to_string(SIGINT)).c_str(), 1);
  Background accept({EPURSE_CLI_PROGRAM, "accept", "--merchant", readers[1], "--amount", "2.50", "--order", order,
                     "--receipts", receipts, "--json"},
                    (dir / "accept-sigint.err").string());
  ::unsetenv("EPURSE_TEST_SIGNAL_AT");
  BOOST_TEST(accept.event()["event"] == "waiting");
  json e = accept.event();
  BOOST_TEST_REQUIRE(e["event"] == "paid", e.dump() << "\n" << readText((dir / "accept-sigint.err").string()));
  const std::string receipt = e["receipt"];
  e = accept.event();
  BOOST_TEST(e["event"] == "stopped", e.dump());
  BOOST_TEST(e["payments"] == 1);
  BOOST_TEST(accept.wait() == 0);

  const auto after = statusOf(*a);
  BOOST_TEST(after.balance == before.balance - 250);
  BOOST_TEST(balanceOf(*b) == merchantBefore + 250);
  BOOST_TEST((after.protocol == protocol::ProtocolStatus::kIdle), "the customer's purse is left mid-transfer");
  BOOST_TEST(after.exceptionsHeld == before.exceptionsHeld, "the payment was cut: value in transit");
  BOOST_TEST(statusOf(*b).exceptionsHeld == 0u);
  verifyJson(receipt, 0);
}

// The receipt's name is taken already: the payment stands (the cards moved the value), the
// event says the receipt is missing and why, and the file in the way is left as it was.
BOOST_AUTO_TEST_CASE(a_receipt_accept_cannot_write_is_reported_and_the_payment_stands) {
  const auto before = statusOf(*a);
  const std::string receipts = (dir / "receipts-taken").string();
  std::filesystem::create_directory(receipts);
  const std::string name = "receipt-" + std::string(kPurseA) + "-" + std::to_string(before.nextSeq) + ".json";
  const std::string taken = writeFile("receipts-taken/" + name, "someone else's file\n");
  Background accept({EPURSE_CLI_PROGRAM, "accept", "--merchant", readers[1], "--amount", "2.50", "--order", order,
                     "--receipts", receipts, "--count", "1", "--json"},
                    (dir / "accept-taken.err").string());
  BOOST_TEST(accept.event()["event"] == "waiting");
  const json e = accept.event();
  BOOST_TEST_REQUIRE(e["event"] == "paid", e.dump());
  BOOST_TEST(e["receipt"].is_null(), e.dump());
  BOOST_TEST(has(e.value("receiptError", std::string()), taken), e.dump());
  BOOST_TEST(accept.event()["event"] == "stopped");
  BOOST_TEST(accept.wait() == 0);
  BOOST_TEST(readText(taken) == "someone else's file\n");
  BOOST_TEST(statusOf(*a).balance == before.balance - 250);
}

BOOST_AUTO_TEST_SUITE_END()
