// bazel run -c opt //bench -- [google benchmark flags] [vmxbench flags]
//
// Two families: user-space status-capture overhead (real time on any x86
// host) and the ring-0 operations of the measurement core, run by the kernel
// module (/dev/vmxbench, real TSC cycles) or the Bochs boot image (emulated:
// instruction counts, labelled as such).
#include <benchmark/benchmark.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "bench/backend.h"
#include "bench/benchmark_flags.h"
#include "bench/clock_counters.h"
#include "bench/backend_choice.h"
#include "bench/image_backend.h"
#include "bench/module_backend.h"
#include "bench/exit_codes.h"
#include "bench/host_context.h"
#include "bench/ring0_benchmarks.h"
#include "bench/report_output.h"
#include "bench/semantics_mode.h"
#include "bench/strict_json_reporter.h"
#include "bench/userspace_capture.h"
#include "bench/version.h"
#include "reports/revision.h"

namespace vmxb::bench {
namespace {

constexpr const char* kUsage = R"(vmxbench flags (Google Benchmark's own flags work as usual):
  --backend=auto|module|bochs|qemu
                                where ring-0 operations run (default auto: the
                                module if /dev/vmxbench exists, else Bochs)
  --qemu_accel=kvm|tcg          QEMU backend: KVM with -cpu host (nested VMX on
                                a VT-x host, default) or TCG (no VMX)
  --bochs_model=MODEL           Bochs CPU model (default corei7_skylake_x;
                                `bochs --help cpu` lists them)
  --vmxbench_iterations=N       timed executions per operation
                                (default 10000 on the module, 200 under Bochs)
  --vmxbench_warmup=N           untimed executions first (default iterations/10)
  --vmxbench_pages=N,N,...      guest pages the *_live rows touch before their
                                flush, one row per count (default 1,64,512;
                                each 1..512)
  --vmxbench_timeout=SECONDS    Bochs/QEMU run time limit (default 120)
  --vmxbench_cpu=N              module backend: the CPU every operation runs on (default 0)
  --no_ring0                    only the user-space family
  --semantics                   run the semantics suite instead of the benchmarks
                                (module or Bochs backend): its PASS:/FAIL:/SKIP:/
                                KNOWN:/OBSERVED:/SUMMARY: lines on stdout; exit 10
                                if a case failed
  --semantics_kernel_under_bochs
                                --semantics on the module of a kernel that itself
                                runs under Bochs: what stops Bochs 2.7 is not run
  --vmxbench_report=FILE        also write the unified report (reports/FORMAT.md):
                                this run's JSON plus diag of the measured CPU
  --vmxbench_revision=LABEL     what this run measured: a commit, a kernel or
                                microcode version... (context vmxbench_revision;
                                history, compare and the dashboard show it)
  --vmxbench_revision_order=N   a whole number that sorts the revisions (commit
                                count, YYYYMMDD...; context vmxbench_revision_order)
)";

constexpr uint32_t kEmulatedTouchIterations = 20;

struct Flags {
  std::string backend = "auto";
  std::string bochs_model = "corei7_skylake_x";
  std::string qemu_accel = "kvm";
  long iterations = -1;
  long warmup = -1;
  unsigned timeout = 120;
  uint32_t cpu = 0;
  bool ring0 = true;
  bool semantics = false;
  bool semantics_kernel_under_bochs = false;
  std::vector<uint32_t> touch_pages = kDefaultTouchPages;
  std::string revision, revision_order;  // "" when not given
};

bool parse_number(const char* text, long max, long* out) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < 0 || v > max) return false;
  *out = v;
  return true;
}

