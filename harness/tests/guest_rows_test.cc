// The guest rows (core/guest/) under Bochs, where a sample is an instruction
// count: each asserted count is derived from the code that runs, never typed in.
//   - vmcall: the guest's VMCALL, the minimal exit path's instructions
//     (counted in the image's ELF between vmxb_vm_exit_fast and
//     vmxb_vm_exit_fast_end), nothing else;
//   - the *_live rows: warm, refill and collateral are the touch loop's
//     instructions (2 + 4 per page, core/guest/guest_programs.h touch()),
//     because Bochs flushes its TLB on every VM entry and exit and on every
//     INVEPT/INVVPID (its handleCpuContextChange -> TLB_flush), so a flush costs
//     the guest nothing extra there, by construction;
//   - penryn (VMX without EPT) reports the EPT rows unsupported with the MSR
//     bit and still runs the round trips.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/guest/world_switch_abi.h"
#include "core/operations.h"
#include "harness/tests/image_runs.h"

namespace vmxb::harness {
namespace {

using testing::boot;
using testing::find_op;
using testing::joined;

constexpr unsigned kIterations = 8;
constexpr const char* kEptModels[] = {"corei7_skylake_x", "tigerlake"};

std::string run_command(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string image_elf() {
  for (const char* env : {"TEST_SRCDIR", "RUNFILES_DIR"})
    if (const char* dir = getenv(env)) {
      const std::filesystem::path p = std::filesystem::path(dir) / "vmxbench/harness/image/vmxbench.elf";
      if (std::filesystem::exists(p)) return p.string();
    }
  return "";
}

uint64_t symbol_address(const std::string& elf, const std::string& name) {
  std::istringstream in(run_command("nm " + elf));
  std::string addr, type, sym;
  while (in >> addr >> type >> sym)
    if (sym == name) return std::stoull(addr, nullptr, 16);
  return 0;
}

// Instructions from `from` up to (not including) `to`, as objdump decodes them.
unsigned instructions_between(const std::string& elf, uint64_t from, uint64_t to) {
  char range[96];
  snprintf(range, sizeof range, " --start-address=0x%llx --stop-address=0x%llx ", static_cast<unsigned long long>(from),
           static_cast<unsigned long long>(to));
  std::istringstream in(run_command("objdump -d --no-show-raw-insn" + std::string(range) + elf));
  unsigned n = 0;
  for (std::string line; std::getline(in, line);) {
    // Instruction lines look like "   1a2b3:\tmov ..."; labels and headers do not.
    const size_t colon = line.find(":\t");
    if (colon != std::string::npos && line.find_first_not_of(" 0123456789abcdef") == colon) ++n;
  }
  return n;
}

unsigned fast_exit_path_instructions() {
  const std::string elf = image_elf();
  if (elf.empty()) return 0;
  const uint64_t from = symbol_address(elf, "vmxb_vm_exit_fast");
  const uint64_t to = symbol_address(elf, "vmxb_vm_exit_fast_end");
  return from != 0 && to > from ? instructions_between(elf, from, to) : 0;
}

void expect_all_equal(const std::vector<uint64_t>& samples, uint64_t value, const std::string& what) {
  ASSERT_EQ(samples.size(), kIterations) << what;
  for (size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(samples[i], value) << what << " sample " << i;
}

const OpResult& ok_op(const testing::BootResult& r, const std::string& name, unsigned pages = 0) {
  static const OpResult missing{};
  for (const auto& op : r.report.ops)
    if (op.name == name && op.pages == pages) {
      EXPECT_EQ(op.status, "ok") << name << ": " << op.reason;
      return op;
    }
  ADD_FAILURE() << name << " pages=" << pages << " missing:\n" << joined(r.run.lines);
  return missing;
}

// The number the bench reports (world_switch_abi.h) is the ELF's.
TEST(GuestRows, TheFastExitPathIsCountedFromTheImage) {
  EXPECT_EQ(fast_exit_path_instructions(), core::guest::kFastExitInstructions);
}

class GuestRowsOnEptModels : public ::testing::TestWithParam<const char*> {};

TEST_P(GuestRowsOnEptModels, VmcallRoundTripIsTheExitPathPlusTheVmcall) {
  const unsigned path = fast_exit_path_instructions();
  ASSERT_NE(path, 0u) << "vmxbench.elf or its symbols not found";
  const auto r = boot(GetParam(), make_plan(PlanMode::kBench, {{"empty", kIterations, 2}, {"vmcall", kIterations, 2}}));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  const OpResult& empty = ok_op(r, "empty");
  const OpResult& vmcall = ok_op(r, "vmcall");
  ASSERT_FALSE(empty.samples.empty());
  // VMCALL (1), then the host's path from the exit to its VMRESUME.
  expect_all_equal(vmcall.samples, empty.samples.front() + 1 + path, "vmcall");
}

TEST_P(GuestRowsOnEptModels, TouchSeriesAreTheTouchLoopAndAFlushCostsNothingUnderBochs) {
  std::vector<PlanOp> ops{{"empty", kIterations, 2}};
  const char* live[] = {"invept_single_context_live", "invept_global_live", "invvpid_single_context_live",
                        "invvpid_all_context_live"};
  for (const char* name : live)
    for (unsigned pages : {1u, 64u, 512u}) ops.push_back({name, kIterations, 1, pages});
  const auto r = boot(GetParam(), make_plan(PlanMode::kBench, ops));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  const uint64_t overhead = ok_op(r, "empty").samples.at(0);
  for (const char* name : live) {
    uint64_t flush = 0;
    for (unsigned pages : {1u, 64u, 512u}) {
      const OpResult& op = ok_op(r, name, pages);
      const std::string what = std::string(name) + "/pages:" + std::to_string(pages);
      const uint64_t touch = overhead + 2 + 4 * uint64_t{pages};
      for (const char* series : {"warm", "refill", "collateral"}) {
        ASSERT_EQ(op.counters.count(series), 1u) << what << " " << series;
        expect_all_equal(op.counters.at(series), touch, what + " " + series);
      }
      // The host-side flush is one instruction's tick whatever was touched.
      ASSERT_EQ(op.samples.size(), kIterations) << what;
      if (flush == 0) flush = op.samples.front();
      expect_all_equal(op.samples, flush, what + " flush");
    }
    EXPECT_GT(flush, overhead) << name;
  }
}

TEST_P(GuestRowsOnEptModels, EptAndVmfuncRowsSucceedDeterministically) {
  const char* rows[] = {"vmcall_dispatched", "cpuid", "ept_violation", "ept_demand_paging", "ept_misconfig",
                        "vmfunc_eptp_switch", "eptp_switch_by_exit"};
  std::vector<PlanOp> ops{{"empty", kIterations, 2}, {"vmcall", kIterations, 2}};
  for (const char* name : rows) ops.push_back({name, kIterations, 2});
  const auto r = boot(GetParam(), make_plan(PlanMode::kBench, ops));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  const uint64_t vmcall = ok_op(r, "vmcall").samples.at(0);
  // ok means the host's dispatcher accepted every exit: the EPT rows' GPA and
  // qualification were the ones the row expects (guest_run.h run_until).
  for (const char* name : rows) {
    const OpResult& op = ok_op(r, name);
    ASSERT_FALSE(op.samples.empty()) << name;
    expect_all_equal(op.samples, op.samples.front(), name);
  }
  // The full dispatcher costs more than the minimal path; VMFUNC exits not at all.
  EXPECT_GT(ok_op(r, "vmcall_dispatched").samples.at(0), vmcall);
  EXPECT_LT(ok_op(r, "vmfunc_eptp_switch").samples.at(0), vmcall);
  EXPECT_GT(ok_op(r, "eptp_switch_by_exit").samples.at(0), ok_op(r, "vmfunc_eptp_switch").samples.at(0));
  // Demand paging: the violation, the mapping, INVEPT and the retried load.
  EXPECT_GT(ok_op(r, "ept_demand_paging").samples.at(0), ok_op(r, "ept_violation").samples.at(0));
}

INSTANTIATE_TEST_SUITE_P(Models, GuestRowsOnEptModels, ::testing::ValuesIn(kEptModels));

// The same code on two EPT models executes the same instructions: every guest
// row's samples and counters agree between them, sample for sample. (Rows
// whose count comes from the C++ dispatcher have no count derived from the
// source; this pins them to each other and to determinism.)
TEST(GuestRows, BothEptModelsCountTheSameForEveryGuestRow) {
  std::vector<PlanOp> ops{{"empty", kIterations, 2}};
  for (const auto& info : core::kOperations)
    if (info.needs & core::kNeedsGuest) ops.push_back({info.name, kIterations, 1});
  const auto a = boot(kEptModels[0], make_plan(PlanMode::kBench, ops));
  const auto b = boot(kEptModels[1], make_plan(PlanMode::kBench, ops));
  ASSERT_TRUE(a.run.completed && b.run.completed) << a.run.error << b.run.error;
  ASSERT_EQ(a.report.ops.size(), ops.size());
  ASSERT_EQ(b.report.ops.size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    const OpResult& x = a.report.ops[i];
    const OpResult& y = b.report.ops[i];
    EXPECT_EQ(x.status, "ok") << x.name << ": " << x.reason;
    EXPECT_EQ(x.samples.size(), kIterations) << x.name;
    EXPECT_EQ(x.samples, y.samples) << x.name;
    EXPECT_EQ(x.counters, y.counters) << x.name;
  }
}

TEST(GuestRows, PenrynSkipsTheEptRowsWithTheMsrBitAndRunsTheRoundTrips) {
  std::vector<PlanOp> ops{{"empty", kIterations, 2}};
  for (const auto& info : core::kOperations)
    if (info.needs & core::kNeedsGuest) ops.push_back({info.name, kIterations, 1});
  const auto r = boot("core2_penryn_t9600", make_plan(PlanMode::kBench, ops));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  const unsigned path = fast_exit_path_instructions();
  for (const auto& info : core::kOperations) {
    if (!(info.needs & core::kNeedsGuest)) continue;
    const OpResult* op = find_op(r.report, info.name);
    ASSERT_NE(op, nullptr) << info.name << "\n" << joined(r.run.lines);
    if (info.needs & (core::kNeedsEpt | core::kNeedsVpid)) {
      EXPECT_EQ(op->status, "unsupported") << info.name;
      EXPECT_NE(op->reason.find("IA32_VMX_PROCBASED_CTLS2"), std::string::npos) << info.name << ": " << op->reason;
    } else {
      EXPECT_EQ(op->status, "ok") << info.name << ": " << op->reason;
    }
  }
  const OpResult* vmcall = find_op(r.report, "vmcall");
  ASSERT_TRUE(vmcall != nullptr && !vmcall->samples.empty());
  EXPECT_EQ(vmcall->samples.front(), ok_op(r, "empty").samples.at(0) + 1 + path);
}

// Every Bochs CPU model, with every guest row: the run ends with END, and each
// row is either ok with its samples or unsupported with a reason (no VMX, no
// long mode, no EPT, ...): never a hang, a fault or a failed guest.
TEST(GuestRows, EveryBochsModelEndsCleanlyWithEveryGuestRow) {
  std::vector<PlanOp> ops;
  for (const auto& info : core::kOperations)
    if (info.needs & core::kNeedsGuest) ops.push_back({info.name, 2, 0});
  const auto models = bochs_cpu_models();
  ASSERT_GT(models.size(), 10u);
  for (const std::string& model : models) {
    const auto r = boot(model, make_plan(PlanMode::kBench, ops), std::chrono::seconds(60));
    ASSERT_TRUE(r.run.completed) << model << ": " << r.run.error;
    EXPECT_TRUE(r.report.end_seen) << model << "\n" << joined(r.run.lines);
    // Without long mode the boot sector itself ends the run, with a clear error.
    if (r.report.end_reason.rfind("no long mode", 0) == 0) continue;
    EXPECT_TRUE(r.report.end_ok) << model << ": " << r.report.end_reason;
    ASSERT_EQ(r.report.ops.size(), ops.size()) << model << "\n" << joined(r.run.lines);
    for (const OpResult& op : r.report.ops) {
      EXPECT_TRUE(op.status == "ok" || op.status == "unsupported") << model << " " << op.name << ": " << op.status
                                                                    << " " << op.reason;
      EXPECT_EQ(op.samples.size(), op.status == "ok" ? 2u : 0u) << model << " " << op.name;
      if (op.status == "unsupported") {
        EXPECT_FALSE(op.reason.empty()) << model << " " << op.name;
      }
    }
  }
}

TEST(GuestRows, PagesOutsideOneTo512AreAPlanError) {
  const auto r = boot("corei7_skylake_x", "vmxbench-plan 1\nmode bench\nop invept_global_live 2 0 pages=513\nend\n");
  ASSERT_TRUE(r.run.completed) << r.run.error;
  EXPECT_NE(r.report.plan_error.find("pages=<1..512>"), std::string::npos) << joined(r.run.lines);
  const auto zero = boot("corei7_skylake_x", "vmxbench-plan 1\nmode bench\nop invept_global_live 2 0 pages=0\nend\n");
  EXPECT_NE(zero.report.plan_error.find("pages=<1..512>"), std::string::npos) << joined(zero.run.lines);
}

}  // namespace
}  // namespace vmxb::harness
