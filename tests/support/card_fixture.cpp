#include "tests/support/card_fixture.h"

#include <stdexcept>

namespace epurse::testing {

EchoCardFixture::EchoCardFixture(TransportProtocol protocol, std::size_t capacity)
    : protocol_(protocol), capacity_(capacity) {
  restart();
}

void EchoCardFixture::restart() {
  channel_.reset();
  os_.reset();
  store_.reset();
  card::TransactionStore::Options options;
  options.capacityForNewImage = capacity_;
  options.tear = &tear_;
  auto store = card::TransactionStore::open(env_, kImagePath, options);
  if (!store) throw std::runtime_error("cannot open card image: " + store.error().toString());
  store_ = std::move(*store);
  os_ = std::make_unique<card::CardOs>(*store_, card::CardConfig{protocol_});
  if (Status s = os_->install(kEchoAid, std::make_unique<EchoApplet>()); !s) {
    throw std::runtime_error(s.error().toString());
  }
  if (Status s = os_->start(); !s) throw std::runtime_error(s.error().toString());
  os_->powerOn();
  channel_ = std::make_unique<card::InProcessChannel>(*os_);
}

ResponseApdu EchoCardFixture::raw(ByteView bytes) {
  auto r = ResponseApdu::parse(os_->process(bytes));
  if (!r) throw std::runtime_error(r.error().toString());
  return *r;
}

ResponseApdu EchoCardFixture::raw(const CommandApdu& command) { return raw(command.serialize()); }

ResponseApdu EchoCardFixture::send(const CommandApdu& command) {
  auto r = channel_->transmit(command);
  if (!r) throw std::runtime_error(r.error().toString());
  return *r;
}

ResponseApdu EchoCardFixture::selectEcho() { return raw(CommandApdu(0x00, card::kInsSelect, 0x04, 0x00, kEchoAid, 256)); }

}  // namespace epurse::testing
