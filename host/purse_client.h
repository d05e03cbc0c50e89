// The terminal's side of one purse: every purse command as a typed call over any CardChannel
// (PC/SC in the programs, an in-process card in tests). It checks what a command answers
// parses; it does not judge whether the card should have answered it.
//
// Every call that expects 9000 returns a CardResult: on any other status word the failure
// carries that status word (refusal()) and a message naming the command and the word.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "apdu/card_channel.h"
#include "host/card_result.h"
#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"
#include "protocol/purse_status.h"

namespace epurse::host {

// What VERIFY said about a PIN. A wrong PIN and a blocked PIN are answers, not failures.
struct PinResult {
  enum class Outcome { kVerified, kWrong, kBlocked };
  Outcome outcome = Outcome::kVerified;
  std::uint8_t triesLeft = 0;  // as the card reported it with 63Cx; 0 when blocked

  bool verified() const { return outcome == Outcome::kVerified; }
};

// A LOAD or UNLOAD answer, parsed but not verified (verifyReceipt in card_statements.h).
struct SignedReceipt {
  protocol::ValueReceipt receipt;
  Bytes signature;     // 64 bytes
  Bytes responseData;  // receipt || signature, as the card sent them
};

class PurseClient {
 public:
  explicit PurseClient(CardChannel& channel) : channel_(channel) {}

  CardStatus select();
  CardResult<protocol::PurseStatus> status();
  // Read once, then served from memory until the next select().
  CardResult<protocol::CardCertificate> certificate();
  CardResult<Bytes> publicKey();  // 65-byte uncompressed point

  CardResult<PinResult> verifyPin(const protocol::PinBlock& pin);
  CardResult<PinResult> pinState();  // VERIFY without data: no try spent
  CardStatus changePin(const protocol::PinBlock& oldPin, const protocol::PinBlock& newPin);

  // `signedOrder` comes from IssuerSigner::load / unload.
  CardResult<SignedReceipt> load(const CommandApdu& signedOrder);
  CardResult<SignedReceipt> unload(const CommandApdu& signedOrder);

  // READ RECORD 1, 2, ... until the card answers 6A83. Returned oldest first, exactly as the
  // card sent each record.
  CardResult<std::vector<Bytes>> readRawRecords(std::uint8_t sfi);
  CardResult<std::vector<protocol::LogRecord>> readTransactionLog();        // oldest first
  CardResult<std::vector<protocol::ExceptionRecord>> readExceptionLog();    // oldest first

  // AUDIT READ of log `sfi`, with the head's signature checked against the card key that
  // `cert` (itself checked under `issuerKey`) certifies.
  CardResult<protocol::AuditHead> audit(std::uint8_t sfi, ByteView challenge, const protocol::CardCertificate& cert,
                                        const protocol::EcPublicKey& issuerKey);

  CardStatus abort();

  // Any command that must answer 9000; the response data on success. For issuer orders
  // (IssuerSigner) and for tests.
  CardResult<Bytes> execute(const CommandApdu& command);
  // One exchange, any status word: only a failed exchange is an error.
  Result<ResponseApdu> send(const CommandApdu& command);

 private:
  CardResult<protocol::PurseStatus> decodeStatus(const Bytes& data);
  CardResult<SignedReceipt> valueCommand(const CommandApdu& signedOrder);
  CardResult<PinResult> pinCommand(const CommandApdu& command);

  CardChannel& channel_;
  std::optional<protocol::CardCertificate> certificate_;
};

}  // namespace epurse::host
