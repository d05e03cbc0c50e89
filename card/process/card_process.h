// The body of a card process (epurse-card, and the test cards built on the same code):
// command line, card image, card OS with its applets, vpcd link, clean shutdown on SIGTERM.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "card/runtime/applet.h"

namespace epurse::card {

struct AppletSpec {
  Bytes aid;
  std::function<std::unique_ptr<Applet>()> make;
};

// Returns the process exit code: 0 after SIGTERM/SIGINT, 1 on a fatal error (which it has
// explained on stderr), 2 on a usage error.
int runCardProcess(int argc, char** argv, const std::string& programName, const std::vector<AppletSpec>& applets);

}  // namespace epurse::card
