// The purse's commands, once: class, instruction, name and what each needs. The applet's
// dispatch (card/purse/purse_applet.cpp) gives every entry its handler, the host names
// commands from it (host/purse_names.cpp), and tests/unit/purse_command_table_test.cpp holds
// it against the command summary in docs/apdu.md. Every command has an INS of its own, so
// CLA and INS identify it; P1 never has to tell two commands apart.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "apdu/iso_instructions.h"
#include "protocol/purse_commands.h"

namespace epurse::protocol {

enum class PurseCommandId : std::uint8_t {
  kSelect,
  kGetData,
  kReadRecord,
  kVerify,
  kChangeReferenceData,
  kResetRetryCounter,
  kGenerateKeyPair,
  kPutIssuerKey,
  kPersonalise,
  kPutCertificate,
  kLoad,
  kUnload,
  kStartFrom,
  kStartTo,
  kReq,
  kVal,
  kAck,
  kAbort,
  kAuditRead,
  kClearExceptionLog,
  kPutRevocationList,
  kSetLifeCycle,
};

// Who handles a command, and for the applet's, the file of card/purse/ that does.
enum class CommandGroup : std::uint8_t {
  kCardOs,           // SELECT: the card OS (card/runtime/card_os.cpp), never the applet
  kData,             // purse_applet.cpp: GET DATA
  kPin,              // purse_pin.cpp
  kPersonalisation,  // purse_personalisation.cpp
  kValue,            // purse_value.cpp: LOAD, UNLOAD
  kTransfer,         // purse_transfer.cpp
  kAudit,            // purse_audit.cpp: logs, revocation list, life cycle
};

// What a command needs of the cardholder PIN (docs/apdu.md, summary column "PIN").
enum class PinRule : std::uint8_t {
  kNone,            // "—"
  kInData,          // "in data": the command presents the PIN itself (VERIFY, CHANGE REFERENCE DATA)
  kVerified,        // "verified": refused (6982) unless VERIFY succeeded in this session
  kAboveNoPinLimit, // "above no-PIN limit": verified when the value exceeds the no-PIN limit
};

struct PurseCommand {
  PurseCommandId id;
  std::uint8_t cla;
  std::uint8_t ins;
  std::string_view name;
  PinRule pin;
  bool issuerSigned;  // an issuer order: data = fields || issuer signature (docs/apdu.md "Sig")
  CommandGroup group;
};


inline constexpr std::array<PurseCommand, 22> kPurseCommands = {{
    {PurseCommandId::kSelect, kClaIso, kInsSelect, "SELECT", PinRule::kNone, false, CommandGroup::kCardOs},
    {PurseCommandId::kGetData, kClaIso, kInsGetData, "GET DATA", PinRule::kNone, false, CommandGroup::kData},
    {PurseCommandId::kReadRecord, kClaIso, kInsReadRecord, "READ RECORD", PinRule::kNone, false, CommandGroup::kAudit},
    {PurseCommandId::kVerify, kClaIso, kInsVerify, "VERIFY", PinRule::kInData, false, CommandGroup::kPin},
    {PurseCommandId::kChangeReferenceData, kClaIso, kInsChangeReferenceData, "CHANGE REFERENCE DATA",
     PinRule::kInData, false, CommandGroup::kPin},
    {PurseCommandId::kResetRetryCounter, kClaIso, kInsResetRetryCounter, "RESET RETRY COUNTER", PinRule::kNone, true,
     CommandGroup::kPin},
    {PurseCommandId::kGenerateKeyPair, kClaIso, kInsGenerateKeyPair, "GENERATE ASYMMETRIC KEY PAIR", PinRule::kNone,
     false, CommandGroup::kPersonalisation},
    {PurseCommandId::kPutIssuerKey, kClaProprietary, kInsPutIssuerKey, "PUT ISSUER KEY", PinRule::kNone, false,
     CommandGroup::kPersonalisation},
    {PurseCommandId::kPersonalise, kClaProprietary, kInsPersonalise, "PERSONALISE", PinRule::kNone, true,
     CommandGroup::kPersonalisation},
    {PurseCommandId::kPutCertificate, kClaProprietary, kInsPutCertificate, "PUT CERTIFICATE", PinRule::kNone, false,
     CommandGroup::kPersonalisation},
    {PurseCommandId::kLoad, kClaProprietary, kInsLoad, "LOAD", PinRule::kNone, true, CommandGroup::kValue},
    {PurseCommandId::kUnload, kClaProprietary, kInsUnload, "UNLOAD", PinRule::kVerified, true, CommandGroup::kValue},
    {PurseCommandId::kStartFrom, kClaProprietary, kInsStartFrom, "START FROM", PinRule::kAboveNoPinLimit, false,
     CommandGroup::kTransfer},
    {PurseCommandId::kStartTo, kClaProprietary, kInsStartTo, "START TO", PinRule::kNone, false, CommandGroup::kTransfer},
    {PurseCommandId::kReq, kClaProprietary, kInsReq, "REQ", PinRule::kNone, false, CommandGroup::kTransfer},
    {PurseCommandId::kVal, kClaProprietary, kInsVal, "VAL", PinRule::kNone, false, CommandGroup::kTransfer},
    {PurseCommandId::kAck, kClaProprietary, kInsAck, "ACK", PinRule::kNone, false, CommandGroup::kTransfer},
    {PurseCommandId::kAbort, kClaProprietary, kInsAbort, "ABORT", PinRule::kNone, false, CommandGroup::kTransfer},
    {PurseCommandId::kAuditRead, kClaProprietary, kInsAuditRead, "AUDIT READ", PinRule::kNone, false,
     CommandGroup::kAudit},
    {PurseCommandId::kClearExceptionLog, kClaProprietary, kInsClearExceptionLog, "CLEAR EXCEPTION LOG",
     PinRule::kNone, true, CommandGroup::kAudit},
    {PurseCommandId::kPutRevocationList, kClaProprietary, kInsPutRevocationList, "PUT REVOCATION LIST",
     PinRule::kNone, true, CommandGroup::kAudit},
    {PurseCommandId::kSetLifeCycle, kClaProprietary, kInsSetLifeCycle, "SET LIFE CYCLE", PinRule::kNone, true,
     CommandGroup::kAudit},
}};

// The entry for this class and instruction; nullptr for anything the purse does not define.
constexpr const PurseCommand* findPurseCommand(std::uint8_t cla, std::uint8_t ins) {
  for (const PurseCommand& c : kPurseCommands) {
    if (c.cla == cla && c.ins == ins) return &c;
  }
  return nullptr;
}

// Entry i has id i (so an id names one entry), and no two entries share CLA and INS.
constexpr bool purseCommandTableIsConsistent() {
  for (std::size_t i = 0; i < kPurseCommands.size(); ++i) {
    if (static_cast<std::size_t>(kPurseCommands[i].id) != i) return false;
    for (std::size_t j = i + 1; j < kPurseCommands.size(); ++j) {
      if (kPurseCommands[i].cla == kPurseCommands[j].cla && kPurseCommands[i].ins == kPurseCommands[j].ins) {
        return false;
      }
    }
  }
  return true;
}
static_assert(purseCommandTableIsConsistent(), "one entry per command id, in id order, and one per CLA INS");

constexpr const PurseCommand& purseCommand(PurseCommandId id) { return kPurseCommands[static_cast<std::size_t>(id)]; }

}  // namespace epurse::protocol
