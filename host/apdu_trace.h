// `--trace`: every exchange a CardChannel makes, as opensc-tool -v and scriptor show them,
//
//   > 00 A4 04 00 08 F0 65 70 75 72 73 65 01 00  SELECT
//   < 61 1C  611C 28 bytes available  (0.21 ms)
//   > 00 C0 00 00 1C  GET RESPONSE
//   < 6F 1A ... 90 00  9000 success  (0.10 ms)
//
// with the purse's command names (host/purse_names.h) and status words by name.
//
// PINs never appear: the data of VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER and
// PERSONALISE (whose data holds the initial PIN) is
// printed as "**" per byte (its length stays visible, so a wrong Lc is still diagnosable),
// whatever the CLA, since a trace is pasted into bug reports.
#pragma once

#include <iosfwd>
#include <string>

#include "apdu/card_channel.h"

namespace epurse::host {

class ApduTracePrinter final : public ApduObserver {
 public:
  explicit ApduTracePrinter(std::ostream& out) : out_(out) {}
  void onExchange(const ApduExchange& exchange) override;

 private:
  std::ostream& out_;
};

// The two lines for one exchange, without their final newlines; for tests and for callers
// that collect the trace elsewhere.
std::string traceCommandLine(const ApduExchange& exchange);
std::string traceResponseLine(const ApduExchange& exchange);

// "0.21 ms"
std::string formatElapsed(std::chrono::nanoseconds elapsed);

}  // namespace epurse::host
