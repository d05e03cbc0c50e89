// What the source-scanning tests (layering_test, secret_compare_test) share: their command-line
// arguments (--root=DIR to scan another tree, and the like) and a scratch tree of product files
// for their self-tests.
#pragma once

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

namespace epurse::testing::source_scan {

// The value of --NAME=VALUE among the test program's arguments, else `fallback`.
inline std::string argument(const std::string& name, const std::string& fallback) {
  const auto& suite = boost::unit_test::framework::master_test_suite();
  for (int i = 1; i < suite.argc; ++i) {
    const std::string a = suite.argv[i];
    if (a.rfind("--" + name + "=", 0) == 0) return a.substr(name.size() + 3);
  }
  return fallback;
}

// A scratch tree of product files, removed at the end.
struct ScratchTree {
  explicit ScratchTree(const std::string& owner)
      : root(std::filesystem::temp_directory_path() / (owner + "." + std::to_string(::getpid()))) {
    std::filesystem::create_directories(root);
  }
  ~ScratchTree() { std::filesystem::remove_all(root); }
  ScratchTree(const ScratchTree&) = delete;
  ScratchTree& operator=(const ScratchTree&) = delete;

  void write(const std::string& path, const std::string& text) const {
    std::filesystem::create_directories((root / path).parent_path());
    std::ofstream(root / path) << text;
  }

  std::filesystem::path root;
};

}  // namespace epurse::testing::source_scan
