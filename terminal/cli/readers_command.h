#pragma once

#include <iosfwd>

namespace epurse::terminal {

// `epurse readers`: every PC/SC reader, whether it holds a card, and the card's ATR.
int runReadersCommand(std::ostream& out, std::ostream& err);

}  // namespace epurse::terminal
