// What the one-card commands (status, log, exceptions, export, pin) start from: the purse in
// the reader the options name, selected, with its status read.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "cli/reader_options.h"
#include "host/reader_session.h"
#include "protocol/purse_status.h"

namespace epurse::terminal {

struct PurseAtHand {
  std::unique_ptr<host::ReaderSession> session;
  protocol::PurseStatus status;

  host::PurseClient& purse() { return session->purse(); }
  // {"reader", "index", "purseId"}: how every one-card command's --json names the card.
  nlohmann::json identityJson() const;
};

// On failure (no PC/SC, no reader or card, not a purse, the status unreadable) reports it
// through `output` and returns nullopt with `exitCode` set. `traceOut` takes --trace.
std::optional<PurseAtHand> openPurse(cli::Output& output, cli::ReaderOptions& reader, std::ostream& traceOut,
                                     int& exitCode);

}  // namespace epurse::terminal
