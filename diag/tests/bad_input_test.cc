// diag against bad input (issue 14): deep nesting, numbers no double holds,
// huge or endless files, directories, empty paths and hostile strings all end
// in one escaped, bounded line on stderr and the documented exit status.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "diag/tests/cli_util.h"

namespace {

using vmxb::diag::testing::DiagRun;
using vmxb::diag::testing::diag;
using vmxb::diag::testing::lines;
using vmxb::diag::testing::slurp;
using vmxb::diag::testing::tmp;

constexpr int kUsage = 2, kBadInput = 6;
const std::string kSkylake = "diag/testdata/corei7_skylake_x.json";

std::string write(const std::string& name, const std::string& text) {
  const std::string path = tmp(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

nlohmann::json skylake() { return nlohmann::json::parse(slurp(kSkylake)); }

TEST(BadInput, DeepNestingIsRejectedNotRecursedInto) {
  nlohmann::json j = skylake();
  std::string text = j.dump();
  // 100000 levels inside "notes": far beyond any stack a recursive walk could use.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  text.insert(text.size() - 1, ",\"extra\":" + deep);
  DiagRun r = diag("--from " + write("deep.json", text));
  EXPECT_EQ(r.exit, kBadInput) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("nested deeper than 128 levels"), std::string::npos) << r.err;
}

TEST(BadInput, NumberTooLargeForADoubleIsBadInput) {
  std::string text = skylake().dump();
  const std::string key = "\"schema_version\":1";
  ASSERT_NE(text.find(key), std::string::npos);
  text.replace(text.find(key), key.size(), "\"schema_version\":1e400");
  DiagRun r = diag("--from " + write("overflow.json", text));
  EXPECT_EQ(r.exit, kBadInput) << r.err;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("number overflow"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

TEST(BadInput, EndlessInputStopsAtTheSizeLimit) {
  // /dev/zero never ends: the reader must stop at 64 MiB, not grow forever.
  DiagRun r = diag("--from /dev/zero");
  EXPECT_EQ(r.exit, kBadInput) << r.err;
  EXPECT_NE(r.err.find("/dev/zero: larger than the input limit of 64 MiB"), std::string::npos) << r.err;

  std::string big = skylake().dump();
  big.insert(big.size() - 1, ",\"padding\":\"" + std::string((64u << 20) + 1, 'x') + "\"");
  r = diag("--from " + write("big.json", big));
  EXPECT_EQ(r.exit, kBadInput) << r.err;
  EXPECT_NE(r.err.find("larger than the input limit"), std::string::npos) << r.err;
}

TEST(BadInput, ControlCharactersAreEscapedAndLongValuesCut) {
  nlohmann::json j = skylake();
  j["schema"] = "vmxbench\nfake line\x1b[31m red";
  DiagRun r = diag("--from " + write("newline.json", j.dump()));
  EXPECT_EQ(r.exit, kBadInput);
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\\nfake line\\x1b[31m"), std::string::npos) << r.err;

  j = skylake();
  j["cpus"][0]["msrs"][0]["value"] = "0x" + std::string(5'000'000, 'g');
  r = diag("--from " + write("longhex.json", j.dump()));
  EXPECT_EQ(r.exit, kBadInput);
  EXPECT_EQ(lines(r.err), 1u);
  EXPECT_LT(r.err.size(), 2048u) << r.err.substr(0, 300);
  EXPECT_NE(r.err.find("...(5000002 bytes)"), std::string::npos) << r.err.substr(0, 300);
}

TEST(BadInput, EmptyPathsAreUsageErrors) {
  DiagRun r = diag("--from ''");
  EXPECT_EQ(r.exit, kUsage) << r.out;
  EXPECT_NE(r.err.find("--from needs a file name"), std::string::npos) << r.err;
  r = diag("--from " + kSkylake + " --dump ''");
  EXPECT_EQ(r.exit, kUsage);
  EXPECT_NE(r.err.find("--dump needs a file name"), std::string::npos) << r.err;
}

TEST(BadInput, ADirectoryIsNamedAsOne) {
  const std::string dir = tmp("a_directory");
  ::mkdir(dir.c_str(), 0755);
  DiagRun r = diag("--from " + dir);
  EXPECT_EQ(r.exit, kBadInput);
  EXPECT_EQ(r.err, "diag: " + dir + ": is a directory, not a file\n");
}

TEST(BadInput, DumpIntoAMissingDirectorySaysWhy) {
  DiagRun r = diag("--from " + kSkylake + " --dump /nonexistent-vmxbench/dir/x.json");
  EXPECT_EQ(r.exit, 8);
  EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;
}

}  // namespace
