// A test-only applet that exercises the card runtime before any product applet exists:
// echoes, long responses, multi-write persistent stores, and transient counters.
//
//   CLA 80, INS:
//   10 ECHO      data -> same data
//   12 PATTERN   P1P2 = n -> n bytes 00 01 02 ... (mod 256)
//   20 STORE     data (<= 1024 bytes) -> stored in persistent memory in several writes
//                (generation, length, 16-byte chunks) and committed;
//                P1 = 01 refuses with 6A80 after writing, P1 = 02 returns with the
//                transaction still open (an applet bug the dispatcher must catch)
//   22 LOAD      -> generation (4) || stored data
//   30 BUMP      -> reset counter (1) || deselect counter (1) || power-ups (2), after
//                incrementing both transient counters
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "card/runtime/applet.h"

namespace epurse::testing {

inline const Bytes kEchoAid{0xF0, 'E', 'P', 'U', 'R', 'S', 'E', 'E', 'C', 'H', 'O'};

inline constexpr std::uint8_t kEchoCla = 0x80;
inline constexpr std::uint8_t kInsEcho = 0x10;
inline constexpr std::uint8_t kInsPattern = 0x12;
inline constexpr std::uint8_t kInsStore = 0x20;
inline constexpr std::uint8_t kInsLoad = 0x22;
inline constexpr std::uint8_t kInsBump = 0x30;
inline constexpr std::uint8_t kStoreRefuseAfterWrites = 0x01;
inline constexpr std::uint8_t kStoreLeaveTransactionOpen = 0x02;
inline constexpr std::size_t kEchoMaxStored = 1024;
inline constexpr std::size_t kEchoChunk = 16;

class EchoApplet final : public card::Applet {
 public:
  std::size_t persistentSize() const override;
  void attach(card::CardContext& card) override;
  void install(card::CardContext& card) override;
  void powerUp(card::CardContext& card) override;
  Bytes selectionData(card::CardContext& card) override;
  Bytes process(card::CardContext& card, const CommandApdu& command) override;

 private:
  Bytes store(card::CardContext& card, const CommandApdu& command);
  std::span<std::uint8_t> resetCounter_;
  std::span<std::uint8_t> deselectCounter_;
  std::uint16_t powerUps_ = 0;
};

}  // namespace epurse::testing
