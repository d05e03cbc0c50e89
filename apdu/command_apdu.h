// ISO/IEC 7816-4 command APDU (clause 5.1): header CLA INS P1 P2, optional command data
// (Nc bytes, announced by Lc) and optional Ne (announced by Le), in short or extended form.
//
//   case 1   CLA INS P1 P2
//   case 2S  CLA INS P1 P2 Le                    Le 00 means Ne = 256
//   case 3S  CLA INS P1 P2 Lc data               Lc 01..FF
//   case 4S  CLA INS P1 P2 Lc data Le
//   case 2E  CLA INS P1 P2 00 Le1 Le2            Le 0000 means Ne = 65536
//   case 3E  CLA INS P1 P2 00 Lc1 Lc2 data       Lc 0001..FFFF
//   case 4E  CLA INS P1 P2 00 Lc1 Lc2 data Le1 Le2
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse {

class CommandApdu {
 public:
  static constexpr std::size_t kHeaderSize = 4;
  static constexpr std::size_t kMaxShortNc = 255;
  static constexpr std::uint32_t kMaxShortNe = 256;
  static constexpr std::size_t kMaxExtendedNc = 65535;
  static constexpr std::uint32_t kMaxExtendedNe = 65536;

  enum class Case : std::uint8_t { k1 = 1, k2 = 2, k3 = 3, k4 = 4 };

  // Preconditions (a violation is a programming error and throws std::length_error):
  // data.size() <= 65535, and ne, when present, is in 1..65536.
  CommandApdu(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, Bytes data = {},
              std::optional<std::uint32_t> ne = std::nullopt);

  // Strict: every length must match the buffer exactly; anything else is kMalformed.
  static Result<CommandApdu> parse(ByteView raw);

  std::uint8_t cla() const { return cla_; }
  std::uint8_t ins() const { return ins_; }
  std::uint8_t p1() const { return p1_; }
  std::uint8_t p2() const { return p2_; }
  const Bytes& data() const { return data_; }
  std::optional<std::uint32_t> ne() const { return ne_; }
  Case isoCase() const;

  // Extended form is used when the lengths need it, or when the APDU was parsed from
  // extended form, or when forced with setExtended(true).
  bool isExtended() const;
  void setExtended(bool extended) { forceExtended_ = extended; }
  CommandApdu withNe(std::optional<std::uint32_t> ne) const;

  Bytes serialize() const;
  bool operator==(const CommandApdu& other) const;

 private:
  std::uint8_t cla_, ins_, p1_, p2_;
  Bytes data_;
  std::optional<std::uint32_t> ne_;
  bool forceExtended_ = false;
};

}  // namespace epurse
