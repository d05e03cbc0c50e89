// A card in memory: a fault-injecting Env, its TearInjector, the store, the card OS with one
// applet and an in-process channel, with a power cycle that rebuilds everything from the
// image exactly as a new card process would.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "apdu/command_apdu.h"
#include "apdu/response_apdu.h"
#include "card/persistence/transaction_store.h"
#include "card/runtime/card_os.h"
#include "card/runtime/in_process_channel.h"
#include "tests/support/echo_applet.h"
#include "tests/support/fault_injection_env.h"
#include "tests/support/test_printing.h"

namespace epurse::testing {

class InMemoryCard {
 public:
  using AppletFactory = std::function<std::unique_ptr<card::Applet>()>;
  InMemoryCard(Bytes aid, AppletFactory make, TransportProtocol protocol = TransportProtocol::kT1,
               std::size_t capacity = card::TransactionStore::kDefaultCapacity);

  // Drops the card object (as a power loss does) and starts a new one from the image.
  void restart();

  card::CardOs& os() { return *os_; }
  card::InProcessChannel& channel() { return *channel_; }
  card::TransactionStore& store() { return *store_; }
  FaultInjectionEnv& env() { return env_; }
  card::TearInjector& tear() { return tear_; }
  Bytes image() const { return env_.contents(kImagePath); }

  // Raw exchange: exactly what the card answers, no transport rules.
  ResponseApdu raw(const CommandApdu& command);
  ResponseApdu raw(ByteView bytes);
  // Full exchange through CardChannel::transmit.
  ResponseApdu send(const CommandApdu& command);
  ResponseApdu select();

  static constexpr const char* kImagePath = "/card.img";

 private:
  Bytes aid_;
  AppletFactory make_;
  TransportProtocol protocol_;
  std::size_t capacity_;
  card::TearInjector tear_;
  FaultInjectionEnv env_{&tear_};
  std::unique_ptr<card::TransactionStore> store_;
  std::unique_ptr<card::CardOs> os_;
  std::unique_ptr<card::InProcessChannel> channel_;
};

class EchoCardFixture : public InMemoryCard {
 public:
  explicit EchoCardFixture(TransportProtocol protocol = TransportProtocol::kT1,
                           std::size_t capacity = card::TransactionStore::kDefaultCapacity);
  ResponseApdu selectEcho() { return select(); }
};

}  // namespace epurse::testing
