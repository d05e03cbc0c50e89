// The issuer's books over a real ledger (SQLite in a temporary directory, or a fresh
// PostgreSQL database when EPURSE_TEST_REQUIRE_POSTGRES=1: tests/support/ledger_backends.h,
// so the same programs run under tests/postgres/with-private-postgres.sh), with in-memory purses
// issued, loaded, collected and refunded through exactly the calls epurse-issuer makes: an
// order is authorised (pending) before it goes to the card and confirmed by the receipt.
#pragma once

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include "host/evidence_reader.h"
#include "issuer/books/books.h"
#include "issuer/ledger/ledger_locator.h"
#include "issuer/ledger/sqlite_ledger.h"
#include "tests/support/ledger_backends.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/purse_transfers.h"

namespace epurse::testing {

inline constexpr issuer::ledger::UnixTime kNow = 1796000000;  // any fixed time: the books take it as given

class BooksFixture {
 public:
  explicit BooksFixture(const std::string& backend = epurse::testing::ledger::ledgerBackends().front()) {
    char pattern[] = "/tmp/epurse-books-XXXXXX";
    dir_ = mkdtemp(pattern);
    Result<std::unique_ptr<issuer::ledger::Ledger>> created = makeError(ErrorCode::kInternal, "no backend");
    if (backend == epurse::testing::ledger::kSqlite) {
      locator_ = dir_ + "/ledger.db";
      created = issuer::ledger::createSqliteLedger(locator_, issuer_.key().keyId());
    } else {
      place_ = epurse::testing::ledger::makeLedgerPlace(backend);
      locator_ = place_->locator();
      created = place_->create(issuer_.key().keyId());
    }
    if (!created) throw std::runtime_error("ledger: " + why(created));
    ledger_ = std::move(*created);
    books_ = std::make_unique<issuer::Books>(*ledger_, issuer_.key().verificationKey(), &issuer_.signer());
  }
  ~BooksFixture() {
    books_.reset();
    ledger_.reset();
    std::filesystem::remove_all(dir_);
  }

  TestIssuer& issuer() { return issuer_; }
  issuer::Books& books() { return *books_; }
  issuer::ledger::Ledger& ledger() { return *ledger_; }
  const std::string& dir() const { return dir_; }
  // The ledger's path or PostgreSQL URI, for another program (a forked child) to open.
  const std::string& ledgerLocator() const { return locator_; }
  Result<std::unique_ptr<issuer::ledger::Ledger>> openLedgerAgain() const { return issuer::ledger::openLedger(locator_); }

  // A personalised purse, registered in the books, with nothing loaded.
  std::unique_ptr<TestPurse> issue(std::uint8_t n, PurseProfile profile = {}) {
    auto purse = std::make_unique<TestPurse>();
    profile.id = testPurseId(n);
    auto cert = issuer_.personalise(purse->client(), profile);
    issuer::ledger::PurseRow row;
    row.purseId = profile.id;
    row.certificate = cert;
    row.maxBalance = profile.maxBalance;
    row.perTransferMax = profile.perTransferMax;
    row.noPinLimit = profile.noPinLimit;
    row.registeredAt = kNow;
    auto registered = books_->registerPurse(row);
    BOOST_TEST_REQUIRE(registered.isOk(), registered.toString());
    return purse;
  }

  // The order authorised in the books and signed for the card's current counter, not sent.
  struct SignedOrder {
    issuer::ledger::RowId id;
    CommandApdu command;
  };
  SignedOrder authorise(TestPurse& purse, issuer::ledger::OrderKind kind, protocol::Amount amount,
                        std::optional<protocol::PaymentDetails> refundOf = std::nullopt) {
    const auto status = purse.status();
    issuer::ledger::OrderRow row;
    row.purseId = status.purseId;
    row.kind = kind;
    row.order = protocol::ValueOrder{status.loadCounter, amount, status.currency, kToday};
    row.refundOf = refundOf;
    row.authorisedAt = kNow;
    auto id = books_->authoriseOrder(row);
    BOOST_TEST_REQUIRE(id.isOk(), "authorise: " << why(id));
    auto command = kind == issuer::ledger::OrderKind::kUnload ? issuer_.signer().unload(status.purseId, row.order)
                                                              : issuer_.signer().load(status.purseId, row.order);
    BOOST_TEST_REQUIRE(command.isOk());
    return {*id, *command};
  }

