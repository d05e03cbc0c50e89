// Headless chromium for the tests that check what a browser makes of the issuer's report
// page: a private HOME and profile in a temporary directory, no network, a timeout.
#pragma once

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/test_printing.h"

namespace epurse::testing {

namespace browser_fs = std::filesystem;

inline constexpr const char* kBrowser = "chromium";
inline constexpr std::chrono::seconds kBrowserTimeout{90};

// The browser's path, searched in PATH as the shell would.
inline std::string browserPath() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const browser_fs::path candidate = browser_fs::path(dir.empty() ? "." : dir) / kBrowser;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

inline std::string readFile(const browser_fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A temporary directory for the page, the browser's HOME and profile; removed afterwards.
struct Scratch {
  browser_fs::path dir;
  Scratch() {
    std::string pattern = (browser_fs::temp_directory_path() / "epurse-report-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    dir = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    browser_fs::remove_all(dir, ignored);
  }
};

// Runs the browser on `page` with `flags`, stdout to `out`; the browser's own chatter goes
// to a log that is shown if it fails. `timeout` ends a browser that hangs.
inline void runBrowser(const std::string& browser, const Scratch& scratch, const browser_fs::path& page, const std::string& flags,
                const browser_fs::path& out) {
  const browser_fs::path log = scratch.dir / "browser.log";
  std::string command = "cd '";
  command += scratch.dir.string();
  command += "' && HOME='";
  command += scratch.dir.string();
  command += "' timeout ";
  command += std::to_string(kBrowserTimeout.count());
  command += " '";
  command += browser;
  command += "' --headless --disable-gpu --no-sandbox --no-first-run --disable-extensions --disable-dev-shm-usage";
  command += " --user-data-dir='";
  command += (scratch.dir / "profile").string();
  command += "' ";
  command += flags;
  command += " 'file://";
  command += page.string();
  command += "' >'";
  command += out.string();
  command += "' 2>'";
  command += log.string();
  command += "'";
  auto run = runCommand({"sh", "-c", command}, kBrowserTimeout + std::chrono::seconds(30));
  BOOST_TEST_REQUIRE(run.isOk(), "running " << browser << ": " << why(run));
  BOOST_TEST_REQUIRE(run->exitCode == 0, browser << " exited with " << run->exitCode << ":\n" << readFile(log));
}

}  // namespace epurse::testing
