#include "tests/support/echo_applet.h"

#include "apdu/status_word.h"
#include "base/byte_codec.h"
#include "card/runtime/iso_exception.h"

namespace epurse::testing {
namespace {

// Persistent layout: generation (4), length (2), data (1024).
constexpr std::size_t kGenerationOffset = 0;
constexpr std::size_t kLengthOffset = 4;
constexpr std::size_t kDataOffset = 6;
const Bytes kSelectionData{'E', 'C', 'H', 'O', 0x01};

}  // namespace

using card::IsoException;

std::size_t EchoApplet::persistentSize() const { return kDataOffset + kEchoMaxStored; }

void EchoApplet::attach(card::CardContext& card) {
  resetCounter_ = card.allocateTransient(1, card::ClearOn::kReset);
  deselectCounter_ = card.allocateTransient(1, card::ClearOn::kDeselect);
}

void EchoApplet::install(card::CardContext& card) {
  card.persistent().writeU32(kGenerationOffset, 0);
  card.persistent().writeU16(kLengthOffset, 0);
}

void EchoApplet::powerUp(card::CardContext& /*card*/) { ++powerUps_; }

Bytes EchoApplet::selectionData(card::CardContext& /*card*/) { return kSelectionData; }

Bytes EchoApplet::process(card::CardContext& card, const CommandApdu& command) {
  if (command.cla() != kEchoCla) IsoException::throwIt(sw::kClaNotSupported);
  switch (command.ins()) {
    case kInsEcho: return command.data();
    case kInsPattern: {
      if (!command.data().empty()) IsoException::throwIt(sw::kWrongLength);
      Bytes out((static_cast<std::size_t>(command.p1()) << 8) | command.p2());
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i);
      return out;
    }
    case kInsStore: return store(card, command);
    case kInsLoad: {
      auto& mem = card.persistent();
      const ByteView data = mem.read(kDataOffset, mem.readU16(kLengthOffset));
      ByteWriter out;
      out.reserve(4 + data.size()).u32(mem.readU32(kGenerationOffset)).bytes(data);
      return out.take();
    }
    case kInsBump: {
      ++resetCounter_[0];
      ++deselectCounter_[0];
      ByteWriter out;
      out.u8(resetCounter_[0]).u8(deselectCounter_[0]).u16(powerUps_);
      return out.take();
    }
    default: IsoException::throwIt(sw::kInsNotSupported);
  }
}

Bytes EchoApplet::store(card::CardContext& card, const CommandApdu& command) {
  const Bytes& data = command.data();
  if (data.size() > kEchoMaxStored) IsoException::throwIt(sw::kWrongLength);
  if (command.p1() > kStoreLeaveTransactionOpen || command.p2() != 0) IsoException::throwIt(sw::kIncorrectP1P2);
  auto& mem = card.persistent();
  card.beginTransaction();
  mem.writeU32(kGenerationOffset, mem.readU32(kGenerationOffset) + 1);
  mem.writeU16(kLengthOffset, static_cast<std::uint16_t>(data.size()));
  for (std::size_t at = 0; at < data.size(); at += kEchoChunk) {
    const std::size_t n = std::min(kEchoChunk, data.size() - at);
    mem.write(kDataOffset + at, ByteView(data).subspan(at, n));
  }
  if (command.p1() == kStoreRefuseAfterWrites) IsoException::throwIt(sw::kWrongData);
  if (command.p1() == kStoreLeaveTransactionOpen) return {};
  card.commitTransaction();
  return {};
}

}  // namespace epurse::testing