  // Authorised, sent, confirmed by the receipt.
  protocol::ValueReceipt order(TestPurse& purse, issuer::ledger::OrderKind kind, protocol::Amount amount,
                               std::optional<protocol::PaymentDetails> refundOf = std::nullopt) {
    if (kind == issuer::ledger::OrderKind::kUnload) {
      auto pin = purse.client().verifyPin(*protocol::makePinBlock("1234"));
      BOOST_TEST_REQUIRE((pin.isOk() && pin->verified()));
    }
    auto signedOrder = authorise(purse, kind, amount, refundOf);
    const Bytes answer = checks::expectOk(purse, signedOrder.command, "value order");
    auto receipt = books_->confirmOrder(signedOrder.id, answer, kNow);
    BOOST_TEST_REQUIRE(receipt.isOk(), "confirm: " << why(receipt));
    return *receipt;
  }
  protocol::ValueReceipt load(TestPurse& purse, protocol::Amount amount) {
    return order(purse, issuer::ledger::OrderKind::kLoad, amount);
  }

  host::CollectedEvidence read(TestPurse& purse) {
    Bytes challenge(16);
    BOOST_TEST_REQUIRE(protocol::randomBytes(challenge.data(), challenge.size()));
    auto evidence = host::readEvidence(purse.client(), challenge);
    BOOST_TEST_REQUIRE(evidence.isOk(), "read evidence: " << why(evidence));
    return *evidence;
  }
  Result<issuer::IngestOutcome> ingest(const host::CollectedEvidence& evidence, bool fresh = true) {
    return books_->ingest(evidence, {fresh ? "reader test" : "import test", fresh, kNow});
  }
  issuer::IngestOutcome collect(TestPurse& purse) {
    auto outcome = ingest(read(purse));
    BOOST_TEST_REQUIRE(outcome.isOk(), "collect: " << why(outcome));
    return *outcome;
  }

  issuer::Report report() {
    auto r = books_->report(kNow);
    BOOST_TEST_REQUIRE(r.isOk(), "report: " << why(r));
    return *r;
  }
  // The one currency section the tests use (EUR); zeros if none.
  issuer::CurrencyReport euro() {
    for (const auto& c : report().currencies)
      if (c.currency == kEuro) return c;
    return issuer::CurrencyReport{};
  }

 private:
  std::string dir_;
  std::string locator_;
  std::unique_ptr<epurse::testing::ledger::LedgerPlace> place_;  // PostgreSQL: the database, dropped after the ledger closes
  TestIssuer issuer_;
  std::unique_ptr<issuer::ledger::Ledger> ledger_;
  std::unique_ptr<issuer::Books> books_;
};

// A transfer the terminal drops after REQ: the payer is debited (epa), the payee never
// credited (epv); both are aborted, so both exception logs name pd. Returns pd.
inline protocol::PaymentDetails loseTransfer(TestPurse& payer, TestPurse& payee, protocol::Amount value,
                                             std::uint8_t tag = 0) {
  terminal::TransferSession session(payer.client(), payee.client(), value, checks::referenceOf(tag));
  BOOST_TEST_REQUIRE(session.readParties().isOk());
  BOOST_TEST_REQUIRE(session.startFrom().isOk());
  auto req = session.startTo();
  BOOST_TEST_REQUIRE(req.isOk());
  BOOST_TEST_REQUIRE(session.req(*req).isOk());
  (void)checks::expectOk(payee, protocol::apdus::abortTransfer(), "ABORT payee in epv");
  (void)checks::expectOk(payer, protocol::apdus::abortTransfer(), "ABORT payer in epa");
  return req->pd;
}

// A completed transfer; the payer's PIN is verified first (values above the no-PIN limit need it).
inline void pay(TestPurse& payer, TestPurse& payee, protocol::Amount value, std::uint8_t tag = 0) {
  auto pin = payer.client().verifyPin(*protocol::makePinBlock("1234"));
  BOOST_TEST_REQUIRE((pin.isOk() && pin->verified()));
  auto done = terminal::runTransfer(payer.client(), payee.client(), value, checks::referenceOf(tag));
  BOOST_TEST_REQUIRE(done.isOk(), "transfer: " << why(done));
}

}  // namespace epurse::testing
