// What every end-to-end test under tests/pcsc/with-private-pcscd.sh starts from: the vpcd
// port the script chose, a scratch directory for card images and logs, a PC/SC context and
// vpcd's two readers, both empty (the previous case's cards are gone).
#pragma once

#include <stdlib.h>

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "apdu/pcsc_channel.h"
#include "tests/support/test_printing.h"

namespace epurse::testing {

inline constexpr unsigned kCardArrivalMs = 10000;

// Reader 0's vpcd port; reader 1 listens on the next one.
inline std::uint16_t vpcdPort() {
  const char* p = std::getenv("EPURSE_VPCD_PORT");
  if (!p) {
    throw std::runtime_error("EPURSE_VPCD_PORT is not set: run this test through tests/pcsc/with-private-pcscd.sh");
  }
  return static_cast<std::uint16_t>(std::stoi(p));
}

struct PrivatePcscdReaders {
  std::uint16_t port = vpcdPort();
  std::filesystem::path dir;
  std::unique_ptr<PcscContext> context;
  std::vector<std::string> readers;

  explicit PrivatePcscdReaders(const std::string& scratchPrefix) {
    std::string tmpl = "/tmp/" + scratchPrefix + ".XXXXXX";
    dir = ::mkdtemp(tmpl.data());
    auto ctx = PcscContext::establish();
    BOOST_TEST_REQUIRE(ctx.isOk(), why(ctx));
    context = std::move(*ctx);
    auto names = context->readerNames();
    BOOST_TEST_REQUIRE(names.isOk(), why(names));
    readers = *names;
    BOOST_TEST_REQUIRE(readers.size() == 2u);
    for (const auto& r : readers) BOOST_TEST_REQUIRE(context->waitForCard(r, false, kCardArrivalMs).isOk());
  }
  ~PrivatePcscdReaders() { std::filesystem::remove_all(dir); }
  PrivatePcscdReaders(const PrivatePcscdReaders&) = delete;
  PrivatePcscdReaders& operator=(const PrivatePcscdReaders&) = delete;
};

}  // namespace epurse::testing
