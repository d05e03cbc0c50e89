#include "protocol/purse_status.h"

namespace epurse::protocol {

const char* protocolStatusName(ProtocolStatus status) {
  switch (status) {
    case ProtocolStatus::kIdle: return "idle";
    case ProtocolStatus::kEpr: return "epr";
    case ProtocolStatus::kEpv: return "epv";
    case ProtocolStatus::kEpa: return "epa";
  }
  return "?";
}

const char* lifeCycleName(LifeCycle state) {
  switch (state) {
    case LifeCycle::kBlank: return "blank";
    case LifeCycle::kPersonalised: return "personalised";
    case LifeCycle::kBlocked: return "blocked";
    case LifeCycle::kTerminated: return "terminated";
  }
  return "?";
}

Bytes PurseStatus::encode() const {
  ByteWriter out;
  out.reserve(kSize)
      .u8(kFormatVersion)
      .u8(static_cast<std::uint8_t>(lifeCycle))
      .u8(personalisation)
      .u8(static_cast<std::uint8_t>(protocol))
      .u8(pinTriesLeft)
      .u8(pinVerified ? 1 : 0)
      .bytes(purseId)
      .u16(currency)
      .u32(balance)
      .u32(maxBalance)
      .u32(perTransferMax)
      .u32(noPinLimit)
      .u32(nextSeq)
      .u32(loadCounter)
      .u32(adminCounter)
      .u32(date)
      .u32(logAppended)
      .u8(logCapacity)
      .u8(exceptionsHeld)
      .u8(exceptionCapacity)
      .u32(revocationVersion)
      .bytes(issuerKeyId)
      .u32(certificateExpiry);
  return out.take();
}

Result<PurseStatus> PurseStatus::decode(ByteView in) {
  ByteReader r(in);
  PurseStatus s;
  const std::uint8_t version = r.u8();
  const std::uint8_t lifeCycle = r.u8();
  s.personalisation = r.u8();
  const std::uint8_t protocol = r.u8();
  s.pinTriesLeft = r.u8();
  const std::uint8_t pinVerified = r.u8();
  s.purseId = r.array<kPurseIdSize>();
  s.currency = r.u16();
  s.balance = r.u32();
  s.maxBalance = r.u32();
  s.perTransferMax = r.u32();
  s.noPinLimit = r.u32();
  s.nextSeq = r.u32();
  s.loadCounter = r.u32();
  s.adminCounter = r.u32();
  s.date = r.u32();
  s.logAppended = r.u32();
  s.logCapacity = r.u8();
  s.exceptionsHeld = r.u8();
  s.exceptionCapacity = r.u8();
  s.revocationVersion = r.u32();
  s.issuerKeyId = r.array<kIssuerKeyIdSize>();
  s.certificateExpiry = r.u32();
  if (!r.finish("a purse status record") || version != kFormatVersion) {
    return makeError(ErrorCode::kMalformed, "a purse status record is 71 bytes, format 1");
  }
  if (lifeCycle > static_cast<std::uint8_t>(LifeCycle::kTerminated) ||
      protocol > static_cast<std::uint8_t>(ProtocolStatus::kEpa) || pinVerified > 1) {
    return makeError(ErrorCode::kMalformed, "purse status: value out of range");
  }
  s.lifeCycle = static_cast<LifeCycle>(lifeCycle);
  s.protocol = static_cast<ProtocolStatus>(protocol);
  s.pinVerified = pinVerified == 1;
  return s;
}

}  // namespace epurse::protocol
