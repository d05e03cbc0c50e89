#include "cli/reader_options.h"

#include <iostream>
#include <map>
#include <string_view>

#include "cli/exit_codes.h"
#include "cli/output.h"

namespace epurse::cli {

void ReaderOptions::addTo(CLI::App& command) {
  readerOption_ = command.add_option("--reader,-r", reader_,
                                     "Reader number (from 'readers') or (part of) its name; default: the only "
                                     "reader holding a purse");
  static const std::map<std::string, Protocol> kProtocols = {
      {"t0", Protocol::kT0}, {"t1", Protocol::kT1}, {"any", Protocol::kAny}};
  command.add_option("--protocol", protocol_, "Transport protocol: t0, t1 or any (default)")
      ->transform(CLI::CheckedTransformer(kProtocols, CLI::ignore_case));
  command.add_flag("--trace", trace_, "Print every APDU and response with its time on stderr (PINs masked)");
}

host::ReaderSessionOptions ReaderOptions::sessionOptions(std::ostream& traceOut, bool requirePurse) {
  host::ReaderSessionOptions options;
  if (readerGiven()) options.reader = host::ReaderSelector::parse(reader_);
  options.protocol = protocol_;
  options.requirePurse = requirePurse;
  if (trace_) {
    printer_ = std::make_unique<host::ApduTracePrinter>(traceOut);
    options.trace = printer_.get();
  }
  return options;
}

void addJsonFlag(CLI::App& command, bool& json) {
  command.add_flag("--json", json, "Print one JSON object on stdout (errors too)");
}

int handleParseError(const CLI::App& app, const CLI::ParseError& error, int argc, const char* const* argv) {
  const bool asked = error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success);
  bool json = false;
  for (int i = 1; i < argc; ++i) json = json || std::string_view(argv[i]) == "--json";
  if (asked || !json) {
    app.exit(error);
    return asked ? kExitOk : kExitUsage;
  }
  Output out(app.get_name(), true, std::cout, std::cerr);
  return out.usage(error.what());
}

}  // namespace epurse::cli
