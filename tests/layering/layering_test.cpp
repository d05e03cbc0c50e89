// The architecture of docs/architecture.md, checked: every #include of the product code against
// the allow-list in tests/layering/allowed_includes.txt.
//
//   layering_test                                   the source tree this test was built from
//   layering_test -- --root=DIR [--rules=FILE]      another tree (e.g. an older checkout)
#define BOOST_TEST_MODULE layering_test
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "source_scan_support.h"

namespace fs = std::filesystem;
using epurse::testing::source_scan::argument;
using epurse::testing::source_scan::ScratchTree;

namespace {

// The folders that hold product code; tests/ may include anything.
const std::vector<std::string> kProductFolders = {"base", "apdu", "protocol", "card", "host", "cli", "terminal", "issuer"};

struct Rules {
  std::map<std::string, std::vector<std::string>> mayInclude;  // folder -> folders
  std::map<std::string, std::vector<std::string>> only;        // header -> files or folders
  std::vector<std::string> errors;                             // lines the parser could not read
};

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Rules parseRules(std::istream& in) {
  Rules rules;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    if (words(line).empty()) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      rules.errors.push_back("line " + std::to_string(number) + ": no ':'");
      continue;
    }
    const std::vector<std::string> head = words(line.substr(0, colon));
    const std::vector<std::string> tail = words(line.substr(colon + 1));
    if (head.size() == 1) {
      rules.mayInclude[head[0]] = tail;
    } else if (head.size() == 2 && head[0] == "only" && !tail.empty()) {
      rules.only[head[1]] = tail;
    } else {
      rules.errors.push_back("line " + std::to_string(number) + ": expected '<folder>:' or 'only <header>: …'");
    }
  }
  return rules;
}

bool within(const std::string& path, const std::string& folderOrFile) {
  return path == folderOrFile || path.rfind(folderOrFile + "/", 0) == 0;
}

// The rule of the longest folder that holds `file`, or nullptr.
const std::pair<const std::string, std::vector<std::string>>* ruleFor(const Rules& rules, const std::string& file) {
  const std::pair<const std::string, std::vector<std::string>>* best = nullptr;
  for (const auto& rule : rules.mayInclude) {
    if (within(file, rule.first) && (!best || rule.first.size() > best->first.size())) best = &rule;
  }
  return best;
}

struct Include {
  int line;
  std::string target;  // "apdu/atr.h" for quoted includes, "<winscard.h>" for system ones
  bool quoted;
};

std::vector<Include> includesOf(const fs::path& file) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  std::ifstream in(file);
  std::vector<Include> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::smatch m;
    if (!std::regex_search(line, m, kInclude)) continue;
    const bool quoted = m[1] == "\"";
    std::string target = m[2].str();
    if (!quoted) {  // as the rules name it; built in place (GCC 12's -Wrestrict misreads "<" + s)
      target.insert(0, 1, '<');
      target.push_back('>');
    }
    out.push_back({number, target, quoted});
  }
  return out;
}

// Every include of every product file under `root` that the rules do not allow, one line each.
std::vector<std::string> violations(const fs::path& root, const Rules& rules) {
  std::vector<std::string> found = rules.errors;
  for (const std::string& top : kProductFolders) {
    if (!fs::exists(root / top)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
      const std::string file = fs::relative(entry.path(), root).generic_string();
      const auto* rule = ruleFor(rules, file);
      if (!rule) {
        found.push_back(file + ": no rule in allowed_includes.txt covers this folder");
        continue;
      }
      for (const Include& inc : includesOf(entry.path())) {
        const std::string where = file + ":" + std::to_string(inc.line) + ": #include " +
                                  (inc.quoted ? "\"" + inc.target + "\"" : inc.target);
        if (auto only = rules.only.find(inc.target); only != rules.only.end()) {
          if (std::none_of(only->second.begin(), only->second.end(), [&](const std::string& who) { return within(file, who); })) {
            found.push_back(where + ": only " + [&] {
              std::string list;
              for (const auto& who : only->second) list += (list.empty() ? "" : " ") + who;
              return list;
            }() + " may include it");
          }
        }
        if (!inc.quoted) continue;
        if (!fs::exists(root / inc.target)) {
          found.push_back(where + ": no such file from the repository root");
          continue;
        }
        const bool allowed = within(inc.target, rule->first) ||
                             std::any_of(rule->second.begin(), rule->second.end(),
                                         [&](const std::string& folder) { return within(inc.target, folder); });
        if (!allowed) found.push_back(where + ": " + rule->first + "/ may not include " + inc.target);
      }
    }
  }
  return found;
}

