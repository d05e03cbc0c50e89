#include "card/vpcd/vpcd_card_server.h"

#include <poll.h>

#include <algorithm>

#include "base/hex.h"
#include "card/vpcd/vpcd_protocol.h"

namespace epurse::card {
namespace {

// true when wakeFd fired during the wait.
bool sleepUnlessWoken(int wakeFd, std::chrono::milliseconds delay) {
  pollfd p{wakeFd, POLLIN, 0};
  return ::poll(&p, wakeFd >= 0 ? 1 : 0, static_cast<int>(delay.count())) > 0;
}

}  // namespace

Status serveVpcdConnection(VpcdLink& link, VpcdCard& card, int wakeFd, const LogFn& log) {
  for (;;) {
    auto message = link.readMessage(wakeFd);
    if (!message) {
      if (message.error().code == ErrorCode::kTimeout) return Status::ok();
      card.powerOff();
      return message.error();
    }
    const Bytes& m = *message;
    if (m.size() == vpcd::kControlMessageSize) {
      switch (m[0]) {
        case vpcd::kPowerOff: card.powerOff(); break;
        case vpcd::kPowerOn: card.powerOn(); break;
        case vpcd::kReset: card.reset(); break;
        case vpcd::kGetAtr:
          if (Status s = link.writeMessage(card.atr()); !s) {
            card.powerOff();
            return s;
          }
          break;
        default: log("ignoring unknown vpcd control code " + toHex(m)); break;
      }
      continue;
    }
    if (m.empty()) continue;  // vpcd never sends one; nothing to answer
    const Bytes response = card.transmit(m);
    if (Status s = link.writeMessage(response); !s) {
      card.powerOff();
      return s;
    }
  }
}

void runVpcdClient(const VpcdEndpoint& endpoint, VpcdCard& card, int wakeFd, const LogFn& log,
                   ReconnectPolicy policy) {
  auto delay = policy.first;
  bool reportedWaiting = false;
  for (;;) {
    auto link = VpcdLink::connect(endpoint);
    if (!link) {
      if (!reportedWaiting) {
        log(link.error().message + "; retrying with back-off");
        reportedWaiting = true;
      }
      if (sleepUnlessWoken(wakeFd, delay)) return;
      delay = std::min(delay * 2, policy.max);
      continue;
    }
    log("connected to vpcd at " + endpoint.toString());
    reportedWaiting = false;
    delay = policy.first;
    Status s = serveVpcdConnection(**link, card, wakeFd, log);
    if (s) return;  // woken: shut down
    log("vpcd link lost (" + s.error().message + "); reconnecting");
    if (sleepUnlessWoken(wakeFd, delay)) return;
  }
}

}  // namespace epurse::card
