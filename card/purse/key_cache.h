// Parsed keys kept in RAM. Building an OpenSSL key from its bytes costs about as much as a
// signature check, and a transfer uses the same few keys on every command, so the applet
// parses each one once. Entries are looked up by their exact bytes, so the cache can never
// answer with a key the persistent memory no longer holds.
#pragma once

#include <optional>
#include <vector>

#include "protocol/ec_key.h"

namespace epurse::card {

class KeyCache {
 public:
  // nullptr when the bytes are not a valid key.
  const protocol::EcPublicKey* publicKey(ByteView point);
  const protocol::EcPrivateKey* privateKey(ByteView scalar, ByteView point);

 private:
  static constexpr std::size_t kPublicEntries = 4;
  struct PublicEntry {
    Bytes point;
    protocol::EcPublicKey key;
  };
  std::vector<PublicEntry> public_;  // most recently used last
  Bytes privatePoint_;
  Bytes privateScalar_;
  std::optional<protocol::EcPrivateKey> private_;
};

}  // namespace epurse::card
