// The ISO/IEC 7816-4 interindustry instructions that both the card OS and host programs name:
// one definition each.
#pragma once

#include <cstdint>

namespace epurse {

inline constexpr std::uint8_t kInsSelect = 0xA4;       // SELECT (clause 11.2.2)
inline constexpr std::uint8_t kSelectByDfName = 0x04;  // SELECT P1: by DF name (an AID)
inline constexpr std::uint8_t kInsGetResponse = 0xC0;  // GET RESPONSE (clause 11.6.1)

}  // namespace epurse
