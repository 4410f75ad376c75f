// The history and the dashboard at a fleet's scale (issue: a year of 50
// hosts): `bazel run //reports/bench -- --benchmark_filter=Fleet`.
//
// Memory is the peak RSS of a child process that does one job from start to
// end (getrusage of the child: the parent's own peak would hide it), and the
// time is that child's wall time, so each row is what one command costs.
// The histories are generated once (fleet_history.h) and kept.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <benchmark/benchmark.h>

#include "reports/bench/fleet_history.h"
#include "reports/cli.h"
#include "reports/dashboard.h"
#include "reports/history.h"
#include "reports/history_rollups.h"
#include "reports/report.h"
#include "reports/tests/fixtures.h"
#include "reports/tests/pg_server.h"

namespace vmxb::reports::bench {
namespace {

using nlohmann::json;

// What a child reports back through its pipe.
struct ChildResult {
  double html_bytes = 0, points = 0, whole_reports = 0, folded_runs = 0;
  int exit_status = 0;
};

struct ChildCost {
  ChildResult result;
  double seconds = 0, peak_rss_mb = 0;
  bool ok = false;
};

// Runs `job` in a child process; its peak RSS comes from wait4().
template <typename Job>
ChildCost in_child(Job job) {
  int fds[2];
  ChildCost cost;
  if (::pipe(fds) != 0) return cost;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ChildResult r;
    try {
      r = job();
    } catch (const std::exception&) {
      r.exit_status = 1;
    }
    ssize_t ignored = ::write(fds[1], &r, sizeof r);
    (void)ignored;
    ::_exit(r.exit_status);
  }
  ::close(fds[1]);
  ChildResult r;
  const bool got = ::read(fds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r);
  ::close(fds[0]);
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cost.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss: KiB on Linux
  cost.result = r;
  cost.ok = got && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return cost;
}

void record(benchmark::State& state, const ChildCost& c) {
  if (!c.ok) {
    state.SkipWithError("the child process failed (run the job by hand to see why)");
    return;
  }
  state.SetIterationTime(c.seconds);
  state.counters["peak_rss_MB"] = c.peak_rss_mb;
  state.counters["html_MB"] = c.result.html_bytes / 1e6;
  state.counters["points"] = c.result.points;
  state.counters["whole_reports_read"] = c.result.whole_reports;
  state.counters["folded_runs"] = c.result.folded_runs;
}

ChildResult render(const std::string& url, const DashboardLimits& limits) {
  History h(open_database(url, OpenMode::kExistingOnly));
  const DashboardInput input = load_dashboard_input(h, {}, limits);
  DashboardSummary summary;
  const std::string html = render_dashboard(input, {}, &summary);
  ChildResult r;
  r.html_bytes = static_cast<double>(html.size());
  r.points = static_cast<double>(input.points.size());
  r.whole_reports = static_cast<double>(input.reports.size());
  r.folded_runs = static_cast<double>(input.folded_runs);
  return r;
}

// Removes what ingesting `batch` added: its reports, their rows, and the
// rollups of their weeks (a year after the stored runs: no stored run shares them).
void take_out(History& h, const std::vector<json>& batch) {
  std::string first_week = week_of(batch.front()["timestamp"].get<std::string>());
  for (const json& r : batch) {
    first_week = std::min(first_week, week_of(r["timestamp"].get<std::string>()));
    h.db().execute("DELETE FROM vmxbench_results WHERE content_hash = $1", {content_hash(r)});
    h.db().execute("DELETE FROM vmxbench_reports WHERE content_hash = $1", {content_hash(r)});
  }
  h.db().execute("DELETE FROM vmxbench_rollups WHERE week >= $1", {first_week});
}

// One fleet report per iteration into the history at `url` of `total`
// reports, taken out again afterwards (the 64 iterations each add another).
void ingest_into(benchmark::State& state, const std::string& url, int total) {
  History h(open_database(url));
  std::vector<json> batch;
  for (int i = 0; i < 64; ++i) batch.push_back(fleet_report(2 * total + i, total));  // a year after every stored run
  size_t next = 0;
  for (auto _ : state) h.ingest(batch[next++ % batch.size()]);
  take_out(h, batch);
  state.counters["report_KB"] = static_cast<double>(batch.front().dump().size()) / 1e3;
  state.counters["history_reports"] = total;
}

// `reports dashboard` on a fleet history of range(0) reports, folded as by default.
void BM_FleetDashboard(benchmark::State& state) {
  const std::string url = "sqlite:" + cached_fleet_history(static_cast<int>(state.range(0)));
  for (auto _ : state) record(state, in_child([&] { return render(url, DashboardLimits{}); }));
  state.counters["history_reports"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_FleetDashboard)->Arg(1000)->Arg(10000)->Arg(50000)->Iterations(2)->UseManualTime()->Unit(benchmark::kMillisecond);

// The same with nothing folded (--recent_runs 0): what the page cost before.
void BM_FleetDashboardUnfolded(benchmark::State& state) {
  const std::string url = "sqlite:" + cached_fleet_history(static_cast<int>(state.range(0)));
  DashboardLimits every_run;
  every_run.recent_runs = 0;
  for (auto _ : state) record(state, in_child([&] { return render(url, every_run); }));
  state.counters["history_reports"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_FleetDashboardUnfolded)->Arg(1000)->Arg(10000)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// One report ingested into a history of range(0) reports (SQLite,
// synchronous = FULL, one transaction per report); the reports added are
// taken out again afterwards, so the cached history stays as generated.
void BM_FleetIngest(benchmark::State& state) {
  const int total = static_cast<int>(state.range(0));
  ingest_into(state, "sqlite:" + cached_fleet_history(total), total);
}
BENCHMARK(BM_FleetIngest)->Arg(1000)->Arg(10000)->Arg(50000)->Iterations(64)->Unit(benchmark::kMillisecond);

// `reports history ingest` of range(0) report files in one command, into a
// fresh history: time per report and the command's peak RSS, which must not
// grow with the batch.
void BM_FleetIngestCommand(benchmark::State& state) {
  const int files = static_cast<int>(state.range(0));
  const std::string dir = testing::temp_dir("fleet-ingest-" + std::to_string(files));
  std::vector<std::string> args = {"history", "ingest", "--db", "sqlite:" + dir + "/h.sqlite"};
  for (int i = 0; i < files; ++i) {
    const std::string path = dir + "/r" + std::to_string(i) + ".json";
    std::ofstream(path) << fleet_report(i, files).dump();
    args.push_back(path);
  }
  for (auto _ : state) {
    std::filesystem::remove(dir + "/h.sqlite");
    const ChildCost c = in_child([&] {
      std::ostringstream out, err;
      ChildResult r;
      r.exit_status = run_cli(args, out, err);
      return r;
    });
    if (!c.ok) {
      state.SkipWithError("history ingest failed");
      break;
    }
    state.SetIterationTime(c.seconds);
    state.counters["peak_rss_MB"] = c.peak_rss_mb;
    state.counters["ms_per_report"] = c.seconds * 1e3 / files;
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_FleetIngestCommand)->Arg(50)->Arg(500)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// The same queries on PostgreSQL: a throw-away server (reports/tests/pg_server.h),
// one database per history size, filled once per run of the benchmark binary.
testing::PgServer* postgres(std::string& error) {
  static std::unique_ptr<testing::PgServer> server = testing::PgServer::start(error);
  return server.get();
}

std::string postgres_fleet(int total, std::string& error) {
  static std::map<int, std::string> urls;
  if (urls.count(total)) return urls[total];
  testing::PgServer* server = postgres(error);
  if (server == nullptr) return "";
  const std::string url = server->create_database("fleet" + std::to_string(total));
  History h(open_database(url));
  add_fleet_reports(h, 0, total, total);
  return urls[total] = url;
}

void BM_FleetDashboardPostgres(benchmark::State& state) {
  std::string error;
  const std::string url = postgres_fleet(static_cast<int>(state.range(0)), error);
  if (url.empty()) {
    state.SkipWithError(("no PostgreSQL server: " + error).c_str());
    return;
  }
  for (auto _ : state) record(state, in_child([&] { return render(url, DashboardLimits{}); }));
  state.counters["history_reports"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_FleetDashboardPostgres)->Arg(1000)->Arg(10000)->Iterations(2)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_FleetIngestPostgres(benchmark::State& state) {
  std::string error;
  const int total = static_cast<int>(state.range(0));
  const std::string url = postgres_fleet(total, error);
  if (url.empty()) {
    state.SkipWithError(("no PostgreSQL server: " + error).c_str());
    return;
  }
  ingest_into(state, url, total);
}
BENCHMARK(BM_FleetIngestPostgres)->Arg(1000)->Arg(10000)->Iterations(64)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vmxb::reports::bench
