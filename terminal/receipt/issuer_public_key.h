// The issuer's public key as whoever checks a purse's statements holds it: the PEM file
// (SubjectPublicKeyInfo, "BEGIN PUBLIC KEY") that `epurse-issuer` publishes.
#pragma once

#include <string>

#include "base/result.h"
#include "protocol/ec_key.h"

namespace epurse::terminal {

// kIo if the file cannot be read, kMalformed unless it holds a P-256 public key in PEM.
Result<protocol::EcPublicKey> loadIssuerPublicKey(const std::string& path);

}  // namespace epurse::terminal
