#include "reports/bench/fleet_history.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "primitives/vmx_capabilities.h"
#include "reports/history.h"
#include "reports/report.h"
#include "reports/tests/fixtures.h"
#include "reports/timeutil.h"

namespace vmxb::reports::bench {
namespace {

using nlohmann::json;

// Bumped whenever fleet_report() changes, so a cached history is never stale.
constexpr int kGeneratorVersion = 3;  // 3: history schema 3 (weekly rollups)

constexpr int kBochsSkylakeFirst = 40, kBochsPenrynFirst = 45;
constexpr unsigned long long kEptVpidCap = 0xf0106334141ull;

const char* const kRing0Rows[] = {
    "ring0/invept_single_context", "ring0/invept_global",   "ring0/invvpid_individual_address",
    "ring0/invvpid_single_context", "ring0/invvpid_all_context", "ring0/vmcall",
    "ring0/vmread",                "ring0/vmwrite",         "ring0/vmptrld",
    "ring0/vmclear",               "ring0/vmptrst",         "ring0/vmread_status_flags",
    "ring0/cpuid",                 "ring0/rdmsr_vmx_basic", "ring0/nop",
    "ring0/nop_unrolled_16",       "ring0/nop_unrolled_32", "ring0/lfence",
    "ring0/rdtscp",                "ring0/mov_cr3",
};
const char* const kUserSpaceRows[] = {"userspace_capture/setcc", "userspace_capture/pushf",
                                      "userspace_capture/lahf", "userspace_capture/adc"};

bool unsupported_on_penryn(const std::string& row) {
  return row.rfind("ring0/invept", 0) == 0 || row.rfind("ring0/invvpid", 0) == 0;
}

}  // namespace

json fleet_report(int index, int total) {
  const int host = index % kFleetHosts, run = index / kFleetHosts;
  const int runs = std::max(1, total / kFleetHosts);
  const std::string when = format_utc(*parse_iso8601("2026-01-01T00:00:00Z") +
                                      static_cast<int64_t>(run) * 365 * 86400 / runs);
  testing::HostSpec host_spec;
  host_spec.name = "fleet-" + std::to_string(host);
  testing::BackendSpec backend;
  const bool emulated = host >= kBochsSkylakeFirst;
  if (emulated) {
    backend.kind = "bochs";
    backend.bochs_model = host >= kBochsPenrynFirst ? "core2_penryn_t9600" : "corei7_skylake_x";
  }
  const bool penryn = host >= kBochsPenrynFirst;
  const unsigned seed = static_cast<unsigned>(index) * 7919u + 1u;

  std::map<std::string, std::vector<double>> rows;
  json extra = json::array();
  int i = 0;
  for (const char* name : kRing0Rows) {
    ++i;
    if (penryn && unsupported_on_penryn(name)) {
      for (const json& r : testing::unsupported_rows(name, testing::DemoHistory{}.unsupported_reason))
        extra.push_back(r);
      continue;
    }
    const double centre = 200.0 + 37.0 * i * (1 + host % 5);
    if (emulated) {
      rows[name] = std::vector<double>(3, centre);  // instruction counts do not vary
    } else {
      const bool regressed = host == 3 && run == runs - 1 && std::string(name) == "ring0/invept_global";
      rows[name] = testing::around(centre * (regressed ? 1.2 : 1.0), 3, seed + i);
    }
  }
  for (const char* name : kUserSpaceRows) {
    ++i;
    rows[name] = testing::around(1.0 + 0.25 * i, 3, seed + i);
  }

  json gb = testing::gb_doc(rows, when, host_spec, backend);
  // Every run measured a commit of the fleet's one repository, in order.
  gb["context"]["vmxbench_revision"] = "commit-" + std::to_string(run);
  gb["context"]["vmxbench_revision_order"] = std::to_string(run);
  for (const json& r : extra) gb["benchmarks"].push_back(r);
  if (!penryn) {
    for (const char* op : {"invept_single_context_live", "invept_global_live"})
      for (int pages : {1, 64, 512}) {
        testing::LiveRowSpec live{op, pages, 900.0 + pages, 40.0 * pages, 90.0 * pages, 70.0 * pages};
        for (const json& r : testing::live_rows(live)) gb["benchmarks"].push_back(r);
      }
  }
  if (emulated) return build_report(gb, nullptr);
  const bool lost_single_context = host % 7 == 0 && run >= runs / 2;
  const json diag = testing::diag_doc(lost_single_context ? kEptVpidCap & ~ept_vpid_cap::kInveptSingleContext.mask() : kEptVpidCap);
  return build_report(gb, &diag);
}

void add_fleet_reports(History& history, int from, int to, int total) {
  for (int i = from; i < to; ++i) history.ingest(fleet_report(i, total));
}

std::string cached_fleet_history(int total) {
  const char* env = std::getenv("VMXBENCH_REPORTS_BENCH_DIR");
  const std::filesystem::path dir = env && *env ? env : "/var/tmp/vmxbench-reports-bench";
  std::filesystem::create_directories(dir);
  const std::filesystem::path path =
      dir / ("fleet-v" + std::to_string(kGeneratorVersion) + "-" + std::to_string(total) + ".sqlite");
  if (std::filesystem::exists(path)) return path.string();
  const std::filesystem::path partial = path.string() + ".partial";
  std::filesystem::remove(partial);
  std::filesystem::remove(partial.string() + "-wal");
  std::filesystem::remove(partial.string() + "-shm");
  {
    History h(open_database("sqlite:" + partial.string()));
    // Generation only: what is measured (ingest) keeps the history's own
    // synchronous = FULL; a cache that a crash leaves half-written is
    // thrown away (it is renamed only when complete).
    h.db().execute("PRAGMA synchronous = OFF");
    add_fleet_reports(h, 0, total, total);
    h.db().execute("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  std::filesystem::rename(partial, path);
  return path.string();
}

}  // namespace vmxb::reports::bench
