#include "terminal/transfer/transfer_driver.h"

#include "protocol/purse_apdus.h"

namespace epurse::terminal {
namespace {

using namespace protocol;

constexpr const char* kPayer = "payer";
constexpr const char* kPayee = "payee";

std::string stepContext(TransferStep step) { return std::string("transfer stopped at ") + transferStepName(step); }

TransferFailure notReady(TransferStep step) {
  return TransferFailure(step, makeError(ErrorCode::kInvalidArgument, "the parties have not been read (step a)"));
}

// The checks of step (b), as one message naming every field that differs.
Status checkPd(const PaymentDetails& pd, const PurseStatus& payer, const StartOrder& order,
               const CardCertificate& payeeCert) {
  std::string wrong;
  auto expect = [&wrong](bool ok, const char* field) {
    if (!ok) wrong += wrong.empty() ? field : std::string(", ") + field;
  };
  expect(pd.fromId == payer.purseId, "from purse");
  expect(pd.fromSeq == payer.nextSeq, "from sequence number");
  expect(pd.toId == payeeCert.purseId, "to purse");
  expect(pd.toSeq == order.counterpartySeq, "to sequence number");
  expect(pd.value == order.value, "value");
  expect(pd.reference == order.reference, "purchase reference");
  if (wrong.empty()) return Status::ok();
  return makeError(ErrorCode::kProtocol, "the payer's pd differs from the transfer asked for in: " + wrong);
}

// What a 6982 at START means, which the status word alone cannot say: START is where each
// purse checks the other's certificate (docs/apdu.md, START FROM and START TO).
std::string explained(TransferStep step, const host::CardFailure& cause) {
  std::string message = cause.error.message;
  if (cause.sw != sw::kSecurityStatusNotSatisfied) return message;
  if (step == TransferStep::kStartTo) {
    message += " (the payee does not accept the payer's certificate: another issuer's, expired, or revoked)";
  } else if (step == TransferStep::kStartFrom) {
    message += " (the payer does not accept the payee's certificate: another issuer's, expired, or revoked;"
               " or the payer's PIN is needed and not verified)";
  }
  return message;
}

}  // namespace

const char* transferStepName(TransferStep step) {
  switch (step) {
    case TransferStep::kReadStatus: return "reading the purses";
    case TransferStep::kStartFrom: return "START FROM";
    case TransferStep::kStartTo: return "START TO";
    case TransferStep::kReq: return "REQ";
    case TransferStep::kVal: return "VAL";
    case TransferStep::kAck: return "ACK";
  }
  return "?";
}

TransferFailure::TransferFailure(TransferStep failedStep, const host::CardFailure& cause)
    : step(failedStep), error(cause.error), sw(cause.sw) {
  error.message = stepContext(failedStep) + ": " + explained(failedStep, cause);
}

TransferFailure::TransferFailure(TransferStep failedStep, Error cause)
    : step(failedStep), error(host::CardFailure(std::move(cause)).within(stepContext(failedStep)).error) {}

TransferSession::TransferSession(host::PurseClient& payer, host::PurseClient& payee, Amount value,
                                 const PurchaseReference& reference)
    : payer_(payer), payee_(payee), value_(value), reference_(reference) {}

TransferResult<std::monostate> TransferSession::readParties() {
  constexpr TransferStep step = TransferStep::kReadStatus;
  auto payerStatus = payer_.status();
  if (!payerStatus) return TransferFailure(step, payerStatus.failure().within(kPayer));
  auto payeeStatus = payee_.status();
  if (!payeeStatus) return TransferFailure(step, payeeStatus.failure().within(kPayee));
  return readParties(*payerStatus, *payeeStatus);
}

TransferResult<std::monostate> TransferSession::readParties(const protocol::PurseStatus& payerStatus,
                                                            const protocol::PurseStatus& payeeStatus) {
  constexpr TransferStep step = TransferStep::kReadStatus;
  auto payerCert = payer_.certificate();
  if (!payerCert) return TransferFailure(step, payerCert.failure().within(kPayer));
  auto payeeCert = payee_.certificate();
  if (!payeeCert) return TransferFailure(step, payeeCert.failure().within(kPayee));
  payerStatus_ = payerStatus;
  payeeStatus_ = payeeStatus;
  payerCertificate_ = *payerCert;
  payeeCertificate_ = *payeeCert;
  return {};
}

std::optional<StartOrder> TransferSession::payerOrder() const {
  if (!payeeStatus_ || !payeeCertificate_) return std::nullopt;
  return StartOrder{payeeCertificate_->encode(), value_, payeeStatus_->nextSeq, reference_};
}

std::optional<StartOrder> TransferSession::payeeOrder() const {
  if (!payerStatus_ || !payerCertificate_) return std::nullopt;
  return StartOrder{payerCertificate_->encode(), value_, payerStatus_->nextSeq, reference_};
}

TransferResult<PaymentDetails> TransferSession::startFrom() {
  auto order = payerOrder();
  if (!order) return notReady(TransferStep::kStartFrom);
  return startFrom(*order);
}

TransferResult<PaymentDetails> TransferSession::startFrom(const StartOrder& order) {
  constexpr TransferStep step = TransferStep::kStartFrom;
  if (!payerStatus_) return notReady(step);
  auto answer = payer_.execute(apdus::startFrom(order));
  if (!answer) return TransferFailure(step, answer.failure().within(kPayer));
  auto pd = PaymentDetails::decode(*answer);
  if (!pd) return TransferFailure(step, makeError(ErrorCode::kMalformed, "payer: pd: " + pd.error().message));
  // The order may have been altered on purpose; the pd must match what was actually sent.
  auto payeeCert = CardCertificate::decode(order.counterpartyCertificate);
  if (!payeeCert) {
    return TransferFailure(step, makeError(ErrorCode::kInvalidArgument,
                                           "the payer accepted a START FROM whose certificate does not parse"));
  }
  if (Status s = checkPd(*pd, *payerStatus_, order, *payeeCert); !s) return TransferFailure(step, s.error());
  return *pd;
}

TransferResult<SignedTransferMessage> TransferSession::startTo() {
  auto order = payeeOrder();
  if (!order) return notReady(TransferStep::kStartTo);
  return startTo(*order);
}

TransferResult<SignedTransferMessage> TransferSession::startTo(const StartOrder& order) {
  return relay(TransferStep::kStartTo, payee_, kPayee, apdus::startTo(order));
}

TransferResult<SignedTransferMessage> TransferSession::req(const SignedTransferMessage& message) {
  return relay(TransferStep::kReq, payer_, kPayer, apdus::req(message));
}

TransferResult<SignedTransferMessage> TransferSession::val(const SignedTransferMessage& message) {
  return relay(TransferStep::kVal, payee_, kPayee, apdus::val(message));
}

TransferResult<std::monostate> TransferSession::ack(const SignedTransferMessage& message) {
  auto answer = payer_.execute(apdus::ack(message));
  if (!answer) return TransferFailure(TransferStep::kAck, answer.failure().within(kPayer));
  return {};
}

TransferResult<SignedTransferMessage> TransferSession::relay(TransferStep step, host::PurseClient& to, const char* party,
                                                             const CommandApdu& command) {
  auto answer = to.execute(command);
  if (!answer) return TransferFailure(step, answer.failure().within(party));
  auto message = SignedTransferMessage::decode(*answer);
  if (!message) {
    return TransferFailure(step, makeError(ErrorCode::kMalformed, std::string(party) + ": " + message.error().message));
  }
  return *message;
}

TransferResult<TransferReceipt> runTransfer(host::PurseClient& payer, host::PurseClient& payee, Amount value,
                                            const PurchaseReference& reference) {
  TransferSession session(payer, payee, value, reference);
  if (auto parties = session.readParties(); !parties) return parties.failure();
  auto pd = session.startFrom();
  if (!pd) return pd.failure();
  auto req = session.startTo();
  if (!req) return req.failure();
  auto val = session.req(*req);
  if (!val) return val.failure();
  auto ack = session.val(*val);
  if (!ack) return ack.failure();
  if (auto done = session.ack(*ack); !done) return done.failure();
  return TransferReceipt{*pd, *req, *val, *ack};
}

}  // namespace epurse::terminal
