// Checking one reading of a purse's logs (CollectedEvidence) as a whole, before anything in it
// is believed: the certificate under the issuer key, both audit answers signed by the
// certified card key over the challenge, the transaction log's hash chain up to the signed
// head, and the exception log's digest. What comes out is decoded and consistent.
#pragma once

#include <vector>

#include "base/result.h"
#include "host/collected_evidence.h"
#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"

namespace epurse::host {

struct VerifiedEvidence {
  protocol::CardCertificate certificate;
  protocol::AuditHead transactionHead;
  protocol::AuditHead exceptionHead;
  std::vector<protocol::LogRecord> transactionRecords;   // oldest first
  std::vector<protocol::ExceptionRecord> exceptionRecords;  // oldest first
};

// kProtocol (a signature or certificate that does not verify, a head of another purse or
// log), kCorrupt (a broken chain or digest), kMalformed (bytes that do not parse, a
// challenge outside 8..32 bytes); the message names what failed.
Result<VerifiedEvidence> verifyEvidence(const CollectedEvidence& evidence, const protocol::EcPublicKey& issuerKey);

}  // namespace epurse::host
