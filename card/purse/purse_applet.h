// The purse applet: stored value that moves card to card with the Mondex value-transfer
// protocol, issuer-signed loads, a PIN and signed, hash-chained logs. docs/protocol.md gives
// the protocol and why no value can be created; docs/apdu.md every command.
//
// Every command checks everything first and only then opens a transaction, so a refusal
// (an IsoException) leaves persistent memory exactly as it was; the card OS aborts whatever
// a refused command may have begun. The one deliberate exception: a wrong PIN (63Cx, 6983
// from VERIFY or CHANGE REFERENCE DATA) has spent its try, committed before the comparison.
#pragma once

#include <span>

#include "card/purse/key_cache.h"
#include "card/purse/purse_memory.h"
#include "card/runtime/applet.h"
#include "protocol/card_certificate.h"
#include "protocol/payment_details.h"
#include "protocol/purse_command_table.h"
#include "protocol/signed_payloads.h"

namespace epurse::card {

class PurseApplet final : public Applet {
 public:
  std::size_t persistentSize() const override;
  void attach(CardContext& card) override;
  void powerUp(CardContext& card) override;
  Bytes selectionData(CardContext& card) override;
  Bytes process(CardContext& card, const CommandApdu& command) override;

 private:
  // purse_applet.cpp
  using Handler = Bytes (PurseApplet::*)(const CommandApdu&);
  struct HandlerEntry {
    protocol::PurseCommandId command;
    Handler handler;
  };
  PurseMemory memory() const { return PurseMemory(card_->persistent()); }
  Bytes getData(const CommandApdu& command);
  Bytes statusRecord();
  protocol::LifeCycle lifeCycle();
  void requireLifeCycle(protocol::LifeCycle wanted);
  // Issuer orders after personalisation: the purse is personalised or blocked.
  void requireIssuedPurse();
  // An issuer order of variable length: fields || 64-byte signature (6700 if shorter).
  struct SignedOrder {
    ByteView fields;
    ByteView signature;
  };
  SignedOrder splitVariableOrder(const CommandApdu& command);
  void requireNoData(const CommandApdu& command);
  void requireP1P2(const CommandApdu& command, std::uint8_t p1, std::uint8_t p2);
  const protocol::EcPublicKey& issuerKey();
  const protocol::EcPrivateKey& cardKey();
  Bytes signWithCardKey(ByteView payload);
  void verifyIssuerSignature(ByteView payload, ByteView signature);
  protocol::PurseId purseId();
  bool pinVerified() const { return transient_[kTransientPinVerified] != 0; }
  void setPinVerified(bool verified) { transient_[kTransientPinVerified] = verified ? 1 : 0; }

  // purse_personalisation.cpp
  Bytes putIssuerKey(const CommandApdu& command);
  Bytes generateKeyPair(const CommandApdu& command);
  Bytes personalise(const CommandApdu& command);
  Bytes putCertificate(const CommandApdu& command);

  // purse_pin.cpp
  Bytes verifyPin(const CommandApdu& command);
  Bytes changePin(const CommandApdu& command);
  Bytes resetRetryCounter(const CommandApdu& command);
  // Spends one try, durably, before comparing; restores the tries only on a match.
  void checkPin(ByteView candidate);

  // purse_value.cpp
  Bytes load(const CommandApdu& command);
  Bytes unload(const CommandApdu& command);
  // Shared checks of LOAD and UNLOAD, then the credit or debit with its log record and receipt.
  Bytes applyValueOrder(const CommandApdu& command, bool isLoad);

  // purse_transfer.cpp
  Bytes startFrom(const CommandApdu& command);
  Bytes startTo(const CommandApdu& command);
  Bytes req(const CommandApdu& command);
  Bytes val(const CommandApdu& command);
  Bytes ack(const CommandApdu& command);
  Bytes abortCommand(const CommandApdu& command);
  // Mondex abort, in the caller's transaction: back to idle; pd to the exception log when
  // value may be in flight (epv, epa).
  void abortTransfer();
  bool abortIfBusy();  // commits an abort when a transfer is in progress
  // The counterparty's message: state, identical pd, signature under its key.
  protocol::PaymentDetails acceptTransferMessage(const CommandApdu& command, protocol::ProtocolStatus expected,
                                                protocol::TransferMessage message);
  // START FROM (asPayer) and START TO.
  Bytes start(const CommandApdu& command, bool asPayer);

  // purse_audit.cpp
  Bytes readRecord(const CommandApdu& command);
  Bytes auditRead(const CommandApdu& command);
  Bytes clearExceptionLog(const CommandApdu& command);
  Bytes putRevocationList(const CommandApdu& command);
  Bytes setLifeCycle(const CommandApdu& command);
  bool isRevoked(const protocol::PurseId& id);

  static constexpr std::size_t kTransientPinVerified = 0;
  static constexpr std::size_t kTransientSize = 1;

  CardContext* card_ = nullptr;
  std::span<std::uint8_t> transient_;
  KeyCache keys_;
};

}  // namespace epurse::card
