// One wrong VERIFY on a personalised purse in this process, with only the card's handling of it
// counted by callgrind (CALLGRIND_TOGGLE_COLLECT around the call; run with
// --collect-atstart=no). pin_timing_test.sh compares the instruction counts of a PIN wrong in
// its first digit and one wrong in its last: a compare that stops at the first difference
// counts fewer instructions for the first, which is the timing leak a brute-forcer measures.
//
//   pin_timing_probe first|last|none
// (none: the right PIN, a different path; the script uses it to show the counts are real.)
#include <valgrind/callgrind.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "protocol/issuer_authorisations.h"
#include "tests/support/purse_fixture.h"

int main(int argc, char** argv) {
  using namespace epurse;
  if (argc != 2) {
    std::fprintf(stderr, "usage: pin_timing_probe first|last|none\n");
    return 2;
  }
  testing::TestIssuer issuer;
  auto purse = testing::makePurse(issuer, 1, 1000);
  std::string digits = testing::PurseProfile{}.pin;  // the purse's PIN
  if (std::strcmp(argv[1], "first") == 0) {
    digits.front() = digits.front() == '9' ? '8' : '9';
  } else if (std::strcmp(argv[1], "last") == 0) {
    digits.back() = digits.back() == '9' ? '8' : '9';
  } else if (std::strcmp(argv[1], "none") != 0) {
    std::fprintf(stderr, "pin_timing_probe: say first, last or none\n");
    return 2;
  }
  auto block = protocol::makePinBlock(digits);
  if (!block) return 2;
  CALLGRIND_TOGGLE_COLLECT;
  auto answer = purse->client().verifyPin(*block);
  CALLGRIND_TOGGLE_COLLECT;
  const bool expectVerified = std::strcmp(argv[1], "none") == 0;
  if (!answer || answer->verified() != expectVerified) {
    std::fprintf(stderr, "pin_timing_probe: VERIFY did not answer as expected\n");
    return 1;
  }
  return 0;
}
