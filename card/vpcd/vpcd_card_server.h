// The card end of a vpcd link: turns vpcd messages into power events and APDUs for a card,
// and keeps the card plugged in, reconnecting with back-off whenever vpcd goes away.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "card/runtime/card_os.h"
#include "card/vpcd/vpcd_link.h"

namespace epurse::card {

class VpcdCard {
 public:
  virtual ~VpcdCard() = default;
  virtual void powerOff() = 0;
  virtual void powerOn() = 0;
  virtual void reset() = 0;
  virtual const Bytes& atr() = 0;
  virtual Bytes transmit(ByteView apdu) = 0;  // at least SW1 SW2
};

class CardOsOnVpcd final : public VpcdCard {
 public:
  explicit CardOsOnVpcd(CardOs& os) : os_(os) {}
  void powerOff() override { os_.powerOff(); }
  void powerOn() override { os_.powerOn(); }
  void reset() override { os_.reset(); }
  const Bytes& atr() override { return os_.atr(); }
  Bytes transmit(ByteView apdu) override { return os_.process(apdu); }

 private:
  CardOs& os_;
};

using LogFn = std::function<void(const std::string&)>;

// Serves one connection. Returns ok when `wakeFd` becomes readable, the error when the link
// fails (the card has then been powered off, as a card leaving a reader is).
Status serveVpcdConnection(VpcdLink& link, VpcdCard& card, int wakeFd, const LogFn& log);

struct ReconnectPolicy {
  std::chrono::milliseconds first{50};
  std::chrono::milliseconds max{2000};
};

// Connects to vpcd and serves it, reconnecting with exponential back-off whenever the
// connection fails or ends, until `wakeFd` becomes readable.
void runVpcdClient(const VpcdEndpoint& endpoint, VpcdCard& card, int wakeFd, const LogFn& log,
                   ReconnectPolicy policy = {});

}  // namespace epurse::card
