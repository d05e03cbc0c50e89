// vsmartcard's vpcd wire format (vpcd 0.8, Debian's libifdvpcd.so.0.8). vpcd is the reader
// driver inside pcscd and listens on TCP; the virtual card connects to it. Both directions:
//
//   length  2 bytes, big-endian: size of what follows
//   payload length bytes
//
// vpcd -> card, payload of 1 byte: a control code
//   00 power off   01 power on   02 reset      the card sends NO reply to these three:
//                                              vpcd reads none and a reply would put the
//                                              stream out of step
//   04 get ATR                                 reply: the ATR. pcscd also uses this as its
//                                              presence poll (about every 400 ms), so it must
//                                              be cheap and change nothing
// vpcd -> card, payload of more than 1 byte: a command APDU; reply: the response APDU, at
//   least SW1 SW2 (a zero-length reply or a closed socket makes vpcd eject the card)
//
// vpcd writes the length and the payload separately, so a reader must collect exactly N
// bytes in a loop. Each reply goes out in one write.
#pragma once

#include <cstdint>

namespace epurse::card::vpcd {

inline constexpr std::uint16_t kDefaultPort = 35963;  // reader 0; reader N listens on port + N
inline constexpr const char* kDefaultHost = "127.0.0.1";
inline constexpr std::size_t kLengthSize = 2;
inline constexpr std::size_t kControlMessageSize = 1;

inline constexpr std::uint8_t kPowerOff = 0x00;
inline constexpr std::uint8_t kPowerOn = 0x01;
inline constexpr std::uint8_t kReset = 0x02;
inline constexpr std::uint8_t kGetAtr = 0x04;

}  // namespace epurse::card::vpcd
