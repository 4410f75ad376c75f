// Building and validating reports: SHA-256, timestamps, the schema validator,
// BuildReport's mapping of Google Benchmark's context, the consistency rules.
#include "reports/report.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "reports/diag_view.h"
#include "reports/json_schema.h"
#include "reports/sha256.h"
#include "reports/tests/fixtures.h"
#include "reports/timeutil.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;
using testing::diag_doc;
using testing::gb_doc;
using testing::make_report;

TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // 55/56/64-byte messages exercise the one- and two-block padding paths.
  EXPECT_NE(sha256_hex(std::string(55, 'x')), sha256_hex(std::string(56, 'x')));
  EXPECT_EQ(sha256_hex(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Time, ParsesAndFormatsUtc) {
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601("2026-11-26T06:23:40+00:00"), parse_iso8601("2026-11-26T06:23:40Z"));
  EXPECT_EQ(*parse_iso8601("2026-11-26T08:23:40+02:00"), *parse_iso8601("2026-11-26T06:23:40Z"));
  EXPECT_EQ(*parse_iso8601("2026-11-26T01:23:40-0500"), *parse_iso8601("2026-11-26T06:23:40Z"));
  EXPECT_EQ(format_utc(*parse_iso8601("2024-02-29T23:59:59.123Z")), "2024-02-29T23:59:59Z");
  EXPECT_EQ(format_utc(*parse_iso8601("2026-11-26")), "2026-11-26T00:00:00Z");
  EXPECT_EQ(format_utc(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_utc(-1), "1969-12-31T23:59:59Z");  // before the epoch: the day floors down
  EXPECT_EQ(parse_iso8601("1900-03-01T00:00:00Z"), -2203891200);  // 1900 is no leap year
  EXPECT_FALSE(parse_iso8601("1900-02-29"));
  EXPECT_EQ(format_utc(*parse_iso8601("2016-12-31T23:59:60Z")), "2017-01-01T00:00:00Z");  // a leap second
  EXPECT_FALSE(parse_iso8601("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_iso8601("2026-11-26T06:23:40Zjunk"));
  EXPECT_EQ(parse_time_or_ago("7d", 1000000), 1000000 - 7 * 86400);
  EXPECT_EQ(parse_time_or_ago("36h", 1000000), 1000000 - 36 * 3600);
  EXPECT_FALSE(parse_time_or_ago("7x", 1000000));
}

TEST(JsonSchema, Keywords) {
  JsonSchema s(json::parse(R"({
    "type": "object", "required": ["a"], "additionalProperties": false,
    "properties": {
      "a": {"type": "integer", "minimum": 1, "maximum": 3},
      "b": {"type": ["string", "null"], "pattern": "^x+$"},
      "c": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/e"}},
      "d": {"anyOf": [{"type": "null"}, {"const": 7}]}
    },
    "$defs": {"e": {"enum": ["p", "q"]}}})"));
  EXPECT_EQ(s.validate(json::parse(R"({"a": 2, "b": "xx", "c": ["p"], "d": null})")), std::nullopt);
  EXPECT_EQ(s.validate(json::parse(R"({"a": 2.0})")), std::nullopt);  // 2.0 is an integer
  EXPECT_EQ(*s.validate(json::parse(R"({})")), "/: missing required member \"a\"");
  EXPECT_EQ(*s.validate(json::parse(R"({"a": 0})")), "/a: 0 is below the minimum 1");
  EXPECT_EQ(*s.validate(json::parse(R"({"a": 1.5})")), "/a: expected integer, got number");
  EXPECT_EQ(*s.validate(json::parse(R"({"a": 1, "z": 1})")), "/: unexpected member \"z\"");
  EXPECT_EQ(*s.validate(json::parse(R"({"a": 1, "b": "y"})")), "/b: \"y\" does not match ^x+$");
  EXPECT_EQ(*s.validate(json::parse(R"({"a": 1, "c": []})")), "/c: needs at least 1 item(s), has 0");
  EXPECT_EQ(*s.validate(json::parse(R"({"a": 1, "c": ["p", "r"]})")), "/c/1: must be one of [\"p\",\"q\"], got \"r\"");
  EXPECT_TRUE(s.validate(json::parse(R"({"a": 1, "d": 8})")).has_value());
}

TEST(JsonSchema, RefusesKeywordsItDoesNotImplement) {
  EXPECT_THROW(JsonSchema(json::parse(R"({"type": "object", "dependentRequired": {}})")), std::invalid_argument);
  EXPECT_THROW(JsonSchema(json::parse(R"({"properties": {"a": {"format": "date-time"}}})")), std::invalid_argument);
}

TEST(ReportSchema, CompiledInCopyIsTheFile) {
  json file = json::parse(testing::read_file(testing::runfile_path("reports/report.schema.json")));
  EXPECT_EQ(file, report_schema());
  EXPECT_NO_THROW(JsonSchema{report_schema()});
}

TEST(BuildReport, MapsTheContext) {
  json gb = gb_doc({{"ring0/invept_global", {900, 905, 910}}}, "2026-11-26T08:23:40+02:00");
  gb["context"]["cpu_model"] = "0x55";
  json r = build_report(gb, nullptr);
  EXPECT_EQ(validate_report(r), std::nullopt);
  EXPECT_EQ(r["format"], "vmxbench-report");
  EXPECT_EQ(r["format_version"], 1);
  EXPECT_EQ(r["timestamp"], "2026-11-26T06:23:40Z");  // converted to UTC
  EXPECT_EQ(r["suite_version"], "0.3.0");
  EXPECT_EQ(r["host"]["cpu_family"], 6);
  EXPECT_EQ(r["host"]["cpu_model"], 85);
  EXPECT_EQ(r["host"]["tsc_hz"], 2.6e9);
  EXPECT_EQ(r["host"]["vmx_capability_hash"], nullptr);
  EXPECT_EQ(r["backend"], json::parse(R"({"kind":"module","emulated":false,"bochs_model":null,"qemu_accel":null,"tick_unit":"cycles"})"));
  EXPECT_EQ(r["google_benchmark"], gb);  // verbatim, counters included
  EXPECT_EQ(r["diag"], nullptr);
}

TEST(BuildReport, Options) {
  json gb = gb_doc({{"x", {1, 2}}}, "2026-11-26T06:00:00+00:00");
  BuildOptions o;
  o.timestamp = "2027-01-02T03:04:05Z";
  o.suite_version = "9.9";
  json r = build_report(gb, nullptr, o);
  EXPECT_EQ(r["timestamp"], "2027-01-02T03:04:05Z");
  EXPECT_EQ(r["suite_version"], "9.9");
  o.timestamp = "soon";
  EXPECT_THROW(build_report(gb, nullptr, o), ReportError);
}

TEST(BuildReport, Bochs) {
  json r = make_report({{"ring0/vmread", {120, 120, 120}}}, "2026-11-26T06:00:00+00:00", {},
                      {"bochs", "corei7_skylake_x"});
  EXPECT_EQ(r["backend"]["emulated"], true);
  EXPECT_EQ(r["backend"]["bochs_model"], "corei7_skylake_x");
  EXPECT_EQ(r["backend"]["tick_unit"], "instructions");
}

TEST(BuildReport, QemuAndUserSpaceOnly) {
  json tcg = gb_doc({{"ring0/vmread", {5, 5}}}, "2026-11-26T06:00:00+00:00", {}, {"qemu", ""});
  tcg["context"]["vmxbench_qemu_accel"] = "tcg";
  tcg["context"].erase("vmxbench_emulated");
  tcg["context"].erase("vmxbench_tick_unit");
  json r = build_report(tcg, nullptr);
  EXPECT_EQ(r["backend"], json::parse(R"({"kind":"qemu","emulated":true,"bochs_model":null,"qemu_accel":"tcg","tick_unit":"tcg-ticks"})"));
  EXPECT_EQ(backend_label(r["backend"]), "qemu (tcg)");
  json kvm = tcg;
  kvm["context"]["vmxbench_qemu_accel"] = "kvm";
  r = build_report(kvm, nullptr);
  EXPECT_EQ(r["backend"]["emulated"], false);
  EXPECT_EQ(r["backend"]["tick_unit"], "cycles");
  // What //bench writes without ring-0 operations.
  json none = gb_doc({{"userspace_capture/flag_outputs", {2, 3}}}, "2026-11-26T06:00:00+00:00", {}, {"none", ""});
  r = build_report(none, nullptr);
  EXPECT_EQ(r["backend"]["kind"], "none");
  EXPECT_EQ(r["backend"]["emulated"], false);
  // //bench's tsc_hz for emulated runs is a sentence, not a number.
  json bochs = gb_doc({{"x", {1}}}, "2026-11-26T06:00:00+00:00", {}, {"bochs", "tigerlake"});
  bochs["context"]["tsc_hz"] = "n/a (emulated: one tick per instruction)";
  EXPECT_EQ(build_report(bochs, nullptr)["host"]["tsc_hz"], nullptr);
}

TEST(BuildReport, RefusesWhatItCannotPlace) {
  json gb = gb_doc({{"x", {1}}}, "2026-11-26T06:00:00+00:00");
  json no_backend = gb;
  no_backend["context"].erase("vmxbench_backend");
  EXPECT_THROW(build_report(no_backend, nullptr), ReportError);
  json bad_backend = gb;
  bad_backend["context"]["vmxbench_backend"] = "kvm";
  EXPECT_THROW(build_report(bad_backend, nullptr), ReportError);
  json no_version = gb;
  no_version["context"].erase("vmxbench_version");
  EXPECT_THROW(build_report(no_version, nullptr), ReportError);
  json bochs_without_model = gb_doc({{"x", {1}}}, "2026-11-26T06:00:00+00:00", {}, {"bochs", ""});
  EXPECT_THROW(build_report(bochs_without_model, nullptr), ReportError);
  json no_rows = gb;
  no_rows["benchmarks"] = json::array();
  EXPECT_THROW(build_report(no_rows, nullptr), ReportError);
  json bad_diag = {{"msrs", {}}};
  EXPECT_THROW(build_report(gb, &bad_diag), ReportError);  // no schema_version
}

TEST(BuildReport, CapabilityHashFollowsTheMsrs) {
  json d1 = diag_doc(), d2 = diag_doc(0xf0106334141ull & ~(1ull << 25));  // INVEPT single-context bit cleared
  json r1 = make_report({{"x", {1}}}, "2026-11-26T06:00:00+00:00", {}, {}, &d1);
  json r2 = make_report({{"x", {1}}}, "2026-11-26T06:00:00+00:00", {}, {}, &d2);
  ASSERT_TRUE(r1["host"]["vmx_capability_hash"].is_string());
  EXPECT_EQ(r1["host"]["vmx_capability_hash"].get<std::string>().rfind("sha256:", 0), 0u);
  EXPECT_NE(r1["host"]["vmx_capability_hash"], r2["host"]["vmx_capability_hash"]);
  // Same values written differently (decimal, upper-case hex, other key order) hash the same.
  json d3 = d1;
  d3["msrs"] = {{"0x485", 0x600401e0}, {"0X48C", "0xF0106334141"}, {"0x3a", 5},
                {"1163", "0x2177fff00000000"}, {"0x480", "0x00d810000000002b"}};
  EXPECT_EQ(capability_hash(d1), capability_hash(d3));
  EXPECT_EQ(r1["diag"], d1);
}

TEST(DiagView, ArrayFormAndVerdicts) {
  json d = {{"schema_version", 1},
            {"snapshot",
             {{"cpus", json::array({{{"cpu", 0},
                                     {"msrs", json::array({{{"index", "0x480"}, {"status", "ok"}, {"value", "0x1"}},
                                                           {{"index", "0x491"}, {"status", "fault"}}})}}})}}},
            {"verdicts", {{"ept", "supported"}, {"vmfunc", {{"verdict", "unsupported"}, {"detail", "no"}}}}}};
  std::map<std::string, std::string> m;
  std::string why;
  ASSERT_TRUE(capability_msrs(d, m, why)) << why;
  EXPECT_EQ(m["0x480"], "0x0000000000000001");
  EXPECT_EQ(m["0x491"], "absent");
  auto v = diag_verdicts(d);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].name, "vmfunc");
  EXPECT_EQ(v[1].verdict, "unsupported");
  json bad = d;
  bad["snapshot"]["cpus"][0]["msrs"][0]["value"] = "zebra";
  EXPECT_FALSE(check_diag(bad, why));
  EXPECT_NE(why.find("zebra"), std::string::npos);
}

class Tamper : public ::testing::Test {
 protected:
  void SetUp() override {
    json d = diag_doc();
    good_ = make_report({{"ring0/invept_global", {900, 905}}}, "2026-11-26T06:00:00+00:00", {}, {}, &d);
    ASSERT_EQ(validate_report(good_), std::nullopt);
  }
  std::string why(const std::function<void(json&)>& change) {
    json r = good_;
    change(r);
    auto e = validate_report(r);
    return e ? *e : "(valid)";
  }
  json good_;
};

TEST_F(Tamper, EachRuleNamesWhereAndWhy) {
  EXPECT_EQ(why([](json& r) { r["format_version"] = 2; }),
            "/format_version: 2 is not supported; this tool reads format version 1");
  EXPECT_EQ(why([](json& r) { r["format_version"] = "1"; }), "/format_version: must be 1, got \"1\"");
  EXPECT_EQ(why([](json& r) { r["format"] = "other"; }), "/format: \"other\" is not \"vmxbench-report\"");
  EXPECT_EQ(why([](json& r) { r.erase("host"); }), "/: missing required member \"host\"");
  EXPECT_EQ(why([](json& r) { r["extra"] = 1; }), "/: unexpected member \"extra\"");
  EXPECT_EQ(why([](json& r) { r["timestamp"] = "2026-11-26 06:00"; }).rfind("/timestamp: ", 0), 0u);
  EXPECT_EQ(why([](json& r) { r["timestamp"] = "2026-02-30T00:00:00Z"; }),
            "/timestamp: \"2026-02-30T00:00:00Z\" is not a valid date and time");
  EXPECT_EQ(why([](json& r) { r["host"]["name"] = "other"; }).rfind("/host/id: ", 0), 0u);
  EXPECT_EQ(why([](json& r) { r["backend"]["kind"] = "vmware"; }).rfind("/backend/kind: must be one of", 0), 0u);
  EXPECT_EQ(why([](json& r) { r["backend"]["emulated"] = true; }),
            "/backend/emulated: the module backend runs on hardware");
  EXPECT_EQ(why([](json& r) { r["backend"]["qemu_accel"] = "kvm"; }),
            "/backend/qemu_accel: only a qemu backend has one");
  EXPECT_EQ(why([](json& r) { r["backend"]["tick_unit"] = "Cycles!"; }).rfind("/backend/tick_unit: ", 0), 0u);
  EXPECT_EQ(why([](json& r) { r["diag"]["msrs"]["0x48c"] = "0x0"; }).rfind("/host/vmx_capability_hash: ", 0), 0u);
  EXPECT_EQ(why([](json& r) { r["diag"].erase("schema_version"); }), "/diag: missing required member \"schema_version\"");
  EXPECT_EQ(why([](json& r) { r["google_benchmark"]["benchmarks"][0]["time_unit"] = "ps"; }).rfind(
                "/google_benchmark/benchmarks/0/time_unit: ", 0),
            0u);
  EXPECT_EQ(why([](json& r) { r["google_benchmark"]["benchmarks"][0].erase("real_time"); }),
            "/google_benchmark/benchmarks/0: an iteration row needs real_time and time_unit");
  EXPECT_EQ(why([](json& r) { r["google_benchmark"].erase("context"); }),
            "/google_benchmark: missing required member \"context\"");
}

// The live-invalidation counters are typed where present; reports without
// them (everything written before them) are valid as they were.
TEST(ReportSchema, LiveInvalidationCounters) {
  json live = testing::make_live_report({{"ring0/vmread", {100, 101, 99}}},
                                        {{"invept_global_live", 64, 900, 400, 2400, 2300}}, "2026-11-26T06:00:00+00:00");
  EXPECT_EQ(validate_report(live), std::nullopt) << *validate_report(live);
  json old = make_report({{"ring0/vmread", {100, 101, 99}}}, "2026-11-26T06:00:00+00:00");
  EXPECT_EQ(validate_report(old), std::nullopt);
  EXPECT_EQ(old["format_version"], live["format_version"]);
  const std::string old_fixture = testing::read_file(testing::fixture_path("bench_bochs_corei7_skylake_x.json"));
  ASSERT_EQ(old_fixture.find("refill"), std::string::npos) << "the old fixture predates the counters";
  json rebuilt = build_report(parse_google_benchmark_json(old_fixture), nullptr);
  EXPECT_EQ(validate_report(rebuilt), std::nullopt) << *validate_report(rebuilt);

  const size_t row = old["google_benchmark"]["benchmarks"].size();  // the first live row
  const auto tampered = [&](const char* member, json value) {
    json r = live;
    r["google_benchmark"]["benchmarks"][row][member] = value;
    const auto e = validate_report(r);
    return e ? *e : "(valid)";
  };
  const std::string at = "/google_benchmark/benchmarks/" + std::to_string(row) + "/";
  EXPECT_EQ(tampered("refill", "fast").rfind(at + "refill: ", 0), 0u) << tampered("refill", "fast");
  EXPECT_EQ(tampered("warm", -1.0).rfind(at + "warm: ", 0), 0u) << tampered("warm", -1.0);
  EXPECT_EQ(tampered("pages", -64.0).rfind(at + "pages: ", 0), 0u);
  EXPECT_EQ(tampered("collateral", nullptr), "(valid)") << "NaN aggregates become null";
  EXPECT_EQ(tampered("refill_penalty", -12.5), "(valid)") << "a re-touch may be faster after the flush";
}

TEST(ContentHash, IgnoresFormattingNotContent) {
  json r = make_report({{"x", {1, 2, 3}}}, "2026-11-26T06:00:00+00:00");
  json reparsed = json::parse(r.dump(4));
  EXPECT_EQ(content_hash(r), content_hash(reparsed));
  EXPECT_EQ(content_hash(r).size(), 64u);
  json changed = r;
  changed["google_benchmark"]["benchmarks"][0]["real_time"] = 1.5;
  EXPECT_NE(content_hash(r), content_hash(changed));
}

TEST(WriteReportFile, WritesAtomically) {
  const std::string dir = testing::temp_dir("write");
  const std::string path = dir + "/r.json";
  json r = make_report({{"x", {1, 2, 3}}}, "2026-11-26T06:00:00+00:00");
  write_report_file(r, path);
  EXPECT_EQ(json::parse(testing::read_file(path)), r);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) (void)e, ++files;
  EXPECT_EQ(files, 1u);  // no temporary left behind
  EXPECT_THROW(write_report_file(r, dir + "/missing-dir/r.json"), ReportError);
}

}  // namespace
}  // namespace vmxb::reports

namespace vmxb::reports {
namespace {

TEST(ParseGoogleBenchmarkJson, NonFiniteBecomesNullOutsideStrings) {
  json j = parse_google_benchmark_json(
      R"({"a": NaN, "b": [Infinity, -Infinity, -NaN, 1.5], "s": "NaN and Infinity stay", "e": "q\"NaN"})");
  EXPECT_EQ(j["a"], nullptr);
  EXPECT_EQ(j["b"], json::parse("[null, null, null, 1.5]"));
  EXPECT_EQ(j["s"], "NaN and Infinity stay");
  EXPECT_EQ(j["e"], "q\"NaN");
  EXPECT_THROW(parse_google_benchmark_json("{\"a\": Nope}"), ReportError);
  EXPECT_THROW(parse_google_benchmark_json("{\"a\": 1"), ReportError);
}

}  // namespace
}  // namespace vmxb::reports
