// The purse's one command table (protocol/purse_command_table.h) against the command summary
// in docs/apdu.md, read from the source tree at run time, row by row in both directions; and
// against the two things built from it: the applet's dispatch and the host's command names.
#define BOOST_TEST_MODULE purse_command_table
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "host/purse_names.h"
#include "protocol/purse_command_table.h"
#include "tests/support/purse_fixture.h"

#ifndef EPURSE_SOURCE_DIR
#error "EPURSE_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

namespace epurse::testing {
namespace {

using protocol::kPurseCommands;
using protocol::PinRule;
using protocol::PurseCommand;

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

// "| a | b |" -> {"a", "b"}
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line.substr(1));
  while (std::getline(in, cell, '|')) out.push_back(trim(cell));
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

struct DocRow {
  std::map<std::string, std::string> column;  // header -> cell
};

// The rows of the table under "## Command summary", keyed by column header.
std::vector<DocRow> commandSummary() {
  const std::string path = std::string(EPURSE_SOURCE_DIR) + "/docs/apdu.md";
  std::ifstream in(path);
  BOOST_TEST_REQUIRE(in.good(), "cannot read " << path);
  std::string line;
  while (std::getline(in, line) && line != "## Command summary") {
  }
  BOOST_TEST_REQUIRE(line == "## Command summary", "docs/apdu.md has no \"## Command summary\"");
  while (std::getline(in, line) && line.rfind("| ", 0) != 0) {
  }
  const std::vector<std::string> headers = cells(line);
  BOOST_TEST_REQUIRE(std::getline(in, line).good());  // |---|---|
  std::vector<DocRow> rows;
  while (std::getline(in, line) && line.rfind("|", 0) == 0) {
    const std::vector<std::string> values = cells(line);
    BOOST_TEST_REQUIRE(values.size() == headers.size(), "a summary row with the wrong number of cells: " << line);
    DocRow row;
    for (std::size_t i = 0; i < headers.size(); ++i) row.column[headers[i]] = values[i];
    rows.push_back(row);
  }
  return rows;
}

// "[LOAD](#load-and-unload)" -> "LOAD"
std::string linkText(const std::string& cell) {
  if (cell.size() < 2 || cell[0] != '[') return cell;
  return cell.substr(1, cell.find(']') - 1);
}

std::string hexByte(std::uint8_t b) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%02X", b);
  return buf;
}

// What the summary's "PIN" column says for each rule (docs/apdu.md explains the words).
std::string pinCell(PinRule rule) {
  switch (rule) {
    case PinRule::kNone: return "—";
    case PinRule::kInData: return "in data";
    case PinRule::kVerified: return "verified";
    case PinRule::kAboveNoPinLimit: return "above no-PIN limit";
  }
  return "?";
}

const PurseCommand* byName(const std::string& name) {
  for (const PurseCommand& c : kPurseCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_summary_row_is_a_table_entry_with_the_same_bytes_pin_and_signature) {
  const std::vector<DocRow> rows = commandSummary();
  BOOST_TEST_REQUIRE(!rows.empty());
  for (const DocRow& row : rows) {
    for (const char* header : {"Command", "CLA INS P1 P2", "PIN", "Sig"}) {
      BOOST_TEST_REQUIRE(row.column.count(header) == 1u, "the summary has no column \"" << header << "\"");
    }
    const std::string name = linkText(row.column.at("Command"));
    const PurseCommand* entry = byName(name);
    BOOST_TEST_REQUIRE(entry != nullptr, "docs/apdu.md names " << name << ", the command table does not");
    std::istringstream header(row.column.at("CLA INS P1 P2"));
    std::string cla, ins;
    header >> cla >> ins;
    BOOST_TEST(cla == hexByte(entry->cla), name << ": CLA " << cla << " in the doc, " << hexByte(entry->cla) << " in the table");
    BOOST_TEST(ins == hexByte(entry->ins), name << ": INS " << ins << " in the doc, " << hexByte(entry->ins) << " in the table");
    BOOST_TEST(row.column.at("PIN") == pinCell(entry->pin), name << ": PIN \"" << row.column.at("PIN") << "\" in the doc");
    BOOST_TEST(row.column.at("Sig") == (entry->issuerSigned ? "yes" : "—"),
               name << ": Sig \"" << row.column.at("Sig") << "\" in the doc");
  }
}

BOOST_AUTO_TEST_CASE(every_table_entry_has_exactly_one_summary_row) {
  const std::vector<DocRow> rows = commandSummary();
  for (const PurseCommand& entry : kPurseCommands) {
    std::size_t found = 0;
    for (const DocRow& row : rows) found += linkText(row.column.at("Command")) == entry.name ? 1 : 0;
    BOOST_TEST(found == 1u, entry.name << " has " << found << " rows in the docs/apdu.md command summary");
  }
  BOOST_TEST(rows.size() == kPurseCommands.size());
}

BOOST_AUTO_TEST_CASE(the_host_names_every_command_from_the_table) {
  for (const PurseCommand& entry : kPurseCommands) {
    BOOST_TEST(host::purseCommandName(CommandApdu(entry.cla, entry.ins, 0, 0)) == std::string(entry.name));
  }
  BOOST_TEST(host::purseCommandName(CommandApdu(protocol::kClaProprietary, protocol::kInsGetData, 0, 0)) ==
             "command 80 CA");
}

// The applet dispatches every entry it owns (whatever the command then says of its empty
// data, it is never 6D00 "INS not supported") and nothing else.
BOOST_AUTO_TEST_CASE(the_applet_dispatches_exactly_the_table) {
  TestPurse purse;
  for (const PurseCommand& entry : kPurseCommands) {
    if (entry.group == protocol::CommandGroup::kCardOs) continue;
    const ResponseApdu answer = purse.card().raw(CommandApdu(entry.cla, entry.ins, 0, 0));
    BOOST_TEST(answer.sw() != sw::kInsNotSupported, entry.name << " is not dispatched");
    purse.select();
  }
  for (std::uint8_t cla : {protocol::kClaIso, protocol::kClaProprietary}) {
    for (int ins = 0; ins < 0x100; ++ins) {
      const std::uint8_t code = static_cast<std::uint8_t>(ins);
      if ((code & 0xF0) == 0x60 || (code & 0xF0) == 0x90 || code == 0xC0 || code == 0xA4) continue;  // the OS's
      if (protocol::findPurseCommand(cla, code)) continue;
      const ResponseApdu answer = purse.card().raw(CommandApdu(cla, code, 0, 0));
      BOOST_TEST(answer.sw() == sw::kInsNotSupported, hexByte(cla) << " " << hexByte(code) << " is answered");
    }
  }
}

}  // namespace epurse::testing
