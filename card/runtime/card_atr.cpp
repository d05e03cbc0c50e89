#include "card/runtime/card_atr.h"

namespace epurse::card {
namespace {

constexpr std::uint8_t kCategoryCompactTlv = 0x80;
constexpr std::uint8_t kCompactTagIssuerData = 0x50;
constexpr std::uint8_t kCompactTagCapabilities = 0x70;
constexpr std::uint8_t kCapSelectByFullDfName = 0x80;
constexpr std::uint8_t kCapDataCoding = 0x00;
constexpr std::uint8_t kCapExtendedLength = 0x40;
constexpr char kCardName[] = "epurse";

}  // namespace

Bytes epurseHistoricalBytes(TransportProtocol protocol) {
  Bytes h;
  h.reserve(kMaxHistoricalBytes);
  h.push_back(kCategoryCompactTlv);
  const std::size_t nameLen = sizeof kCardName - 1;
  h.push_back(static_cast<std::uint8_t>(kCompactTagIssuerData | nameLen));
  for (std::size_t i = 0; i < nameLen; ++i) h.push_back(static_cast<std::uint8_t>(kCardName[i]));
  h.push_back(kCompactTagCapabilities | 3);
  h.push_back(kCapSelectByFullDfName);
  h.push_back(kCapDataCoding);
  // T=0 carries at most 255 data bytes per command, so only T=1 announces extended lengths.
  h.push_back(protocol == TransportProtocol::kT1 ? kCapExtendedLength : 0x00);
  return h;
}

}  // namespace epurse::card
