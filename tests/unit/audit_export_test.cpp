// The audit export file (cli/audit_export.h, docs/protocol.md "Audit export"): readings of
// real in-memory purses written and read back unchanged, alone and in batches; every way a
// file can be malformed refused with kMalformed naming the field by its path; a file edited
// by hand that still parses refused by verifyEvidence; and the example in the documentation
// decodes and verifies under the issuer key printed beside it.
#define BOOST_TEST_MODULE audit_export
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/audit_export.h"
#include "host/evidence_reader.h"
#include "host/evidence_verifier.h"
#include "protocol/ec_key.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/purse_transfers.h"

namespace epurse::testing {
namespace {

using cli::AuditExport;
using cli::AuditExportMetadata;
using host::CollectedEvidence;
using nlohmann::json;
using namespace checks;

const Bytes kChallenge = h("0011223344556677");
const AuditExportMetadata kMetadata{"2026-12-01T11:42:06Z", "shop 12 till 3, Virtual PCD 00 00"};

// Purse 2 with records in both logs (a load, a transfer in, an aborted transfer in); purse 1
// with a load, a transfer out and its ACK.
struct World {
  TestIssuer issuer;
  std::unique_ptr<TestPurse> payer = makePurse(issuer, 1, 5000);
  std::unique_ptr<TestPurse> payee = makePurse(issuer, 2, 1000);

