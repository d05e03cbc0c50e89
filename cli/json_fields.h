// Reading untrusted JSON strictly: a document with no duplicate keys and little nesting, and
// objects whose fields are each read once with the expected type, every field accounted for.
// Every failure is kMalformed and names the field by its path ("exports[3].challenge"), so a
// bad file can be fixed without guessing.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <initializer_list>
#include <string>
#include <string_view>

#include "base/result.h"

namespace epurse::cli {

// The whole text as one JSON value: nothing after it, no key twice in one object (the
// standard leaves duplicates open and parsers differ on which one wins), at most `maxDepth`
// nested objects and arrays.
Result<nlohmann::json> parseStrictJson(std::string_view text, int maxDepth);

// "exports" + 3 -> "exports[3]"; "exports[3]" + "challenge" -> "exports[3].challenge".
std::string elementPath(const std::string& arrayPath, std::size_t index);
std::string fieldPath(const std::string& objectPath, std::string_view key);

// The fields of one JSON object, each read with the type it must have.
class JsonFields {
 public:
  // kMalformed unless `value` is an object holding no field outside `known` (checked first,
  // so a misspelt name is reported as unknown, not as the right name missing). `path` names
  // the object in messages ("" for the root). `value` must outlive this.
  static Result<JsonFields> of(const nlohmann::json& value, std::string path,
                               std::initializer_list<std::string_view> known);

  // Each kMalformed if the field is missing or of another type.
  Result<std::string> string(std::string_view key) const;
  Result<std::uint64_t> unsignedInteger(std::string_view key) const;  // not -1, not 1.0
  Result<const nlohmann::json*> array(std::string_view key) const;    // points into `value`

  const std::string& path() const { return path_; }

 private:
  JsonFields(const nlohmann::json& object, std::string path) : object_(&object), path_(std::move(path)) {}
  Result<const nlohmann::json*> find(std::string_view key) const;
  Error wrongType(std::string_view key, const char* expected, const nlohmann::json& value) const;

  const nlohmann::json* object_;
  std::string path_;
};

// An Error of kMalformed whose message starts with the path.
Error malformedAt(const std::string& path, std::string_view what);

}  // namespace epurse::cli
