#include "cli/output.h"

#include <cstdio>
#include <ostream>

#include "cli/exit_codes.h"
#include "host/purse_names.h"

namespace epurse::cli {

int Output::result(const nlohmann::json& object) {
  if (json_) out_ << object.dump() << "\n";
  out_.flush();
  return kExitOk;
}

int Output::emit(const std::string& key, const std::string& message, int exitCode, nlohmann::json error,
                 const nlohmann::json& extra) {
  if (!json_) {
    err_ << program_ << ": error: " << message << "\n";
    return exitCode;
  }
  error["code"] = key;
  error["message"] = message;
  error["exit"] = exitCode;
  nlohmann::json object = extra.is_object() ? extra : nlohmann::json::object();
  object["error"] = std::move(error);
  out_ << object.dump() << "\n";
  out_.flush();
  return exitCode;
}

int Output::fail(const Error& error, const nlohmann::json& extra) {
  return emit(errorKey(error.code), error.message, exitCodeFor(error.code), nlohmann::json::object(), extra);
}

int Output::fail(const host::CardFailure& failure, const nlohmann::json& extra) {
  nlohmann::json error = nlohmann::json::object();
  if (failure.sw) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "%04X", *failure.sw);
    error["sw"] = hex;
    error["status"] = host::describePurseSw(*failure.sw);
  }
  return emit(errorKey(failure), failure.error.message, exitCodeFor(failure), std::move(error), extra);
}

int Output::usage(const std::string& message) {
  return emit(errorKey(ErrorCode::kInvalidArgument), message, kExitUsage, nlohmann::json::object(),
              nlohmann::json::object());
}

}  // namespace epurse::cli
