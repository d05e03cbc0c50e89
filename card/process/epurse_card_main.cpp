// epurse-card: one virtual epurse card in one vpcd reader.
#include "card/process/card_process.h"

int main(int argc, char** argv) {
  // The purse applet is installed here once it exists; until then the card runs its OS only.
  const std::vector<epurse::card::AppletSpec> applets;
  return epurse::card::runCardProcess(argc, argv, "epurse-card", applets);
}
