// The card a command works on: a ReaderSession (--reader, --protocol, --trace), the purse's
// status, and what the issuer's books know of it. Also the test hook that lets the kill tests
// stop the program at every APDU (docs/cli.md, "Test hook").
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "apdu/card_channel.h"
#include "cli/reader_options.h"
#include "host/reader_session.h"
#include "issuer/cli/issuer_context.h"
#include "protocol/purse_status.h"

namespace epurse::issuer::cli {

// EPURSE_ISSUER_KILL_AT_APDU=n: the program SIGKILLs itself just before it would send its n-th
// APDU (n = 1: before the first; one past the last: after the last answer, before the books
// hear of it). For the kill tests only; unset, it observes nothing.
inline constexpr const char* kKillHookEnvironment = "EPURSE_ISSUER_KILL_AT_APDU";

// The trace printer (if --trace) and the kill hook (if set), on one channel.
class SessionObserver final : public ApduObserver {
 public:
  explicit SessionObserver(ApduObserver* trace);
  void onExchange(const ApduExchange& exchange) override;
  // Called once before the session sends anything: the hook with n = 1 fires here.
  void beforeFirst();

 private:
  ApduObserver* trace_;
  std::optional<unsigned long> killAt_;
  unsigned long exchanges_ = 0;
};

struct CardAtHand {
  std::unique_ptr<SessionObserver> observer;
  std::unique_ptr<host::ReaderSession> session;
  protocol::PurseStatus status;
  host::PurseClient& purse() { return session->purse(); }
  std::string reader() const { return "reader " + session->readerName(); }
};

// Opens the reader, selects the purse, reads its status. On failure `failure` is set.
Result<std::unique_ptr<CardAtHand>> openCard(epurse::cli::ReaderOptions& reader, Failure& failure);

// A card the issuer may send value orders to: personalised, by this issuer, registered, not
// revoked. Sets `failure` (exit 1) naming what the card is otherwise.
Result<ledger::PurseRow> requireActivePurse(IssuerContext& context, const CardAtHand& card, Failure& failure);

// PUT REVOCATION LIST when the books hold a newer list than the card's; whether one was sent.
host::CardResult<bool> pushRevocationList(IssuerContext& context, CardAtHand& card);

}  // namespace epurse::issuer::cli
