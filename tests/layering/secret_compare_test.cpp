// Secrets are compared in constant time (docs/architecture.md, "Layers and libraries"): in
// card/ and protocol/ no statement compares bytes with memcmp, bcmp, strcmp, strncmp, std::equal,
// std::ranges::equal or std::mismatch unless tests/layering/secret_compare_allowlist.txt says
// why the bytes are public, and no == or != has an operand that names a secret (a PIN, a
// private scalar, a candidate). A compare that stops at the first differing byte tells an
// attacker with a clock how many leading bytes were right; protocol::constantTimeEqual does not.
//
//   secret_compare_test                                the source tree this test was built from
//   secret_compare_test -- --root=DIR [--allow=FILE]   another tree
#define BOOST_TEST_MODULE secret_compare_test
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "source_scan_support.h"

namespace fs = std::filesystem;
using epurse::testing::source_scan::argument;
using epurse::testing::source_scan::ScratchTree;

namespace {

// The product folders that hold the card and the protocol's crypto; the PIN and the card's
// private key never leave them.
const std::vector<std::string> kScannedFolders = {"card", "protocol"};

struct Allowed {
  std::string file;
  std::string snippet;  // text the flagged statement contains, spaces collapsed
  std::string reason;
  int line;  // in the allowlist
};

struct Statement {
  std::string file;
  int line;
  std::string text;  // spaces collapsed
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string collapsed(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return trim(out);
}

// Lines "<file> | <snippet> | <reason>"; '#' starts a comment line. Unreadable lines go to
// `errors`.
std::vector<Allowed> parseAllowlist(std::istream& in, std::vector<std::string>& errors) {
  std::vector<Allowed> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    const auto a = line.find(" | ");
    const auto b = a == std::string::npos ? a : line.find(" | ", a + 3);
    if (b == std::string::npos) {
      errors.push_back("allowlist line " + std::to_string(number) + ": expected '<file> | <snippet> | <reason>'");
      continue;
    }
    Allowed entry{trim(line.substr(0, a)), collapsed(line.substr(a + 3, b - a - 3)), trim(line.substr(b + 3)), number};
    if (entry.file.empty() || entry.snippet.empty() || entry.reason.empty()) {
      errors.push_back("allowlist line " + std::to_string(number) + ": a file, a snippet and a reason, none empty");
      continue;
    }
    out.push_back(entry);
  }
  return out;
}

// The code without comments and without the contents of string and character literals (so a
// message that says "memcmp" is not a compare); newlines kept, so line numbers stay right.
std::string codeOnly(const std::string& src) {
  std::string out;
  out.reserve(src.size());
  for (std::size_t i = 0; i < src.size(); ++i) {
    const char c = src[i];
    if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      while (i < src.size() && src[i] != '\n') ++i;
      if (i < src.size()) out.push_back('\n');
    } else if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      for (i += 2; i + 1 < src.size() && !(src[i] == '*' && src[i + 1] == '/'); ++i) {
        if (src[i] == '\n') out.push_back('\n');
      }
      ++i;
    } else if (c == '"' || c == '\'') {
      out.push_back(c);
      for (++i; i < src.size() && src[i] != c; ++i) {
        if (src[i] == '\\') ++i;
      }
      out.push_back(c);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Statements as the compiler splits them closely enough: at ; { and }. A compare written
// over several lines is one statement.
std::vector<Statement> statementsOf(const std::string& file, const std::string& source) {
  const std::string code = codeOnly(source);
  std::vector<Statement> out;
  std::string current;
  int line = 1;
  int start = 1;
  for (char c : code) {
    if (c == ';' || c == '{' || c == '}') {
      if (!trim(collapsed(current)).empty()) out.push_back({file, start, collapsed(current)});
      current.clear();
    } else {
      if (collapsed(current).empty() && !std::isspace(static_cast<unsigned char>(c))) start = line;
      current.push_back(c);
    }
    if (c == '\n') ++line;
  }
  if (!collapsed(current).empty()) out.push_back({file, start, collapsed(current)});
  return out;
}

// An identifier that names a secret: a PIN, a private scalar or key, a secret, the candidate
// PIN of VERIFY. Not its constants (kPinBlockSize), counters, limits, flags or validity tests.
bool namesASecret(const std::string& identifier) {
  std::string lower;
  for (char c : identifier) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (identifier.size() > 1 && identifier[0] == 'k' && std::isupper(static_cast<unsigned char>(identifier[1]))) {
    return false;
  }
  for (const char* harmless : {"tries", "verified", "valid", "size", "count", "limit"}) {
    if (lower.find(harmless) != std::string::npos) return false;
  }
  for (const char* secret : {"pin", "scalar", "secret", "private", "candidate"}) {
    if (lower.find(secret) != std::string::npos) return true;
  }
  return false;
}

// Where the operand of the == or != at [at, at + 2) of `s` ends on one side (`step` -1: left,
// +1: right): at a bracket it did not open, or a comma, ?, :, &&, || or ; outside brackets.
std::string operandOf(const std::string& s, std::size_t at, int step) {
  int depth = 0;
  long i = step < 0 ? static_cast<long>(at) - 1 : static_cast<long>(at) + 2;
  const long begin = i;
  for (; i >= 0 && i < static_cast<long>(s.size()); i += step) {
    const char c = s[static_cast<std::size_t>(i)];
    const bool opens = step < 0 ? (c == ')' || c == ']') : (c == '(' || c == '[');
    const bool closes = step < 0 ? (c == '(' || c == '[') : (c == ')' || c == ']');
    if (opens) {
      ++depth;
    } else if (closes) {
      if (depth == 0) break;
      --depth;
    } else if (depth == 0) {
      const char prev = i > 0 ? s[static_cast<std::size_t>(i - 1)] : ' ';
      const char next = i + 1 < static_cast<long>(s.size()) ? s[static_cast<std::size_t>(i + 1)] : ' ';
      const bool scope = c == ':' && (prev == ':' || next == ':');
      if (c == ',' || c == '?' || c == ';' || (c == ':' && !scope)) break;
      if ((c == '&' && (prev == '&' || next == '&')) || (c == '|' && (prev == '|' || next == '|'))) break;
    }
  }
  return step < 0 ? s.substr(static_cast<std::size_t>(i + 1), static_cast<std::size_t>(begin - i))
                  : s.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(i - begin));
}

// Why `s` compares bytes in a way that may stop early, or "" if it does not.
std::string earlyExitCompare(const std::string& s) {
  static const std::regex kFunction(
      R"(\b(memcmp|bcmp|strcmp|strncmp|wmemcmp|equal|mismatch|lexicographical_compare)\s*\()");
  std::smatch m;
  if (std::regex_search(s, m, kFunction)) return m[1].str() + "()";
  // A length is not a secret even when the bytes are: pin.size() != 8 compares no bytes.
  static const std::regex kLength(R"([A-Za-z_]\w*\s*(\.|->)\s*(size|length|empty)\s*\(\s*\))");
  static const std::regex kIdentifier(R"([A-Za-z_]\w*)");
  for (std::size_t at = 0; at + 1 < s.size(); ++at) {
    if (s[at + 1] != '=' || (s[at] != '=' && s[at] != '!')) continue;
    if (at > 0 && (s[at - 1] == '<' || s[at - 1] == '>' || s[at - 1] == '=' || s[at - 1] == '!')) continue;
    const std::string operands = std::regex_replace(operandOf(s, at, -1) + " " + operandOf(s, at, +1), kLength, "0");
    for (auto it = std::sregex_iterator(operands.begin(), operands.end(), kIdentifier); it != std::sregex_iterator();
         ++it) {
      if (namesASecret(it->str())) return std::string(1, s[at]) + "= on '" + it->str() + "'";
    }
    ++at;
  }
  return "";
}

// Every compare under `root` that no allowlist entry covers, and every entry that covers
// nothing (the code moved: the list must follow it), one line each.
std::vector<std::string> violations(const fs::path& root, const std::vector<Allowed>& allowlist) {
  std::vector<std::string> found;
  std::vector<bool> used(allowlist.size(), false);
  for (const std::string& top : kScannedFolders) {
    if (!fs::exists(root / top)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
      const std::string file = fs::relative(entry.path(), root).generic_string();
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      for (const Statement& s : statementsOf(file, text.str())) {
        const std::string why = earlyExitCompare(s.text);
        if (why.empty()) continue;
        bool covered = false;
        for (std::size_t i = 0; i < allowlist.size(); ++i) {
          if (allowlist[i].file == file && s.text.find(allowlist[i].snippet) != std::string::npos) {
            covered = true;
            used[i] = true;
          }
        }
        if (!covered) {
          found.push_back(file + ":" + std::to_string(s.line) + ": " + why +
                          " (use protocol::constantTimeEqual, or allowlist it with why the bytes are public): " +
                          s.text.substr(0, 160));
        }
      }
    }
  }
  for (std::size_t i = 0; i < allowlist.size(); ++i) {
    if (!used[i]) {
      found.push_back("allowlist line " + std::to_string(allowlist[i].line) + ": " + allowlist[i].file +
                      " has no compare '" + allowlist[i].snippet + "'");
    }
  }
  return found;
}

std::vector<Allowed> allowlistFrom(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> errors;
  auto out = parseAllowlist(in, errors);
  BOOST_TEST(errors.empty());
  return out;
}

bool mentions(const std::vector<std::string>& found, const std::string& text) {
  return std::any_of(found.begin(), found.end(),
                     [&](const std::string& v) { return v.find(text) != std::string::npos; });
}

}  // namespace

