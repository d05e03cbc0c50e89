#include "host/evidence_verifier.h"

#include <string>
#include <utility>

#include "host/card_statements.h"
#include "host/log_verifier.h"
#include "protocol/purse_commands.h"

namespace epurse::host {
namespace {

using namespace protocol;

// The same error, its message prefixed with which part of the evidence failed.
Error within(const std::string& context, const Error& error) {
  std::string message = context;
  message += ": ";
  message += error.message;
  return makeError(error.code, std::move(message));
}

std::string recordIndex(const char* log, std::size_t index) {
  std::string name = log;
  name += " record [";
  name += std::to_string(index);
  name += "] (oldest first)";
  return name;
}

template <typename Record>
Result<std::vector<Record>> decodeAll(const std::vector<Bytes>& raw, const char* log) {
  std::vector<Record> records;
  records.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    auto record = Record::decode(raw[i]);
    if (!record) return within(recordIndex(log, i), record.error());
    records.push_back(*record);
  }
  return records;
}

Status requireHeadOfPurse(const AuditHead& head, const CardCertificate& certificate, const char* log) {
  if (head.purseId == certificate.purseId) return Status::ok();
  std::string message = "the ";
  message += log;
  message += " audit head names purse ";
  message += purseIdHex(head.purseId);
  message += ", the certificate purse ";
  message += purseIdHex(certificate.purseId);
  return makeError(ErrorCode::kProtocol, std::move(message));
}

}  // namespace

// Cheapest and most basic first: a challenge the card could not have signed, then the
// certificate every signature hangs on, then the signatures, and only then the records they
// vouch for.
Result<VerifiedEvidence> verifyEvidence(const CollectedEvidence& evidence, const EcPublicKey& issuerKey) {
  const std::size_t challengeSize = evidence.challenge.size();
  if (challengeSize < kMinChallengeSize || challengeSize > kMaxChallengeSize) {
    std::string message = "the audit challenge is ";
    message += std::to_string(challengeSize);
    message += " bytes, not 8 to 32";
    return makeError(ErrorCode::kMalformed, std::move(message));
  }
  // The certificate once, its key parsed once, for both signed heads.
  auto cardKey = certifiedCardKey(evidence.certificate, issuerKey);
  if (!cardKey) {
    std::string message = "the card certificate of purse ";
    message += purseIdHex(evidence.certificate.purseId);
    message += evidence.certificate.verify(issuerKey) ? " holds no usable public key" : " is not signed by this issuer key";
    return makeError(ErrorCode::kProtocol, std::move(message));
  }
  VerifiedEvidence out;
  out.certificate = evidence.certificate;
  const PurseId& purseId = evidence.certificate.purseId;

  auto transactionHead =
      verifyAuditWithCardKey(evidence.transactionAudit, kSfiTransactionLog, evidence.challenge, purseId, *cardKey);
  if (!transactionHead) return within("transaction log audit", transactionHead.error());
  auto exceptionHead =
      verifyAuditWithCardKey(evidence.exceptionAudit, kSfiExceptionLog, evidence.challenge, purseId, *cardKey);
  if (!exceptionHead) return within("exception log audit", exceptionHead.error());
  // verifyAuditWithCardKey checks this too; the contract promises it, so it is stated here.
  if (Status s = requireHeadOfPurse(*transactionHead, evidence.certificate, "transaction log"); !s) return s;
  if (Status s = requireHeadOfPurse(*exceptionHead, evidence.certificate, "exception log"); !s) return s;
  out.transactionHead = *transactionHead;
  out.exceptionHead = *exceptionHead;

  auto transactions = decodeAll<LogRecord>(evidence.transactionRecords, "transaction log");
  if (!transactions) return transactions.error();
  auto exceptions = decodeAll<ExceptionRecord>(evidence.exceptionRecords, "exception log");
  if (!exceptions) return exceptions.error();

  if (Status s = verifyTransactionLog(*transactions); !s) return within("transaction log", s.error());
  if (Status s = verifyTransactionHead(*transactions, out.transactionHead); !s) {
    return within("transaction log", s.error());
  }
  if (Status s = verifyExceptionHead(*exceptions, out.exceptionHead); !s) return within("exception log", s.error());
  out.transactionRecords = std::move(*transactions);
  out.exceptionRecords = std::move(*exceptions);
  return out;
}

}  // namespace epurse::host
