// The command APDUs of the purse, built in one place for the terminal and the issuer alike.
// Every proprietary command is CLA 80; every one that answers data asks for up to 256 bytes
// (short Le 00). docs/apdu.md lists them with their responses and status words.
#pragma once

#include "apdu/command_apdu.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/purse_commands.h"
#include "protocol/transfer_messages.h"

namespace epurse::protocol::apdus {

CommandApdu selectPurse();
CommandApdu getData(std::uint16_t p1p2);
CommandApdu readRecord(std::uint8_t sfi, std::uint8_t recordNumber);
CommandApdu verifyPin(const PinBlock& pin);
CommandApdu pinTriesLeft();  // VERIFY without data: 9000 if verified, else 63Cx
CommandApdu changePin(const PinBlock& oldPin, const PinBlock& newPin);
CommandApdu auditRead(std::uint8_t sfi, ByteView challenge);

// Personalisation.
CommandApdu putIssuerKey(ByteView issuerPublicKey);
CommandApdu generateKeyPair();
CommandApdu personalise(const Personalisation& data, ByteView issuerSignature);
CommandApdu putCertificate(ByteView certificate);

// Issuer orders: fields || issuer signature.
CommandApdu load(const ValueOrder& order, ByteView issuerSignature);
CommandApdu unload(const ValueOrder& order, ByteView issuerSignature);
CommandApdu resetRetryCounter(const PinUnblockOrder& order, ByteView issuerSignature);
CommandApdu setLifeCycle(const LifeCycleOrder& order, ByteView issuerSignature);
CommandApdu clearExceptionLog(const ExceptionClearOrder& order, ByteView issuerSignature);
CommandApdu putRevocationList(const RevocationList& list, ByteView issuerSignature);

// The transfer.
CommandApdu startFrom(const StartOrder& order);
CommandApdu startTo(const StartOrder& order);
CommandApdu req(const SignedTransferMessage& message);
CommandApdu val(const SignedTransferMessage& message);
CommandApdu ack(const SignedTransferMessage& message);
CommandApdu abortTransfer();

}  // namespace epurse::protocol::apdus