BOOST_AUTO_TEST_CASE(secrets_are_compared_in_constant_time) {
  const fs::path root = argument("root", EPURSE_SOURCE_DIR);
  const fs::path listPath =
      argument("allow", (fs::path(EPURSE_SOURCE_DIR) / "tests/layering/secret_compare_allowlist.txt").string());
  std::ifstream in(listPath);
  BOOST_TEST_REQUIRE(in.good(), "cannot read " << listPath);
  std::vector<std::string> found;
  const std::vector<Allowed> allowlist = parseAllowlist(in, found);
  const std::vector<std::string> more = violations(root, allowlist);
  found.insert(found.end(), more.begin(), more.end());
  for (const std::string& v : found) std::cout << "secret compare: " << v << "\n";
  std::cout << "secret compare: " << found.size() << " problem(s) under " << root << "\n";
  BOOST_TEST(found.empty());
}

// The checker itself: the PIN compare of VERIFY written in each early-exit form is found, on
// one line or several; constantTimeEqual, lengths, counters, comments and strings are not.
BOOST_AUTO_TEST_CASE(checker_finds_the_pin_compare_in_every_early_exit_form) {
  const std::vector<std::string> forms = {
      "if (std::memcmp(candidate.data(), pin.data(), pin.size()) != 0) fail();",
      "if (memcmp(candidate.data(), pin.data(), 8)) fail();",
      "if (bcmp(candidate.data(), pin.data(), 8) != 0) fail();",
      "if (std::strcmp(reinterpret_cast<const char*>(candidate.data()), p) != 0) fail();",
      "if (std::strncmp(a, b, kPinBlockSize)) fail();",
      "if (!std::equal(candidate.begin(), candidate.end(), pin.begin(), pin.end())) fail();",
      "if (!std::equal(candidate.begin(),\n      candidate.end(),\n      pin.begin())) fail();",
      "if (!std::ranges::equal(candidate, pin)) fail();",
      "if (!ranges::equal(candidate, pin)) fail();",
      "if (std::mismatch(candidate.begin(), candidate.end(), pin.begin()).first != candidate.end()) fail();",
      "if (Bytes(candidate.begin(), candidate.end()) != pin) fail();",
      "if (!(candidate ==\n      pin)) fail();",
      "for (std::size_t i = 0; i < 8; ++i) if (candidate[i] != stored[i]) fail();",
      "if (privateScalar_ == scalar) return cached;",
  };
  for (const std::string& form : forms) {
    ScratchTree t("secret_compare_test");
    t.write("card/purse/purse_pin.cpp", "void PurseApplet::checkPin(ByteView candidate) {\n  " + form + "\n}\n");
    const auto found = violations(t.root, {});
    BOOST_TEST(found.size() == 1u, form << ": " << found.size() << " found");
    BOOST_TEST(mentions(found, "card/purse/purse_pin.cpp:2:"), form);
  }
}

