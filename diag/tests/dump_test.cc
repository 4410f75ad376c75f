// Dump files: lossless round trip, every kind of bad input rejected with the
// file and field named on one line, and writes that never lose data.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "diag/dump.h"
#include "diag/diagnosis.h"
#include "diag/tests/test_util.h"

namespace vmxb::diag {
namespace {

using nlohmann::json;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kSkylake = "diag/testdata/corei7_skylake_x.json";

json skylake() { return json::parse(slurp(kSkylake)); }

InputError parse_error_of(const std::string& text) {
  Snapshot s;
  InputError e;
  EXPECT_FALSE(parse_snapshot(text, s, e)) << "accepted: " << text.substr(0, 200);
  return e;
}

InputError parse_error_of(const json& j) { return parse_error_of(j.dump()); }

size_t msr_position(const json& j, const std::string& name) {
  const json& msrs = j["cpus"][0]["msrs"];
  for (size_t i = 0; i < msrs.size(); ++i)
    if (msrs[i]["name"] == name) return i;
  ADD_FAILURE() << name;
  return 0;
}

TEST(Dump, RoundTripIsLossless) {
  const json original = skylake();
  Snapshot s;
  InputError e;
  ASSERT_TRUE(parse_snapshot(original.dump(), s, e)) << e.field << ": " << e.message;
  EXPECT_EQ(snapshot_json(s), original);
  // A full report is accepted too and carries the same snapshot.
  Diagnosis r = diagnose(s);
  Snapshot back;
  ASSERT_TRUE(parse_snapshot(diagnosis_json(r).dump(), back, e)) << e.field << ": " << e.message;
  EXPECT_EQ(snapshot_json(back), original);
}

TEST(Dump, CpuinfoSnapshotRoundTrip) {
  Snapshot s;
  s.source = SourceKind::kCpuinfo;
  s.identity.vendor = "GenuineIntel";
  s.identity.family = 6;
  s.identity.vmx = true;
  s.msr_error = "/dev/cpu/0/msr does not exist";
  s.os_vmx_flag = true;
  CpuState c;
  c.cpu = 0;
  c.microcode = 0xf4;
  c.vmx_flags = {"vnmi", "ept", "vpid"};
  s.cpus.push_back(c);
  Snapshot back;
  InputError e;
  ASSERT_TRUE(parse_snapshot(snapshot_json(s).dump(), back, e)) << e.field << ": " << e.message;
  EXPECT_EQ(snapshot_json(back), snapshot_json(s));
  EXPECT_EQ(diagnose(back).exit, ExitCode::kNoMsrAccess);
  // A cpuinfo snapshot carrying MSR values is contradictory.
  json j = snapshot_json(s);
  j["cpus"][0]["msrs"] = json::array({{{"index", "0x0000003a"}, {"status", "ok"}, {"value", "0x5"}}});
  EXPECT_EQ(parse_error_of(j).field, "cpus[0].msrs");
}

TEST(Dump, TruncatedNonJsonEmpty) {
  const std::string text = skylake().dump(2);
  for (const std::string& bad : {text.substr(0, text.size() / 2), std::string("MSR 00000480 00d810000000002b\n"),
                                 std::string(""), std::string("{\"schema\": ")}) {
    InputError e = parse_error_of(bad);
    EXPECT_EQ(e.field, "(document)");
    EXPECT_NE(e.message.find("not valid JSON"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find('\n'), std::string::npos);
  }
  EXPECT_EQ(parse_error_of(std::string("[1, 2]")).field, "(document)");
}

TEST(Dump, SchemaAndVersion) {
  json j = skylake();
  j["schema_version"] = 2;
  InputError e = parse_error_of(j);
  EXPECT_EQ(e.field, "schema_version");
  EXPECT_NE(e.message.find("2 is not supported"), std::string::npos) << e.message;
  j["schema_version"] = "1";
  EXPECT_EQ(parse_error_of(j).field, "schema_version");
  j = skylake();
  j.erase("schema_version");
  EXPECT_EQ(parse_error_of(j).field, "schema_version");
  j = skylake();
  j["schema"] = "something-else";
  EXPECT_EQ(parse_error_of(j).field, "schema");
  j = skylake();
  j["kind"] = "summary";
  EXPECT_EQ(parse_error_of(j).field, "kind");
  j = skylake();
  j["source"]["kind"] = "qemu";
  EXPECT_EQ(parse_error_of(j).field, "source.kind");
}

TEST(Dump, MissingFieldsAndMsrs) {
  json j = skylake();
  j["identity"].erase("family");
  InputError e = parse_error_of(j);
  EXPECT_EQ(e.field, "identity.family");
  EXPECT_EQ(e.message, "missing");

  // IA32_VMX_BASIC bit 55 implies the TRUE MSRs: a dump without one is refused.
  j = skylake();
  j["cpus"][0]["msrs"].erase(msr_position(j, "IA32_VMX_TRUE_PINBASED_CTLS"));
  e = parse_error_of(j);
  EXPECT_EQ(e.field, "cpus[0].msrs");
  EXPECT_NE(e.message.find("IA32_VMX_TRUE_PINBASED_CTLS"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("bit 55"), std::string::npos) << e.message;

  // EPT implies IA32_VMX_EPT_VPID_CAP.
  j = skylake();
  j["cpus"][0]["msrs"].erase(msr_position(j, "IA32_VMX_EPT_VPID_CAP"));
  e = parse_error_of(j);
  EXPECT_NE(e.message.find("IA32_VMX_EPT_VPID_CAP"), std::string::npos) << e.message;

  j = skylake();
  j["cpus"][0].erase("msrs");
  EXPECT_EQ(parse_error_of(j).field, "cpus[0].msrs");
  j = skylake();
  j["cpus"] = json::array();
  EXPECT_EQ(parse_error_of(j).field, "cpus");
  j = skylake();
  j["cpus"][0]["msrs"][1].erase("value");
  EXPECT_EQ(parse_error_of(j).field, "cpus[0].msrs[1].value");
}

TEST(Dump, OutOfRangeAndWrongTypes) {
  struct Row {
    std::function<void(json&)> edit;
    const char* field;
  };
  const Row rows[] = {
      {[](json& j) { j["identity"]["family"] = 999; }, "identity.family"},
      {[](json& j) { j["identity"]["stepping"] = -1; }, "identity.stepping"},
      {[](json& j) { j["identity"]["model"] = 256; }, "identity.model"},
      {[](json& j) { j["identity"]["maxphyaddr"] = 60; }, "identity.maxphyaddr"},
      {[](json& j) { j["identity"]["microcode"] = "0x123456789"; }, "identity.microcode"},
      {[](json& j) { j["identity"]["vmx"] = "yes"; }, "identity.vmx"},
      {[](json& j) { j["cpus"][0]["cpu"] = 70000; }, "cpus[0].cpu"},
      {[](json& j) { j["cpus"][0]["msrs"][1]["value"] = "0x100000000000000000"; }, "cpus[0].msrs[1].value"},
      {[](json& j) { j["cpus"][0]["msrs"][1]["value"] = "0xZZ"; }, "cpus[0].msrs[1].value"},
      {[](json& j) { j["cpus"][0]["msrs"][1]["value"] = 216; }, "cpus[0].msrs[1].value"},
      {[](json& j) { j["cpus"][0]["msrs"][1]["index"] = "0x00000500"; }, "cpus[0].msrs[1].index"},
      {[](json& j) { j["cpus"][0]["msrs"][1]["name"] = "IA32_VMX_MISC"; }, "cpus[0].msrs[1].name"},
      {[](json& j) { j["cpus"][0]["msrs"][1]["status"] = "maybe"; }, "cpus[0].msrs[1].status"},
      {[](json& j) { j["cpus"][0]["msrs"][2] = j["cpus"][0]["msrs"][1]; }, "cpus[0].msrs[2].index"},
      {[](json& j) { j["msr_access"]["available"] = 1; }, "msr_access.available"},
  };
  for (const auto& row : rows) {
    json j = skylake();
    row.edit(j);
    InputError e = parse_error_of(j);
    EXPECT_EQ(e.field, row.field) << e.message;
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(Dump, FileErrorsAreOneLineNamingFileAndField) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string path = dir + "/bad_version.json";
  json j = skylake();
  j["schema_version"] = 7;
  std::ofstream(path) << j.dump(2);
  Snapshot s;
  std::string line;
  ASSERT_FALSE(read_snapshot_file(path, s, line));
  EXPECT_EQ(line.rfind(path + ": schema_version: ", 0), 0u) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  ASSERT_FALSE(read_snapshot_file(dir + "/does-not-exist.json", s, line));
  EXPECT_NE(line.find("does-not-exist.json: cannot open"), std::string::npos) << line;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  return names;
}

TEST(Dump, WritesNeverLoseData) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/write";
  mkdir(dir.c_str(), 0755);
  const std::string path = dir + "/dump.json";
  std::string error;
  ASSERT_TRUE(write_file_safely(path, "first\n", false, error)) << error;
  EXPECT_EQ(slurp(path), "first\n");
  // Exists: refused without --force, file unchanged.
  EXPECT_FALSE(write_file_safely(path, "second\n", false, error));
  EXPECT_NE(error.find("exists"), std::string::npos) << error;
  EXPECT_NE(error.find("--force"), std::string::npos) << error;
  EXPECT_EQ(slurp(path), "first\n");
  // --force replaces it atomically.
  ASSERT_TRUE(write_file_safely(path, "second\n", true, error)) << error;
  EXPECT_EQ(slurp(path), "second\n");
  // No temporary files left behind, and mode follows the umask (not mkstemp's 0600).
  EXPECT_EQ(list_dir(dir), std::vector<std::string>({"dump.json"}));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IRGRP);
  // A directory that does not exist: an error naming the path, nothing created.
  EXPECT_FALSE(write_file_safely(dir + "/no/such/dir/x.json", "x", false, error));
  EXPECT_NE(error.find("x.json"), std::string::npos) << error;
}

}  // namespace
}  // namespace vmxb::diag
