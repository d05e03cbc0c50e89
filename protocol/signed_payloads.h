// Every byte string any party signs, defined once. Each starts with its own ASCII domain tag,
// so a signature made for one purpose can never be presented for another; and every payload a
// card verifies names that card's purse ID (or, for a transfer, sits inside pd, which names
// both purses and their sequence numbers), so it can never be replayed to another purse.
#pragma once

#include <string_view>

#include "base/bytes.h"
#include "protocol/payment_details.h"
#include "protocol/purse_types.h"

namespace epurse::protocol {

// Mondex transfer messages: signer and verifier are the two purses.
enum class TransferMessage { kReq, kVal, kAck };
Bytes transferPayload(TransferMessage message, const PaymentDetails& pd);  // "REQ"|"VAL"|"ACK" || pd
const char* transferMessageName(TransferMessage message);

// Issuer-signed orders: domain || purse ID || order fields (issuer_authorisations.h).
inline constexpr std::string_view kDomainPersonalise = "PERS";  // || card public key || data (no purse ID yet)
inline constexpr std::string_view kDomainLoad = "LOAD";
inline constexpr std::string_view kDomainUnload = "ULOD";
inline constexpr std::string_view kDomainPinUnblock = "UNBL";
inline constexpr std::string_view kDomainLifeCycle = "LIFE";
inline constexpr std::string_view kDomainExceptionClear = "XCLR";
inline constexpr std::string_view kDomainRevocationList = "REVL";  // || list (one list for every purse)
// Card-signed statements.
inline constexpr std::string_view kDomainLoadReceipt = "LRCP";
inline constexpr std::string_view kDomainUnloadReceipt = "URCP";
inline constexpr std::string_view kDomainAudit = "AUDT";

Bytes issuerOrderPayload(std::string_view domain, const PurseId& purse, ByteView fields);
Bytes domainPayload(std::string_view domain, ByteView fields);

}  // namespace epurse::protocol
