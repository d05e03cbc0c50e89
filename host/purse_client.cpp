#include "host/purse_client.h"

#include <algorithm>

#include "host/card_statements.h"
#include "host/purse_names.h"
#include "protocol/purse_apdus.h"

namespace epurse::host {
namespace {

using namespace protocol;

// READ RECORD numbers records in one byte.
constexpr std::size_t kMaxRecordNumber = 255;

template <typename T>
CardResult<T> malformedAnswer(const std::string& command, const Error& error) {
  return makeError(ErrorCode::kMalformed, command + " answered data that does not parse: " + error.message);
}

}  // namespace

Result<ResponseApdu> PurseClient::send(const CommandApdu& command) { return channel_.transmit(command); }

CardResult<Bytes> PurseClient::execute(const CommandApdu& command) {
  auto response = channel_.transmit(command);
  if (!response) {
    return makeError(response.error().code, purseCommandName(command) + ": " + response.error().message);
  }
  if (!response->isSuccess()) return CardFailure::refused(purseCommandName(command), response->sw());
  return response->data();
}

CardStatus PurseClient::select() {
  certificate_.reset();
  auto answer = execute(apdus::selectPurse());
  if (!answer) return answer.failure();
  return {};
}

CardResult<PurseStatus> PurseClient::status() {
  auto answer = execute(apdus::getData(kDataPurseStatus));
  if (!answer) return answer.failure();
  auto decoded = PurseStatus::decode(*answer);
  if (!decoded) return malformedAnswer<PurseStatus>("GET DATA purse status", decoded.error());
  return *decoded;
}

CardResult<CardCertificate> PurseClient::certificate() {
  if (certificate_) return *certificate_;
  auto answer = execute(apdus::getData(kDataCardCertificate));
  if (!answer) return answer.failure();
  auto decoded = CardCertificate::decode(*answer);
  if (!decoded) return malformedAnswer<CardCertificate>("GET DATA card certificate", decoded.error());
  certificate_ = *decoded;
  return *decoded;
}

CardResult<Bytes> PurseClient::publicKey() {
  auto answer = execute(apdus::getData(kDataCardPublicKey));
  if (!answer) return answer.failure();
  auto point = decodePublicKeyTemplate(*answer);
  if (!point) return malformedAnswer<Bytes>("GET DATA card public key", point.error());
  return *point;
}

CardResult<PinResult> PurseClient::pinCommand(const CommandApdu& command) {
  auto response = channel_.transmit(command);
  if (!response) return makeError(response.error().code, "VERIFY: " + response.error().message);
  const sw::StatusWord s = response->sw();
  if (s == sw::kSuccess) return PinResult{PinResult::Outcome::kVerified, 0};
  if (sw::isVerifyFailed(s)) {
    return PinResult{PinResult::Outcome::kWrong, sw::verifyTriesLeft(s)};
  }
  if (s == sw::kAuthenticationMethodBlocked) return PinResult{PinResult::Outcome::kBlocked, 0};
  return CardFailure::refused("VERIFY", s);
}

CardResult<PinResult> PurseClient::verifyPin(const PinBlock& pin) { return pinCommand(apdus::verifyPin(pin)); }

CardResult<PinResult> PurseClient::pinState() { return pinCommand(apdus::pinTriesLeft()); }

CardStatus PurseClient::changePin(const PinBlock& oldPin, const PinBlock& newPin) {
  auto answer = execute(apdus::changePin(oldPin, newPin));
  if (!answer) return answer.failure();
  return {};
}

CardResult<SignedReceipt> PurseClient::valueCommand(const CommandApdu& signedOrder) {
  auto answer = execute(signedOrder);
  if (!answer) return answer.failure();
  const std::string name = purseCommandName(signedOrder);
  auto parts = splitSigned(*answer, ValueReceipt::kSize);
  if (!parts) return malformedAnswer<SignedReceipt>(name, parts.error());
  auto receipt = ValueReceipt::decode(parts->fields);
  if (!receipt) return malformedAnswer<SignedReceipt>(name, receipt.error());
  return SignedReceipt{*receipt, Bytes(parts->signature.begin(), parts->signature.end()), *answer};
}

CardResult<SignedReceipt> PurseClient::load(const CommandApdu& signedOrder) { return valueCommand(signedOrder); }

CardResult<SignedReceipt> PurseClient::unload(const CommandApdu& signedOrder) { return valueCommand(signedOrder); }

CardResult<std::vector<Bytes>> PurseClient::readRawRecords(std::uint8_t sfi) {
  std::vector<Bytes> newestFirst;
  for (std::size_t number = 1; number <= kMaxRecordNumber; ++number) {
    const CommandApdu command = apdus::readRecord(sfi, static_cast<std::uint8_t>(number));
    auto response = channel_.transmit(command);
    if (!response) return makeError(response.error().code, "READ RECORD: " + response.error().message);
    if (response->sw() == sw::kRecordNotFound) break;
    if (!response->isSuccess()) {
      return CardFailure::refused("READ RECORD " + std::to_string(number) + " of log " + std::to_string(sfi),
                                  response->sw());
    }
    newestFirst.push_back(response->data());
  }
  std::reverse(newestFirst.begin(), newestFirst.end());
  return newestFirst;
}

CardResult<std::vector<LogRecord>> PurseClient::readTransactionLog() {
  auto raw = readRawRecords(kSfiTransactionLog);
  if (!raw) return raw.failure();
  std::vector<LogRecord> records;
  records.reserve(raw->size());
  for (const Bytes& bytes : *raw) {
    auto record = LogRecord::decode(bytes);
    if (!record) return malformedAnswer<std::vector<LogRecord>>("READ RECORD (transaction log)", record.error());
    records.push_back(*record);
  }
  return records;
}

CardResult<std::vector<ExceptionRecord>> PurseClient::readExceptionLog() {
  auto raw = readRawRecords(kSfiExceptionLog);
  if (!raw) return raw.failure();
  std::vector<ExceptionRecord> records;
  records.reserve(raw->size());
  for (const Bytes& bytes : *raw) {
    auto record = ExceptionRecord::decode(bytes);
    if (!record) {
      return malformedAnswer<std::vector<ExceptionRecord>>("READ RECORD (exception log)", record.error());
    }
    records.push_back(*record);
  }
  return records;
}

CardResult<AuditHead> PurseClient::audit(std::uint8_t sfi, ByteView challenge, const CardCertificate& cert,
                                         const EcPublicKey& issuerKey) {
  if (challenge.size() < kMinChallengeSize || challenge.size() > kMaxChallengeSize) {
    return makeError(ErrorCode::kInvalidArgument, "an audit challenge is 8 to 32 bytes");
  }
  auto answer = execute(apdus::auditRead(sfi, challenge));
  if (!answer) return answer.failure();
  auto head = verifyAuditResponse(*answer, sfi, challenge, cert, issuerKey);
  if (!head) return makeError(head.error().code, "AUDIT READ: " + head.error().message);
  return *head;
}

CardStatus PurseClient::abort() {
  auto answer = execute(apdus::abortTransfer());
  if (!answer) return answer.failure();
  return {};
}

}  // namespace epurse::host
