#include "host/evidence_reader.h"

#include <string>
#include <utility>

#include "protocol/issuer_authorisations.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"

namespace epurse::host {

// The order: certificate, the records of both logs, then both audits, one command after the
// other. Neither READ RECORD nor AUDIT READ writes to the card, and every command that can
// append to or clear a log (LOAD, UNLOAD, the transfer commands, ABORT, CLEAR EXCEPTION LOG)
// comes from the terminal, which sends none of them in between. The one change the terminal
// does not send, the power-up abort after a reset or a pulled card, also deselects the
// applet: every later command then answers 6D00 (or the exchange fails) and this reading
// fails instead of mixing two states. The audits come last so that the signed heads are the
// final word on what was read: if anything did change, verifyEvidence() finds the heads and
// the records disagree.
CardResult<CollectedEvidence> readEvidence(PurseClient& purse, ByteView challenge) {
  if (challenge.size() < protocol::kMinChallengeSize || challenge.size() > protocol::kMaxChallengeSize) {
    std::string message = "an audit challenge is 8 to 32 bytes, not ";
    message += std::to_string(challenge.size());
    return makeError(ErrorCode::kInvalidArgument, std::move(message));
  }
  CollectedEvidence evidence;
  auto certificate = purse.certificate();
  if (!certificate) return certificate.failure();
  evidence.certificate = *certificate;
  evidence.challenge.assign(challenge.begin(), challenge.end());

  auto transactions = purse.readRawRecords(protocol::kSfiTransactionLog);
  if (!transactions) return transactions.failure().within("transaction log");
  evidence.transactionRecords = std::move(*transactions);
  auto exceptions = purse.readRawRecords(protocol::kSfiExceptionLog);
  if (!exceptions) return exceptions.failure().within("exception log");
  evidence.exceptionRecords = std::move(*exceptions);

  auto transactionAudit = purse.execute(protocol::apdus::auditRead(protocol::kSfiTransactionLog, challenge));
  if (!transactionAudit) return transactionAudit.failure().within("AUDIT READ of the transaction log");
  evidence.transactionAudit = std::move(*transactionAudit);
  auto exceptionAudit = purse.execute(protocol::apdus::auditRead(protocol::kSfiExceptionLog, challenge));
  if (!exceptionAudit) return exceptionAudit.failure().within("AUDIT READ of the exception log");
  evidence.exceptionAudit = std::move(*exceptionAudit);
  return evidence;
}

}  // namespace epurse::host
