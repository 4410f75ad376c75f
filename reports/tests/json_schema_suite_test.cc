// reports/json_schema.cc against the JSON Schema Test Suite as Debian ships it
// (json-schema-test-suite, /usr/share/json-schema-test-suite). Debian 12's
// suite stops at draft 7 and no packaged C++ validator reads draft 2020-12
// (report.schema.json's draft), so the hand-written subset stays, checked on
// every draft-7 case whose schema uses only the keywords it claims to support
// with the same meaning in both drafts. Left out: "items" as an array (tuple
// form in draft 7, prefixItems in 2020-12) and "$ref" (draft 7 refers to
// "definitions" and ignores a $ref's siblings; the subset resolves only
// "#/$defs/NAME", as 2020-12 does).
#include <dirent.h>

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "reports/json_schema.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

constexpr const char* kSuite = "/usr/share/json-schema-test-suite/tests/draft7";

// reports/json_schema.h's list: the keywords it checks and the annotations it accepts.
const std::set<std::string> kClaimed = {"type",    "properties", "required", "additionalProperties", "items",
                                        "minItems", "enum",      "const",    "pattern",              "minLength",
                                        "minimum", "maximum",    "anyOf",    "oneOf",                "$schema",
                                        "$id",     "$comment",   "title",    "description",          "examples"};

// Only claimed keywords, with draft 7's meaning equal to 2020-12's, all the way down.
bool comparable(const json& schema) {
  if (schema.is_boolean()) return true;
  if (!schema.is_object()) return false;
  for (const auto& [key, value] : schema.items()) {
    if (!kClaimed.count(key)) return false;
    if (key == "items" && !value.is_object() && !value.is_boolean()) return false;
    if (key == "properties") {
      for (const auto& [name, sub] : value.items())
        if (!comparable(sub)) return false;
    } else if (key == "items" || (key == "additionalProperties" && !value.is_boolean())) {
      if (!comparable(value)) return false;
    } else if (key == "anyOf" || key == "oneOf") {
      for (const json& sub : value)
        if (!comparable(sub)) return false;
    }
  }
  return true;
}

std::vector<std::string> suite_files() {
  std::vector<std::string> files;
  if (DIR* d = opendir(kSuite)) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() > 5 && name.substr(name.size() - 5) == ".json") files.push_back(std::string(kSuite) + "/" + name);
    }
    closedir(d);
  }
  return files;
}

TEST(JsonSchemaSuite, AgreesWithTheSuiteOnEveryComparableCase) {
  const std::vector<std::string> files = suite_files();
  if (files.empty()) GTEST_SKIP() << kSuite << " not found (Debian json-schema-test-suite; tools/setup installs it)";
  size_t groups = 0, cases = 0;
  std::set<std::string> files_used;
  for (const std::string& file : files) {
    std::ifstream in(file);
    for (const json& group : json::parse(in)) {
      if (!comparable(group["schema"])) continue;
      ++groups;
      files_used.insert(file.substr(file.rfind('/') + 1));
      std::optional<JsonSchema> schema;
      try {
        schema.emplace(group["schema"]);
      } catch (const std::exception& e) {
        ADD_FAILURE() << file << ": " << group["description"] << ": refused a schema of claimed keywords: " << e.what();
        continue;
      }
      for (const json& t : group["tests"]) {
        ++cases;
        const std::optional<std::string> error = schema->validate(t["data"]);
        EXPECT_EQ(!error.has_value(), t["valid"].get<bool>())
            << file << ": " << group["description"].get<std::string>() << ": " << t["description"].get<std::string>()
            << " (data " << t["data"].dump() << ")" << (error ? ": " + *error : "");
      }
    }
  }
  // The selection must not be empty by accident: these files each have comparable cases.
  for (const char* f : {"type.json", "properties.json", "required.json", "additionalProperties.json", "enum.json",
                        "const.json", "pattern.json", "minLength.json", "minimum.json", "maximum.json",
                        "minItems.json", "anyOf.json", "oneOf.json", "items.json"})
    EXPECT_TRUE(files_used.count(f)) << f << " contributed no case";
  std::printf("%zu schemas, %zu cases of the suite run\n", groups, cases);
}

}  // namespace
}  // namespace vmxb::reports
