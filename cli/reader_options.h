// The options every command that talks to a card shares, spelled the same in both programs:
//
//   --reader, -r R           reader index (as `epurse readers` numbers them) or (part of) its name;
//                            without it, the only reader holding a purse
//   --protocol t0|t1|any     the transport protocol to connect with (default any)
//   --trace                  every APDU and response with its time, on stderr
//
// and --json (output.h).
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <memory>
#include <string>

#include "host/apdu_trace.h"
#include "host/reader_session.h"

namespace epurse::cli {

class ReaderOptions {
 public:
  void addTo(CLI::App& command);

  bool readerGiven() const { return readerOption_ != nullptr && readerOption_->count() > 0; }
  bool trace() const { return trace_; }

  // What ReaderSession::open needs. The trace printer writes to `traceOut` and lives as
  // long as this object.
  host::ReaderSessionOptions sessionOptions(std::ostream& traceOut, bool requirePurse = true);

 private:
  std::string reader_;
  Protocol protocol_ = Protocol::kAny;
  bool trace_ = false;
  CLI::Option* readerOption_ = nullptr;
  std::unique_ptr<host::ApduTracePrinter> printer_;
};

// --json on `command`.
void addJsonFlag(CLI::App& command, bool& json);

// What main does with a CLI11 parse error: --help and --version print and exit 0; anything
// else is a usage error, exit 2, as JSON on stdout when --json was on the command line.
int handleParseError(const CLI::App& app, const CLI::ParseError& error, int argc, const char* const* argv);

}  // namespace epurse::cli