BOOST_AUTO_TEST_CASE(checker_passes_constant_time_compares_lengths_counters_comments_and_strings) {
  ScratchTree t("secret_compare_test");
  t.write("card/purse/purse_pin.cpp",
          "// never std::memcmp(candidate, pin): it stops early\n"
          "/* nor candidate == pin */\n"
          "void f(ByteView candidate, ByteView pin) {\n"
          "  if (!protocol::constantTimeEqual(candidate, pin)) fail(\"not memcmp(pin)\");\n"
          "  if (candidate.size() != kPinBlockSize || pin.size() == 0) fail('=');\n"
          "  if (m.pinTriesLeft() == 0 || pinVerified() == true || data.noPinLimit == 0) fail();\n"
          "  if (x == 0 || !protocol::isValidPinBlock(pin)) fail();\n"
          "}\n");
  t.write("host/anything.cpp", "bool f(Bytes pin, Bytes b) { return pin == b; }\n");  // not scanned
  const auto found = violations(t.root, {});
  BOOST_TEST(found.empty(), found.size() << " found, first: " << (found.empty() ? "" : found[0]));
}

BOOST_AUTO_TEST_CASE(checker_allows_only_what_the_list_names_and_reports_stale_entries) {
  ScratchTree t("secret_compare_test");
  t.write("card/runtime/os.cpp",
          "bool f() {\n  return std::equal(want.begin(), want.end(), aid.begin());\n}\n"
          "bool g() {\n  return std::equal(pin.begin(), pin.end(), other.begin());\n}\n");
  const auto found = violations(t.root, allowlistFrom("# comment\n"
                                                      "card/runtime/os.cpp | std::equal(want.begin(), want.end(), aid"
                                                      " | public data: AID\n"
                                                      "card/purse/gone.cpp | memcmp(a, b | public data: moved away\n"));
  BOOST_TEST(found.size() == 2u);
  BOOST_TEST(mentions(found, "card/runtime/os.cpp:5: equal()"));
  BOOST_TEST(mentions(found, "allowlist line 3: card/purse/gone.cpp has no compare"));

  std::istringstream bad("card/x.cpp | memcmp(\ncard/y.cpp | memcmp( | \n");
  std::vector<std::string> errors;
  BOOST_TEST(parseAllowlist(bad, errors).empty());
  BOOST_TEST(errors.size() == 2u);
}