Rules rulesFrom(const std::string& text) {
  std::istringstream in(text);
  return parseRules(in);
}

const char* kScratchRules =
    "base:\n"
    "apdu: base\n"
    "card: base apdu\n"
    "terminal: base apdu\n"
    "only apdu/pcsc.h: terminal\n"
    "only <winscard.h>: apdu/pcsc.h\n";

bool mentions(const std::vector<std::string>& found, const std::string& text) {
  return std::any_of(found.begin(), found.end(), [&](const std::string& v) { return v.find(text) != std::string::npos; });
}

}  // namespace

BOOST_AUTO_TEST_CASE(product_includes_follow_the_layering) {
  const fs::path root = argument("root", EPURSE_SOURCE_DIR);
  const fs::path rulesPath = argument("rules", (fs::path(EPURSE_SOURCE_DIR) / "tests/layering/allowed_includes.txt").string());
  std::ifstream in(rulesPath);
  BOOST_TEST_REQUIRE(in.good(), "cannot read " << rulesPath);
  const std::vector<std::string> found = violations(root, parseRules(in));
  for (const std::string& v : found) std::cout << "layering: " << v << "\n";
  std::cout << "layering: " << found.size() << " include(s) break the rules under " << root << "\n";
  BOOST_TEST(found.empty());
}

BOOST_AUTO_TEST_CASE(every_rule_names_folders_that_exist) {
  std::ifstream in(fs::path(EPURSE_SOURCE_DIR) / "tests/layering/allowed_includes.txt");
  const Rules rules = parseRules(in);
  BOOST_TEST(rules.errors.empty());
  for (const auto& [folder, allowed] : rules.mayInclude) {
    BOOST_TEST(fs::is_directory(fs::path(EPURSE_SOURCE_DIR) / folder), folder);
    for (const auto& a : allowed) BOOST_TEST(fs::is_directory(fs::path(EPURSE_SOURCE_DIR) / a), folder << ": " << a);
  }
}

// The checker itself: each kind of violation is found, and allowed includes are not reported.
BOOST_AUTO_TEST_CASE(checker_finds_a_lower_layer_including_a_higher_one) {
  ScratchTree t("layering_test");
  t.write("base/bytes.h", "#pragma once\n");
  t.write("apdu/atr.h", "#include \"base/bytes.h\"\n");
  t.write("terminal/main.cpp", "#include \"apdu/atr.h\"\n");
  t.write("card/os.cpp", "#include \"apdu/atr.h\"\n  #  include \"terminal/main.cpp\"\n");
  const auto found = violations(t.root, rulesFrom(kScratchRules));
  BOOST_TEST(found.size() == 1u);
  BOOST_TEST(mentions(found, "card/os.cpp:2: #include \"terminal/main.cpp\": card/ may not include terminal/main.cpp"));
}

BOOST_AUTO_TEST_CASE(checker_finds_a_restricted_header_outside_its_owners) {
  ScratchTree t("layering_test");
  t.write("apdu/pcsc.h", "#include <winscard.h>\n");
  t.write("apdu/atr.cpp", "#include <winscard.h>\n#include <vector>\n");
  t.write("card/os.cpp", "#include \"apdu/pcsc.h\"\n");
  t.write("terminal/main.cpp", "#include \"apdu/pcsc.h\"\n");
  const auto found = violations(t.root, rulesFrom(kScratchRules));
  BOOST_TEST(found.size() == 2u);
  BOOST_TEST(mentions(found, "apdu/atr.cpp:1: #include <winscard.h>: only apdu/pcsc.h may include it"));
  BOOST_TEST(mentions(found, "card/os.cpp:1: #include \"apdu/pcsc.h\": only terminal may include it"));
}

BOOST_AUTO_TEST_CASE(checker_finds_unknown_folders_missing_files_and_bad_rules) {
  ScratchTree t("layering_test");
  t.write("issuer/books.cpp", "#include \"base/bytes.h\"\n");
  t.write("apdu/atr.cpp", "#include \"base/nowhere.h\"\n");
  const auto found = violations(t.root, rulesFrom(std::string(kScratchRules) + "not a rule\n"));
  BOOST_TEST(found.size() == 3u);
  BOOST_TEST(mentions(found, "issuer/books.cpp: no rule"));
  BOOST_TEST(mentions(found, "apdu/atr.cpp:1: #include \"base/nowhere.h\": no such file"));
  BOOST_TEST(mentions(found, "line 7: no ':'"));
}
