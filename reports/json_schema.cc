#include "reports/json_schema.h"

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>

namespace vmxb::reports {
namespace {

using nlohmann::json;

const std::set<std::string>& supported() {
  static const std::set<std::string> keys = {
      "type",    "properties", "required", "additionalProperties", "items", "minItems",
      "enum",    "const",      "pattern",  "minLength",            "minimum", "maximum",
      "$ref",    "anyOf",      "oneOf",    "$schema",              "$id",     "$comment",
      "title",   "description", "examples", "$defs"};
  return keys;
}

void check_supported(const json& s, const std::string& where) {
  if (s.is_boolean()) return;
  if (!s.is_object()) throw std::invalid_argument("schema at " + where + " is not an object");
  for (const auto& [k, v] : s.items()) {
    if (!supported().count(k))
      throw std::invalid_argument("schema keyword '" + k + "' at " + where +
                                  " is not supported by reports/json_schema.cc");
    if (k == "properties" || k == "$defs") {
      for (const auto& [pk, pv] : v.items()) check_supported(pv, where + "/" + k + "/" + pk);
    } else if (k == "items" || (k == "additionalProperties" && v.is_object())) {
      check_supported(v, where + "/" + k);
    } else if (k == "anyOf" || k == "oneOf") {
      for (size_t i = 0; i < v.size(); ++i) check_supported(v[i], where + "/" + k + "/" + std::to_string(i));
    } else if (k == "pattern") {
      std::regex re(v.get<std::string>(), std::regex::ECMAScript);  // throws on a bad pattern
    }
  }
}

// JSON Schema's string length: Unicode code points, not bytes ("💩" is 1, not 4).
// nlohmann/json holds valid UTF-8: every byte but a continuation byte starts one.
size_t code_points(const std::string& utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xc0) != 0x80;
  return n;
}

std::string type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  if (v.is_number_float()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

bool has_type(const json& v, const std::string& t) {
  if (t == "number") return v.is_number();
  if (t == "integer") {
    if (v.is_number_integer() || v.is_number_unsigned()) return true;
    if (v.is_number_float()) {
      double d = v.get<double>();
      return std::isfinite(d) && std::floor(d) == d;
    }
    return false;
  }
  return type_name(v) == t;
}

std::string escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

const std::regex& regex(const std::string& pattern) {
  thread_local std::map<std::string, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) it = cache.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
  return it->second;
}

std::string abbreviated(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

class Validator {
 public:
  explicit Validator(const json& root) : root_(root) {}

  std::optional<std::string> check(const json& s, const json& v, const std::string& at) const {
    if (s.is_boolean()) {
      if (s.get<bool>()) return std::nullopt;
      return fail(at, "not allowed here");
    }
    if (auto it = s.find("$ref"); it != s.end()) {
      const std::string ref = it->get<std::string>();
      const std::string prefix = "#/$defs/";
      if (ref.rfind(prefix, 0) != 0 || !root_.contains("$defs") ||
          !root_["$defs"].contains(ref.substr(prefix.size())))
        return fail(at, "schema error: unresolved $ref " + ref);
      if (auto e = check(root_["$defs"][ref.substr(prefix.size())], v, at)) return e;
    }
    if (auto it = s.find("type"); it != s.end()) {
      bool ok = false;
      std::string names;
      if (it->is_string()) {
        ok = has_type(v, it->get<std::string>());
        names = it->get<std::string>();
      } else {
        for (const auto& t : *it) {
          ok = ok || has_type(v, t.get<std::string>());
          names += (names.empty() ? "" : " or ") + t.get<std::string>();
        }
      }
      if (!ok) return fail(at, "expected " + names + ", got " + type_name(v));
    }
    if (auto it = s.find("const"); it != s.end() && v != *it)
      return fail(at, "must be " + abbreviated(*it) + ", got " + abbreviated(v));
    if (auto it = s.find("enum"); it != s.end()) {
      bool ok = false;
      for (const auto& e : *it) ok = ok || e == v;
      if (!ok) return fail(at, "must be one of " + abbreviated(*it) + ", got " + abbreviated(v));
    }
    if (v.is_string()) {
      const auto& str = v.get_ref<const std::string&>();
      if (auto it = s.find("minLength"); it != s.end() && code_points(str) < it->get<size_t>())
        return fail(at, "string shorter than " + std::to_string(it->get<size_t>()));
      if (auto it = s.find("pattern"); it != s.end()) {
        if (!std::regex_search(str, regex(it->get<std::string>())))
          return fail(at, abbreviated(v) + " does not match " + it->get<std::string>());
      }
    }
    if (v.is_number()) {
      double d = v.get<double>();
      if (auto it = s.find("minimum"); it != s.end() && d < it->get<double>())
        return fail(at, abbreviated(v) + " is below the minimum " + abbreviated(*it));
      if (auto it = s.find("maximum"); it != s.end() && d > it->get<double>())
        return fail(at, abbreviated(v) + " is above the maximum " + abbreviated(*it));
    }
    if (v.is_object()) {
      if (auto it = s.find("required"); it != s.end()) {
        for (const auto& r : *it)
          if (!v.contains(r.get<std::string>()))
            return fail(at, "missing required member \"" + r.get<std::string>() + "\"");
      }
      const json* props = s.contains("properties") ? &s["properties"] : nullptr;
      for (const auto& [k, member] : v.items()) {
        const std::string child = at + "/" + escape(k);
        if (props && props->contains(k)) {
          if (auto e = check((*props)[k], member, child)) return e;
        } else if (auto ap = s.find("additionalProperties"); ap != s.end()) {
          if (ap->is_boolean() && !ap->get<bool>())
            return fail(at, "unexpected member \"" + k + "\"");
          if (auto e = check(*ap, member, child)) return e;
        }
      }
    }
    if (v.is_array()) {
      if (auto it = s.find("minItems"); it != s.end() && v.size() < it->get<size_t>())
        return fail(at, "needs at least " + std::to_string(it->get<size_t>()) + " item(s), has " +
                            std::to_string(v.size()));
      if (auto it = s.find("items"); it != s.end()) {
        for (size_t i = 0; i < v.size(); ++i)
          if (auto e = check(*it, v[i], at + "/" + std::to_string(i))) return e;
      }
    }
    if (auto it = s.find("anyOf"); it != s.end()) {
      // The reason given is that of the first alternative whose type fits:
      // "missing member x" says more than "expected null, got object".
      std::optional<std::string> first, fitting;
      const std::string type_mismatch = (at.empty() ? std::string("/") : at) + ": expected ";
      for (const auto& alt : *it) {
        auto e = check(alt, v, at);
        if (!e) return std::nullopt;
        if (!first) first = e;
        if (!fitting && e->rfind(type_mismatch, 0) != 0) fitting = e;
      }
      return fitting ? fitting : first;
    }
    if (auto it = s.find("oneOf"); it != s.end()) {
      int matched = 0;
      std::optional<std::string> first;
      for (const auto& alt : *it) {
        auto e = check(alt, v, at);
        if (!e) ++matched;
        else if (!first) first = e;
      }
      if (matched == 0) return first;
      if (matched > 1) return fail(at, "matches more than one alternative of oneOf");
    }
    return std::nullopt;
  }

 private:
  static std::optional<std::string> fail(const std::string& at, const std::string& why) {
    return (at.empty() ? std::string("/") : at) + ": " + why;
  }
  const json& root_;
};

}  // namespace

JsonSchema::JsonSchema(nlohmann::json schema) : schema_(std::move(schema)) {
  check_supported(schema_, "#");
}

std::optional<std::string> JsonSchema::validate(const nlohmann::json& doc) const {
  return Validator(schema_).check(schema_, doc, "");
}

}  // namespace vmxb::reports
