// PC/SC (pcsc-lite's libpcsclite) for the terminal side: works with any reader, real or virtual.
#pragma once

#include <winscard.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apdu/card_channel.h"

namespace epurse {

struct ReaderState {
  std::string name;
  bool cardPresent = false;
  bool inUseExclusively = false;
  Bytes atr;  // empty when no card
};

enum class Protocol { kT0, kT1, kAny };

// What a watcher last saw of every reader, for PcscContext::waitForReaderChange. Starts
// empty: the first wait returns at once with every reader as it is.
class ReaderWatchState {
 public:
  const std::vector<ReaderState>& readers() const { return readers_; }
  // How many times a card entered or left reader `i` as PC/SC counts them (the upper 16 bits
  // of its event state): a card swapped between two waits changes it without changing
  // cardPresent.
  unsigned cardEvents(std::size_t i) const { return (pcscStates_.at(i) >> 16) & 0xFFFFu; }

 private:
  friend class PcscContext;
  std::vector<ReaderState> readers_;
  std::vector<DWORD> pcscStates_;  // dwEventState of the last wait, per reader
  DWORD readerListState_ = 0;      // the same for PC/SC's reader-list notification
  bool started_ = false;           // false: the next wait reads every reader afresh
};

// One PC/SC context (SCardEstablishContext). Not thread-safe; one per thread.
class PcscContext {
 public:
  static Result<std::unique_ptr<PcscContext>> establish();
  ~PcscContext();
  PcscContext(const PcscContext&) = delete;
  PcscContext& operator=(const PcscContext&) = delete;

  Result<std::vector<std::string>> readerNames();
  Result<std::vector<ReaderState>> readers();
  Result<ReaderState> reader(const std::string& name);
  // Picks a reader by its index in readerNames() ("0") or by its full name.
  Result<std::string> resolveReader(const std::string& indexOrName);
  // Waits until the reader's card presence equals `present`, up to timeoutMs.
  Status waitForCard(const std::string& name, bool present, unsigned timeoutMs);
  // Waits (SCardGetStatusChange, no polling) up to timeoutMs until a reader other than
  // `except` holds a card, and names that reader; nullopt when none did in time. A card
  // already present counts. Readers plugged in during the wait are seen on the next call.
  Result<std::optional<std::string>> waitForCardInAnyReaderExcept(const std::string& except, unsigned timeoutMs);

  // Blocks until some reader changes from what `seen` holds (a card inserted, removed or
  // swapped, a reader plugged in or unplugged, another program taking or releasing a card),
  // up to timeoutMs (kWaitForever: no limit), or until cancelWait(). No polling: it is one
  // SCardGetStatusChange over every reader and PC/SC's reader-list notification. On return
  // `seen` holds every reader as it is now. false: the time ran out or the wait was
  // cancelled, `seen` unchanged.
  static constexpr unsigned kWaitForever = INFINITE;
  Result<bool> waitForReaderChange(ReaderWatchState& seen, unsigned timeoutMs);
  // Ends a waitForReaderChange in progress on this context (it returns false). The one call
  // another thread may make on a context; nothing happens when no wait is in progress.
  Status cancelWait();

  SCARDCONTEXT handle() const { return ctx_; }

 private:
  explicit PcscContext(SCARDCONTEXT ctx) : ctx_(ctx) {}
  SCARDCONTEXT ctx_;
};

class PcscChannel : public CardChannel {
 public:
  static Result<std::unique_ptr<PcscChannel>> connect(PcscContext& context, const std::string& reader,
                                                      Protocol preferred = Protocol::kAny);
  ~PcscChannel() override;

  // A transmit that finds the card reset by someone else reconnects and reports kCardReset,
  // because whatever was selected is gone and the caller must decide what to resend.
  // A card that leaves in the middle of an APDU does not always show as SCARD_W_REMOVED_CARD:
  // through vpcd SCardTransmit succeeds with a 0-byte answer (the card closed its socket
  // after reading the command) or fails with SCARD_E_NOT_TRANSACTED (it closed with the
  // command unread, or before it). Both are kCardRemoved once the reader shows no card within
  // kRemovalConfirmMs (pcscd's presence poll runs every 400 ms); else kMalformed and
  // kProtocol as before. The caller cannot know whether the card ran the command.
  Result<Bytes> transmitRaw(ByteView command) override;
  static constexpr unsigned kRemovalConfirmMs = 1500;

  // Reconnects after a reset (SCardReconnect, leaving the card powered).
  Status reconnect();
  Status disconnect(bool resetCard);
  // SCardDisconnect with any disposition (SCARD_LEAVE_CARD, SCARD_RESET_CARD,
  // SCARD_UNPOWER_CARD). All but LEAVE end what the card held in RAM, a transfer step
  // included; LEAVE too, once pcscd powers the unused card down (docs/terminal.md).
  Status disconnectWith(DWORD disposition);

  Protocol activeProtocol() const { return protocol_; }
  const std::string& readerName() const { return reader_; }
  Result<Bytes> atr();

 private:
  PcscChannel(PcscContext& context, SCARDHANDLE card, DWORD protocol, std::string reader);
  // The removed card's error when the reader soon shows no card, else `otherwise`.
  Error removedOr(Error otherwise, const std::string& how);

  PcscContext* context_;  // outlives the channel (ReaderSession and the tests hold both)
  SCARDHANDLE card_;
  DWORD activeProtocol_;
  Protocol protocol_;
  std::string reader_;
  bool connected_ = true;
};

// A PC/SC return code as a clear error: "no PC/SC service (is pcscd running?)" and so on.
Error pcscError(LONG rv, const std::string& what);

}  // namespace epurse
