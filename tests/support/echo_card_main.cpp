// echo-card: the card process with the test-only echo applet, for end-to-end tests and the
// APDU benchmark. Not installed.
#include "card/process/card_process.h"
#include "tests/support/echo_applet.h"

int main(int argc, char** argv) {
  const std::vector<epurse::card::AppletSpec> applets{
      {epurse::testing::kEchoAid, [] { return std::make_unique<epurse::testing::EchoApplet>(); }}};
  return epurse::card::runCardProcess(argc, argv, "echo-card", applets);
}
