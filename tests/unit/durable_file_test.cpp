// base/durable_file.h: a file appears whole with its mode or not at all; an existing one is
// refused (and left as it was) unless replacing was asked for; a failed or abandoned write
// leaves no temporary file behind.
#define BOOST_TEST_MODULE durable_file_test
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "base/durable_file.h"

using namespace epurse;
namespace fs = std::filesystem;

namespace {

struct Scratch {
  fs::path dir;
  Scratch() {
    char pattern[] = "/tmp/epurse-durable-XXXXXX";
    dir = ::mkdtemp(pattern);
  }
  ~Scratch() { fs::remove_all(dir); }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::size_t entries() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {})); }
};

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

mode_t modeOf(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_new_file_appears_whole_with_its_mode) {
  Scratch s;
  const std::string path = s.path("key.pem");
  BOOST_TEST_REQUIRE(writeFileDurably(path, bytesOf("secret"), 0600, IfExists::kRefuse).isOk());
  BOOST_TEST(read(path) == "secret");
  BOOST_TEST(modeOf(path) == 0600u);
  BOOST_TEST(s.entries() == 1u);  // no temporary file left
}

BOOST_AUTO_TEST_CASE(an_existing_file_is_refused_and_left_unless_replacing) {
  Scratch s;
  const std::string path = s.path("receipt.json");
  std::ofstream(path) << "precious";
  const Status refused = writeFileDurably(path, bytesOf("other"), 0644, IfExists::kRefuse);
  BOOST_TEST(!refused.isOk());
  BOOST_TEST((refused.error().code == ErrorCode::kIo));
  BOOST_TEST(refused.error().message.find("already exists") != std::string::npos);
  BOOST_TEST(read(path) == "precious");
  BOOST_TEST(s.entries() == 1u);
  BOOST_TEST_REQUIRE(writeFileDurably(path, bytesOf("replaced"), std::nullopt, IfExists::kReplace).isOk());
  BOOST_TEST(read(path) == "replaced");
  BOOST_TEST(s.entries() == 1u);
}

BOOST_AUTO_TEST_CASE(a_file_that_appears_during_the_write_is_not_overwritten) {
  Scratch s;
  const std::string path = s.path("export.json");
  auto file = DurableFile::create(path, std::nullopt, IfExists::kRefuse);
  BOOST_TEST_REQUIRE(file.isOk());
  std::ofstream(path) << "someone else's";
  BOOST_TEST(!(*file)->commit(bytesOf("ours")).isOk());
  BOOST_TEST(read(path) == "someone else's");
  file->reset();  // abandoned: the temporary file goes
  BOOST_TEST(s.entries() == 1u);
}

BOOST_AUTO_TEST_CASE(an_unwritable_place_is_found_before_any_work) {
  Scratch s;
  auto file = DurableFile::create(s.path("no/such/dir/file"), std::nullopt, IfExists::kRefuse);
  BOOST_TEST(!file.isOk());
  BOOST_TEST(s.entries() == 0u);
}
