#define BOOST_TEST_MODULE status_word_test
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>

#include "apdu/status_word.h"

namespace sw = epurse::sw;

BOOST_AUTO_TEST_CASE(documented_examples) {
  BOOST_TEST(sw::describe(0x9000) == "9000 success");
  BOOST_TEST(sw::describe(0x6A82) == "6A82 file or application not found");
  BOOST_TEST(sw::describe(0x63C2) == "63C2 verification failed, 2 tries left");
}

BOOST_AUTO_TEST_CASE(named_status_words) {
  struct Row {
    sw::StatusWord s;
    const char* text;
  };
  const Row rows[] = {
      {0x9000, "9000 success"},
      {0x6200, "6200 warning: state unchanged"},
      {0x6581, "6581 memory failure"},
      {0x6700, "6700 wrong length"},
      {0x6881, "6881 logical channel not supported"},
      {0x6882, "6882 secure messaging not supported"},
      {0x6982, "6982 security status not satisfied"},
      {0x6983, "6983 authentication method blocked"},
      {0x6984, "6984 reference data not usable"},
      {0x6985, "6985 conditions of use not satisfied"},
      {0x6986, "6986 command not allowed"},
      {0x6999, "6999 applet selection failed"},
      {0x6A80, "6A80 incorrect data"},
      {0x6A81, "6A81 function not supported"},
      {0x6A82, "6A82 file or application not found"},
      {0x6A83, "6A83 record not found"},
      {0x6A84, "6A84 not enough memory"},
      {0x6A86, "6A86 incorrect P1-P2"},
      {0x6A88, "6A88 referenced data not found"},
      {0x6B00, "6B00 wrong parameters P1-P2"},
      {0x6D00, "6D00 instruction not supported"},
      {0x6E00, "6E00 class not supported"},
      {0x6F00, "6F00 no precise diagnosis"},
  };
  for (const Row& row : rows) BOOST_TEST(sw::describe(row.s) == row.text);
}

BOOST_AUTO_TEST_CASE(named_constants_have_their_iso_values) {
  BOOST_TEST(sw::kSuccess == 0x9000);
  BOOST_TEST(sw::kWrongLength == 0x6700);
  BOOST_TEST(sw::kSecurityStatusNotSatisfied == 0x6982);
  BOOST_TEST(sw::kConditionsNotSatisfied == 0x6985);
  BOOST_TEST(sw::kWrongData == 0x6A80);
  BOOST_TEST(sw::kFileNotFound == 0x6A82);
  BOOST_TEST(sw::kIncorrectP1P2 == 0x6A86);
  BOOST_TEST(sw::kInsNotSupported == 0x6D00);
  BOOST_TEST(sw::kClaNotSupported == 0x6E00);
  BOOST_TEST(sw::kUnknown == 0x6F00);
}

BOOST_AUTO_TEST_CASE(bytes_available_61xx) {
  BOOST_TEST(sw::describe(0x6110) == "6110 16 bytes available");
  BOOST_TEST(sw::describe(0x6101) == "6101 1 bytes available");
  BOOST_TEST(sw::describe(0x61FF) == "61FF 255 bytes available");
  BOOST_TEST(sw::describe(0x6100) == "6100 256 bytes available");  // 00 means 256
}

BOOST_AUTO_TEST_CASE(wrong_le_6cxx) {
  BOOST_TEST(sw::describe(0x6C20) == "6C20 wrong Le, exact length 32");
  BOOST_TEST(sw::describe(0x6CFF) == "6CFF wrong Le, exact length 255");
  BOOST_TEST(sw::describe(0x6C00) == "6C00 wrong Le, exact length 256");
}

BOOST_AUTO_TEST_CASE(verify_failed_63cx) {
  BOOST_TEST(sw::describe(0x63C0) == "63C0 verification failed, 0 tries left");
  BOOST_TEST(sw::describe(0x63C1) == "63C1 verification failed, 1 tries left");
  BOOST_TEST(sw::describe(0x63CA) == "63CA verification failed, 10 tries left");
  BOOST_TEST(sw::describe(0x63CF) == "63CF verification failed, 15 tries left");
}

BOOST_AUTO_TEST_CASE(unknown_status_words) {
  BOOST_TEST(sw::describe(0x0000) == "0000 unknown status");
  BOOST_TEST(sw::describe(0x1234) == "1234 unknown status");
  BOOST_TEST(sw::describe(0x9001) == "9001 unknown status");
  BOOST_TEST(sw::describe(0x6300) == "6300 unknown status");
  BOOST_TEST(sw::describe(0x63B1) == "63B1 unknown status");  // near 63Cx but not in it
  BOOST_TEST(sw::describe(0x63D0) == "63D0 unknown status");
  BOOST_TEST(sw::describe(0x6A87) == "6A87 unknown status");  // between named ones
  BOOST_TEST(sw::describe(0xFFFF) == "FFFF unknown status");
  BOOST_TEST(sw::describe(0x6000) == "6000 unknown status");
  BOOST_TEST(sw::describe(0x6200 + 0x81) == "6281 unknown status");
}

// Every one of the 65536 words starts with its own four uppercase hex digits and a space.
BOOST_AUTO_TEST_CASE(every_word_starts_with_its_hex) {
  const char* digits = "0123456789ABCDEF";
  int wrong = 0;
  int firstWrong = -1;
  for (int v = 0; v <= 0xFFFF; ++v) {
    std::string want;
    for (int shift = 12; shift >= 0; shift -= 4) want += digits[(v >> shift) & 0xF];
    want += ' ';
    const std::string got = sw::describe(static_cast<sw::StatusWord>(v));
    if (got.compare(0, want.size(), want) != 0 || got.size() <= want.size()) {
      if (firstWrong < 0) firstWrong = v;
      ++wrong;
    }
  }
  BOOST_TEST(wrong == 0, "first wrong word: " << firstWrong);
}

BOOST_AUTO_TEST_CASE(constructors_and_accessors) {
  static_assert(sw::make(0x90, 0x00) == 0x9000);
  BOOST_TEST(sw::make(0x6A, 0x82) == 0x6A82);
  BOOST_TEST(sw::sw1(0x6A82) == 0x6A);
  BOOST_TEST(sw::sw2(0x6A82) == 0x82);
  BOOST_TEST(sw::bytesAvailable(0x10) == 0x6110);
  BOOST_TEST(sw::bytesAvailable(0x00) == 0x6100);
  BOOST_TEST(sw::wrongLe(0x20) == 0x6C20);
  BOOST_TEST(sw::verifyFailed(3) == 0x63C3);
  BOOST_TEST(sw::verifyFailed(0) == 0x63C0);
  BOOST_TEST(sw::verifyFailed(15) == 0x63CF);
  BOOST_TEST(sw::verifyFailed(0x13) == 0x63C3);  // only the low nibble counts
}
