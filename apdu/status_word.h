// ISO/IEC 7816-4 status words, named once. Logic compares against these names, never bare hex.
#pragma once

#include <cstdint>
#include <string>

namespace epurse::sw {

using StatusWord = std::uint16_t;

inline constexpr StatusWord kSuccess = 0x9000;

// Families whose SW2 carries a number.
inline constexpr std::uint8_t kSw1BytesAvailable = 0x61;  // 61xx: xx more bytes via GET RESPONSE
inline constexpr std::uint8_t kSw1WrongLe = 0x6C;         // 6Cxx: resend with Le = xx
inline constexpr StatusWord kVerifyFailedBase = 0x63C0;   // 63Cx: wrong PIN, x tries left

inline constexpr StatusWord kWarningNoInformation = 0x6200;
inline constexpr StatusWord kMemoryFailure = 0x6581;
inline constexpr StatusWord kWrongLength = 0x6700;
inline constexpr StatusWord kLogicalChannelNotSupported = 0x6881;
inline constexpr StatusWord kSecureMessagingNotSupported = 0x6882;
inline constexpr StatusWord kSecurityStatusNotSatisfied = 0x6982;
inline constexpr StatusWord kAuthenticationMethodBlocked = 0x6983;
inline constexpr StatusWord kReferenceDataNotUsable = 0x6984;
inline constexpr StatusWord kConditionsNotSatisfied = 0x6985;
inline constexpr StatusWord kCommandNotAllowed = 0x6986;
inline constexpr StatusWord kAppletSelectFailed = 0x6999;
inline constexpr StatusWord kWrongData = 0x6A80;
inline constexpr StatusWord kFunctionNotSupported = 0x6A81;
inline constexpr StatusWord kFileNotFound = 0x6A82;
inline constexpr StatusWord kRecordNotFound = 0x6A83;
inline constexpr StatusWord kNotEnoughMemory = 0x6A84;
inline constexpr StatusWord kIncorrectP1P2 = 0x6A86;
inline constexpr StatusWord kReferencedDataNotFound = 0x6A88;
inline constexpr StatusWord kWrongP1P2 = 0x6B00;
inline constexpr StatusWord kInsNotSupported = 0x6D00;
inline constexpr StatusWord kClaNotSupported = 0x6E00;
inline constexpr StatusWord kUnknown = 0x6F00;

constexpr std::uint8_t sw1(StatusWord s) { return static_cast<std::uint8_t>(s >> 8); }
constexpr std::uint8_t sw2(StatusWord s) { return static_cast<std::uint8_t>(s); }
constexpr StatusWord make(std::uint8_t s1, std::uint8_t s2) { return static_cast<StatusWord>((s1 << 8) | s2); }
constexpr StatusWord bytesAvailable(std::uint8_t n) { return make(kSw1BytesAvailable, n); }
constexpr StatusWord wrongLe(std::uint8_t exact) { return make(kSw1WrongLe, exact); }
constexpr StatusWord verifyFailed(std::uint8_t triesLeft) {
  return static_cast<StatusWord>(kVerifyFailedBase | (triesLeft & 0x0F));
}
inline constexpr StatusWord kVerifyFailedFamilyMask = 0xFFF0;
inline constexpr StatusWord kVerifyTriesMask = 0x000F;
constexpr bool isVerifyFailed(StatusWord s) { return (s & kVerifyFailedFamilyMask) == kVerifyFailedBase; }
constexpr std::uint8_t verifyTriesLeft(StatusWord s) { return static_cast<std::uint8_t>(s & kVerifyTriesMask); }

// "9000 success", "6A82 file or application not found", "63C2 verification failed, 2 tries left".
std::string describe(StatusWord s);

}  // namespace epurse::sw
