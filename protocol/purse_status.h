// The purse status record GET DATA (P1-P2 0101) returns, readable without a PIN.
//
//   0  1 format version (1)      1  1 life cycle          2  1 personalisation flags
//   3  1 protocol status         4  1 PIN tries left      5  1 PIN verified (01/00)
//   6  8 purse ID                14 2 currency            16 4 balance
//   20 4 max balance             24 4 per-transfer max    28 4 no-PIN limit
//   32 4 nextSeq                 36 4 load counter        40 4 admin counter
//   44 4 card date (YYYYMMDD)    48 4 log records ever    52 1 log capacity
//   53 1 exception records held  54 1 exception capacity 55 4 revocation list version
//   59 8 issuer key ID           67 4 certificate expiry  71 total
#pragma once

#include "base/bytes.h"
#include "base/result.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_types.h"

namespace epurse::protocol {

struct PurseStatus {
  static constexpr std::size_t kSize = 71;
  static constexpr std::uint8_t kFormatVersion = 1;

  LifeCycle lifeCycle = LifeCycle::kBlank;
  std::uint8_t personalisation = 0;
  ProtocolStatus protocol = ProtocolStatus::kIdle;
  std::uint8_t pinTriesLeft = 0;
  bool pinVerified = false;
  PurseId purseId{};
  Currency currency = 0;
  Amount balance = 0;
  Amount maxBalance = 0;
  Amount perTransferMax = 0;
  Amount noPinLimit = 0;
  std::uint32_t nextSeq = 0;
  std::uint32_t loadCounter = 0;
  std::uint32_t adminCounter = 0;
  Date date = 0;
  std::uint32_t logAppended = 0;
  std::uint8_t logCapacity = 0;
  std::uint8_t exceptionsHeld = 0;
  std::uint8_t exceptionCapacity = 0;
  std::uint32_t revocationVersion = 0;
  IssuerKeyId issuerKeyId{};
  Date certificateExpiry = 0;

  Bytes encode() const;
  static Result<PurseStatus> decode(ByteView in);
  bool operator==(const PurseStatus&) const = default;
};

}  // namespace epurse::protocol
