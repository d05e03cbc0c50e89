// The report page (issuer/report/report_html.h) as a real browser renders it: Debian's
// chromium, headless, with a private profile in a temporary directory and no network needed.
// The DOM it builds must hold every figure of the JSON report, unchanged, and each
// currency's chart as an <svg> with its four series; a screenshot must come out as a PNG.
// No browser is a failure, not a skip: tests/install-deps.sh installs it.
#define BOOST_TEST_MODULE report_browser
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "issuer/report/report_chart.h"
#include "issuer/report/report_html.h"
#include "issuer/report/report_json.h"
#include "tests/support/child_process.h"
#include "tests/support/headless_browser.h"
#include "tests/support/report_pages.h"
#include "tests/support/test_printing.h"

namespace epurse::testing {
namespace {

namespace fs = std::filesystem;
namespace report = issuer::report;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(chromium_renders_every_figure_of_the_json_report_and_the_charts) {
  const std::string browser = browserPath();
  BOOST_TEST_REQUIRE(!browser.empty(),
                     "chromium is not installed (Debian package chromium; tests/install-deps.sh installs it): "
                     "the report page cannot be checked in a browser");
  Scratch scratch;
  const issuer::Report sample = sampleReport();
  const fs::path page = scratch.dir / "report.html";
  std::ofstream(page) << report::reportHtml(sample);

  const fs::path dom = scratch.dir / "dom.html";
  runBrowser(browser, scratch, page, "--dump-dom", dom);
  const std::string rendered = readFile(dom);
  BOOST_TEST_REQUIRE(!rendered.empty(), "the browser dumped no DOM");
  BOOST_TEST_MESSAGE("the rendered DOM is " << rendered.size() << " bytes");
  // The browser's serialisation, not the file: the page writes <path .../>, a DOM has </path>.
  BOOST_TEST(count(rendered, "</path>") >= 8u, "this is not a DOM the browser built");

  checkFiguresEqualJson(figuresIn(rendered), report::reportJson(sample));
  BOOST_TEST(count(rendered, "<svg") == 2u, "one chart per currency");
  BOOST_TEST(count(rendered, "data-chart=\"EUR\"") == 1u);
  BOOST_TEST(count(rendered, "data-chart=\"JPY\"") == 1u);
  for (const char* series : report::kChartSeries) {
    for (const char* code : {"EUR", "JPY"}) {
      std::string path = "<path data-series=\"";
      path += code;
      path += '.';
      path += series;
      path += "\" d=\"M";
      BOOST_TEST(count(rendered, path) == 1u, path);
    }
  }
  // The finding's markup stayed text: the browser made no element of it.
  BOOST_TEST(rendered.find("<script") == std::string::npos);
  BOOST_TEST(rendered.find("&lt;script&gt;") != std::string::npos);

  const fs::path screenshot = scratch.dir / "report.png";
  const fs::path ignored = scratch.dir / "screenshot.out";
  std::string flags = "--window-size=1280,2400 --screenshot='";
  flags += screenshot.string();
  flags += "'";
  runBrowser(browser, scratch, page, flags, ignored);
  const std::string png = readFile(screenshot);
  BOOST_TEST_REQUIRE(png.size() > 1000u, "the screenshot is " << png.size() << " bytes");
  BOOST_TEST(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8), "the screenshot is not a PNG");
}

}  // namespace epurse::testing
