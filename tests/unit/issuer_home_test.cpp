// The issuer's home (issuer/home/): created once with its four files, the key encrypted under
// a passphrase or not, refused when anything is there already; and secrets read from files
// (issuer/cli/secret_input.h): one trailing newline stripped, an empty secret refused, no
// terminal and no file is an error naming the option.
#define BOOST_TEST_MODULE issuer_home_test
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli/secret_input.h"
#include "issuer/home/issuer_home.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::testing;
namespace fs = std::filesystem;

namespace {

struct ScratchDir {
  fs::path dir;
  ScratchDir() {
    std::string tmpl = "/tmp/epurse-home-test.XXXXXX";
    dir = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() { fs::remove_all(dir); }
  std::string file(const std::string& name, const std::string& contents) const {
    const auto path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }
};

// The ledger is another part's business; a file is enough to see it placed and cleaned up.
Status fakeLedger(const std::string& path, const protocol::IssuerKeyId&) {
  std::ofstream(path) << "ledger";
  return Status::ok();
}

mode_t modeOf(const std::string& path) {
  struct stat info {};
  BOOST_TEST_REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_home_is_created_once_with_an_encrypted_key) {
  ScratchDir scratch;
  const std::string home = (scratch.dir / "issuer").string();
  auto key = issuer::IssuerKey::generate();
  BOOST_TEST_REQUIRE(key.isOk(), why(key));
  auto created = issuer::home::createHome(home, *key, std::string("correct horse"), fakeLedger, 1764589000);
  BOOST_TEST_REQUIRE(created.isOk(), why(created));
  BOOST_TEST(created->keyEncrypted);
  const issuer::home::HomePaths paths(home);
  BOOST_TEST(modeOf(paths.key) == 0600u);
  BOOST_TEST(modeOf(home) == 0700u);
  BOOST_TEST(fs::exists(paths.publicKey));
  BOOST_TEST(fs::exists(paths.ledger));

  auto read = issuer::home::readHome(home);
  BOOST_TEST_REQUIRE(read.isOk(), why(read));
  BOOST_TEST((read->keyId == key->keyId()));
  BOOST_TEST(read->publicKey == key->publicKey());
  BOOST_TEST(read->createdAt == 1764589000);
  BOOST_TEST(read->ledgerPath == paths.ledger);

  std::ifstream pem(paths.key);
  const std::string text((std::istreambuf_iterator<char>(pem)), {});
  BOOST_TEST(text.find("BEGIN ENCRYPTED PRIVATE KEY") != std::string::npos);
  auto right = issuer::IssuerKey::loadPem(paths.key, std::string("correct horse"));
  BOOST_TEST_REQUIRE(right.isOk(), why(right));
  BOOST_TEST((right->keyId() == key->keyId()));
  auto wrong = issuer::IssuerKey::loadPem(paths.key, std::string("wrong horse"));
  BOOST_TEST_REQUIRE(!wrong.isOk());
  BOOST_TEST((wrong.error().code == ErrorCode::kCorrupt));
  BOOST_TEST(wrong.error().message.find("wrong passphrase or damaged key file") != std::string::npos);
  BOOST_TEST(!issuer::IssuerKey::loadPem(paths.key).isOk());  // no passphrase: refused, never prompts

  // A second ceremony in the same home changes nothing.
  auto other = issuer::IssuerKey::generate();
  BOOST_TEST_REQUIRE(other.isOk());
  const auto before = fs::last_write_time(paths.key);
  auto again = issuer::home::createHome(home, *other, std::nullopt, fakeLedger, 1764589999);
  BOOST_TEST_REQUIRE(!again.isOk());
  BOOST_TEST((again.error().code == ErrorCode::kInvalidArgument));
  BOOST_TEST((fs::last_write_time(paths.key) == before));
  BOOST_TEST((issuer::home::readHome(home)->keyId == key->keyId()));
}

BOOST_AUTO_TEST_CASE(an_unencrypted_home_and_a_failed_ledger_leaves_nothing) {
  ScratchDir scratch;
  const std::string home = (scratch.dir / "plain").string();
  auto key = issuer::IssuerKey::generate();
  BOOST_TEST_REQUIRE(key.isOk());
  auto failing = [](const std::string&, const protocol::IssuerKeyId&) {
    return Status(makeError(ErrorCode::kIo, "disk full"));
  };
  auto failed = issuer::home::createHome(home, *key, std::nullopt, failing, 1);
  BOOST_TEST_REQUIRE(!failed.isOk());
  const issuer::home::HomePaths paths(home);
  BOOST_TEST(!fs::exists(paths.key));
  BOOST_TEST(!fs::exists(paths.publicKey));
  BOOST_TEST(!fs::exists(paths.config));

  auto created = issuer::home::createHome(home, *key, std::string(), fakeLedger, 1);
  BOOST_TEST_REQUIRE(created.isOk(), why(created));
  BOOST_TEST(!created->keyEncrypted);
  BOOST_TEST(issuer::IssuerKey::loadPem(paths.key).isOk());
}

BOOST_AUTO_TEST_CASE(a_missing_or_damaged_issuer_json_is_a_clear_error) {
  ScratchDir scratch;
  auto missing = issuer::home::readHome((scratch.dir / "nobody").string());
  BOOST_TEST_REQUIRE(!missing.isOk());
  BOOST_TEST((missing.error().code == ErrorCode::kIo));
  BOOST_TEST(missing.error().message.find("init") != std::string::npos, missing.error().message);
  scratch.file("issuer.json", "{\"keyId\": \"00\"");
  auto damaged = issuer::home::readHome(scratch.dir.string());
  BOOST_TEST_REQUIRE(!damaged.isOk());
  BOOST_TEST((damaged.error().code == ErrorCode::kCorrupt));
}

BOOST_AUTO_TEST_CASE(secrets_from_files) {
  ScratchDir scratch;
  using epurse::cli::readSecret;
  auto pin = readSecret({"PIN", "--pin-file", scratch.file("pin", "1234\n"), false});
  BOOST_TEST_REQUIRE(pin.isOk(), why(pin));
  BOOST_TEST(pin->text() == "1234");
  auto crlf = readSecret({"PIN", "--pin-file", scratch.file("crlf", "1234\r\n"), false});
  BOOST_TEST(crlf->text() == "1234");
  auto two = readSecret({"PIN", "--pin-file", scratch.file("two", "1234\n\n"), false});
  BOOST_TEST(two->text() == "1234\n");  // only one newline is the file's end
  auto empty = readSecret({"PIN", "--pin-file", scratch.file("empty", "\n"), false});
  BOOST_TEST_REQUIRE(!empty.isOk());
  BOOST_TEST((empty.error().code == ErrorCode::kInvalidArgument));
  auto allowed = readSecret({"passphrase", "--passphrase-file", scratch.file("none", ""), true});
  BOOST_TEST_REQUIRE(allowed.isOk());
  BOOST_TEST(allowed->empty());
  auto absent = readSecret({"PIN", "--pin-file", (scratch.dir / "absent").string(), false});
  BOOST_TEST_REQUIRE(!absent.isOk());
  BOOST_TEST((absent.error().code == ErrorCode::kIo));
}

BOOST_AUTO_TEST_CASE(no_terminal_and_no_file_names_the_option) {
  if (::isatty(STDIN_FILENO)) return;  // run by hand on a terminal: it would prompt
  auto r = epurse::cli::readSecret({"PIN", "--pin-file", std::nullopt, false});
  BOOST_TEST_REQUIRE(!r.isOk());
  BOOST_TEST((r.error().code == ErrorCode::kInvalidArgument));
  BOOST_TEST(r.error().message.find("--pin-file") != std::string::npos, r.error().message);
}
