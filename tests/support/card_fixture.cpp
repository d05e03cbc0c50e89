#include "tests/support/card_fixture.h"

#include <stdexcept>

namespace epurse::testing {

InMemoryCard::InMemoryCard(Bytes aid, AppletFactory make, TransportProtocol protocol, std::size_t capacity)
    : aid_(std::move(aid)), make_(std::move(make)), protocol_(protocol), capacity_(capacity) {
  restart();
}

EchoCardFixture::EchoCardFixture(TransportProtocol protocol, std::size_t capacity)
    : InMemoryCard(kEchoAid, [] { return std::make_unique<EchoApplet>(); }, protocol, capacity) {}

void InMemoryCard::restart() {
  os_.reset();
  store_.reset();
  card::TransactionStore::Options options;
  options.capacityForNewImage = capacity_;
  options.tear = &tear_;
  auto store = card::TransactionStore::open(env_, kImagePath, options);
  if (!store) throw std::runtime_error("cannot open card image: " + store.error().toString());
  store_ = std::move(*store);
  os_ = std::make_unique<card::CardOs>(*store_, card::CardConfig{protocol_});
  if (Status s = os_->install(aid_, make_()); !s) {
    throw std::runtime_error(s.error().toString());
  }
  if (Status s = os_->start(); !s) throw std::runtime_error(s.error().toString());
  os_->powerOn();
  // The channel object outlives power cycles, so clients built on it stay valid.
  if (channel_) {
    channel_->rebind(*os_);
  } else {
    channel_ = std::make_unique<card::InProcessChannel>(*os_);
  }
}

ResponseApdu InMemoryCard::raw(ByteView bytes) {
  auto r = ResponseApdu::parse(os_->process(bytes));
  if (!r) throw std::runtime_error(r.error().toString());
  return *r;
}

ResponseApdu InMemoryCard::raw(const CommandApdu& command) { return raw(command.serialize()); }

ResponseApdu InMemoryCard::send(const CommandApdu& command) {
  auto r = channel_->transmit(command);
  if (!r) throw std::runtime_error(r.error().toString());
  return *r;
}

ResponseApdu InMemoryCard::select() { return raw(CommandApdu(0x00, kInsSelect, kSelectByDfName, 0x00, aid_, 256)); }

}  // namespace epurse::testing
