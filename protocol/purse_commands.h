// The purse applet's command set: AID, instruction codes, parameters and status words.
// docs/apdu.md documents every command with its data, response and status words.
#pragma once

#include <array>
#include <cstdint>

#include "apdu/status_word.h"

namespace epurse::protocol {

// AID: a proprietary RID (F0, ISO 7816-5 category "not registered") + "epurse" + version 1.
inline constexpr std::array<std::uint8_t, 8> kPurseAid = {0xF0, 'e', 'p', 'u', 'r', 's', 'e', 0x01};

// Class bytes.
inline constexpr std::uint8_t kClaIso = 0x00;
inline constexpr std::uint8_t kClaProprietary = 0x80;

// ISO 7816-4 / 7816-8 instructions (CLA 00).
inline constexpr std::uint8_t kInsVerify = 0x20;
inline constexpr std::uint8_t kInsChangeReferenceData = 0x24;
inline constexpr std::uint8_t kInsResetRetryCounter = 0x2C;
inline constexpr std::uint8_t kInsGenerateKeyPair = 0x46;
inline constexpr std::uint8_t kInsReadRecord = 0xB2;
inline constexpr std::uint8_t kInsGetData = 0xCA;

// Proprietary instructions (CLA 80).
inline constexpr std::uint8_t kInsPutIssuerKey = 0x10;
inline constexpr std::uint8_t kInsPersonalise = 0x12;
inline constexpr std::uint8_t kInsPutCertificate = 0x14;
inline constexpr std::uint8_t kInsLoad = 0x30;
inline constexpr std::uint8_t kInsUnload = 0x32;
inline constexpr std::uint8_t kInsStartFrom = 0x50;
inline constexpr std::uint8_t kInsStartTo = 0x52;
inline constexpr std::uint8_t kInsReq = 0x54;
inline constexpr std::uint8_t kInsVal = 0x56;
inline constexpr std::uint8_t kInsAck = 0x58;
inline constexpr std::uint8_t kInsAbort = 0x5A;
inline constexpr std::uint8_t kInsAuditRead = 0x70;
inline constexpr std::uint8_t kInsClearExceptionLog = 0x72;
inline constexpr std::uint8_t kInsPutRevocationList = 0x74;
inline constexpr std::uint8_t kInsSetLifeCycle = 0x76;

// VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER: P1 00, P2 = the cardholder PIN
// (ISO 7816-4 table "specific reference data", local PIN number 0).
inline constexpr std::uint8_t kP2CardholderPin = 0x80;
inline constexpr std::uint8_t kP1ResetCodeAndNewPin = 0x00;  // RESET RETRY COUNTER: resetting code (the issuer order) and new PIN

// GET DATA P1-P2.
inline constexpr std::uint16_t kDataPurseStatus = 0x0101;     // proprietary: the status record
inline constexpr std::uint16_t kDataCardPublicKey = 0x7F49;   // the card's public key template
inline constexpr std::uint16_t kDataCardCertificate = 0x7F21; // the issuer-signed card certificate

// READ RECORD: P1 = record number (1 = newest), P2 = SFI << 3 | 4 ("read record P1").
inline constexpr std::uint8_t kSfiTransactionLog = 1;
inline constexpr std::uint8_t kSfiExceptionLog = 2;
inline constexpr std::uint8_t kReadRecordP1IsNumber = 0x04;
constexpr std::uint8_t readRecordP2(std::uint8_t sfi) { return static_cast<std::uint8_t>(sfi << 3 | kReadRecordP1IsNumber); }

// AUDIT READ: P1 = which log (the SFI above), P2 = 00.

// The life cycle (persistent), as GET DATA reports it.
enum class LifeCycle : std::uint8_t { kBlank = 0, kPersonalised = 1, kBlocked = 2, kTerminated = 3 };
// SET LIFE CYCLE targets (issuer-signed).
enum class LifeCycleChange : std::uint8_t { kBlock = 1, kUnblock = 2, kTerminate = 3 };

// The Mondex protocol status (persistent).
enum class ProtocolStatus : std::uint8_t { kIdle = 0, kEpr = 1, kEpv = 2, kEpa = 3 };
const char* protocolStatusName(ProtocolStatus status);
const char* lifeCycleName(LifeCycle state);

// Personalisation progress on a blank card (status byte, bit set = done).
inline constexpr std::uint8_t kPersoIssuerKey = 0x01;
inline constexpr std::uint8_t kPersoKeyPair = 0x02;
inline constexpr std::uint8_t kPersoData = 0x04;
inline constexpr std::uint8_t kPersoCertificate = 0x08;

// Status words of the purse beyond the ISO ones in apdu/status_word.h. ISO 7816-4 leaves
// 9XXX (other than 9000) to the application.
namespace purse_sw {
inline constexpr sw::StatusWord kInsufficientFunds = 0x9401;     // payer or unload: balance < value
inline constexpr sw::StatusWord kMaxBalanceExceeded = 0x9402;    // payee or load: balance would pass the maximum
inline constexpr sw::StatusWord kTransferLimitExceeded = 0x9403; // value above the per-transfer maximum
inline constexpr sw::StatusWord kSequenceExhausted = 0x9404;     // nextSeq (or the load counter) at its maximum
}  // namespace purse_sw

}  // namespace epurse::protocol
