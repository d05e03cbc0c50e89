// ISO/IEC 7816-3 Answer-to-Reset, built by the card and read by the terminal.
//
//   TS      3B (direct convention)
//   T0      Y1 (b8-b5: which of TA1 TB1 TC1 TD1 follow) | K (b4-b1: number of historical bytes)
//   TAi TBi TCi TDi   interface bytes; TDi = Y(i+1) | protocol T of this group
//   T1..TK  historical bytes
//   TCK     XOR of T0 .. the last historical byte; present iff a protocol other than T=0
//           is offered (absent when only T=0 is)
//
// buildAtr offers either T=0 alone or T=1:
//   T=1:  3B 8C 81 31 FE 45 <historical bytes> TCK   (T0 = 8K for K historical bytes)
//         TD1=81: TD2 follows, T=1; TD2=31: TA3 TB3 follow, T=1; TA3=FE IFSC 254; TB3=45 BWI 4 CWI 5
//   T=0:  3B 0K <historical bytes>      no interface bytes: T=0 with default parameters
// What the epurse card OS puts in the historical bytes is the card's business
// (card/runtime/card_atr.h).
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse {

enum class TransportProtocol : std::uint8_t { kT0 = 0, kT1 = 1 };

struct AtrInfo {
  std::vector<int> protocols;  // offered protocols, each once, in order of appearance
  Bytes historical;
  bool hasTck = false;
};

inline constexpr std::uint8_t kAtrDirectConvention = 0x3B;
inline constexpr std::size_t kMaxAtrSize = 33;
inline constexpr std::size_t kMaxHistoricalBytes = 15;

// Requires historical.size() <= 15 (throws std::length_error otherwise).
Bytes buildAtr(TransportProtocol protocol, ByteView historical);

// Strict: checks structure, lengths and TCK.
Result<AtrInfo> parseAtr(ByteView atr);

}  // namespace epurse
