// The shared command-line conventions on a small CLI11 app: --help and
// --version on stdout with exit 0 at every level, a usage error as one line
// with the given status, the nearest subcommand suggested on a typo.
#include "tools/cli/conventions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace vmxb::cli {
namespace {

struct Outcome {
  std::optional<int> status;
  std::string out, err;
};

Outcome run(const std::vector<std::string>& args) {
  CLI::App app("a tool", "tool");
  repeated_options_take_the_last(app);
  std::string format;
  app.add_option("--format", format);
  CLI::App* compare = app.add_subcommand("compare", "compare two files");
  std::vector<std::string> files;
  compare->add_option("FILE", files)->required();
  CLI::App* history = app.add_subcommand("history", "the history");
  history->add_subcommand("query", "query it");
  history->add_subcommand("ingest", "ingest into it");
  history->require_subcommand(1);
  app.require_subcommand(1);
  add_version_flags(app);
  std::ostringstream out, err;
  Outcome r;
  r.status = parse(app, args, out, err, 2);
  r.out = out.str();
  r.err = err.str();
  return r;
}

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(Nearest, SuggestsTyposAndUniquePrefixesOnly) {
  const std::vector<std::string> commands = {"build", "validate", "compare", "history", "dashboard", "export"};
  EXPECT_EQ(nearest("compre", commands), "compare");
  EXPECT_EQ(nearest("comapre", commands), "compare");  // a swap is one edit
  EXPECT_EQ(nearest("exprot", commands), "export");
  EXPECT_EQ(nearest("dash", commands), "dashboard");  // the only one it begins
  EXPECT_EQ(nearest("frobnicate", commands), std::nullopt);
  EXPECT_EQ(nearest("", commands), std::nullopt);
}

TEST(Parse, HelpAndVersionGoToStdoutWithStatusZeroAtEveryLevel) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"compare", "--help"}, {"history", "query", "--help"}, {"-h"}}) {
    Outcome r = run(args);
    EXPECT_EQ(r.status, 0) << args[0];
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
  EXPECT_NE(run({"compare", "--help"}).out.find("compare two files"), std::string::npos);
  Outcome v = run({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out, version_line("tool") + "\n");
  v = run({"history", "query", "--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out, version_line("tool history query") + "\n");
  EXPECT_NE(v.out.find(" (vmxbench) "), std::string::npos);
}

TEST(Parse, UsageErrorsAreOneLineWithTheGivenStatus) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {}, {"compare"}, {"compare", "a", "--bogus"}, {"history"}, {"compre", "a"}, {"history", "qeury"}}) {
    Outcome r = run(args);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("tool: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("--help)"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  EXPECT_NE(run({"compre", "a"}).err.find("did you mean 'compare'?"), std::string::npos);
  const Outcome deep = run({"history", "qeury"});
  EXPECT_NE(deep.err.find("did you mean 'query'?"), std::string::npos) << deep.err;
  EXPECT_NE(deep.err.find("see tool history --help"), std::string::npos) << deep.err;
  EXPECT_EQ(run({"frobnicate"}).err.find("did you mean"), std::string::npos);
  EXPECT_EQ(run({"compare", "a", "b"}).status, std::nullopt);
  EXPECT_EQ(run({"--format", "json", "--format", "text", "compare", "a", "b"}).status, std::nullopt);
}

}  // namespace
}  // namespace vmxb::cli
