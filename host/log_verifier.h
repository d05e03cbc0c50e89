// Checking the purse's logs as READ RECORD returned them against each other and against a
// signed audit head: the transaction log's hash chain and the exception log's digest. A record
// missing, altered or out of order, or a read that is not what the card signed, fails here.
#pragma once

#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "protocol/ec_key.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"

namespace epurse::host {

// Records oldest first. Numbers must run consecutively and each record's chain hash must
// follow from its predecessor's. The log is cyclic, so the first record read may have lost its
// predecessor; only when it is record 1 is its link (to the zero hash) checked too. An empty
// list is a valid (empty) log. kCorrupt on any break, naming the record.
Status verifyTransactionLog(const std::vector<protocol::LogRecord>& oldestFirst);

// The audit head of the transaction log describes exactly these records: held, appended and
// head hash equal the count, the newest number and the newest chain hash (zero hash and 0 for
// an empty log). Does not re-check the chain: call verifyTransactionLog as well.
Status verifyTransactionHead(const std::vector<protocol::LogRecord>& oldestFirst, const protocol::AuditHead& head);

// The audit head of the exception log describes exactly these records: held equals the count,
// the head hash their digest oldest first, and numbers rise oldest to newest.
Status verifyExceptionHead(const std::vector<protocol::ExceptionRecord>& oldestFirst,
                           const protocol::AuditHead& head);

}  // namespace epurse::host
