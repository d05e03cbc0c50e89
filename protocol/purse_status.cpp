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
  Bytes out;
  out.reserve(kSize);
  out.push_back(kFormatVersion);
  out.push_back(static_cast<std::uint8_t>(lifeCycle));
  out.push_back(personalisation);
  out.push_back(static_cast<std::uint8_t>(protocol));
  out.push_back(pinTriesLeft);
  out.push_back(pinVerified ? 1 : 0);
  appendBytes(out, purseId);
  appendU16(out, currency);
  appendU32(out, balance);
  appendU32(out, maxBalance);
  appendU32(out, perTransferMax);
  appendU32(out, noPinLimit);
  appendU32(out, nextSeq);
  appendU32(out, loadCounter);
  appendU32(out, adminCounter);
  appendU32(out, date);
  appendU32(out, logAppended);
  out.push_back(logCapacity);
  out.push_back(exceptionsHeld);
  out.push_back(exceptionCapacity);
  appendU32(out, revocationVersion);
  appendBytes(out, issuerKeyId);
  appendU32(out, certificateExpiry);
  return out;
}

Result<PurseStatus> PurseStatus::decode(ByteView in) {
  if (in.size() != kSize || in[0] != kFormatVersion) {
    return makeError(ErrorCode::kMalformed, "a purse status record is 71 bytes, format 1");
  }
  if (in[1] > static_cast<std::uint8_t>(LifeCycle::kTerminated) ||
      in[3] > static_cast<std::uint8_t>(ProtocolStatus::kEpa) || in[5] > 1) {
    return makeError(ErrorCode::kMalformed, "purse status: value out of range");
  }
  const std::uint8_t* p = in.data();
  PurseStatus s;
  s.lifeCycle = static_cast<LifeCycle>(p[1]);
  s.personalisation = p[2];
  s.protocol = static_cast<ProtocolStatus>(p[3]);
  s.pinTriesLeft = p[4];
  s.pinVerified = p[5] == 1;
  s.purseId = toArray<kPurseIdSize>(in.subspan(6, kPurseIdSize));
  s.currency = loadU16(p + 14);
  s.balance = loadU32(p + 16);
  s.maxBalance = loadU32(p + 20);
  s.perTransferMax = loadU32(p + 24);
  s.noPinLimit = loadU32(p + 28);
  s.nextSeq = loadU32(p + 32);
  s.loadCounter = loadU32(p + 36);
  s.adminCounter = loadU32(p + 40);
  s.date = loadU32(p + 44);
  s.logAppended = loadU32(p + 48);
  s.logCapacity = p[52];
  s.exceptionsHeld = p[53];
  s.exceptionCapacity = p[54];
  s.revocationVersion = loadU32(p + 55);
  s.issuerKeyId = toArray<kIssuerKeyIdSize>(in.subspan(59, kIssuerKeyIdSize));
  s.certificateExpiry = loadU32(p + 67);
  return s;
}

}  // namespace epurse::protocol
