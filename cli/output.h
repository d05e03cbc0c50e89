// Where a command's answer goes. Without --json: human text on stdout, errors as
// "PROGRAM: error: MESSAGE" on stderr. With --json: exactly one JSON object on stdout per
// command, the result or {"error": {"code": KEY, "message": TEXT, "exit": N}} (plus "sw"
// for a card's refusal); stderr then carries only --trace lines.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"
#include "host/card_result.h"

namespace epurse::cli {

class Output {
 public:
  Output(std::string program, bool json, std::ostream& out, std::ostream& err)
      : program_(std::move(program)), json_(json), out_(out), err_(err) {}

  bool json() const { return json_; }
  // For human text; write nothing here when json().
  std::ostream& text() { return out_; }
  std::ostream& errors() { return err_; }

  // The command's one JSON object; kExitOk.
  int result(const nlohmann::json& object);
  // The failure, as JSON or as an error line; its exit code (exit_codes.h). `extra` fields
  // are added to the JSON object beside "error" (what was done before the failure).
  int fail(const Error& error, const nlohmann::json& extra = nlohmann::json::object());
  int fail(const host::CardFailure& failure, const nlohmann::json& extra = nlohmann::json::object());
  // A failure a program names itself, with an exit code beyond the shared table (the
  // issuer's ledger and key codes, docs/cli.md).
  int failWith(const std::string& key, const std::string& message, int exitCode,
               const nlohmann::json& extra = nlohmann::json::object()) {
    return emit(key, message, exitCode, nlohmann::json::object(), extra);
  }
  // A usage error found by the command itself (bad hex, bad amount): kExitUsage.
  int usage(const std::string& message);

 private:
  int emit(const std::string& key, const std::string& message, int exitCode, nlohmann::json error,
           const nlohmann::json& extra);

  std::string program_;
  bool json_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace epurse::cli
