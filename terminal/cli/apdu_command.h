#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace epurse::terminal {

// `epurse apdu [--reader N] HEX...`: sends each APDU in turn over one connection and prints
// each response with its status word by name. Every APDU is checked before any is sent.
// Without a reader, the first reader holding a card is used.
int runApduCommand(const std::optional<std::string>& reader, const std::vector<std::string>& apdus,
                   std::ostream& out, std::ostream& err);

}  // namespace epurse::terminal
