// The terminal's view of a card: one command in, one response out.
//
// Implementations move raw bytes (transmitRaw). transmit() adds the ISO 7816-4 transport
// rules once, here, so no caller ever sees them: 61xx is followed by GET RESPONSE until the
// card has nothing left, and 6Cxx makes us resend the same command with Le = xx.
//
// An ApduObserver installed on a channel sees every exchange transmit() makes, including
// the GET RESPONSE and resend follow-ups, with the time each one took: what `--trace`
// prints (host/apdu_trace.h). Exchanges made by calling transmitRaw directly are not seen.
#pragma once

#include <chrono>
#include <optional>

#include "apdu/command_apdu.h"
#include "apdu/iso_instructions.h"
#include "apdu/response_apdu.h"
#include "apdu/status_word.h"
#include "base/bytes.h"
#include "base/result.h"

namespace epurse {

// One raw exchange, as transmit() made it.
struct ApduExchange {
  // Why transmit() sent this command.
  enum class Step {
    kCommand,      // the caller's command
    kResend,       // the caller's command again with the Le a 6Cxx asked for
    kGetResponse,  // GET RESPONSE after 61xx (or its own 6Cxx resend)
  };

  Step step = Step::kCommand;
  ByteView command;                  // exactly the bytes sent
  ByteView response;                 // exactly the bytes received; empty when `error` is set
  const Error* error = nullptr;      // the exchange failed (no card, reset, I/O): nothing received
  std::chrono::nanoseconds elapsed{};  // from just before the send to the answer or the failure

  // SW1 SW2 of the response; nothing when the exchange failed or the answer is too short.
  std::optional<sw::StatusWord> statusWord() const;
};

class ApduObserver {
 public:
  virtual ~ApduObserver() = default;
  // Called after every exchange, successful or not. The bytes are valid during the call only.
  virtual void onExchange(const ApduExchange& exchange) = 0;
};

class CardChannel {
 public:
  virtual ~CardChannel() = default;

  // Exactly one exchange with the card, no transport rules applied.
  virtual Result<Bytes> transmitRaw(ByteView command) = 0;

  // A full exchange: the response as if the card had answered in one go. Virtual so that a
  // channel can add recovery around it (ReaderSession reselects after a reset); an override
  // calls CardChannel::transmit for the transport rules.
  virtual Result<ResponseApdu> transmit(const CommandApdu& command);

  // Not owned; nullptr removes it. The observer must outlive its installation.
  void setObserver(ApduObserver* observer) { observer_ = observer; }
  ApduObserver* observer() const { return observer_; }

  // Upper bound on data collected through GET RESPONSE, against a card that never stops.
  static constexpr std::size_t kMaxChainedResponse = CommandApdu::kMaxExtendedNe + 256;

 private:
  Result<ResponseApdu> exchange(const CommandApdu& command, ApduExchange::Step step);

  ApduObserver* observer_ = nullptr;
};

}  // namespace epurse
