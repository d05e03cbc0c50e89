#include "tests/model/model_books.h"

#include <stdlib.h>

#include <filesystem>

#include "host/evidence_reader.h"
#include "issuer/ledger/sqlite_ledger.h"
#include "protocol/ec_key.h"

namespace epurse::testing::model {

ModelBooks::ModelBooks() {
  char pattern[] = "/tmp/epurse-model-books-XXXXXX";
  const char* made = ::mkdtemp(pattern);
  if (made == nullptr) failNow("books: no scratch directory");
  dir_ = made;
}

ModelBooks::~ModelBooks() {
  books_.reset();
  ledger_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void ModelBooks::issuerReady(TestIssuer& issuer) {
  issuer_ = &issuer;
  ledger_ = need(issuer::ledger::createSqliteLedger(dir_ + "/ledger.db", issuer.key().keyId()), "books: ledger");
  books_ = std::make_unique<issuer::Books>(*ledger_, issuer.key().verificationKey(), &issuer.signer());
}

void ModelBooks::purseIssued(const PurseId& id, const CardCertificate& cert, const PurseProfile& profile) {
  issuer::ledger::PurseRow row;
  row.purseId = id;
  row.certificate = cert;
  row.maxBalance = profile.maxBalance;
  row.perTransferMax = profile.perTransferMax;
  row.noPinLimit = profile.noPinLimit;
  row.registeredAt = ++now_;
  const Status registered = books_->registerPurse(row);
  MODEL_CHECK(registered.isOk(), "books: register: " << registered.toString());
}

std::uint64_t ModelBooks::orderAuthorised(const PurseId& id, const ValueOrder& order, bool isLoad) {
  issuer::ledger::OrderRow row;
  row.purseId = id;
  row.kind = isLoad ? issuer::ledger::OrderKind::kLoad : issuer::ledger::OrderKind::kUnload;
  row.order = order;
  row.authorisedAt = ++now_;
  return static_cast<std::uint64_t>(need(books_->authoriseOrder(row), "books: authorise"));
}

void ModelBooks::receiptArrived(std::uint64_t handle, const Bytes& responseData) {
  auto confirmed = books_->confirmOrder(static_cast<issuer::ledger::RowId>(handle), responseData, ++now_);
  MODEL_CHECK(confirmed.isOk(), "books: a verified receipt was refused: " << confirmed.error().toString());
}

void ModelBooks::collect(const std::string& name, host::PurseClient& purse) {
  Bytes challenge(16);
  MODEL_CHECK(protocol::randomBytes(challenge.data(), challenge.size()), "books: no random challenge");
  auto evidence = host::readEvidence(purse, challenge);
  MODEL_CHECK(evidence.isOk(), "books: reading " << name << ": " << evidence.failure().error.toString());
  auto outcome = books_->ingest(*evidence, {"model " + name, true, ++now_});
  MODEL_CHECK(outcome.isOk(), "books: collecting " << name << ": " << outcome.error().toString());
  for (const auto& f : outcome->findings) {
    // No purse of the run is ever copied or rolled back: anything but a gap is a false alarm.
    MODEL_CHECK(f.kind == issuer::ledger::FindingKind::kGap, "books: " << name << " flagged: " << f.detail);
  }
  settledFromLogs_ += static_cast<int>(outcome->ordersConfirmed.size());
  ++collections_;
  const auto e = euro();
  ++identityChecks_;
  MODEL_CHECK(e.identityHolds(), "books: after collecting " << name << " the report does not add up: float "
                                                            << e.floatValue << ", identity's right side "
                                                            << e.identityRight << ", difference "
                                                            << e.identityDifference);
}

void ModelBooks::checkpoint(std::int64_t inCards, std::int64_t netLoaded, std::int64_t lostInTransit) {
  auto reconciled = books_->reconcile(++now_);
  MODEL_CHECK(reconciled.isOk(), "books: reconcile: " << reconciled.error().toString());
  const auto e = euro();
  ++identityChecks_;
  MODEL_CHECK(e.identityHolds(), "books: after reconciling the report does not add up: difference "
                                     << e.identityDifference);
  MODEL_CHECK(e.lostTotal == lostInTransit,
              "books: lost in transit " << e.lostTotal << ", the model's " << lostInTransit);
  MODEL_CHECK(e.inCards == inCards, "books: in cards " << e.inCards << ", the model's purses hold " << inCards);
  MODEL_CHECK(e.loaded - e.unloaded == netLoaded,
              "books: loaded − unloaded " << e.loaded - e.unloaded << ", the model's " << netLoaded);
  MODEL_CHECK(e.movingOrders == 0, "books: " << e.movingOrders << " in orders moving with every purse collected");
}

issuer::CurrencyReport ModelBooks::euro() {
  const auto report = need(books_->report(++now_), "books: report");
  for (const auto& c : report.currencies) {
    if (c.currency == kEuro) return c;
  }
  return issuer::CurrencyReport{};
}

}  // namespace epurse::testing::model
