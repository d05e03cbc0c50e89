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
  Result<Bytes> transmitRaw(ByteView command) override;

  // Reconnects after a reset (SCardReconnect, leaving the card powered).
  Status reconnect();
  Status disconnect(bool resetCard);

  Protocol activeProtocol() const { return protocol_; }
  const std::string& readerName() const { return reader_; }
  Result<Bytes> atr();

 private:
  PcscChannel(SCARDHANDLE card, DWORD protocol, std::string reader);
  SCARDHANDLE card_;
  DWORD activeProtocol_;
  Protocol protocol_;
  std::string reader_;
  bool connected_ = true;
};

// A PC/SC return code as a clear error: "no PC/SC service (is pcscd running?)" and so on.
Error pcscError(LONG rv, const std::string& what);

}  // namespace epurse
