#include "card/purse/key_cache.h"

#include <algorithm>

namespace epurse::card {

const protocol::EcPublicKey* KeyCache::publicKey(ByteView point) {
  for (auto it = public_.begin(); it != public_.end(); ++it) {
    if (std::equal(it->point.begin(), it->point.end(), point.begin(), point.end())) {
      std::rotate(it, it + 1, public_.end());
      return &public_.back().key;
    }
  }
  auto key = protocol::EcPublicKey::fromUncompressed(point);
  if (!key) return nullptr;
  if (public_.size() == kPublicEntries) public_.erase(public_.begin());
  public_.push_back(PublicEntry{Bytes(point.begin(), point.end()), std::move(*key)});
  return &public_.back().key;
}

const protocol::EcPrivateKey* KeyCache::privateKey(ByteView scalar, ByteView point) {
  // The scalar is the card's private key: compared in constant time, never with an early exit.
  if (private_ && protocol::constantTimeEqual(privateScalar_, scalar) &&
      protocol::constantTimeEqual(privatePoint_, point)) {
    return &*private_;
  }
  private_.reset();
  auto key = protocol::EcPrivateKey::fromScalar(scalar, point);
  if (!key) return nullptr;
  private_ = std::move(*key);
  privateScalar_.assign(scalar.begin(), scalar.end());
  privatePoint_.assign(point.begin(), point.end());
  return &*private_;
}

}  // namespace epurse::card
