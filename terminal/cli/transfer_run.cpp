#include "terminal/cli/transfer_run.h"

#include <map>

#include "base/hex.h"
#include "cli/exit_codes.h"
#include "cli/json_values.h"
#include "cli/reader_options.h"
#include "cli/secret_input.h"
#include "host/money.h"
#include "protocol/issuer_authorisations.h"
#include "terminal/cli/transfer_test_hook.h"

namespace epurse::terminal {
namespace {

using protocol::PaymentDetails;

constexpr const char* kPinEnvironment = "EPURSE_PIN";

bool shellSafe(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                       c == '-' || c == '.' || c == '/' || c == ':';
    if (!plain) return false;
  }
  return true;
}

std::string shellQuote(const std::string& text) {
  if (shellSafe(text)) return text;
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += "'";
  return quoted;
}

// Puts a card that may have started a transfer back to idle. Its answer is not needed: a
// card that cannot be reached aborts by itself when it is next powered up.
void abortQuietly(host::PurseClient& purse) { (void)purse.abort(); }

// A failure before any value could move, once the cards are idle again.
int nothingMoved(cli::Output& out, const TransferFailure& failure, nlohmann::json extra) {
  extra["moved"] = false;
  host::CardFailure cause = failure.sw ? host::CardFailure(failure.error, *failure.sw) : host::CardFailure(failure.error);
  cause.error.message += "; nothing moved";
  return out.fail(cause, extra);
}

// A failure once the payer may have been debited: only `epurse recover` can tell.
int recoveryNeeded(cli::Output& out, TransferParties parties, const TransferFailure& failure,
                   const PaymentDetails& pd, nlohmann::json extra) {
  const std::string command = recoverCommand(parties.payer.readerName(), parties.payee.readerName());
  extra["moved"] = nullptr;  // unknown until recovery
  extra["recover"] = {{"command", command},
                      {"from", parties.payer.readerName()},
                      {"to", parties.payee.readerName()},
                      {"step", transferStepName(failure.step)},
                      {"pd", cli::pdJson(pd)}};
  std::string message = failure.error.message;
  message += ". The value (";
  message += host::formatMoney(pd.value, pd.currency);
  message += ", payer ";
  message += protocol::purseIdHex(pd.fromId);
  message += " #";
  message += std::to_string(pd.fromSeq);
  message += " to payee ";
  message += protocol::purseIdHex(pd.toId);
  message += " #";
  message += std::to_string(pd.toSeq);
  message += ") may be in flight: with both cards in their readers, run `";
  message += command;
  message += "` to settle it; do not repeat the transfer";
  return out.failWith("recovery_needed", message, cli::kExitRecoveryNeeded, extra);
}

// Asks for and verifies the payer's PIN. kExitOk when verified.
int verifyPayerPin(cli::Output& out, host::PurseClient& payer, const TransferPlan& plan,
                   const protocol::PurseStatus& status, const nlohmann::json& extra) {
  cli::SecretSource source;
  source.what = "PIN for purse " + protocol::purseIdHex(status.purseId);
  source.fileOption = "--pin-file";
  source.file = plan.pinFile;
  source.environment = kPinEnvironment;
  auto pin = cli::readSecret(source);
  if (!pin) {
    if (pin.error().code == ErrorCode::kIo) return out.fail(pin.error(), extra);
    return out.usage(pin.error().message + "; nothing was sent");
  }
  auto block = protocol::makePinBlock(pin->text());
  if (!block) return out.usage("the PIN: " + block.error().message + "; nothing was sent");
  auto answer = payer.verifyPin(*block);
  block->fill(0);
  if (!answer) return out.fail(answer.failure().within("payer: VERIFY"), extra);
  nlohmann::json more = extra;
  more["moved"] = false;
  switch (answer->outcome) {
    case host::PinResult::Outcome::kVerified:
      return cli::kExitOk;
    case host::PinResult::Outcome::kWrong:
      more["triesLeft"] = answer->triesLeft;
      if (answer->triesLeft == 0) {  // 63C0: that wrong PIN was the last try
        return out.failWith("pin_blocked",
                            "wrong PIN, and that was the last try: the payer's PIN is now blocked; the issuer can "
                            "unblock it; nothing moved",
                            cli::kExitPinBlocked, more);
      }
      return out.failWith("wrong_pin",
                          "wrong PIN for the payer's purse: " + std::to_string(answer->triesLeft) +
                              " tries left before it blocks; nothing moved",
                          cli::kExitWrongPin, more);
    case host::PinResult::Outcome::kBlocked:
      more["triesLeft"] = 0;
      return out.failWith("pin_blocked",
                          "the payer's PIN is blocked: the issuer can unblock it; nothing moved", cli::kExitPinBlocked,
                          more);
  }
  return cli::kExitFailed;
}

}  // namespace

std::string recoverCommand(const std::string& payerReader, const std::string& payeeReader) {
  std::string command = "epurse recover --from ";
  command += shellQuote(payerReader);
  command += " --to ";
  command += shellQuote(payeeReader);
  return command;
}

nlohmann::json partyJson(const host::ReaderSession& session, const protocol::PurseStatus& before,
                         const std::optional<protocol::PurseStatus>& after) {
  nlohmann::json party = {{"reader", session.readerName()},
                          {"purseId", protocol::purseIdHex(before.purseId)},
                          {"balanceBefore", cli::moneyJson(before.balance, before.currency)}};
  party["balance"] = after ? cli::moneyJson(after->balance, after->currency) : nlohmann::json(nullptr);
  return party;
}

