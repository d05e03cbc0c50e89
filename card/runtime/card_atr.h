// What the epurse card OS answers to reset (apdu/atr.h builds the ATR around it):
//   T=1:  3B 8C 81 31 FE 45 <12 historical bytes> TCK
//   T=0:  3B 0C <12 historical bytes>
// Historical bytes: 80 (COMPACT-TLV follows), 56 "epurse" (card issuer's data),
//   73 80 00 xx (card capabilities: selection by full DF name; xx=40 extended Lc/Le on T=1).
#pragma once

#include "apdu/atr.h"
#include "base/bytes.h"

namespace epurse::card {

// The historical bytes that name an epurse card.
Bytes epurseHistoricalBytes(TransportProtocol protocol);

}  // namespace epurse::card
