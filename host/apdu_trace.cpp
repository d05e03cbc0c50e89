#include "host/apdu_trace.h"

#include <cstdio>
#include <ostream>

#include "host/purse_names.h"
#include "protocol/purse_commands.h"

namespace epurse::host {
namespace {

constexpr const char* kMaskedByte = "**";

std::string spacedHex(ByteView bytes) {
  std::string out;
  char hex[4];
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::snprintf(hex, sizeof hex, "%02X", bytes[i]);
    if (i) out += ' ';
    out += hex;
  }
  return out;
}

// PERSONALISE carries the initial PIN inside the signed personalisation data.
bool carriesPin(std::uint8_t ins) {
  return ins == protocol::kInsVerify || ins == protocol::kInsChangeReferenceData ||
         ins == protocol::kInsResetRetryCounter || ins == protocol::kInsPersonalise;
}

// The command with the data field of a PIN command masked. The data field is found by
// parsing; bytes that do not parse as an APDU are masked entirely past the header, since
// nothing says where their PIN would be.
std::string commandText(ByteView command) {
  if (command.size() <= CommandApdu::kHeaderSize || !carriesPin(command[1])) return spacedHex(command);
  std::size_t dataStart = command.size(), dataEnd = command.size();
  if (auto parsed = CommandApdu::parse(command); parsed && !parsed->data().empty()) {
    const std::size_t lcSize = parsed->isExtended() ? 3 : 1;
    dataStart = CommandApdu::kHeaderSize + lcSize;
    dataEnd = dataStart + parsed->data().size();
  } else if (!parsed) {
    dataStart = CommandApdu::kHeaderSize;
  }
  std::string out = spacedHex(command.first(dataStart));
  for (std::size_t i = dataStart; i < dataEnd; ++i) {
    out += ' ';
    out += kMaskedByte;
  }
  if (dataEnd < command.size()) {
    out += ' ';
    out += spacedHex(command.subspan(dataEnd));
  }
  return out;
}

std::string commandName(const ApduExchange& exchange) {
  if (exchange.step == ApduExchange::Step::kGetResponse) return "GET RESPONSE";
  auto parsed = CommandApdu::parse(exchange.command);
  if (!parsed) return "";
  std::string name = purseCommandName(*parsed);
  if (exchange.step == ApduExchange::Step::kResend) name += " (resent with the Le the card asked for)";
  return name;
}

}  // namespace

std::string formatElapsed(std::chrono::nanoseconds elapsed) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f ms", static_cast<double>(elapsed.count()) / 1e6);
  return text;
}

std::string traceCommandLine(const ApduExchange& exchange) {
  std::string line = "> ";
  line += commandText(exchange.command);
  const std::string name = commandName(exchange);
  if (!name.empty()) {
    line += "  ";
    line += name;
  }
  return line;
}

std::string traceResponseLine(const ApduExchange& exchange) {
  std::string line = "< ";
  if (exchange.error != nullptr) {
    line += "failed: " + exchange.error->toString();
  } else {
    line += spacedHex(exchange.response);
    if (auto s = exchange.statusWord()) line += "  " + describePurseSw(*s);
  }
  return line + "  (" + formatElapsed(exchange.elapsed) + ")";
}

void ApduTracePrinter::onExchange(const ApduExchange& exchange) {
  out_ << traceCommandLine(exchange) << "\n" << traceResponseLine(exchange) << "\n";
  out_.flush();
}

}  // namespace epurse::host
