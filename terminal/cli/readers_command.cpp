#include "terminal/cli/readers_command.h"

#include <iostream>

#include "apdu/atr.h"
#include "apdu/pcsc_channel.h"
#include "base/hex.h"

namespace epurse::terminal {

int runReadersCommand(std::ostream& out, std::ostream& err) {
  auto context = PcscContext::establish();
  if (!context) {
    err << "epurse: error: " << context.error().message << "\n";
    return 1;
  }
  auto readers = (*context)->readers();
  if (!readers) {
    err << "epurse: error: " << readers.error().message << "\n";
    return 1;
  }
  if (readers->empty()) {
    out << "no smart card readers found\n";
    return 0;
  }
  for (std::size_t i = 0; i < readers->size(); ++i) {
    const ReaderState& r = (*readers)[i];
    out << i << "  " << r.name << "  ";
    if (!r.cardPresent) {
      out << "no card\n";
      continue;
    }
    out << "card present  ATR " << toHex(r.atr);
    if (auto info = parseAtr(r.atr)) {
      out << "  (T=";
      for (std::size_t p = 0; p < info->protocols.size(); ++p) out << (p ? ",T=" : "") << info->protocols[p];
      out << ")";
    }
    if (r.inUseExclusively) out << "  in exclusive use";
    out << "\n";
  }
  return 0;
}

}  // namespace epurse::terminal
