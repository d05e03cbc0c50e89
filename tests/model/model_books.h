// The issuer's books (issuer/books/, on a SQLite ledger in a scratch directory) as the purse
// model's BooksObserver: every order authorised before it reaches the card and confirmed by
// its receipt, every collection verified and stored, and after each one the report's
// identity must hold to the minor unit; at a checkpoint, with every purse collected and idle,
// the books reconcile, and the value in cards, the net loads and the value lost in transit
// must be exactly the model's.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "issuer/books/books.h"
#include "issuer/ledger/ledger.h"
#include "tests/model/model_run.h"

namespace epurse::testing::model {

class ModelBooks final : public BooksObserver {
 public:
  ModelBooks();
  ~ModelBooks() override;
  ModelBooks(const ModelBooks&) = delete;
  ModelBooks& operator=(const ModelBooks&) = delete;

  void issuerReady(TestIssuer& issuer) override;
  void purseIssued(const PurseId& id, const CardCertificate& cert, const PurseProfile& profile) override;
  std::uint64_t orderAuthorised(const PurseId& id, const ValueOrder& order, bool isLoad) override;
  void receiptArrived(std::uint64_t handle, const Bytes& responseData) override;
  void collect(const std::string& name, host::PurseClient& purse) override;
  void checkpoint(std::int64_t inCards, std::int64_t netLoaded, std::int64_t lostInTransit) override;

  int collections() const { return collections_; }
  int identityChecks() const { return identityChecks_; }
  int ordersSettledFromLogs() const { return settledFromLogs_; }

 private:
  issuer::CurrencyReport euro();

  std::string dir_;
  std::unique_ptr<issuer::ledger::Ledger> ledger_;
  std::unique_ptr<issuer::Books> books_;
  TestIssuer* issuer_ = nullptr;
  issuer::ledger::UnixTime now_ = 1796000000;  // advances one second per change
  int collections_ = 0, identityChecks_ = 0, settledFromLogs_ = 0;
};

}  // namespace epurse::testing::model
