// epurse-card: one virtual epurse card, holding the purse applet, in one vpcd reader.
#include <memory>

#include "card/process/card_process.h"
#include "card/purse/purse_applet.h"
#include "protocol/purse_commands.h"

int main(int argc, char** argv) {
  const std::vector<epurse::card::AppletSpec> applets = {
      {epurse::Bytes(epurse::protocol::kPurseAid.begin(), epurse::protocol::kPurseAid.end()),
       [] { return std::make_unique<epurse::card::PurseApplet>(); }},
  };
  return epurse::card::runCardProcess(argc, argv, "epurse-card", applets);
}
