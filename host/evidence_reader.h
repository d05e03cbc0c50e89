// Reading one purse's evidence (CollectedEvidence) from a card: its certificate, both logs as
// READ RECORD answers them and both logs' signed heads. Nothing is verified here; the issuer
// (or `epurse export`'s receiver) checks the whole with verifyEvidence().
#pragma once

#include "base/bytes.h"
#include "host/card_result.h"
#include "host/collected_evidence.h"
#include "host/purse_client.h"

namespace epurse::host {

// `purse` must be selected. `challenge` (8..32 bytes, the reader's fresh random) goes
// unchanged into both AUDIT READs. The first refusal or failed exchange ends the reading,
// the failure naming the command; a challenge of the wrong length is kInvalidArgument
// before anything is sent.
CardResult<CollectedEvidence> readEvidence(PurseClient& purse, ByteView challenge);

}  // namespace epurse::host