// Parses what Google Benchmark left; returns false (after one line on stderr,
// with *exit_code set) on a bad flag.
bool parse_flags(int argc, char** argv, Flags* f, int* exit_code) {
  *exit_code = kExitUsage;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&](const char* name) -> const char* {
      const std::string prefix = std::string("--") + name + "=";
      return arg.rfind(prefix, 0) == 0 ? argv[i] + prefix.size() : nullptr;
    };
    long n = 0;
    if (const char* v = value("backend")) {
      f->backend = v;
      if (f->backend != "auto" && f->backend != "module" && f->backend != "bochs" && f->backend != "qemu") {
        std::fprintf(stderr, "bench: --backend must be auto, module, bochs or qemu, not '%s'\n", v);
        return false;
      }
    } else if (const char* v = value("qemu_accel")) {
      f->qemu_accel = v;
      if (f->qemu_accel != "kvm" && f->qemu_accel != "tcg") {
        std::fprintf(stderr, "bench: --qemu_accel must be kvm or tcg, not '%s'\n", v);
        return false;
      }
    } else if (const char* v = value("bochs_model")) {
      f->bochs_model = v;
    } else if (const char* v = value("vmxbench_iterations")) {
      if (!parse_number(v, 1 << 20, &n) || n == 0) {
        std::fprintf(stderr, "bench: --vmxbench_iterations must be 1..1048576, not '%s'\n", v);
        return false;
      }
      f->iterations = n;
    } else if (const char* v = value("vmxbench_warmup")) {
      if (!parse_number(v, 1 << 20, &n)) {
        std::fprintf(stderr, "bench: --vmxbench_warmup must be 0..1048576, not '%s'\n", v);
        return false;
      }
      f->warmup = n;
    } else if (const char* v = value("vmxbench_timeout")) {
      if (!parse_number(v, 3600, &n) || n == 0) {
        std::fprintf(stderr, "bench: --vmxbench_timeout must be 1..3600 seconds, not '%s'\n", v);
        return false;
      }
      f->timeout = static_cast<unsigned>(n);
    } else if (const char* v = value("vmxbench_cpu")) {
      if (!parse_number(v, 8191, &n)) {
        std::fprintf(stderr, "bench: --vmxbench_cpu must be a CPU number 0..8191, not '%s'\n", v);
        return false;
      }
      f->cpu = static_cast<uint32_t>(n);
    } else if (const char* v = value("vmxbench_pages")) {
      std::string error;
      const auto pages = parse_touch_pages(v, &error);
      if (!pages) {
        std::fprintf(stderr, "bench: %s\n", error.c_str());
        *exit_code = kExitBadPageCount;
        return false;
      }
      f->touch_pages = *pages;
    } else if (const char* v = value("vmxbench_revision")) {
      if (const std::string why = reports::revision_label_error(v); !why.empty()) {
        std::fprintf(stderr, "bench: --vmxbench_revision: %s\n", why.c_str());
        return false;
      }
      f->revision = v;
    } else if (const char* v = value("vmxbench_revision_order")) {
      std::string why;
      if (!reports::parse_revision_order(v, &why)) {
        std::fprintf(stderr, "bench: --vmxbench_revision_order: %s\n", why.c_str());
        return false;
      }
      f->revision_order = v;
    } else if (arg == "--no_ring0") {
      f->ring0 = false;
    } else if (arg == "--semantics") {
      f->semantics = true;
    } else if (arg == "--semantics_kernel_under_bochs") {
      f->semantics_kernel_under_bochs = true;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(kExitOk);
    } else {
      std::fprintf(stderr, "bench: unknown flag '%s' (see --help)\n", argv[i]);
      return false;
    }
  }
  return true;
}

// The backend --backend names; `auto` on a VT-x host without the module says
// once, on stderr and in the JSON context, how to get hardware numbers.
BackendChoice choose(const Flags& f) {
  const BackendChoice choice = choose_backend(f.backend, probe_host());
  if (!choice.hardware_hint.empty()) {
    std::fprintf(stderr, "bench: %s\n", choice.hardware_hint.c_str());
    benchmark::AddCustomContext("vmxbench_hardware_hint", choice.hardware_hint);
  }
  return choice;
}

std::unique_ptr<Backend> select_backend(const Flags& f, std::string* error, int* exit_code) {
  switch (choose(f).kind) {
    case BackendKind::kModule: {
      ModuleBackendOptions options;
      options.cpu = f.cpu;
      return make_module_backend(options, error, exit_code);
    }
    case BackendKind::kQemu: return make_qemu_backend({f.qemu_accel == "kvm", f.timeout}, error, exit_code);
    case BackendKind::kBochs: break;
  }
  return make_bochs_backend({f.bochs_model, f.timeout}, error, exit_code);
}

int run_semantics_mode(const Flags& f) {
  SemanticsOptions o;
  o.backend = choose(f).kind;
  o.cpu = f.cpu;
  o.bochs_model = f.bochs_model;
  o.timeout_seconds = f.timeout;
  o.module_under_bochs = f.semantics_kernel_under_bochs;
  return run_semantics(o);
}

