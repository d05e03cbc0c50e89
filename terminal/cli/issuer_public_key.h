// `--issuer-key PEM`: the issuer's public key, as `epurse-issuer init` writes it
// (issuer-public.pem, a SubjectPublicKeyInfo PEM), for the commands that check what cards
// signed. Only P-256 keys are issuer keys.
#pragma once

#include <string>

#include "base/result.h"
#include "protocol/ec_key.h"

namespace epurse::terminal {

// kInvalidArgument, naming the file, if it cannot be read or holds no P-256 public key.
Result<protocol::EcPublicKey> loadIssuerPublicKey(const std::string& path);

}  // namespace epurse::terminal
