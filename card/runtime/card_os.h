// The card operating system: power states, the ATR, applet selection by AID, the one
// dispatcher that turns applet refusals into status words, and the transport rules a real
// card applies (T=0: 61xx + GET RESPONSE and 6Cxx; T=1: 61xx when the answer exceeds Ne or
// the command carried no Le at all).
// It knows nothing about any particular applet.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apdu/atr.h"
#include "apdu/command_apdu.h"
#include "apdu/iso_instructions.h"
#include "apdu/status_word.h"
#include "base/bytes.h"
#include "base/result.h"
#include "card/persistence/transaction_store.h"
#include "card/runtime/applet.h"
#include "card/runtime/transient_memory.h"

namespace epurse::card {

// SELECT, which the card OS handles itself (kInsSelect, kSelectByDfName: apdu/iso_instructions.h).
inline constexpr std::uint8_t kSelectReturnFci = 0x00;          // P2: first occurrence, return FCI
inline constexpr std::uint8_t kSelectNoResponseData = 0x0C;     // P2: first occurrence, no data
inline constexpr std::size_t kMinAidLength = 5;
inline constexpr std::size_t kMaxAidLength = 16;
// FCI template (ISO 7816-4 clause 7.4): 6F { 84 DF name, A5 proprietary }.
inline constexpr std::uint32_t kTagFci = 0x6F;
inline constexpr std::uint32_t kTagDfName = 0x84;
inline constexpr std::uint32_t kTagFciProprietary = 0xA5;

inline constexpr sw::StatusWord kSwChainingNotSupported = 0x6884;

struct CardConfig {
  TransportProtocol protocol = TransportProtocol::kT1;
};

class CardOs {
 public:
  static constexpr std::size_t kMaxApplets = 8;
  static constexpr std::size_t kDirectorySize = 256;  // card-level header at offset 0
  static constexpr std::size_t kMemoryGranule = 4096;

  // Persistent memory for a new image holding applets that need `appletBytes` in all: the
  // directory and the applets, rounded up to whole 4 KiB pages.
  static constexpr std::size_t capacityFor(std::size_t appletBytes) {
    return (kDirectorySize + appletBytes + kMemoryGranule - 1) / kMemoryGranule * kMemoryGranule;
  }

  CardOs(TransactionStore& store, CardConfig config);
  ~CardOs();
  CardOs(const CardOs&) = delete;
  CardOs& operator=(const CardOs&) = delete;

  // Before start(): registers an applet under its AID (5..16 bytes).
  Status install(Bytes aid, std::unique_ptr<Applet> applet);

  // Lays out persistent memory on a blank image and runs each applet's install, or checks
  // that the image was made for exactly these applets. Then attaches them. The card is
  // left powered off.
  Status start();

  const Bytes& atr() const { return atr_; }
  TransportProtocol protocol() const { return config_.protocol; }
  bool powered() const { return powered_; }

  // Power-up and reset both clear transient memory, abort any transaction, deselect, and
  // run every applet's powerUp hook. Power-off does the same minus the hooks.
  void powerOn();
  void powerOff();
  void reset();

  // One command APDU in, one response APDU (at least SW1 SW2) out. An APDU that arrives
  // while the card is off powers it on first.
  Bytes process(ByteView command);

  // For tests and tools.
  Applet* selectedApplet() const;
  TransientMemory& transientMemory() { return transient_; }

 private:
  class Context;
  struct Installed;
  struct Outcome {
    Bytes data;
    sw::StatusWord status;
  };

  Outcome dispatch(const CommandApdu& command);
  Outcome select(const CommandApdu& command);
  Bytes deliver(const CommandApdu& command, Outcome outcome);
  Bytes serveGetResponse(const CommandApdu& command);
  void deselectCurrent();
  void clearVolatileState();

  TransactionStore& store_;
  CardConfig config_;
  Bytes atr_;
  TransientMemory transient_;
  std::vector<std::unique_ptr<Installed>> applets_;
  Installed* selected_ = nullptr;
  bool started_ = false;
  bool powered_ = false;

  // Response bytes the terminal has yet to fetch with GET RESPONSE.
  Bytes pending_;
  // T=0: the answer to a case 2 command that came with the wrong Le (6Cxx), served without
  // running the command again when the terminal resends it with the right Le.
  struct WrongLeAnswer {
    std::uint8_t header[4];
    Bytes data;
  };
  std::unique_ptr<WrongLeAnswer> wrongLe_;
};

}  // namespace epurse::card
