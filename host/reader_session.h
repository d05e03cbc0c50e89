// One purse in one PC/SC reader, as every host-side program reaches it: choose the reader,
// connect, SELECT the purse, and keep the session usable when another program resets the
// card. docs/cli.md describes what the programs make of it.
//
// Choosing the reader:
//   - by index: the position in the PC/SC reader list ("0", as `epurse readers` numbers them);
//   - by name: the exact name, else the one name containing the text (case-insensitive);
//     several → kInvalidArgument listing them, none → kNoReader listing every reader;
//   - by default: the only reader whose card answers SELECT of the purse AID with 9000.
//     Finding it sends that SELECT to every card present (which deselects whatever another
//     program had selected on it: name the reader to avoid that). No purse → kNoCard when
//     no reader holds a card, else kNoApplication; several purses → kInvalidArgument; the
//     message lists every reader with its card and whether it is a purse.
// A card that refuses the SELECT is "not a purse" (kNoApplication).
//
// A reset by another program (SCardReconnect/SCardDisconnect with SCARD_RESET_CARD, which
// PcscChannel reports as kCardReset after reconnecting) ends whatever the card held in RAM:
// the selection, a verified PIN, a transfer step (the purse aborts it at power-up). The
// session always reselects the purse. It then resends the command once if it only reads
// (SELECT, GET DATA, READ RECORD): reading twice changes nothing. Any other command is not
// resent, because the reset may have come after the card ran it (a LOAD that committed,
// whose receipt was still waiting for GET RESPONSE): the caller gets kCardReset, with the
// purse selected again, and must find out from the purse's status what happened.
//
// A card that leaves the reader during the session is kCardRemoved, however PC/SC words it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apdu/card_channel.h"
#include "apdu/pcsc_channel.h"
#include "host/purse_client.h"
#include "protocol/purse_status.h"

namespace epurse::host {

struct ReaderSelector {
  enum class Kind { kDefault, kIndex, kName };
  Kind kind = Kind::kDefault;
  std::size_t index = 0;
  std::string name;

  static ReaderSelector automatic() { return {}; }
  static ReaderSelector byIndex(std::size_t i) { return {Kind::kIndex, i, {}}; }
  static ReaderSelector byName(std::string text) { return {Kind::kName, 0, std::move(text)}; }
  // What `--reader R` means: all digits is an index, anything else (part of) a name.
  static ReaderSelector parse(const std::string& text);
  std::string describe() const;
};

struct ReaderSessionOptions {
  ReaderSelector reader;
  Protocol protocol = Protocol::kAny;
  ApduObserver* trace = nullptr;  // not owned; sees every exchange, probes included
  // false: any card will do (`epurse apdu`): no SELECT, the default is the only reader
  // holding a card, and a reset is only reported (kCardReset), never recovered.
  bool requirePurse = true;
  // A PC/SC context another session of this program already holds: a program that works on
  // two readers (a transfer) makes one pcscd client connection, not one per reader, which
  // saves a connection, a version check and a reader-state fetch. nullptr: a context of its own.
  std::shared_ptr<PcscContext> context;
};

// What one reader holds, as `epurse readers` shows it.
struct ReaderReport {
  std::size_t index = 0;
  std::string name;
  bool cardPresent = false;
  bool inUseExclusively = false;
  Bytes atr;
  bool probed = false;  // connected and sent SELECT (false: no card, or in exclusive use)
  bool isPurse = false;
  std::optional<protocol::PurseStatus> status;  // with survey(…, readStatus = true)
  std::optional<Error> problem;                 // why the probe or the status read failed
};

// Every reader and what it holds; probes each card present with SELECT of the purse AID
// (and GET DATA status when readStatus). Only a failure to reach PC/SC is an error.
Result<std::vector<ReaderReport>> surveyReaders(PcscContext& context, bool readStatus, ApduObserver* trace = nullptr);

// "0  Virtual PCD 00 00  purse\n1  Virtual PCD 00 01  no card" for error messages.
std::string listReaders(const std::vector<ReaderReport>& readers);

class ReaderSession {
 public:
  static Result<std::unique_ptr<ReaderSession>> open(const ReaderSessionOptions& options);
  ~ReaderSession();
  ReaderSession(const ReaderSession&) = delete;
  ReaderSession& operator=(const ReaderSession&) = delete;

  const std::string& readerName() const { return readerName_; }
  std::size_t readerIndex() const { return readerIndex_; }
  Protocol protocol() const;
  Result<Bytes> atr();

  // The card, with reset recovery as above; the trace hook is installed on it.
  CardChannel& channel();
  // A PurseClient over channel(); the purse is selected when open() returns.
  PurseClient& purse() { return *purse_; }
  // The session's PC/SC context, to pass to the next session (ReaderSessionOptions::context).
  const std::shared_ptr<PcscContext>& context() const { return context_; }

 private:
  class Channel;
  ReaderSession() = default;

  std::shared_ptr<PcscContext> context_;  // before channel_: the card is disconnected first
  std::unique_ptr<Channel> channel_;
  std::unique_ptr<PurseClient> purse_;
  std::string readerName_;
  std::size_t readerIndex_ = 0;
};

}  // namespace epurse::host
