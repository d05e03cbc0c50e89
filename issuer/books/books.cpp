// The registry and revocation parts of the books; orders, ingestion, reconciliation and the
// report each have their own file.
#include "issuer/books/books.h"

#include <algorithm>

#include "issuer/books/books_failure.h"
#include "issuer/books/books_steps.h"

namespace epurse::issuer {

using namespace books_internal;

Books::Books(ledger::Ledger& ledger, const protocol::EcPublicKey& issuerKey, const IssuerSigner* signer)
    : ledger_(ledger), issuerKey_(issuerKey), signer_(signer) {}

Result<protocol::PurseId> Books::allocatePurseId() {
  return guarded([&] {
    auto tx = take(ledger_.beginWrite());
    const std::uint64_t serial = take(tx->takePurseSerial());
    if (serial > 0xFFFFFFFFu) fail(ErrorCode::kInvalidArgument, "every purse serial number is taken");
    protocol::PurseId id{};
    const protocol::IssuerKeyId& issuer = ledger_.issuerKeyId();
    std::copy_n(issuer.begin(), 4, id.begin());
    for (int i = 0; i < 4; ++i) id[7 - i] = static_cast<std::uint8_t>(serial >> (8 * i));
    check(tx->commit());
    return id;
  });
}

Status Books::registerPurse(const ledger::PurseRow& purse) {
  return guardedStatus([&] {
    if (!purse.certificate.verify(issuerKey_)) {
      fail(ErrorCode::kProtocol, "the certificate of purse " + protocol::purseIdHex(purse.purseId) +
                                     " is not signed by this issuer's key");
    }
    if (purse.certificate.purseId != purse.purseId) {
      fail(ErrorCode::kInvalidArgument, "the certificate names another purse");
    }
    auto tx = take(ledger_.beginWrite());
    if (take(tx->findPurse(purse.purseId))) {
      fail(ErrorCode::kInvalidArgument, "purse " + protocol::purseIdHex(purse.purseId) + " is registered already");
    }
    check(tx->addPurse(purse));
    check(tx->commit());
  });
}

namespace {

// The next list: the newest one's purses plus `purseId`, the newest first when the list is full
// (a card holds 32; the oldest revocations drop off the cards' lists, never the ledger's).
protocol::RevocationList nextList(const std::optional<ledger::RevocationRow>& latest, const protocol::PurseId& purseId) {
  protocol::RevocationList list;
  list.version = latest ? latest->list.version + 1 : 1;
  list.revoked.push_back(purseId);
  if (latest) {
    for (const auto& id : latest->list.revoked) {
      if (id != purseId && list.revoked.size() < protocol::RevocationList::kMaxEntries) list.revoked.push_back(id);
    }
  }
  return list;
}

}  // namespace

namespace books_internal {
// list names it already. Returns the row added, or nullopt.
std::optional<ledger::RevocationRow> revokeWithin(ledger::Transaction& tx, const IssuerSigner& signer,
                                                  const protocol::PurseId& purseId, const std::string& reason,
                                                  ledger::UnixTime now) {
  auto latest = take(tx.latestRevocation());
  if (latest && std::find(latest->list.revoked.begin(), latest->list.revoked.end(), purseId) !=
                    latest->list.revoked.end()) {
    return std::nullopt;
  }
  ledger::RevocationRow row;
  row.list = nextList(latest, purseId);
  row.command = take(signer.putRevocationList(row.list)).serialize();
  row.reason = reason;
  row.issuedAt = now;
  check(tx.addRevocation(row));
  return row;
}

}  // namespace books_internal

Result<ledger::RevocationRow> Books::revoke(const protocol::PurseId& purseId, const std::string& reason,
                                            ledger::UnixTime now) {
  return guarded([&] {
    if (!signer_) fail(ErrorCode::kInvalidArgument, "revoking needs the issuer key");
    auto tx = take(ledger_.beginWrite());
    if (!take(tx->findPurse(purseId))) {
      fail(ErrorCode::kInvalidArgument, "purse " + protocol::purseIdHex(purseId) + " is not registered");
    }
    auto added = revokeWithin(*tx, *signer_, purseId, reason, now);
    if (!added) fail(ErrorCode::kInvalidArgument, "purse " + protocol::purseIdHex(purseId) + " is revoked already");
    check(tx->commit());
    return *added;
  });
}

Result<std::optional<ledger::RevocationRow>> Books::latestRevocation() {
  return guarded([&] {
    auto tx = take(ledger_.beginRead());
    auto latest = take(tx->latestRevocation());
    check(tx->commit());
    return latest;
  });
}

}  // namespace epurse::issuer
