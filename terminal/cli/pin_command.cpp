#include "terminal/cli/pin_command.h"

#include <iostream>

#include "apdu/status_word.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/secret_input.h"
#include "protocol/issuer_authorisations.h"
#include "terminal/cli/purse_at_hand.h"

namespace epurse::terminal {
namespace {

constexpr const char* kPinVariable = "EPURSE_PIN";
constexpr const char* kNewPinVariable = "EPURSE_NEW_PIN";

// The digits as a PIN block; bad digits are a usage error found before the card sees them.
Result<protocol::PinBlock> pinBlockOf(const cli::Secret& pin, const std::string& what) {
  auto block = protocol::makePinBlock(pin.text());
  if (!block) return makeError(ErrorCode::kInvalidArgument, "the " + what + " must be 4 to 8 digits");
  return block;
}

std::string triesText(std::uint8_t tries) {
  std::string text = std::to_string(tries);
  text += tries == 1 ? " try left" : " tries left";
  return text;
}

// A wrong or blocked PIN as the exit code of docs/terminal.md, with the tries left.
int failPin(cli::Output& output, const host::PinResult& result, nlohmann::json extra) {
  extra["triesLeft"] = result.triesLeft;
  if (result.outcome == host::PinResult::Outcome::kBlocked) {
    return output.failWith(cli::refusalKey(sw::kAuthenticationMethodBlocked),
                           "the PIN is blocked: the issuer unblocks it (epurse-issuer unblock-pin)",
                           cli::kExitPinBlocked, extra);
  }
  std::string message = "wrong PIN: ";
  message += triesText(result.triesLeft);
  if (result.triesLeft == 0) message += "; the PIN is now blocked and the issuer unblocks it";
  const sw::StatusWord refusal = sw::verifyFailed(result.triesLeft);
  return output.failWith(cli::refusalKey(refusal), message, cli::exitCodeForRefusal(refusal), extra);
}

// The tries the card has now (3 after a correct PIN), for the --json answer.
void addTriesLeft(host::PurseClient& purse, nlohmann::json& done) {
  auto after = purse.status();
  done["triesLeft"] = after ? nlohmann::json(after->pinTriesLeft) : nlohmann::json(nullptr);
}

}  // namespace

CLI::App* PinCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand("pin", "Check or change the cardholder PIN");
  command->require_subcommand(1);
  verifyApp = command->add_subcommand("verify", "Check the PIN (a wrong one spends a try)");
  changeApp = command->add_subcommand("change", "Replace the PIN: the current one, then the new one twice");
  verifyReader.addTo(*verifyApp);
  changeReader.addTo(*changeApp);
  for (auto* sub : {verifyApp, changeApp}) {
    cli::addJsonFlag(*sub, json);
    sub->add_option("--pin-file", pinFile,
                    "File holding the current PIN (else EPURSE_PIN, else asked without echo)");
  }
  changeApp->add_option("--new-pin-file", newPinFile,
                        "File holding the new PIN (else EPURSE_NEW_PIN, else asked twice without echo)");
  return command;
}

int PinCommand::run(std::ostream& out, std::ostream& err) {
  const bool changing = changeApp->parsed();
  cli::Output output("epurse", json, out, err);
  cli::ReaderOptions& reader = changing ? changeReader : verifyReader;
  int code = cli::kExitOk;
  auto card = openPurse(output, reader, err, code);
  if (!card) return code;
  host::PurseClient& purse = card->purse();
  nlohmann::json done = card->identityJson();

  auto pin = cli::readSecret({"PIN", "--pin-file", pinFile, false, kPinVariable});
  if (!pin) return output.fail(pin.error(), done);
  auto block = pinBlockOf(*pin, "PIN");
  if (!block) return output.fail(block.error(), done);

  if (!changing) {
    auto verified = purse.verifyPin(*block);
    if (!verified) return output.fail(verified.failure(), done);
    if (!verified->verified()) return failPin(output, *verified, done);
    done["verified"] = true;
    addTriesLeft(purse, done);
    if (!json) out << "PIN verified on purse " << done["purseId"].get<std::string>() << "\n";
    return output.result(done);
  }

  auto newPin = cli::readNewSecret({"new PIN", "--new-pin-file", newPinFile, false, kNewPinVariable});
  if (!newPin) return output.fail(newPin.error(), done);
  auto newBlock = pinBlockOf(*newPin, "new PIN");
  if (!newBlock) return output.fail(newBlock.error(), done);
  auto changed = purse.changePin(*block, *newBlock);
  if (!changed) {
    const auto& refusal = changed.failure().sw;
    if (refusal && sw::isVerifyFailed(*refusal)) {
      return failPin(output, {host::PinResult::Outcome::kWrong, sw::verifyTriesLeft(*refusal)}, done);
    }
    if (refusal && *refusal == sw::kAuthenticationMethodBlocked) {
      return failPin(output, {host::PinResult::Outcome::kBlocked, 0}, done);
    }
    return output.fail(changed.failure(), done);
  }
  done["changed"] = true;
  addTriesLeft(purse, done);
  if (!json) out << "PIN changed on purse " << done["purseId"].get<std::string>() << "\n";
  return output.result(done);
}

int PinCommand::run() { return run(std::cout, std::cerr); }

void addPinCommand(Commands& commands) { commands.push_back(std::make_unique<PinCommand>()); }

}  // namespace epurse::terminal
