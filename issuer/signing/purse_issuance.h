// The issuer's command sequences for one purse, run through a terminal client: the whole
// personalisation of a blank card, and a load at the card's current load counter. The
// epurse-issuer program, the demo and the tests all issue purses through these.
#pragma once

#include "host/purse_client.h"
#include "issuer/signing/issuer_orders.h"
#include "protocol/card_certificate.h"
#include "protocol/issuer_authorisations.h"

namespace epurse::issuer {

// PUT ISSUER KEY, GENERATE KEY PAIR, PERSONALISE (signed over the key the card generated),
// then the certificate for that key. The purse must be selected and blank. Stops at the first
// refusal, which keeps its status word. Returns the certificate the card now holds.
host::CardResult<protocol::CardCertificate> personalisePurse(host::PurseClient& purse,
                                                                 const IssuerSigner& signer,
                                                                 const protocol::Personalisation& data,
                                                                 protocol::Date expiry);

// A LOAD order for the purse's current load counter and currency (read from the card).
host::CardResult<CommandApdu> loadOrderFor(host::PurseClient& purse, const IssuerSigner& signer,
                                               protocol::Amount amount, protocol::Date date);

// That order, sent: the card's signed receipt (verify it with host::verifyReceipt).
host::CardResult<host::SignedReceipt> loadPurse(host::PurseClient& purse, const IssuerSigner& signer,
                                                        protocol::Amount amount, protocol::Date date);

}  // namespace epurse::issuer
