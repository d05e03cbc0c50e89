#include "terminal/cli/apdu_command.h"

#include <iostream>

#include "apdu/command_apdu.h"
#include "base/hex.h"
#include "cli/json_values.h"
#include "cli/output.h"
#include "host/reader_session.h"

namespace epurse::terminal {
namespace {

std::string swHex(sw::StatusWord s) { return toHex(Bytes{sw::sw1(s), sw::sw2(s)}); }

}  // namespace

CLI::App* ApduCommand::addTo(CLI::App& app) {
  auto* command = app.add_subcommand("apdu", "Send raw command APDUs to any card and print the responses");
  reader.addTo(*command);
  cli::addJsonFlag(*command, json);
  command->add_option("APDU", apdus, "Command APDU in hex, e.g. 00A4040008F06570757273650100")->required();
  return command;
}

int ApduCommand::run(std::ostream& out, std::ostream& err) {
  cli::Output output("epurse", json, out, err);
  std::vector<CommandApdu> commands;
  for (std::size_t i = 0; i < apdus.size(); ++i) {
    auto bytes = fromHex(apdus[i]);
    auto command = bytes ? CommandApdu::parse(*bytes) : Result<CommandApdu>(bytes.error());
    if (!command) {
      return output.usage("APDU " + std::to_string(i + 1) + " '" + apdus[i] + "': " + command.error().message +
                          "; nothing was sent");
    }
    commands.push_back(std::move(*command));
  }

  auto session = host::ReaderSession::open(reader.sessionOptions(err, false));
  if (!session) return output.fail(session.error());
  nlohmann::json done;
  done["reader"] = (*session)->readerName();
  done["index"] = (*session)->readerIndex();
  done["protocol"] = cli::protocolText((*session)->protocol());
  done["exchanges"] = nlohmann::json::array();
  for (const auto& command : commands) {
    if (!json) out << "> " << toHex(command.serialize()) << "\n";
    auto response = (*session)->channel().transmit(command);
    if (!response) return output.fail(response.error(), done);
    if (json) {
      done["exchanges"].push_back({{"command", toHex(command.serialize())},
                                   {"data", toHex(response->data())},
                                   {"sw", swHex(response->sw())},
                                   {"status", sw::describe(response->sw())}});
      continue;
    }
    out << "< ";
    if (!response->data().empty()) out << toHex(response->data()) << " ";
    out << sw::describe(response->sw()) << "\n";
  }
  return output.result(done);
}

int ApduCommand::run() { return run(std::cout, std::cerr); }

void addApduCommand(Commands& commands) { commands.push_back(std::make_unique<ApduCommand>()); }

}  // namespace epurse::terminal
