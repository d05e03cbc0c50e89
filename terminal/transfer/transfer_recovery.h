// Settling a transfer that stopped half-way, the Mondex way: ABORT both purses, which puts
// each back to idle and logs pd in a purse that may have value in flight (the payee in epv,
// the payer in epa), then compare the two exception logs.
//
// For a transfer from A to B, where its pd is logged says what happened to the value:
//   both A and B   A was debited (REQ accepted), B never credited (VAL not accepted): lost,
//                  and the issuer can prove it from the two logs;
//   only B         B aborted before A accepted REQ: A never debited, nothing moved;
//   only A         B accepted VAL and was credited, A never saw ACK: the value arrived.
#pragma once

#include <vector>

#include "host/card_result.h"
#include "host/purse_client.h"
#include "protocol/log_record.h"
#include "protocol/payment_details.h"

namespace epurse::terminal {

enum class TransferFate {
  kValueLost,              // logged by both purses
  kNothingMoved,           // logged by the payee only
  kArrivedUnacknowledged,  // logged by the payer only
};
const char* transferFateName(TransferFate fate);

struct TransferFinding {
  protocol::PaymentDetails pd;
  TransferFate fate;
};

struct RecoveryReport {
  // Everything each exception log holds after the aborts, oldest first, including records
  // of other transfers and other purses.
  std::vector<protocol::ExceptionRecord> payerLog;
  std::vector<protocol::ExceptionRecord> payeeLog;
  // One finding per distinct pd between these two purses (in either direction): those of the
  // payer's log first, then the payee's, each oldest first.
  std::vector<TransferFinding> findings;
};

// ABORT both, then read both status records (for the purse IDs) and both exception logs.
// Stops at the first command that fails, naming the purse.
host::CardResult<RecoveryReport> recover(host::PurseClient& payer, host::PurseClient& payee);

}  // namespace epurse::terminal
