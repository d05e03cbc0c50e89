// One reading of a purse's two logs, exactly as the card answered: what `collect` reads from a
// card in a reader and what an audit export file (`epurse export`, docs/protocol.md "Audit
// export") carries. Nothing in it is trusted until verifyEvidence() has checked it.
#pragma once

#include <vector>

#include "base/bytes.h"
#include "protocol/card_certificate.h"

namespace epurse::host {

struct CollectedEvidence {
  protocol::CardCertificate certificate;  // as GET DATA returned it
  Bytes challenge;                        // 8..32 bytes the reader chose for both AUDIT READs
  Bytes transactionAudit;                 // AUDIT READ of SFI 1: head (54) || signature (64)
  std::vector<Bytes> transactionRecords;  // READ RECORD of SFI 1, oldest first, 103 bytes each
  Bytes exceptionAudit;                   // AUDIT READ of SFI 2
  std::vector<Bytes> exceptionRecords;    // READ RECORD of SFI 2, oldest first, 67 bytes each
  bool operator==(const CollectedEvidence&) const = default;
};

}  // namespace epurse::host
