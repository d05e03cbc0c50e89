// The one way epurse moves value between two purses, shared by `transfer`, `pay` and
// `accept`: both cards held for the whole transfer, the amount read in the payer's
// currency, the PIN asked for only when the amount needs it, then the six steps of
// terminal/transfer/transfer_driver.h. What a failure means for the value decides the exit
// code (docs/terminal.md, "Paying and moving value"):
//   - before the payer has been sent REQ, or when it refused REQ, it was never debited, and
//     the payee is credited only by VAL: nothing moved. Whatever was started is ABORTed so
//     both cards are idle again, and the exit code is the honest one (9 card removed, 13
//     insufficient funds, 14 over a limit, ...);
//   - from REQ on, the payer may have been debited: exit 10 with the pd and the exact
//     `epurse recover` command. No value step is ever retried.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "cli/output.h"
#include "cli/payment_details_text.h"
#include "host/apdu_trace.h"
#include "host/reader_session.h"
#include "protocol/card_certificate.h"
#include "protocol/purse_status.h"
#include "terminal/transfer/transfer_driver.h"

namespace epurse::terminal {

// The options every command that moves value shares: --protocol, --trace, --pin-file, --json.
struct TransferOptions {
  Protocol protocol = Protocol::kAny;
  bool trace = false;
  bool json = false;
  std::optional<std::string> pinFile;

  void addTo(CLI::App& command);
  // The trace printer on `traceOut` when --trace, else nullptr; lives as long as this.
  ApduObserver* tracer(std::ostream& traceOut);

 private:
  std::unique_ptr<host::ApduTracePrinter> printer_;
};

// What the user asked for.
struct TransferPlan {
  std::string amountText;  // "12.50", read in the payer's currency
  protocol::PurchaseReference reference{};
  std::optional<std::string> pinFile;  // --pin-file; else EPURSE_PIN, else the terminal
};

// Everything a transfer that completed leaves: the receipt (pd, REQ, VAL, ACK), both
// certificates, and both statuses before and after (after: nullopt if the read failed).
struct TransferDone {
  TransferReceipt receipt;
  protocol::CardCertificate payerCertificate, payeeCertificate;
  protocol::PurseStatus payerBefore, payeeBefore;
  std::optional<protocol::PurseStatus> payerAfter, payeeAfter;
  bool pinVerified = false;  // the PIN was asked for and verified
};

// The two readers a transfer runs between, held open for its whole length.
struct TransferParties {
  host::ReaderSession& payer;
  host::ReaderSession& payee;
};

// Runs the transfer. On success returns kExitOk and fills `done`, printing nothing; on
// failure reports it through `out` (with `extra` added to a JSON failure) and returns its
// exit code.
int runValueTransfer(cli::Output& out, TransferParties parties, const TransferPlan& plan, TransferDone& done,
                     const nlohmann::json& extra = nlohmann::json::object());

// Opens one side by the reader text the user gave (--from, --to, --merchant). On failure
// reports it through `out` (naming `role`) and returns nullptr with `exitCode` set. Both sides
// share one PC/SC context: `context` is the other side's, or empty, and is then set to this one's.
std::unique_ptr<host::ReaderSession> openParty(cli::Output& out, const std::string& role, const std::string& reader,
                                               Protocol protocol, ApduObserver* trace,
                                               std::shared_ptr<PcscContext>& context, int& exitCode,
                                               const nlohmann::json& extra = nlohmann::json::object());

// `epurse recover --from 'R1' --to 'R2'`, the reader names quoted for a shell when needed.
std::string recoverCommand(const std::string& payerReader, const std::string& payeeReader);

// One side after a transfer for --json: reader, purse ID, balance (null if unread).
nlohmann::json partyJson(const host::ReaderSession& session, const protocol::PurseStatus& before,
                         const std::optional<protocol::PurseStatus>& after);

}  // namespace epurse::terminal