int run(int argc, char** argv) {
  ReportOutput report;
  if (!report.prepare(&argc, &argv)) return kExitUsage;
  const JsonOutputs json = json_outputs(argc, argv);  // before Initialize takes its flags out of argv
  if (const std::string bad = benchmark_flag_error(argc, argv); !bad.empty()) {
    std::fprintf(stderr, "bench: %s\n", bad.c_str());
    return kExitUsage;
  }
  benchmark::Initialize(&argc, argv);
  Flags flags;
  int flag_exit_code = kExitUsage;
  if (!parse_flags(argc, argv, &flags, &flag_exit_code)) return flag_exit_code;
  if (flags.semantics) return run_semantics_mode(flags);

  for (const auto& [key, value] : host_context()) benchmark::AddCustomContext(key, value);
  benchmark::AddCustomContext("vmxbench_version", kVersion);
  if (!flags.revision_order.empty() && flags.revision.empty()) {
    std::fprintf(stderr, "bench: --vmxbench_revision_order needs --vmxbench_revision (the label it orders)\n");
    return kExitUsage;
  }
  if (!flags.revision.empty()) benchmark::AddCustomContext("vmxbench_revision", flags.revision);
  if (!flags.revision_order.empty()) benchmark::AddCustomContext("vmxbench_revision_order", flags.revision_order);
  register_userspace_capture_benchmarks();

  std::unique_ptr<Backend> backend;
  std::unique_ptr<Ring0Runs> runs;
  const std::vector<Ring0Row> rows =
      flags.ring0 ? ring0_rows_matching(benchmark::GetBenchmarkFilter(), flags.touch_pages) : std::vector<Ring0Row>{};
  if (!rows.empty()) {
    std::string error;
    int exit_code = kExitBackendUnavailable;
    backend = select_backend(flags, &error, &exit_code);
    if (!backend) {
      std::fprintf(stderr, "bench: %s\n", error.c_str());
      return exit_code;
    }
    BackendInfo info = backend->info();
    Ring0Settings settings;
    // Emulated ticks are deterministic: a few hundred samples say everything.
    settings.iterations = static_cast<uint32_t>(flags.iterations > 0 ? flags.iterations : info.emulated ? 200 : 10000);
    settings.warmup = static_cast<uint32_t>(flags.warmup >= 0 ? flags.warmup : settings.iterations / 10);
    // Under emulation every touch-row sample is the same instruction count
    // (Bochs flushes its TLB on every VM entry and exit), and one sample of
    // 512 pages touches them three times: 20 samples say everything and keep
    // the default run short.
    settings.touch_iterations = flags.iterations > 0 || !info.emulated ? settings.iterations : kEmulatedTouchIterations;
    settings.touch_warmup =
        static_cast<uint32_t>(flags.warmup >= 0 ? flags.warmup : settings.touch_iterations / 10);
    runs = std::make_unique<Ring0Runs>(*backend, settings, /*batch=*/info.name != "module");
    if (!runs->prepare(rows, &error, &exit_code)) {
      std::fprintf(stderr, "bench: %s\n", error.c_str());
      return exit_code;
    }
    info = backend->info();  // the Bochs backend learns the emulated CPU from the run
    benchmark::AddCustomContext("vmxbench_backend", info.name);
    benchmark::AddCustomContext("vmxbench_emulated", info.emulated ? "yes" : "no");
    benchmark::AddCustomContext("vmxbench_tick_unit", info.tick_unit);
    benchmark::AddCustomContext("vmxbench_iterations", std::to_string(settings.iterations));
    benchmark::AddCustomContext("vmxbench_warmup", std::to_string(settings.warmup));
    benchmark::AddCustomContext("vmxbench_touch_iterations", std::to_string(settings.touch_iterations));
    benchmark::AddCustomContext(
        "tsc_hz", info.tsc_hz ? std::to_string(static_cast<uint64_t>(*info.tsc_hz))
                              : info.emulated ? "n/a (emulated: one tick per instruction)" : "unknown");
    for (const auto& [key, value] : info.context) benchmark::AddCustomContext(key, value);
    // A batch backend ran every row in prepare(): the run's clock is known
    // now. The module runs each row when its benchmark runs, after the
    // context is written: its rows carry their own ratio.
    if (info.name == "module")
      benchmark::AddCustomContext("vmxbench_aperf_mperf_ratio",
                                  "per row (counter aperf_mperf_ratio): the module runs rows one by one");
    else
      for (const auto& [key, value] : clock_context(runs->runs())) benchmark::AddCustomContext(key, value);
    register_ring0_benchmarks(*runs, info, rows);
  } else {
    benchmark::AddCustomContext("vmxbench_backend", "none");
  }

  StrictJsonReporter display_json;
  StrictJsonReporter file_json;
  // nullptr: Google Benchmark's own reporter for a format that is not JSON.
  benchmark::RunSpecifiedBenchmarks(json.display ? &display_json : nullptr, json.file ? &file_json : nullptr);
  benchmark::Shutdown();
  if (report.enabled() && !report.write(backend ? backend->info().name : "none", flags.bochs_model))
    return kExitOutputFailed;
  if (runs && runs->failure_exit_code() != 0) return runs->failure_exit_code();
  return kExitOk;
}

}  // namespace
}  // namespace vmxb::bench

int main(int argc, char** argv) { return vmxb::bench::run(argc, argv); }
