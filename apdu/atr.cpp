#include "apdu/atr.h"

#include <algorithm>
#include <stdexcept>

namespace epurse {
namespace {

constexpr std::uint8_t kTaPresent = 0x10, kTbPresent = 0x20, kTcPresent = 0x40, kTdPresent = 0x80;
constexpr std::uint8_t kLowNibble = 0x0F;
constexpr int kGlobalInterfaceBytes = 15;  // "T=15" in a TDi
// T=1 interface bytes: TD1 (TD2 follows, T=1), TD2 (TA3 TB3 follow, T=1), TA3 IFSC, TB3 BWI/CWI.
constexpr std::uint8_t kT1Td1 = kTdPresent | 0x01;
constexpr std::uint8_t kT1Td2 = kTaPresent | kTbPresent | 0x01;
constexpr std::uint8_t kT1Ifsc = 0xFE;
constexpr std::uint8_t kT1BwiCwi = 0x45;

}  // namespace

Bytes buildAtr(TransportProtocol protocol, ByteView historical) {
  if (historical.size() > kMaxHistoricalBytes) throw std::length_error("more than 15 historical bytes");
  const auto k = static_cast<std::uint8_t>(historical.size());
  Bytes atr;
  atr.reserve(kMaxAtrSize);
  atr.push_back(kAtrDirectConvention);
  if (protocol == TransportProtocol::kT0) {
    atr.push_back(k);
    appendBytes(atr, historical);
    return atr;
  }
  atr.push_back(static_cast<std::uint8_t>(kTdPresent | k));
  for (std::uint8_t b : {kT1Td1, kT1Td2, kT1Ifsc, kT1BwiCwi}) atr.push_back(b);
  appendBytes(atr, historical);
  std::uint8_t tck = 0;
  for (std::size_t i = 1; i < atr.size(); ++i) tck ^= atr[i];
  atr.push_back(tck);
  return atr;
}

Result<AtrInfo> parseAtr(ByteView atr) {
  auto bad = [](const std::string& why) { return makeError(ErrorCode::kMalformed, "ATR: " + why); };
  if (atr.size() < 2) return bad("shorter than TS T0");
  if (atr.size() > kMaxAtrSize) return bad("longer than 33 bytes");
  if (atr[0] != kAtrDirectConvention && atr[0] != 0x3F) return bad("TS is neither 3B nor 3F");
  AtrInfo info;
  std::size_t pos = 1;
  std::uint8_t y = atr[pos] & 0xF0;
  const std::size_t k = atr[pos] & kLowNibble;
  ++pos;
  bool onlyT0 = true;
  while (true) {
    for (std::uint8_t bit : {kTaPresent, kTbPresent, kTcPresent}) {
      if (y & bit) {
        if (pos >= atr.size()) return bad("truncated interface bytes");
        ++pos;
      }
    }
    if (!(y & kTdPresent)) break;
    if (pos >= atr.size()) return bad("truncated TD byte");
    const std::uint8_t td = atr[pos++];
    const int t = td & kLowNibble;
    // T=15 only qualifies global interface bytes: not a protocol, but it makes TCK mandatory.
    if (t != kGlobalInterfaceBytes &&
        std::find(info.protocols.begin(), info.protocols.end(), t) == info.protocols.end()) {
      info.protocols.push_back(t);
    }
    if (t != 0) onlyT0 = false;
    y = td & 0xF0;
  }
  if (info.protocols.empty()) info.protocols.push_back(0);  // no TD1: T=0 implied
  if (atr.size() - pos < k) return bad("truncated historical bytes");
  info.historical.assign(atr.begin() + static_cast<std::ptrdiff_t>(pos),
                         atr.begin() + static_cast<std::ptrdiff_t>(pos + k));
  pos += k;
  if (onlyT0) {
    if (pos != atr.size()) return bad("trailing bytes after the historical bytes (TCK is absent for T=0)");
    return info;
  }
  if (pos + 1 != atr.size()) return bad(pos == atr.size() ? "missing TCK" : "trailing bytes after TCK");
  std::uint8_t x = 0;
  for (std::size_t i = 1; i < atr.size(); ++i) x ^= atr[i];
  if (x != 0) return bad("TCK does not match");
  info.hasTck = true;
  return info;
}

}  // namespace epurse
