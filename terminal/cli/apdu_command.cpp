#include "terminal/cli/apdu_command.h"

#include <iostream>

#include "apdu/command_apdu.h"
#include "apdu/pcsc_channel.h"
#include "base/hex.h"

namespace epurse::terminal {
namespace {

Result<std::string> pickReader(PcscContext& context, const std::optional<std::string>& wanted) {
  if (wanted) return context.resolveReader(*wanted);
  auto readers = context.readers();
  if (!readers) return readers.error();
  if (readers->empty()) return makeError(ErrorCode::kNoReader, "no smart card readers are available");
  for (const auto& r : *readers) {
    if (r.cardPresent) return r.name;
  }
  return makeError(ErrorCode::kNoCard, "no reader holds a card");
}

}  // namespace

int runApduCommand(const std::optional<std::string>& reader, const std::vector<std::string>& apdus,
                   std::ostream& out, std::ostream& err) {
  std::vector<CommandApdu> commands;
  for (std::size_t i = 0; i < apdus.size(); ++i) {
    auto bytes = fromHex(apdus[i]);
    if (!bytes) {
      err << "epurse: error: APDU " << i + 1 << " '" << apdus[i] << "': " << bytes.error().message
          << "; nothing was sent\n";
      return 1;
    }
    auto command = CommandApdu::parse(*bytes);
    if (!command) {
      err << "epurse: error: APDU " << i + 1 << " '" << apdus[i] << "': " << command.error().message
          << "; nothing was sent\n";
      return 1;
    }
    commands.push_back(std::move(*command));
  }

  auto context = PcscContext::establish();
  if (!context) {
    err << "epurse: error: " << context.error().message << "\n";
    return 1;
  }
  auto name = pickReader(**context, reader);
  if (!name) {
    err << "epurse: error: " << name.error().message << "\n";
    return 1;
  }
  auto channel = PcscChannel::connect(**context, *name);
  if (!channel) {
    err << "epurse: error: " << channel.error().message << "\n";
    return 1;
  }
  for (const auto& command : commands) {
    out << "> " << toHex(command.serialize()) << "\n";
    auto response = (*channel)->transmit(command);
    if (!response) {
      err << "epurse: error: " << response.error().message << "\n";
      return 1;
    }
    out << "< ";
    if (!response->data().empty()) out << toHex(response->data()) << " ";
    out << sw::describe(response->sw()) << "\n";
  }
  return 0;
}

}  // namespace epurse::terminal