  World() {
    auto done = terminal::runTransfer(payer->client(), payee->client(), 700, referenceOf(1));
    BOOST_TEST_REQUIRE(done.isOk(), "transfer: " << why(done));
    (void)leaveException(*payer, *payee, 100, 2);
  }
  CollectedEvidence read(TestPurse& purse) {
    auto evidence = host::readEvidence(purse.client(), kChallenge);
    BOOST_TEST_REQUIRE(evidence.isOk(), "readEvidence: " << why(evidence));
    return *evidence;
  }
  Result<host::VerifiedEvidence> verify(const CollectedEvidence& evidence) {
    return host::verifyEvidence(evidence, issuer.key().verificationKey());
  }
  // A batch of both purses' readings: exports[0] the payer's, exports[1] the payee's.
  std::string batch() {
    return cli::encodeAuditBatch({AuditExport{read(*payer), kMetadata}, AuditExport{read(*payee), kMetadata}});
  }
};

// `text` with its JSON changed by `edit`, written back compactly.
std::string edited(const std::string& text, const std::function<void(json&)>& edit) {
  json document = json::parse(text);
  edit(document);
  return document.dump();
}

// Refused with kMalformed, the message starting with `path` (the field named first).
void expectMalformed(const std::string& text, const std::string& path, const std::string& what) {
  auto decoded = cli::decodeAuditBatch(text);
  BOOST_TEST_REQUIRE(!decoded.isOk(), what << ": accepted");
  BOOST_TEST((decoded.error().code == ErrorCode::kMalformed), what << ": " << decoded.error().toString());
  BOOST_TEST(decoded.error().message.rfind(path, 0) == 0u,
             what << ": '" << decoded.error().message << "' does not start with '" << path << "'");
}

// exports[index].field, as an error names it.
std::string at(int index, const std::string& field) {
  std::string path = "exports[";
  path += std::to_string(index);
  path += "].";
  path += field;
  return path;
}

// Another hex digit, still a hex digit.
char bumped(char digit) { return digit == 'F' ? 'E' : digit == '9' ? 'A' : static_cast<char>(digit + 1); }

const std::vector<std::string> kEntryFields = {"exported_at",         "terminal",        "certificate",
                                               "challenge",           "transaction_audit",
                                               "transaction_records", "exception_audit", "exception_records"};

}  // namespace

BOOST_AUTO_TEST_SUITE(round_trip)

BOOST_AUTO_TEST_CASE(one_reading_is_read_back_unchanged_and_verifies) {
  World w;
  const CollectedEvidence evidence = w.read(*w.payee);
  BOOST_TEST_REQUIRE(!evidence.transactionRecords.empty());
  BOOST_TEST_REQUIRE(!evidence.exceptionRecords.empty());
  BOOST_TEST(cli::checkAuditExport(AuditExport{evidence, kMetadata}).isOk());
  const std::string text = cli::encodeAuditExport(evidence, kMetadata);
  auto decoded = cli::decodeAuditExport(text);
  BOOST_TEST_REQUIRE(decoded.isOk(), "decode: " << why(decoded));
  BOOST_TEST((*decoded == evidence));
  BOOST_TEST(w.verify(*decoded).isOk(), why(w.verify(*decoded)));
  // The fields as documented, hex upper case.
  const json document = json::parse(text);
  BOOST_TEST(document["format"] == "epurse-audit-export");
  BOOST_TEST(document["version"] == 1);
  BOOST_TEST(document["exports"].size() == 1u);
  BOOST_TEST(document["exports"][0]["challenge"] == "0011223344556677");
  BOOST_TEST(document["exports"][0]["exported_at"] == kMetadata.exportedAt);
  BOOST_TEST(document["exports"][0]["terminal"] == kMetadata.terminal);
  BOOST_TEST(document["exports"][0]["certificate"] == toHex(evidence.certificate.encode()));
  BOOST_TEST(document["exports"][0]["transaction_records"][0] == toHex(evidence.transactionRecords[0]));
}

BOOST_AUTO_TEST_CASE(a_batch_keeps_every_reading_in_order_with_its_metadata) {
  World w;
  const std::vector<AuditExport> entries = {
      AuditExport{w.read(*w.payer), AuditExportMetadata{"2026-12-01T09:00:00Z", "till 1"}},
      AuditExport{w.read(*w.payee), AuditExportMetadata{"2026-12-01T09:05:59Z", "till 2 \xE2\x82\xAC <b>&"}}};
  auto decoded = cli::decodeAuditBatch(cli::encodeAuditBatch(entries));
  BOOST_TEST_REQUIRE(decoded.isOk(), "decode: " << why(decoded));
  BOOST_TEST((*decoded == entries));
  for (const AuditExport& entry : *decoded) BOOST_TEST(w.verify(entry.evidence).isOk());

  auto empty = cli::decodeAuditBatch(cli::encodeAuditBatch({}));
  BOOST_TEST_REQUIRE(empty.isOk(), why(empty));
  BOOST_TEST(empty->empty());
}

BOOST_AUTO_TEST_CASE(a_single_reading_is_exactly_one) {
  World w;
  auto two = cli::decodeAuditExport(w.batch());
  BOOST_TEST_REQUIRE(!two.isOk());
  BOOST_TEST((two.error().code == ErrorCode::kMalformed));
  BOOST_TEST(two.error().message == "exports: holds 2 readings; one was expected");
  BOOST_TEST(!cli::decodeAuditExport(cli::encodeAuditBatch({})).isOk());
}

BOOST_AUTO_TEST_CASE(hex_in_lower_case_is_read_too) {
  World w;
  const CollectedEvidence evidence = w.read(*w.payee);
  const std::string lower = edited(cli::encodeAuditExport(evidence, kMetadata), [](json& d) {
    std::string record = d["exports"][0]["transaction_records"][0];
    for (char& c : record) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    d["exports"][0]["transaction_records"][0] = record;
  });
  auto decoded = cli::decodeAuditExport(lower);
  BOOST_TEST_REQUIRE(decoded.isOk(), why(decoded));
  BOOST_TEST((*decoded == evidence));
}

BOOST_AUTO_TEST_CASE(export_time_is_utc_to_the_second) {
  using namespace std::chrono;
  const auto when = sys_days{year(2026) / 12 / 1} + hours(11) + minutes(42) + seconds(6) + milliseconds(999);
  BOOST_TEST(cli::exportTime(when) == "2026-12-01T11:42:06Z");
  BOOST_TEST(cli::exportTime(sys_days{year(1999) / 1 / 2}) == "1999-01-02T00:00:00Z");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(malformed)

BOOST_AUTO_TEST_CASE(text_that_is_not_one_json_object) {
  expectMalformed("", "not JSON", "empty");
  expectMalformed("{\"format\":", "not JSON", "cut short");
  expectMalformed("{} {}", "not JSON", "two documents");
  expectMalformed("{\"format\":\"epurse-audit-export\"} x", "not JSON", "trailing text");
  expectMalformed("[]", "the document: expected an object, found array", "an array");
  expectMalformed("\"epurse-audit-export\"", "the document: expected an object", "a string");
  expectMalformed("{\"format\":\"\xFF\"}", "not JSON", "ill-formed UTF-8");
  expectMalformed("{\"format\":\"epurse-audit-export\",/*x*/\"version\":1,\"exports\":[]}", "not JSON", "a comment");
}

BOOST_AUTO_TEST_CASE(the_format_and_version_are_exactly_these) {
  World w;
  const std::string good = w.batch();
  expectMalformed(edited(good, [](json& d) { d.erase("format"); }), "format: missing", "no format");
  expectMalformed(edited(good, [](json& d) { d["format"] = "epurse-audit-exports"; }), "format: \"epurse-audit-exports\" is not",
                  "another format");
  expectMalformed(edited(good, [](json& d) { d["format"] = 1; }), "format: expected a string, found number", "format a number");
  expectMalformed(edited(good, [](json& d) { d.erase("version"); }), "version: missing", "no version");
  expectMalformed(edited(good, [](json& d) { d["version"] = 2; }), "version: version 2 is not known", "version 2");
  expectMalformed(edited(good, [](json& d) { d["version"] = 0; }), "version: version 0", "version 0");
  expectMalformed(edited(good, [](json& d) { d["version"] = "1"; }), "version: expected an unsigned integer, found string",
                  "version a string");
  expectMalformed(edited(good, [](json& d) { d["version"] = 1.0; }), "version: expected an unsigned integer", "version 1.0");
  expectMalformed(edited(good, [](json& d) { d["version"] = -1; }), "version: expected an unsigned integer", "version -1");
  expectMalformed(edited(good, [](json& d) { d.erase("exports"); }), "exports: missing", "no exports");
  expectMalformed(edited(good, [](json& d) { d["exports"] = json::object(); }), "exports: expected an array, found object",
                  "exports an object");
  expectMalformed(edited(good, [](json& d) { d["exports"][1] = "x"; }), "exports[1]: expected an object, found string",
                  "an export a string");
  expectMalformed(edited(good, [](json& d) { d["comment"] = "hi"; }), "comment: unknown field", "extra top-level field");
}

BOOST_AUTO_TEST_CASE(a_key_twice_in_one_object_is_refused) {
  World w;
  const std::string good = w.batch();
  std::string twice = good;
  twice.insert(twice.find('{') + 1, "\"format\":\"epurse-audit-export\",");
  expectMalformed(twice, "not acceptable JSON: the key \"format\" appears twice", "format twice");
  twice = good;
  const std::size_t challenge = twice.find("\"challenge\"");
  twice.insert(challenge, "\"challenge\":\"FFFFFFFFFFFFFFFF\",");
  expectMalformed(twice, "not acceptable JSON: the key \"challenge\" appears twice", "challenge twice");
}

BOOST_AUTO_TEST_CASE(every_field_of_an_export_is_required_typed_and_alone) {
  World w;
  const std::string good = w.batch();
  for (const std::string& field : kEntryFields) {
    expectMalformed(edited(good, [&](json& d) { d["exports"][1].erase(field); }), at(1, field) + ": missing",
                    field + " missing");
    expectMalformed(edited(good, [&](json& d) { d["exports"][1][field] = 7; }), at(1, field) + ": expected",
                    field + " a number");
    expectMalformed(edited(good, [&](json& d) { d["exports"][1][field] = nullptr; }), at(1, field) + ": expected",
                    field + " null");
  }
  expectMalformed(edited(good, [](json& d) { d["exports"][0]["purse_id"] = "0102030405060701"; }),
                  "exports[0].purse_id: unknown field", "extra field");
  // A misspelt field is named as unknown rather than the right one as missing.
  expectMalformed(edited(good,
                         [](json& d) {
                           d["exports"][0]["challange"] = d["exports"][0]["challenge"];
                           d["exports"][0].erase("challenge");
                         }),
                  "exports[0].challange: unknown field", "misspelt field");
}

BOOST_AUTO_TEST_CASE(hex_is_pairs_of_hex_digits_and_nothing_else) {
  World w;
  const std::string good = w.batch();
  for (const std::string field : {"certificate", "challenge", "transaction_audit", "exception_audit"}) {
    const std::string path = at(1, field);
    auto set = [&](const std::string& change) {
      return edited(good, [&](json& d) {
        std::string value = d["exports"][1][field];
        d["exports"][1][field] = change == "odd" ? value.substr(1) : change + value.substr(change.size());
      });
    };
    expectMalformed(set("odd"), path + ": not hex: an odd number of digits", field + " odd");
    expectMalformed(set("G"), path + ": not hex: character 0", field + " with G");
    expectMalformed(set("0x"), path + ": not hex: character 1", field + " with 0x");
    expectMalformed(set(" 0"), path + ": not hex: character 0", field + " with a space");
    expectMalformed(set("0:"), path + ": not hex: character 1", field + " with a colon");
  }
  expectMalformed(edited(good, [](json& d) { d["exports"][1]["transaction_records"][1] = "0Z"; }),
                  "exports[1].transaction_records[1]: not hex", "record not hex");
  expectMalformed(edited(good, [](json& d) { d["exports"][0]["exception_records"] = json::array({"ABC"}); }),
                  "exports[0].exception_records[0]: not hex: an odd number", "exception record odd");
  expectMalformed(edited(good, [](json& d) { d["exports"][1]["transaction_records"][2] = 5; }),
                  "exports[1].transaction_records[2]: expected a string of hex, found number", "record a number");
  expectMalformed(edited(good, [](json& d) { d["exports"][1]["exception_records"][0] = true; }),
                  "exports[1].exception_records[0]: expected a string of hex, found boolean", "record a boolean");
}

BOOST_AUTO_TEST_CASE(every_byte_field_has_its_length) {
  World w;
  const std::string good = w.batch();
  auto cut = [&](const std::string& field, std::size_t digits) {
    return edited(good, [&](json& d) {
      std::string value = d["exports"][1][field];
      d["exports"][1][field] = value.substr(0, value.size() - digits);
    });
  };
  expectMalformed(cut("certificate", 2), "exports[1].certificate: 176 bytes; a card certificate is 177 bytes",
                  "certificate short");
  expectMalformed(cut("transaction_audit", 2), "exports[1].transaction_audit: 117 bytes; an audit answer is 118 bytes",
                  "transaction audit short");
  expectMalformed(cut("exception_audit", 236), "exports[1].exception_audit: 0 bytes; an audit answer is 118", "empty audit");
  expectMalformed(cut("challenge", 2), "exports[1].challenge: 7 bytes; a challenge is 8 to 32 bytes", "challenge 7");
  expectMalformed(edited(good, [](json& d) { d["exports"][1]["challenge"] = std::string(66, 'A'); }),
                  "exports[1].challenge: 33 bytes", "challenge 33");
  expectMalformed(edited(good,
                         [](json& d) {
                           std::string r = d["exports"][1]["transaction_records"][1];
                           d["exports"][1]["transaction_records"][1] = r.substr(2);
                         }),
                  "exports[1].transaction_records[1]: 102 bytes; a transaction log record is 103 bytes", "record short");
  expectMalformed(edited(good,
                         [](json& d) {
                           std::string r = d["exports"][1]["exception_records"][0];
                           d["exports"][1]["exception_records"][0] = r + "00";
                         }),
                  "exports[1].exception_records[0]: 68 bytes; an exception log record is 67 bytes", "exception long");
  expectMalformed(edited(good,
                         [](json& d) {
                           json records = json::array();
                           for (int i = 0; i < 256; ++i) records.push_back(d["exports"][0]["transaction_records"][0]);
                           d["exports"][0]["transaction_records"] = records;
                         }),
                  "exports[0].transaction_records: more than 255 records", "256 records");
  // The right length but not a certificate's structure.
  expectMalformed(edited(good,
                         [](json& d) {
                           std::string c = d["exports"][0]["certificate"];
                           d["exports"][0]["certificate"] = std::string("00") + c.substr(2);
                         }),
                  "exports[0].certificate: ", "certificate tag");
}

BOOST_AUTO_TEST_CASE(the_metadata_is_checked_too) {
  World w;
  const std::string good = w.batch();
  for (const std::string when : {"2026-12-01 11:42:06Z", "2026-12-01T11:42:06", "2026-13-01T11:42:06Z",
                                  "2026-02-29T11:42:06Z", "2026-12-01T24:00:00Z", "2026-12-01T11:60:00Z",
                                  "2026-12-01T11:42:06+01:00", "20261201T114206Z", "+026-12-01T11:42:06Z", ""}) {
    expectMalformed(edited(good, [&](json& d) { d["exports"][1]["exported_at"] = when; }),
                    "exports[1].exported_at: not a UTC time", when);
  }
  BOOST_TEST(cli::decodeAuditBatch(edited(good, [](json& d) { d["exports"][1]["exported_at"] = "2028-02-29T23:59:59Z"; }))
                 .isOk(),
             "a leap day");
  expectMalformed(edited(good, [](json& d) { d["exports"][0]["terminal"] = "till\n3"; }),
                  "exports[0].terminal: holds a control character", "newline");
  expectMalformed(edited(good, [](json& d) { d["exports"][0]["terminal"] = std::string(257, 't'); }),
                  "exports[0].terminal: longer than 256 bytes", "long description");
  BOOST_TEST(cli::decodeAuditBatch(edited(good, [](json& d) { d["exports"][0]["terminal"] = std::string(256, 't'); }))
                 .isOk());
  BOOST_TEST(cli::decodeAuditBatch(edited(good, [](json& d) { d["exports"][0]["terminal"] = ""; })).isOk());
}

BOOST_AUTO_TEST_CASE(nesting_deeper_than_the_format_is_refused) {
  World w;
  expectMalformed(edited(w.batch(), [](json& d) { d["exports"][0]["transaction_records"][0] = json::array({json::array()}); }),
                  "not acceptable JSON: nested deeper than 4 levels", "an array in a record");
  expectMalformed(std::string(100000, '[') + std::string(100000, ']'), "not acceptable JSON: nested deeper", "deep");
}

BOOST_AUTO_TEST_CASE(check_before_encoding_finds_what_decoding_would_refuse) {
  World w;
  const CollectedEvidence evidence = w.read(*w.payee);
  AuditExport entry{evidence, kMetadata};
  entry.metadata.exportedAt = "yesterday";
  BOOST_TEST(cli::checkAuditExport(entry).error().message.rfind("export.exported_at: not a UTC time", 0) == 0u);
  entry = AuditExport{evidence, kMetadata};
  entry.evidence.exceptionRecords[0].pop_back();
  BOOST_TEST(cli::checkAuditExport(entry).error().message.rfind("export.exception_records[0]: 66 bytes", 0) == 0u);
  BOOST_TEST(!cli::decodeAuditExport(cli::encodeAuditExport(entry.evidence, entry.metadata)).isOk());
  entry = AuditExport{evidence, kMetadata};
  entry.metadata.terminal = "till \xFF";
  BOOST_TEST(cli::checkAuditExport(entry).error().message == "export.terminal: not UTF-8");
  entry = AuditExport{evidence, kMetadata};
  entry.evidence.certificate.signature.pop_back();
  BOOST_TEST(cli::checkAuditExport(entry).error().message.rfind("export.certificate: ", 0) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(untrusted)

BOOST_AUTO_TEST_CASE(a_file_edited_by_hand_decodes_but_does_not_verify) {
  World w;
  const CollectedEvidence evidence = w.read(*w.payee);
  const std::string good = cli::encodeAuditExport(evidence, kMetadata);
  // The balance after the transfer in (record bytes 67..70), raised by one unit.
  const std::string record = edited(good, [](json& d) {
    std::string r = d["exports"][0]["transaction_records"][1];
    r[141] = bumped(r[141]);
    d["exports"][0]["transaction_records"][1] = r;
  });
  auto decoded = cli::decodeAuditExport(record);
  BOOST_TEST_REQUIRE(decoded.isOk(), why(decoded));
  auto verified = w.verify(*decoded);
  BOOST_TEST_REQUIRE(!verified.isOk(), "an edited record verified");
  BOOST_TEST((verified.error().code == ErrorCode::kCorrupt), verified.error().toString());
  // The balance in the signed head (bytes 45..48 of the audit answer).
  const std::string head = edited(good, [](json& d) {
    std::string a = d["exports"][0]["transaction_audit"];
    a[97] = bumped(a[97]);
    d["exports"][0]["transaction_audit"] = a;
  });
  decoded = cli::decodeAuditExport(head);
  BOOST_TEST_REQUIRE(decoded.isOk(), why(decoded));
  verified = w.verify(*decoded);
  BOOST_TEST_REQUIRE(!verified.isOk(), "an edited audit head verified");
  BOOST_TEST((verified.error().code == ErrorCode::kProtocol), verified.error().toString());
  // The exception record dropped.
  decoded = cli::decodeAuditExport(edited(good, [](json& d) { d["exports"][0]["exception_records"] = json::array(); }));
  BOOST_TEST_REQUIRE(decoded.isOk(), why(decoded));
  BOOST_TEST(!w.verify(*decoded).isOk());
  // The metadata is not signed: editing it changes nothing that is verified.
  decoded = cli::decodeAuditExport(edited(good, [](json& d) { d["exports"][0]["terminal"] = "elsewhere"; }));
  BOOST_TEST_REQUIRE(decoded.isOk(), why(decoded));
  BOOST_TEST(w.verify(*decoded).isOk());
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(documentation)

// The example in docs/protocol.md "Audit export" is what the writer writes, byte for byte,
// and a reading that verifies under the issuer key printed beside it.
BOOST_AUTO_TEST_CASE(the_documented_example_decodes_and_verifies) {
  std::ifstream in(std::string(EPURSE_SOURCE_DIR) + "/docs/protocol.md");
  BOOST_TEST_REQUIRE(in.good(), "docs/protocol.md not found");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  const std::size_t section = doc.find("\n## Audit export\n");
  BOOST_TEST_REQUIRE(section != std::string::npos, "no Audit export section");
  const std::string keyIntro = "under the issuer key `";
  const std::size_t keyStart = doc.find(keyIntro, section);
  BOOST_TEST_REQUIRE(keyStart != std::string::npos, "no issuer key in the section");
  const std::size_t keyFrom = keyStart + keyIntro.size();
  const std::string key = doc.substr(keyFrom, doc.find('`', keyFrom) - keyFrom);
  const std::size_t exampleStart = doc.find("```json\n", section);
  BOOST_TEST_REQUIRE(exampleStart != std::string::npos, "no example in the section");
  const std::size_t exampleFrom = exampleStart + 8;
  const std::string example = doc.substr(exampleFrom, doc.find("\n```", exampleFrom) + 1 - exampleFrom);

  auto issuerKey = protocol::EcPublicKey::fromUncompressed(h(key));
  BOOST_TEST_REQUIRE(issuerKey.isOk(), "the documented issuer key: " << why(issuerKey));
  auto batch = cli::decodeAuditBatch(example);
  BOOST_TEST_REQUIRE(batch.isOk(), "the documented example: " << why(batch));
  BOOST_TEST_REQUIRE(batch->size() == 1u);
  auto verified = host::verifyEvidence(batch->front().evidence, *issuerKey);
  BOOST_TEST_REQUIRE(verified.isOk(), "the documented example: " << why(verified));
  BOOST_TEST(verified->transactionRecords.size() == 1u);
  BOOST_TEST(verified->transactionHead.balance == 1250u);
  BOOST_TEST(verified->exceptionRecords.empty());
  BOOST_TEST(cli::encodeAuditExport(batch->front().evidence, batch->front().metadata) == example);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
