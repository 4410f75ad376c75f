// A small JSON schema (draft 2020-12) validator: exactly the keywords that
// reports/report.schema.json uses, so the schema file stays the one source of
// truth for the report format. A schema using any other keyword is refused
// when it is loaded (it would otherwise be ignored silently).
//
// Supported: type, properties, required, additionalProperties (bool|schema),
// items, minItems, enum, const, pattern, minLength, minimum, maximum, $ref
// ("#/$defs/NAME"), anyOf, oneOf; annotations ($schema, $id, $comment,
// title, description, examples, $defs) are accepted and not checked.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace vmxb::reports {

class JsonSchema {
 public:
  // Throws std::invalid_argument when `schema` uses an unsupported keyword or a
  // malformed value for a supported one.
  explicit JsonSchema(nlohmann::json schema);

  // nullopt when `doc` is valid; else one line: "<json pointer>: <reason>".
  std::optional<std::string> validate(const nlohmann::json& doc) const;

 private:
  nlohmann::json schema_;
};

}  // namespace vmxb::reports
