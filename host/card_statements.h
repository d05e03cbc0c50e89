// Checking what a card signs: its receipts for loads and unloads, and its audit heads. Each
// statement is trusted only through the chain issuer key -> card certificate -> card key, and
// only for the purse the certificate names.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/issuer_authorisations.h"

namespace epurse::host {

enum class ReceiptKind { kLoad, kUnload };

// `responseData` is the LOAD or UNLOAD response: ValueReceipt (26) || card signature (64) over
// "LRCP"/"URCP" || receipt. kProtocol if the certificate does not verify under `issuerKey`,
// names another purse, or the signature fails; kMalformed if the response does not parse.
Result<protocol::ValueReceipt> verifyReceipt(ByteView responseData, ReceiptKind kind,
                                             const protocol::CardCertificate& cert,
                                             const protocol::EcPublicKey& issuerKey);

// `responseData` is the AUDIT READ response: AuditHead (54) || card signature (64) over
// auditPayload(challenge, head). Also requires the head to be of log `sfi`.
Result<protocol::AuditHead> verifyAuditResponse(ByteView responseData, std::uint8_t sfi, ByteView challenge,
                                                const protocol::CardCertificate& cert,
                                                const protocol::EcPublicKey& issuerKey);

// The card key `cert` vouches for: kProtocol unless the certificate verifies under
// `issuerKey` and holds a usable P-256 point.
Result<protocol::EcPublicKey> certifiedCardKey(const protocol::CardCertificate& cert,
                                               const protocol::EcPublicKey& issuerKey);

// verifyAuditResponse with the card key already taken from a verified certificate of purse
// `purseId`: for checking several signed answers of one card without re-verifying its
// certificate each time.
Result<protocol::AuditHead> verifyAuditWithCardKey(ByteView responseData, std::uint8_t sfi, ByteView challenge,
                                                   const protocol::PurseId& purseId,
                                                   const protocol::EcPublicKey& cardKey);

}  // namespace epurse::host
