#include "terminal/cli/purse_at_hand.h"

namespace epurse::terminal {

nlohmann::json PurseAtHand::identityJson() const {
  return {{"reader", session->readerName()},
          {"index", session->readerIndex()},
          {"purseId", protocol::purseIdHex(status.purseId)}};
}

std::optional<PurseAtHand> openPurse(cli::Output& output, cli::ReaderOptions& reader, std::ostream& traceOut,
                                     int& exitCode) {
  auto session = host::ReaderSession::open(reader.sessionOptions(traceOut));
  if (!session) {
    exitCode = output.fail(session.error());
    return std::nullopt;
  }
  auto status = (*session)->purse().status();
  if (!status) {
    exitCode = output.fail(status.failure());
    return std::nullopt;
  }
  return PurseAtHand{std::move(*session), *status};
}

}  // namespace epurse::terminal
