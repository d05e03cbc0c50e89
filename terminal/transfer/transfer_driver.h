// The terminal's part in a Mondex value transfer: read both purses, start each, then relay
// REQ, VAL and ACK between them. The terminal signs nothing and decides nothing; the purses
// check each other. It stops at the first step that fails and says which, never retrying:
// a half-done transfer is settled by ABORT and the exception logs (transfer_recovery.h).
#pragma once

#include <optional>
#include <variant>

#include "host/card_result.h"
#include "host/purse_client.h"
#include "protocol/card_certificate.h"
#include "protocol/purse_status.h"
#include "protocol/transfer_messages.h"

namespace epurse::terminal {

enum class TransferStep {
  kReadStatus,  // (a) GET DATA status and certificate of both purses
  kStartFrom,   // (b) START FROM to the payer, answered by pd
  kStartTo,     // (c) START TO to the payee, answered by REQ
  kReq,         // (d) REQ to the payer, answered by VAL
  kVal,         // (e) VAL to the payee, answered by ACK
  kAck,         // (f) ACK to the payer
};
const char* transferStepName(TransferStep step);

struct TransferFailure {
  TransferStep step;
  Error error;                       // names the step, the purse and the status word
  std::optional<sw::StatusWord> sw;  // the refusing card's status word, if one refused

  TransferFailure(TransferStep failedStep, const host::CardFailure& cause);
  TransferFailure(TransferStep failedStep, Error cause);
};

template <typename T>
using TransferResult = host::Outcome<T, TransferFailure>;

struct TransferReceipt {
  protocol::PaymentDetails pd;
  protocol::SignedTransferMessage req;  // signed by the payee
  protocol::SignedTransferMessage val;  // signed by the payer
  protocol::SignedTransferMessage ack;  // signed by the payee
};

// One transfer, one step at a time, so that tests can stop anywhere or relay altered messages.
// Steps after (a) need (a) done; each message step relays exactly the message it is given.
class TransferSession {
 public:
  TransferSession(host::PurseClient& payer, host::PurseClient& payee, protocol::Amount value,
                  const protocol::PurchaseReference& reference);

  TransferResult<std::monostate> readParties();  // (a)
  // (a) with both statuses the caller has just read (nothing but a transfer step changes what
  // the START orders take from them); reads only the certificates.
  TransferResult<std::monostate> readParties(const protocol::PurseStatus& payerStatus,
                                             const protocol::PurseStatus& payeeStatus);

  // The START orders (a) makes possible: each names the other purse.
  std::optional<protocol::StartOrder> payerOrder() const;  // payee cert, value, payee nextSeq, reference
  std::optional<protocol::StartOrder> payeeOrder() const;  // payer cert, value, payer nextSeq, reference

  // (b) The payer's pd must be the transfer `order` asked for: from the payer at its nextSeq,
  // to the purse `order` certifies at the sequence number it names, the value and reference.
  TransferResult<protocol::PaymentDetails> startFrom();
  TransferResult<protocol::PaymentDetails> startFrom(const protocol::StartOrder& order);
  // (c) Answered by REQ.
  TransferResult<protocol::SignedTransferMessage> startTo();
  TransferResult<protocol::SignedTransferMessage> startTo(const protocol::StartOrder& order);
  TransferResult<protocol::SignedTransferMessage> req(const protocol::SignedTransferMessage& message);  // (d) -> VAL
  TransferResult<protocol::SignedTransferMessage> val(const protocol::SignedTransferMessage& message);  // (e) -> ACK
  TransferResult<std::monostate> ack(const protocol::SignedTransferMessage& message);                  // (f)

  const std::optional<protocol::PurseStatus>& payerStatus() const { return payerStatus_; }
  const std::optional<protocol::PurseStatus>& payeeStatus() const { return payeeStatus_; }

 private:
  TransferResult<protocol::SignedTransferMessage> relay(TransferStep step, host::PurseClient& to, const char* party,
                                                        const CommandApdu& command);

  host::PurseClient& payer_;
  host::PurseClient& payee_;
  protocol::Amount value_;
  protocol::PurchaseReference reference_;
  std::optional<protocol::PurseStatus> payerStatus_, payeeStatus_;
  std::optional<protocol::CardCertificate> payerCertificate_, payeeCertificate_;
};

// Steps (a) to (f) in order.
TransferResult<TransferReceipt> runTransfer(host::PurseClient& payer, host::PurseClient& payee, protocol::Amount value,
                                            const protocol::PurchaseReference& reference);

}  // namespace epurse::terminal
