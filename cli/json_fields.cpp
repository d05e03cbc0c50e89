#include "cli/json_fields.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

namespace epurse::cli {

Error malformedAt(const std::string& path, std::string_view what) {
  std::string message = path.empty() ? std::string("the document") : path;
  message += ": ";
  message.append(what);
  return makeError(ErrorCode::kMalformed, std::move(message));
}

Result<nlohmann::json> parseStrictJson(std::string_view text, int maxDepth) {
  using Event = nlohmann::json::parse_event_t;
  std::vector<std::set<std::string>> keysOfOpenObjects;
  std::string problem;
  auto check = [&](int depth, Event event, nlohmann::json& parsed) {
    if (!problem.empty()) return false;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (depth >= maxDepth) {
          problem = "nested deeper than ";
          problem += std::to_string(maxDepth);
          problem += " levels";
          return false;
        }
        if (event == Event::object_start) keysOfOpenObjects.emplace_back();
        break;
      case Event::object_end:
        if (!keysOfOpenObjects.empty()) keysOfOpenObjects.pop_back();
        break;
      case Event::key: {
        const auto& key = parsed.get_ref<const std::string&>();
        if (!keysOfOpenObjects.empty() && !keysOfOpenObjects.back().insert(key).second) {
          problem = "the key \"";
          problem += key;
          problem += "\" appears twice in one object";
          return false;
        }
        break;
      }
      case Event::array_end:
      case Event::value: break;
    }
    return true;
  };
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text.begin(), text.end(), check, /*allow_exceptions=*/true,
                                     /*ignore_comments=*/false);
  } catch (const nlohmann::json::exception& e) {
    return makeError(ErrorCode::kMalformed, std::string("not JSON: ") + e.what());
  }
  if (!problem.empty()) return makeError(ErrorCode::kMalformed, std::string("not acceptable JSON: ") + problem);
  return document;
}

std::string elementPath(const std::string& arrayPath, std::size_t index) {
  std::string path = arrayPath;
  path += '[';
  path += std::to_string(index);
  path += ']';
  return path;
}

std::string fieldPath(const std::string& objectPath, std::string_view key) {
  std::string path = objectPath;
  if (!path.empty()) path += '.';
  path.append(key);
  return path;
}

Result<JsonFields> JsonFields::of(const nlohmann::json& value, std::string path,
                                  std::initializer_list<std::string_view> known) {
  if (!value.is_object()) return malformedAt(path, std::string("expected an object, found ") + value.type_name());
  for (const auto& item : value.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      return malformedAt(fieldPath(path, item.key()), "unknown field");
    }
  }
  return JsonFields(value, std::move(path));
}

Result<const nlohmann::json*> JsonFields::find(std::string_view key) const {
  const auto found = object_->find(key);
  if (found == object_->end()) return malformedAt(fieldPath(path_, key), "missing");
  return &*found;
}

Error JsonFields::wrongType(std::string_view key, const char* expected, const nlohmann::json& value) const {
  std::string what = "expected ";
  what += expected;
  what += ", found ";
  what += value.type_name();
  return malformedAt(fieldPath(path_, key), what);
}

Result<std::string> JsonFields::string(std::string_view key) const {
  auto value = find(key);
  if (!value) return value.error();
  if (!(*value)->is_string()) return wrongType(key, "a string", **value);
  return (*value)->get<std::string>();
}

Result<std::uint64_t> JsonFields::unsignedInteger(std::string_view key) const {
  auto value = find(key);
  if (!value) return value.error();
  // 1.0 and -1 are numbers but not what is asked for: only the parser's unsigned integers pass.
  if (!(*value)->is_number_unsigned()) return wrongType(key, "an unsigned integer", **value);
  return (*value)->get<std::uint64_t>();
}

Result<const nlohmann::json*> JsonFields::array(std::string_view key) const {
  auto value = find(key);
  if (!value) return value.error();
  if (!(*value)->is_array()) return wrongType(key, "an array", **value);
  return *value;
}

}  // namespace epurse::cli