std::unique_ptr<host::ReaderSession> openParty(cli::Output& out, const std::string& role, const std::string& reader,
                                               Protocol protocol, ApduObserver* trace,
                                               std::shared_ptr<PcscContext>& context, int& exitCode,
                                               const nlohmann::json& extra) {
  host::ReaderSessionOptions options;
  options.reader = host::ReaderSelector::parse(reader);
  options.protocol = protocol;
  options.trace = trace;
  options.context = context;
  auto session = host::ReaderSession::open(options);
  if (!session) {
    Error error = session.error();
    error.message = role + " (" + reader + "): " + error.message;
    exitCode = out.fail(error, extra);
    return nullptr;
  }
  if (!context) context = (*session)->context();
  return std::move(*session);
}

int runValueTransfer(cli::Output& out, TransferParties parties, const TransferPlan& plan, TransferDone& done,
                     const nlohmann::json& extra) {
  if (parties.payer.readerName() == parties.payee.readerName()) {
    return out.usage("the payer and the payee are the same reader (" + parties.payer.readerName() +
                     "); nothing was sent");
  }
  host::PurseClient& payer = parties.payer.purse();
  host::PurseClient& payee = parties.payee.purse();

  auto payerStatus = payer.status();
  if (!payerStatus) return out.fail(payerStatus.failure().within("payer"), extra);
  auto payeeStatus = payee.status();
  if (!payeeStatus) return out.fail(payeeStatus.failure().within("payee"), extra);
  done.payerBefore = *payerStatus;
  done.payeeBefore = *payeeStatus;

  auto value = host::parseAmount(plan.amountText, payerStatus->currency);
  if (!value) {
    return out.usage("amount '" + plan.amountText + "' in the payer's currency (" +
                     host::formatMoney(0, payerStatus->currency) + "): " + value.error().message +
                     "; nothing was sent");
  }
  if (*value == 0) return out.usage("amount '" + plan.amountText + "': must be more than 0; nothing was sent");
  if (payerStatus->currency != payeeStatus->currency) {
    return out.failWith("currency_mismatch",
                        "the payer's purse holds " + host::formatMoney(payerStatus->balance, payerStatus->currency) +
                            " but the payee's is in another currency (" +
                            host::formatMoney(payeeStatus->balance, payeeStatus->currency) + "); nothing moved",
                        cli::kExitFailed, extra);
  }
  if (*value > payerStatus->noPinLimit && !payerStatus->pinVerified) {
    if (int code = verifyPayerPin(out, payer, plan, *payerStatus, extra); code != cli::kExitOk) return code;
    done.pinVerified = true;
  }

  TransferSession session(payer, payee, *value, plan.reference);
  if (auto read = session.readParties(*payerStatus, *payeeStatus); !read) {
    return nothingMoved(out, read.failure(), extra);
  }
  transferStepHook("start-from");
  auto pd = session.startFrom();
  if (!pd) {
    abortQuietly(payer);
    return nothingMoved(out, pd.failure(), extra);
  }
  transferStepHook("start-to");
  auto req = session.startTo();
  if (!req) {
    abortQuietly(payer);
    abortQuietly(payee);
    return nothingMoved(out, req.failure(), extra);
  }
  transferStepHook("req");
  auto val = session.req(*req);
  if (!val) {
    // A purse that refuses REQ has not debited itself; any other failure may hide a debit.
    if (!val.failure().sw) return recoveryNeeded(out, parties, val.failure(), *pd, extra);
    abortQuietly(payer);
    abortQuietly(payee);
    return nothingMoved(out, val.failure(), extra);
  }
  transferStepHook("val");
  auto ack = session.val(*val);
  if (!ack) return recoveryNeeded(out, parties, ack.failure(), *pd, extra);
  transferStepHook("ack");
  if (auto acked = session.ack(*ack); !acked) return recoveryNeeded(out, parties, acked.failure(), *pd, extra);

  done.receipt = TransferReceipt{*pd, *req, *val, *ack};
  transferStepHook("done");
  // Both were read by readParties and are served from memory.
  auto payerCert = payer.certificate();
  auto payeeCert = payee.certificate();
  if (payerCert) done.payerCertificate = *payerCert;
  if (payeeCert) done.payeeCertificate = *payeeCert;
  auto payerAfter = payer.status();
  if (payerAfter) done.payerAfter = *payerAfter;
  auto payeeAfter = payee.status();
  if (payeeAfter) done.payeeAfter = *payeeAfter;
  return cli::kExitOk;
}

}  // namespace epurse::terminal

namespace epurse::terminal {

void TransferOptions::addTo(CLI::App& command) {
  static const std::map<std::string, Protocol> kProtocols = {
      {"t0", Protocol::kT0}, {"t1", Protocol::kT1}, {"any", Protocol::kAny}};
  command.add_option("--protocol", protocol, "Transport protocol: t0, t1 or any (default)")
      ->transform(CLI::CheckedTransformer(kProtocols, CLI::ignore_case));
  command.add_flag("--trace", trace, "Print every APDU and response with its time on stderr (PINs masked)");
  command.add_option("--pin-file", pinFile,
                     "Read the payer's PIN from this file (else EPURSE_PIN, else asked for without echo); "
                     "only asked for above the purse's no-PIN limit");
  cli::addJsonFlag(command, json);
}

ApduObserver* TransferOptions::tracer(std::ostream& traceOut) {
  if (!trace) return nullptr;
  if (!printer_) printer_ = std::make_unique<host::ApduTracePrinter>(traceOut);
  return printer_.get();
}

}  // namespace epurse::terminal
