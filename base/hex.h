// Hex text for bytes, through OpenSSL's codec.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse {

// Hex through OpenSSL's codec. Parsing ignores white space and ':' so that
// "00 A4 04 00" and "00:A4:04:00" read as users expect; anything else is an error.
std::string toHex(ByteView bytes);
Result<Bytes> fromHex(std::string_view text);

}  // namespace epurse
