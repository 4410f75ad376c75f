// //bench end to end with the emulated backend: the JSON it prints, the
// calibration arithmetic through the whole pipeline, gating, and the exit
// status of every bad-input path.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/exit_codes.h"
#include "reports/report.h"

namespace vmxb::bench {
namespace {

struct Result {
  int status;
  std::string out;
};

Result run_bench(const std::string& args) {
  const std::string cmd = "bench/bench " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  Result r{-1, ""};
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

nlohmann::json json_of(const Result& r) {
  const size_t brace = r.out.find('{');
  return nlohmann::json::parse(r.out.substr(brace == std::string::npos ? 0 : brace));
}

const nlohmann::json* row(const nlohmann::json& doc, const std::string& prefix) {
  for (const auto& b : doc["benchmarks"])
    if (b["name"].get<std::string>().rfind(prefix, 0) == 0) return &b;
  return nullptr;
}

TEST(BenchCli, EmulatedJsonIsLabelledAndExact) {
  const Result r = run_bench("--backend=bochs --benchmark_format=json --benchmark_filter='ring0/(nop_10|invept_[a-z_]*|vmread)/' "
                             "--vmxbench_iterations=50");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto doc = json_of(r);
  const auto& ctx = doc["context"];
  EXPECT_EQ(ctx["vmxbench_backend"], "bochs");
  EXPECT_EQ(ctx["vmxbench_emulated"], "yes");
  EXPECT_EQ(ctx["vmxbench_tick_unit"], "instructions");
  EXPECT_EQ(ctx["vmxbench_bochs_model"], "corei7_skylake_x");
  EXPECT_NE(ctx["vmxbench_note"].get<std::string>().find("not latency"), std::string::npos);
  EXPECT_NE(ctx["emulated_cpu"].get<std::string>().find("GenuineIntel family 6 model 85"), std::string::npos);
  EXPECT_TRUE(ctx.contains("vmxbench_version"));
  // The clock facts: Bochs copies CPUID leaves of a real CPU but has no PMU,
  // APERF/MPERF or SMI counter MSRs, so those are unavailable with the reason.
  for (const char* key : {"vmxbench_core_cycles", "vmxbench_aperf_mperf", "vmxbench_smi_count"}) {
    ASSERT_TRUE(ctx.contains(key)) << key;
    EXPECT_EQ(ctx[key].get<std::string>().rfind("unavailable: ", 0), 0u) << key << ": " << ctx[key];
    EXPECT_NE(ctx[key].get<std::string>().find("raised #GP"), std::string::npos) << key << ": " << ctx[key];
  }
  EXPECT_EQ(ctx["vmxbench_invariant_tsc"], "yes");
  EXPECT_TRUE(ctx.contains("vmxbench_tsc_hz_cpuid"));
  // The PIT calibration, checked against the one clock this machine defines:
  // Bochs runs ips=50000000 (harness/host/bochs.cc) and counts its PIT in the
  // same emulated time, so the TSC must come out at 50 MHz within 0.1%. The
  // emulated row still gets no tsc_hz: its ticks are instructions.
  ASSERT_TRUE(ctx.contains("vmxbench_tsc_hz_calibrated"));
  EXPECT_NEAR(std::stod(ctx["vmxbench_tsc_hz_calibrated"].get<std::string>()), 50e6, 50e3)
      << ctx["vmxbench_tsc_hz_calibrated"];
  EXPECT_EQ(ctx["tsc_hz"], "n/a (emulated: one tick per instruction)");
  EXPECT_FALSE(ctx.contains("vmxbench_tsc_hz_source"));
  // ... and so are the run-wide ratio and SMI re-runs, and every row says so
  // and carries none of the counters: never a zero for "not measured".
  for (const char* key : {"vmxbench_aperf_mperf_ratio", "vmxbench_smi_discarded"})
    EXPECT_EQ(ctx[key].get<std::string>().rfind("unavailable: ", 0), 0u) << key << ": " << ctx[key];
  for (const auto& b : doc["benchmarks"]) {
    if (b.contains("error_occurred") && b["error_occurred"].get<bool>()) continue;
    EXPECT_NE(b["label"].get<std::string>().find("cycles unavailable (context vmxbench_core_cycles); SMI count "
                                                 "unavailable (context vmxbench_smi_count); APERF/MPERF unavailable"),
              std::string::npos)
        << b["label"];
    for (const char* absent : {"cycles_median", "cycles_per_tick", "smi_discarded", "aperf_mperf_ratio",
                               "frequency_warning", "instructions_per_execution"})
      EXPECT_FALSE(b.contains(absent)) << b["name"] << " " << absent;
  }
  const auto* nop = row(doc, "ring0/nop_10/");
  ASSERT_NE(nop, nullptr) << doc.dump(1);
  EXPECT_EQ((*nop)["ticks_median"], 10.0) << "10 NOPs net of the overhead are exactly 10 ticks";
  EXPECT_EQ((*nop)["ticks_stddev"], 0.0);
  EXPECT_EQ((*nop)["samples"], 50.0);
  EXPECT_EQ((*nop)["real_time"], 0.0) << "emulated rows never carry a time";
  EXPECT_NE((*nop)["label"].get<std::string>().find("instruction counts"), std::string::npos);
  const auto* global = row(doc, "ring0/invept_global/");
  ASSERT_NE(global, nullptr);
  EXPECT_TRUE(global->contains("vs_single_context"));
}

// Throughput next to latency: ring0/vmread carries throughput_ticks from its
// 16- and 32-copy rows; under Bochs one VMREAD is exactly one instruction.
TEST(BenchCli, ThroughputRowsGiveOneTickPerInstructionUnderBochs) {
  const Result r = run_bench("--backend=bochs --benchmark_format=json "
                             "--benchmark_filter='ring0/(vmread|invept_global)(_unrolled_(16|32))?/' --vmxbench_iterations=20");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto doc = json_of(r);
  for (const char* name : {"ring0/vmread/", "ring0/invept_global/"}) {
    const auto* latency = row(doc, name);
    ASSERT_NE(latency, nullptr) << name << doc.dump(1);
    ASSERT_TRUE(latency->contains("throughput_ticks")) << latency->dump();
    EXPECT_EQ((*latency)["throughput_ticks"], 1.0) << name;
  }
  // Without its unrolled rows a row has no throughput, never a made-up one.
  const Result alone = run_bench("--backend=bochs --benchmark_format=json --benchmark_filter='ring0/vmread/' "
                                 "--vmxbench_iterations=20");
  ASSERT_EQ(alone.status, 0) << alone.out;
  const auto alone_doc = json_of(alone);  // row() points into it
  const auto* vmread = row(alone_doc, "ring0/vmread/");
  ASSERT_NE(vmread, nullptr);
  EXPECT_FALSE(vmread->contains("throughput_ticks"));
}

// The live-invalidation rows: one per page count, the guest-side series as
// counters. Bochs flushes its TLB on every VM entry and exit, so a re-touch
// after the flush costs what it costs after a no-op exit: both penalties are
// exactly 0 there, by construction (never a hardware statement).
TEST(BenchCli, TouchRowsCarryTheirSeriesPerPageCount) {
  const Result r = run_bench("--backend=bochs --benchmark_format=json --benchmark_filter='ring0/invept_[a-z_]*live/' "
                             "--vmxbench_pages=1,64,512 --vmxbench_iterations=10");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto doc = json_of(r);
  double warm_before = -1;
  for (const int pages : {1, 64, 512}) {
    for (const std::string op : {"invept_single_context_live", "invept_global_live"}) {
      const std::string name = "ring0/" + op + "/pages:" + std::to_string(pages) + "/";
      const auto* row_live = row(doc, name);
      ASSERT_NE(row_live, nullptr) << name << doc.dump(1);
      const auto& b = *row_live;
      ASSERT_FALSE(b.value("error_occurred", false)) << b.dump();
      EXPECT_EQ(b["pages"], pages);
      EXPECT_EQ(b["samples"], 10.0);
      for (const char* counter : {"ticks_median", "warm", "refill", "collateral", "refill_penalty", "collateral_penalty"})
        ASSERT_TRUE(b.contains(counter)) << counter << " in " << b.dump();
      EXPECT_EQ(b["refill_penalty"].get<double>(), b["refill"].get<double>() - b["warm"].get<double>());
      EXPECT_EQ(b["collateral_penalty"].get<double>(), b["collateral"].get<double>() - b["warm"].get<double>());
      EXPECT_EQ(b["refill_penalty"], 0.0) << "Bochs keeps no TLB across VM transitions";
      EXPECT_EQ(b["collateral_penalty"], 0.0);
      EXPECT_NE(b["label"].get<std::string>().find("instruction counts"), std::string::npos);
      EXPECT_EQ(b.contains("vs_single_context"), op == "invept_global_live") << b.dump();
    }
    const auto& single = *row(doc, "ring0/invept_single_context_live/pages:" + std::to_string(pages) + "/");
    const auto& global = *row(doc, "ring0/invept_global_live/pages:" + std::to_string(pages) + "/");
    EXPECT_DOUBLE_EQ(global["vs_single_context"].get<double>(),
                     global["ticks_median"].get<double>() / single["ticks_median"].get<double>())
        << "compared with single-context at the same page count";
    EXPECT_GT(single["warm"].get<double>(), warm_before) << "more pages, more instructions to touch them";
    warm_before = single["warm"].get<double>();
  }
}

// With repetitions Google Benchmark's cv aggregate is 0/0 for a quantity that
// is always zero; its own reporter writes that as a bare NaN. nlohmann's parser
// is strict (RFC 8259), like Node's JSON.parse: both outputs must pass it.
TEST(BenchCli, JsonWithRepetitionsIsStrictJson) {
  const std::string dir = getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp";
  const std::string path = dir + "/repetitions.json";
  const Result r = run_bench("--backend=bochs --benchmark_format=json --benchmark_repetitions=3 "
                             "--benchmark_filter='ring0/(nop_10|vmread)/|userspace_capture/asm_goto/min' "
                             "--vmxbench_iterations=20 --benchmark_out=" + path);
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string console = r.out.substr(r.out.find('{'));
  std::ifstream in(path);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const std::string* text : {&console, &file}) {
    ASSERT_TRUE(nlohmann::json::accept(*text)) << *text;
    // Negative control: the same checker rejects the document with a NaN planted in it.
    std::string planted = *text;
    const size_t at = planted.find("\"ticks_median\": ");
    ASSERT_NE(at, std::string::npos) << *text;
    planted.insert(at, "\"planted\": NaN, ");
    EXPECT_FALSE(nlohmann::json::accept(planted));
  }
  const auto doc = nlohmann::json::parse(file);
  int nop_aggregates = 0;
  bool userspace_cv = false;
  for (const auto& b : doc["benchmarks"]) {
    const std::string name = b["name"];
    if (name.rfind("ring0/nop_10/", 0) == 0 && b["run_type"] == "aggregate") {
      ++nop_aggregates;
      EXPECT_NE(b["aggregate_name"], "cv") << "an emulated row's time is 0: its cv is undefined";
      EXPECT_EQ(b["ticks_median"], b["aggregate_name"] == "stddev" ? 0.0 : 10.0) << b.dump();
    }
    if (name.rfind("userspace_capture/asm_goto/", 0) == 0 && b.value("aggregate_name", "") == "cv") userspace_cv = true;
  }
  EXPECT_EQ(nop_aggregates, 3) << "mean, median and stddev stay";
  EXPECT_TRUE(userspace_cv) << "a defined cv stays";
}

TEST(BenchCli, QemuTcgBackendRunsTheImage) {
  const Result r = run_bench("--backend=qemu --qemu_accel=tcg --benchmark_format=json "
                             "--benchmark_filter='ring0/(nop_10|vmread)/' --vmxbench_iterations=20");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto doc = json_of(r);
  EXPECT_EQ(doc["context"]["vmxbench_backend"], "qemu");
  EXPECT_EQ(doc["context"]["vmxbench_emulated"], "yes");
  const auto* nop = row(doc, "ring0/nop_10/");
  ASSERT_NE(nop, nullptr);
  EXPECT_FALSE(nop->contains("error_occurred") && (*nop)["error_occurred"] == true);
  const auto* vmread = row(doc, "ring0/vmread/");
  ASSERT_NE(vmread, nullptr);
  EXPECT_EQ((*vmread)["error_occurred"], true) << "TCG has no VMX";
}

TEST(BenchCli, UnsupportedOperationsAreErrorsNotNumbers) {
  const Result r = run_bench("--backend=bochs --bochs_model=core2_penryn_t9600 --benchmark_format=json "
                             "--benchmark_filter=ring0/invept_global --vmxbench_iterations=10");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto doc = json_of(r);
  const auto* global = row(doc, "ring0/invept_global/");
  ASSERT_NE(global, nullptr);
  EXPECT_EQ((*global)["error_occurred"], true);
  EXPECT_NE((*global)["error_message"].get<std::string>().find("unsupported"), std::string::npos);
  EXPECT_FALSE(global->contains("ticks_median"));
}

TEST(BenchCli, UserspaceFamilyNeedsNoBackend) {
  const Result r = run_bench("--benchmark_format=json --benchmark_filter=userspace_capture/asm_goto");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto doc = json_of(r);
  EXPECT_EQ(doc["context"]["vmxbench_backend"], "none");
  const auto* row_goto = row(doc, "userspace_capture/asm_goto/min_time:0.250");
  ASSERT_NE(row_goto, nullptr);
  EXPECT_GT((*row_goto)["real_time"].get<double>(), 0.0);
}

TEST(BenchCli, BadInputGetsOneLineAndADistinctStatus) {
  struct Case {
    const char* args;
    int status;
    const char* says;
  } cases[] = {
      {"--backend=gpu", kExitUsage, "--backend must be"},
      {"--vmxbench_iterations=0", kExitUsage, "--vmxbench_iterations"},
      {"--vmxbench_iterations=abc", kExitUsage, "--vmxbench_iterations"},
      {"--frobnicate", kExitUsage, "unknown flag"},
      {"--backend=bochs --bochs_model=no_such_cpu", kExitUsage, "unknown Bochs CPU model"},
      {"--backend=module", kExitBackendUnavailable, "module"},
      {"--backend=qemu --qemu_accel=xen", kExitUsage, "--qemu_accel"},
      {"--vmxbench_cpu=-1", kExitUsage, "--vmxbench_cpu"},
      {"--vmxbench_pages=1,64,512,2048", kExitBadPageCount, "--vmxbench_pages must be page counts 1..512"},
      {"--vmxbench_pages=0", kExitBadPageCount, "--vmxbench_pages"},
      {"--vmxbench_pages=64,64", kExitBadPageCount, "twice"},
      {"--vmxbench_pages=many", kExitBadPageCount, "--vmxbench_pages"},
      {"--benchmark_filter='('", kExitUsage, "not a valid regular expression"},
      {"--benchmark_filter='-[a'", kExitUsage, "not a valid regular expression"},
      {"--benchmark_repetitions=-1", kExitUsage, "--benchmark_repetitions must be"},
      {"--benchmark_repetitions=0", kExitUsage, "--benchmark_repetitions must be"},
      {"--benchmark_repetitions=two", kExitUsage, "--benchmark_repetitions must be"},
      {"--vmxbench_report=", kExitUsage, "--vmxbench_report needs a file name"},
      {"--vmxbench_revision=", kExitUsage, "a revision label cannot be empty"},
      {"--vmxbench_revision_order=v1.2", kExitUsage, "a revision order is a whole number"},
      {"--vmxbench_revision_order=7 --no_ring0", kExitUsage, "needs --vmxbench_revision"},
      // A model without long mode: the boot sector's own reason comes through.
      {"--backend=bochs --bochs_model=core_duo_t2400_yonah --benchmark_filter=ring0/nop_10/", kExitBackendFailed,
       "the image stopped: no long mode: CPUID.80000001H:EDX[29]=0"},
  };
  for (const Case& c : cases) {
    const Result r = run_bench(c.args);
    EXPECT_EQ(r.status, c.status) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << c.args << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << "one line: " << r.out;
  }
}

// The revision flags reach the JSON context verbatim (a unified report keeps
// the context, so history, compare and the dashboard read them from there).
TEST(BenchCli, RevisionFlagsLandInTheContext) {
  const Result r = run_bench("--no_ring0 --benchmark_filter=userspace_capture/asm_goto/ --benchmark_format=json "
                             "--vmxbench_revision='kernel 6.12.118' --vmxbench_revision_order=612118");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto doc = json_of(r);
  EXPECT_EQ(doc["context"]["vmxbench_revision"], "kernel 6.12.118");
  EXPECT_EQ(doc["context"]["vmxbench_revision_order"], "612118");
}

// An existing report is never replaced without --force, and the refusal
// comes before anything runs.
TEST(BenchCli, AnExistingReportIsReplacedOnlyWithForce) {
  const std::string dir = getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp";
  const std::string path = dir + "/existing_report.json";
  { std::ofstream(path) << "keep me\n"; }
  const Result refused = run_bench("--benchmark_filter=userspace_capture/asm_goto/ --vmxbench_report=" + path);
  EXPECT_EQ(refused.status, kExitUsage) << refused.out;
  EXPECT_NE(refused.out.find("exists: pass --force to replace it"), std::string::npos) << refused.out;
  std::ifstream kept(path);
  std::string first;
  std::getline(kept, first);
  EXPECT_EQ(first, "keep me");
  const Result forced =
      run_bench("--benchmark_filter=userspace_capture/asm_goto/ --force --vmxbench_report=" + path);
  EXPECT_EQ(forced.status, 0) << forced.out;
  std::ifstream replaced(path);
  nlohmann::json doc;
  EXPECT_NO_THROW(doc = nlohmann::json::parse(replaced));
  EXPECT_TRUE(doc.is_object()) << "the report replaced the old file";
}

TEST(BenchCli, WritesAValidUnifiedReport) {
  const std::string dir = getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp";
  const std::string path = dir + "/report.json";
  const Result r = run_bench("--backend=bochs --benchmark_filter='ring0/(nop_10|invept_global|invept_global_live)/' "
                             "--vmxbench_pages=64 --vmxbench_iterations=20 --vmxbench_report=" + path);
  ASSERT_EQ(r.status, 0) << r.out;
  std::ifstream in(path);
  const nlohmann::json report = nlohmann::json::parse(in);
  EXPECT_EQ(reports::validate_report(report), std::nullopt) << *reports::validate_report(report);
  EXPECT_EQ(reports::backend_label(report["backend"]), "bochs (corei7_skylake_x)");
  EXPECT_TRUE(report.contains("diag"));
  EXPECT_NE(report.dump().find("ring0/nop_10"), std::string::npos);
  bool live_counters = false;
  for (const auto& b : report["google_benchmark"]["benchmarks"])
    if (b["name"].get<std::string>().rfind("ring0/invept_global_live/pages:64/", 0) == 0)
      live_counters = b.contains("refill") && b.contains("collateral_penalty") && b["pages"] == 64;
  EXPECT_TRUE(live_counters) << "the report keeps the touch rows' counters";
  // The diag part describes the emulated CPU the rows ran on, not this host.
  EXPECT_NE(report["diag"].dump().find("corei7_skylake_x"), std::string::npos);
}

TEST(BenchCli, ReportThatCannotBeWrittenIsAnOutputError) {
  const Result r = run_bench("--backend=bochs --benchmark_filter=ring0/nop_1/ --vmxbench_iterations=5 "
                             "--vmxbench_report=/nonexistent-dir/report.json");
  EXPECT_EQ(r.status, kExitOutputFailed) << r.out;
  EXPECT_NE(r.out.find("--vmxbench_report=/nonexistent-dir/report.json"), std::string::npos) << r.out;
  const Result bad = run_bench("--vmxbench_report=x.json --benchmark_out=y.csv --benchmark_out_format=csv");
  EXPECT_EQ(bad.status, kExitUsage) << bad.out;
}

TEST(BenchCli, MissingImageIsExplained) {
  setenv("VMXBENCH_IMAGE", "/nonexistent/vmxbench.img", 1);
  const Result r = run_bench("--backend=bochs --benchmark_filter=ring0/vmread");
  unsetenv("VMXBENCH_IMAGE");
  EXPECT_EQ(r.status, kExitBackendUnavailable) << r.out;
  EXPECT_NE(r.out.find("boot image not found"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vmxb::bench
