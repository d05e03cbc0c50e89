#include "issuer/cli/card_session.h"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "base/hex.h"
#include "cli/exit_codes.h"

namespace epurse::issuer::cli {

SessionObserver::SessionObserver(ApduObserver* trace) : trace_(trace) {
  if (const char* at = std::getenv(kKillHookEnvironment); at && *at) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(at, &end, 10);
    if (end && *end == '\0' && n > 0) killAt_ = n;
  }
}

void SessionObserver::beforeFirst() {
  if (killAt_ && *killAt_ == 1) ::raise(SIGKILL);
}

void SessionObserver::onExchange(const ApduExchange& exchange) {
  if (trace_) trace_->onExchange(exchange);
  ++exchanges_;
  if (killAt_ && exchanges_ + 1 == *killAt_) {
    std::cerr.flush();
    ::raise(SIGKILL);
  }
}

Result<std::unique_ptr<CardAtHand>> openCard(epurse::cli::ReaderOptions& reader, Failure& failure) {
  auto card = std::make_unique<CardAtHand>();
  auto options = reader.sessionOptions(std::cerr);
  card->observer = std::make_unique<SessionObserver>(options.trace);
  options.trace = card->observer.get();
  card->observer->beforeFirst();
  auto session = host::ReaderSession::open(options);
  if (!session) {
    failure = Failure::of(session.error());
    return session.error();
  }
  card->session = std::move(*session);
  auto status = card->purse().status();
  if (!status) {
    failure = Failure::of(status.failure().error);
    if (status.failure().sw) failure.exitCode = epurse::cli::kExitFailed;
    return status.failure().error;
  }
  card->status = *status;
  return card;
}

Result<ledger::PurseRow> requireActivePurse(IssuerContext& context, const CardAtHand& card, Failure& failure) {
  const auto& s = card.status;
  auto refuse = [&](const std::string& key, const std::string& message) {
    failure = {makeError(ErrorCode::kInvalidArgument, message), epurse::cli::kExitFailed, key};
    return failure.error;
  };
  const std::string id = protocol::purseIdHex(s.purseId);
  if (s.lifeCycle == protocol::LifeCycle::kBlank) {
    return refuse("blank_card", "the card in " + card.session->readerName() + " is blank: personalize it first");
  }
  if (s.issuerKeyId != context.config().keyId) {
    return refuse("other_issuer", "purse " + id + " belongs to another issuer (key ID " + toHex(s.issuerKeyId) +
                                      "); nothing was sent");
  }
  auto tx = context.ledger().beginRead();
  if (!tx) {
    failure = Failure::ledgerProblem(tx.error());
    return tx.error();
  }
  auto row = (*tx)->findPurse(s.purseId);
  if (!row) {
    failure = Failure::ledgerProblem(row.error());
    return row.error();
  }
  if (!*row) return refuse("unregistered", "purse " + id + " is not in this issuer's registry; nothing was sent");
  if (s.lifeCycle != protocol::LifeCycle::kPersonalised) {
    return refuse("inactive", "purse " + id + " is " + protocol::lifeCycleName(s.lifeCycle) + "; nothing was sent");
  }
  auto revocation = (*tx)->latestRevocation();
  if (!revocation) {
    failure = Failure::ledgerProblem(revocation.error());
    return revocation.error();
  }
  if (*revocation) {
    const auto& revoked = (*revocation)->list.revoked;
    if (std::find(revoked.begin(), revoked.end(), s.purseId) != revoked.end()) {
      return refuse("revoked", "purse " + id + " is revoked (list version " +
                                   std::to_string((*revocation)->list.version) + "); nothing was sent");
    }
  }
  return **row;
}

host::CardResult<bool> pushRevocationList(IssuerContext& context, CardAtHand& card) {
  auto latest = context.books().latestRevocation();
  if (!latest) return latest.error();
  if (!*latest || (*latest)->list.version <= card.status.revocationVersion) return false;
  auto command = CommandApdu::parse((*latest)->command);
  if (!command) return command.error();
  if (auto sent = card.purse().execute(*command); !sent) return sent.failure().within("PUT REVOCATION LIST");
  card.status.revocationVersion = (*latest)->list.version;
  return true;
}

}  // namespace epurse::issuer::cli
