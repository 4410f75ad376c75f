#include "reports/cli.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "diag/safe_output.h"
#include "tools/cli/conventions.h"
#include "reports/compare.h"
#include "reports/dashboard.h"
#include "reports/exit_codes.h"
#include "reports/export.h"
#include "reports/history.h"
#include "reports/load.h"
#include "reports/report.h"
#include "reports/revision.h"
#include "reports/timeutil.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

// After every command's own --help: T, --db and the exit statuses
// (reports/README.md's table is the one list; this repeats it).
constexpr const char* kFooter = R"(
An existing --out file is never replaced without --force.
--db: sqlite:PATH (default: $VMXBENCH_HISTORY_DB, else sqlite:vmxbench-history.sqlite)
      or postgresql://USER@HOST:PORT/DB
T: 2026-11-26, 2026-11-26T06:00:00Z, or 36h / 7d / 2w ago
exit: 0 ok, 1 regression, 2 usage, 3 unreadable input (missing, a directory, over 64 MiB,
      nested over 128 levels, no such history database), 4 malformed JSON, 5 invalid report,
      6 incompatible reports, 7 database error, 8 output error (incl. an existing --out file),
      9 compare: a benchmark lost, 10 compare: a capability lost)";

// What one (sub)command was given, in the form the commands below read.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::set<std::string> flags;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::optional<std::string> opt(const Args& a, const std::string& k) {
  auto it = a.options.find(k);
  if (it == a.options.end()) return std::nullopt;
  return it->second;
}

double parse_number(const std::string& name, const std::string& v, bool& percent) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  percent = end && *end == '%' && end[1] == '\0';
  if (v.empty() || end == v.c_str() || (!percent && *end != '\0') || !std::isfinite(d) || d < 0)
    throw UsageError("--" + name + " " + v + ": expected a finite fraction (0.05) or percentage (5%)");
  return d;
}

// --threshold: "5%" or the fraction 0.05. A bare number above 1 is refused,
// not read as a fraction: "5" would mean 500% and switch the gate off.
double parse_threshold(const std::string& v) {
  bool percent = false;
  const double d = parse_number("threshold", v, percent);
  if (percent && d > 1000) throw UsageError("--threshold " + v + ": at most 1000%");
  if (!percent && d > 1)
    throw UsageError("--threshold " + v + ": a bare number is a fraction (0.05 = 5%) and at most 1; write " + v +
                     "% for " + v + " percent");
  return percent ? d / 100 : d;
}

double parse_alpha(const std::string& v) {
  bool percent = false;
  double d = parse_number("alpha", v, percent);
  if (percent) d /= 100;
  if (!(d > 0 && d < 1)) throw UsageError("--alpha must be between 0 and 1");
  return d;
}

// --recent_runs, --older_points: a whole number in [least, 100000].
int64_t parse_count(const std::string& name, const std::string& v, int64_t least) {
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n < least || n > 100000)
    throw UsageError("--" + name + " " + v + ": expected a whole number from " + std::to_string(least) +
                     " to 100000");
  return n;
}

// Output paths: never empty, never an existing file without --force.
bool write_output(const Args& a, const std::string& path, const std::string& text, std::ostream& err) {
  std::string error;
  if (!output::write_file_safely(resolve_path(path), text, a.flags.count("force") > 0, error)) {
    err << "reports: " << one_line(error) << "\n";
    return false;
  }
  return true;
}

std::optional<std::string> out_opt(const Args& a) {
  auto o = opt(a, "out");
  if (o && o->empty()) throw UsageError("--out needs a file name, not an empty string");
  return o;
}

// --metric: auto, a time, or a counter at least one row of either report carries.
void check_metric(const std::string& metric, const json& old_report, const json& new_report) {
  if (metric == "auto" || metric == "real_time" || metric == "cpu_time") return;
  std::set<std::string> counters;
  for (const json* r : {&old_report, &new_report})
    for (const json& row : (*r)["google_benchmark"]["benchmarks"]) {
      if (row.contains(metric) && row[metric].is_number()) return;
      for (const auto& [key, value] : row.items())
        if (value.is_number() && key != "iterations" && key != "repetitions" && key != "repetition_index" &&
            key != "family_index" && key != "per_family_instance_index" && key != "threads")
          counters.insert(key);
    }
  std::string known;
  for (const std::string& c : counters) known += (known.empty() ? "" : ", ") + c;
  throw UsageError("--metric " + metric + ": no row of either report carries it (auto, or one of: " + known + ")");
}

std::string db_url(const Args& a) {
  std::string url;
  if (auto d = opt(a, "db")) {
    url = *d;
  } else if (const char* e = std::getenv("VMXBENCH_HISTORY_DB"); e && *e) {
    url = e;
  } else {
    url = "sqlite:vmxbench-history.sqlite";
  }
  if (url.rfind("sqlite:", 0) == 0 && url.rfind("sqlite://", 0) != 0) url = "sqlite:" + resolve_path(url.substr(7));
  return url;
}

std::optional<std::string> time_opt(const Args& a, const std::string& k) {
  auto v = opt(a, k);
  if (!v) return std::nullopt;
  auto t = parse_time_or_ago(*v, now_epoch_seconds());
  if (!t) throw UsageError("--" + k + " " + *v + ": expected 2026-11-26, 2026-11-26T06:00:00Z or 7d/36h/2w");
  return format_utc(*t);
}

HistoryQuery query_of(const Args& a) {
  HistoryQuery q;
  q.host = opt(a, "host");
  q.benchmark = opt(a, "benchmark");
  q.since = time_opt(a, "since");
  q.until = time_opt(a, "until");
  return q;
}

void report_skipped(const History& h, std::ostream& err) {
  for (const std::string& why : h.skipped()) err << "reports: warning: skipped a history row: " << one_line(why) << "\n";
}

int build(const Args& a, std::ostream& out, std::ostream& err) {
  auto gb_path = opt(a, "benchmark");
  auto out_path = out_opt(a);
  if (!gb_path || !out_path || !a.positional.empty()) throw UsageError("build needs --benchmark FILE and --out FILE");
  Loaded gb = load_json_file(resolve_path(*gb_path), /*google_benchmark=*/true);
  if (gb.error) {
    err << "reports: " << gb.error->line() << "\n";
    return gb.error->code;
  }
  std::optional<json> diag;
  if (auto d = opt(a, "diag")) {
    Loaded dl = load_json_file(resolve_path(*d));
    if (dl.error) {
      err << "reports: " << dl.error->line() << "\n";
      return dl.error->code;
    }
    diag = dl.report;
  }
  BuildOptions bo;
  bo.timestamp = opt(a, "timestamp");
  bo.suite_version = opt(a, "suite-version");
  json report;
  try {
    report = build_report(*gb.report, diag ? &*diag : nullptr, bo);
  } catch (const ReportError& e) {
    err << "reports: " << one_line(*gb_path + ": cannot build a report: " + e.what()) << "\n";
    return kExitInvalid;
  }
  try {
    write_report_file(report, resolve_path(*out_path), /*replace=*/a.flags.count("force") > 0);
  } catch (const ReportError& e) {
    err << "reports: " << one_line(e.what()) << "\n";
    return kExitOutput;
  }
  out << "wrote " << *out_path << " (" << report["google_benchmark"]["benchmarks"].size() << " rows, content hash "
      << content_hash(report).substr(0, 12) << ")\n";
  return kExitOk;
}

int validate(const Args& a, std::ostream& out, std::ostream& err) {
  if (a.positional.empty()) throw UsageError("validate needs at least one REPORT.json");
  int status = kExitOk;
  for (const std::string& f : a.positional) {
    Loaded l = load_report_file(resolve_path(f));
    if (l.error) {
      l.error->file = f;
      err << "reports: " << l.error->line() << "\n";
      if (status == kExitOk) status = l.error->code;
      continue;
    }
    out << f << ": ok, " << (*l.report)["backend"]["kind"].get<std::string>() << " on "
        << (*l.report)["host"]["name"].get<std::string>() << ", " << (*l.report)["timestamp"].get<std::string>()
        << ", content hash " << content_hash(*l.report).substr(0, 12) << "\n";
  }
  return status;
}

int compare_cmd(const Args& a, std::ostream& out, std::ostream& err) {
  if (a.positional.size() != 2) throw UsageError("compare needs OLD.json and NEW.json");
  CompareOptions co;
  if (auto t = opt(a, "threshold")) co.threshold = parse_threshold(*t);
  if (auto t = opt(a, "alpha")) co.alpha = parse_alpha(*t);
  if (auto m = opt(a, "metric")) co.metric = *m;
  const std::string format = opt(a, "format").value_or("text");
  if (format != "text" && format != "json") throw UsageError("--format is text or json");
  json reports[2];
  for (int i = 0; i < 2; ++i) {
    Loaded l = load_report_file(resolve_path(a.positional[i]));
    if (l.error) {
      l.error->file = a.positional[i];
      err << "reports: " << l.error->line() << "\n";
      return l.error->code;
    }
    reports[i] = std::move(*l.report);
  }
  check_metric(co.metric, reports[0], reports[1]);
  Compatibility compat = check_compatible(reports[0], reports[1]);
  if (!compat.ok) {
    std::string why;
    for (const std::string& r : compat.reasons) why += (why.empty() ? "" : "; ") + r;
    if (!a.flags.count("force")) {
      err << "reports: refusing to compare " << a.positional[0] << " with " << a.positional[1] << ": " << why
          << " (--force compares anyway)\n";
      return kExitIncompatible;
    }
    err << "reports: warning: comparing anyway (--force): " << why << "\n";
  }
  Comparison c = compare(reports[0], reports[1], co);
  if (format == "json") {
    json j = comparison_json(c);
    j["old"] = a.positional[0];
    j["new"] = a.positional[1];
    j["old_revision"] = revision_json(report_revision(reports[0]));
    j["new_revision"] = revision_json(report_revision(reports[1]));
    j["compatible"] = compat.ok;
    j["notes"] = compat.notes;
    out << j.dump(2) << "\n";
  } else {
    out << "OLD " << a.positional[0] << " (" << reports[0]["timestamp"].get<std::string>()
        << revision_suffix(report_revision(reports[0])) << ")\nNEW " << a.positional[1] << " ("
        << reports[1]["timestamp"].get<std::string>() << revision_suffix(report_revision(reports[1])) << ")\n";
    for (const std::string& n : compat.notes) out << "note: " << n << "\n";
    out << format_comparison_text(c);
  }
  // The most fundamental change decides: a capability taken away, then a
  // benchmark that can no longer run, then a slowdown.
  if (diag::any_lost(c.capability_changes)) return kExitLostCapability;
  if (c.lost > 0 && !a.flags.count("allow-missing")) {
    err << "reports: " << c.lost << " benchmark(s) of OLD vanished or turned unsupported in NEW (listed as "
        << "'only in OLD' / 'LOST in NEW'); --allow-missing accepts that\n";
    return kExitLostBenchmark;
  }
  return c.regressions > 0 ? kExitRegression : kExitOk;
}

// Streams: every file is read and checked first (its content hash kept),
// then each is read again, ingested in its own transaction and let go, so
// memory does not grow with the number of files. The second read is only
// parsed: a file whose content changed in between is refused by its hash.
int history_ingest(const Args& a, std::ostream& out, std::ostream& err) {
  if (a.positional.empty()) throw UsageError("history ingest needs at least one REPORT.json");
  std::vector<std::string> hashes;
  for (const std::string& f : a.positional) {
    Loaded l = load_report_file(resolve_path(f));
    if (l.error) {
      l.error->file = f;
      err << "reports: " << l.error->line() << " (nothing ingested)\n";
      return l.error->code;
    }
    hashes.push_back(content_hash(*l.report));
  }
  History h(open_database(db_url(a)));
  int added = 0, dup = 0;
  for (size_t i = 0; i < a.positional.size(); ++i) {
    const std::string& f = a.positional[i];
    Loaded l = load_json_file(resolve_path(f));
    if (l.error || content_hash(*l.report) != hashes[i]) {
      err << "reports: " << one_line(f) << ": changed since it was checked; it and the files after it were not "
          << "ingested (" << added << " added, " << dup << " already in the history)\n";
      return l.error ? l.error->code : kExitInvalid;
    }
    const bool is_new = h.ingest(*l.report) == History::Outcome::kAdded;
    (is_new ? added : dup)++;
    out << (is_new ? "added   " : "present ") << hashes[i].substr(0, 12) << "  " << f << "\n";
  }
  out << added << " added, " << dup << " already in the history (" << h.count_reports() << " reports)\n";
  return kExitOk;
}

int history_query(const Args& a, std::ostream& out, std::ostream& err) {
  if (!a.positional.empty()) throw UsageError("history query takes no positional arguments");
  const std::string format = opt(a, "format").value_or("text");
  if (format != "text" && format != "json") throw UsageError("--format is text or json");
  HistoryQuery q = query_of(a);
  History h(open_database(db_url(a), OpenMode::kExistingOnly));
  std::vector<HistoryPoint> pts = h.query(q);
  report_skipped(h, err);
  if (format == "json") {
    json j = json::array();
    for (const HistoryPoint& p : pts)
      j.push_back({{"timestamp", p.timestamp}, {"host", p.host_name}, {"host_id", p.host_id},
                   {"backend", p.backend}, {"backend_detail", p.backend_detail}, {"emulated", p.emulated},
                   {"benchmark", p.benchmark}, {"metric", p.metric}, {"unit", p.unit},
                   {"repetitions", p.repetitions}, {"median", p.median}, {"min", p.min}, {"max", p.max},
                   {"samples", p.samples}, {"report", p.content_hash}, {"error", p.error},
                   {"revision", p.revision.empty() ? json() : json(p.revision)},
                   {"revision_order", p.revision_order ? json(*p.revision_order) : json()}});
    out << j.dump(2) << "\n";
  } else {
    char line[512];
    std::snprintf(line, sizeof line, "%-20s  %-16s  %-24s  %-40s  %14s  %-12s  %4s  %s\n", "timestamp", "host",
                  "backend", "benchmark", "median", "unit", "reps", "report");
    out << line;
    for (const HistoryPoint& p : pts) {
      std::string unit = p.emulated && p.unit != "ns" ? "instr(emul)" : p.unit;
      std::snprintf(line, sizeof line, "%-20s  %-16s  %-24s  %-40s  %14.6g  %-12s  %4lld  %s\n",
                    p.timestamp.c_str(), p.host_name.c_str(),
                    (p.backend + (p.backend_detail.empty() ? "" : ":" + p.backend_detail)).c_str(), p.benchmark.c_str(),
                    p.median, unit.c_str(), static_cast<long long>(p.repetitions),
                    p.content_hash.substr(0, 12).c_str());
      out << line;
    }
    out << pts.size() << " result(s)\n";
  }
  return kExitOk;
}

// A --host or --benchmark that selects nothing is a typo, not an empty page:
// refused, naming what the history does hold.
void check_selection_exists(History& h, const HistoryQuery& q) {
  if (!q.host && !q.benchmark) return;
  // Names only, in SQL: a typo on a fleet's history must not read every point.
  auto names = [&](const std::string& select, const HistoryQuery& within, bool with_benchmark) {
    std::vector<DbValue> params;
    std::set<std::string> out;
    const std::string sql = "SELECT DISTINCT " + select +
                            " FROM vmxbench_results s JOIN vmxbench_reports r ON r.content_hash = s.content_hash" +
                            History::where_clause(within, with_benchmark, params);
    for (const DbRow& row : h.db().query(sql, params)) out.insert(as_string(row[0]));
    return out;
  };
  HistoryQuery in_time = q;
  in_time.host.reset();
  in_time.benchmark.reset();
  HistoryQuery on_host = q;
  on_host.benchmark.reset();
  const std::set<std::string> hosts = names("r.host_name", in_time, false);
  const bool host_known = !q.host || !names("r.host_id", on_host, false).empty();
  auto list = [](const std::set<std::string>& names) {
    if (names.empty()) return std::string("none in the selected time range");
    std::string text;
    for (const std::string& n : names) text += (text.empty() ? "" : ", ") + n;
    return text;
  };
  if (!host_known)
    throw UsageError("--host " + *q.host + ": no report in the history is from this host (hosts: " + list(hosts) + ")");
  if (q.benchmark)
    throw UsageError("--benchmark " + *q.benchmark + ": no row in the history matches it" +
                     (q.host ? " on host " + *q.host : "") + " (benchmarks: " + list(names("s.benchmark", in_time, false)) +
                     ")");
}

int dashboard_cmd(const Args& a, std::ostream& out, std::ostream& err) {
  auto out_path = out_opt(a);
  if (!out_path || !a.positional.empty()) throw UsageError("dashboard needs --out FILE.html");
  DashboardOptions o;
  if (auto t = opt(a, "threshold")) o.threshold = parse_threshold(*t);
  if (auto t = opt(a, "alpha")) o.alpha = parse_alpha(*t);
  if (auto t = opt(a, "title")) o.title = *t;
  if (auto t = opt(a, "revision_url")) {
    if (t->find("{revision}") == std::string::npos)
      throw UsageError("--revision_url " + *t + ": needs {revision} where the revision goes");
    o.revision_url = *t;
  }
  HistoryQuery q = query_of(a);
  const std::string url = db_url(a);
  o.source = redact_url(url);
  History h(open_database(url, OpenMode::kExistingOnly));
  DashboardLimits limits;
  if (auto t = opt(a, "recent_runs")) limits.recent_runs = parse_count("recent_runs", *t, 0);
  if (auto t = opt(a, "older_points")) limits.older_points = parse_count("older_points", *t, 1);
  DashboardSummary s;
  const DashboardInput input = load_dashboard_input(h, q, limits);
  if (input.points.empty()) check_selection_exists(h, q);
  report_skipped(h, err);
  const std::string html = render_dashboard(input, o, &s);
  if (!write_output(a, *out_path, html, err)) return kExitOutput;
  out << "wrote " << *out_path << ": " << s.hosts << " host(s), " << s.plots << " plot(s), " << s.invept_pairs
      << " INVEPT pair(s), " << s.live_views << " live-invalidation view(s), " << s.regressions.size()
      << " regression(s)" << (s.folded_runs ? ", " + std::to_string(s.folded_runs) + " older run(s) folded" : "")
      << "\n";
  return kExitOk;
}

int export_cmd(const Args& a, std::ostream& out, std::ostream& err) {
  auto format = opt(a, "format");
  if (!format || (*format != "github" && *format != "bencher" && *format != "gbench") || a.positional.size() != 1)
    throw UsageError("export needs --format github|bencher|gbench and one REPORT.json");
  Loaded l = load_report_file(resolve_path(a.positional[0]));
  if (l.error) {
    l.error->file = a.positional[0];
    err << "reports: " << l.error->line() << "\n";
    return l.error->code;
  }
  const json j = *format == "github"  ? to_github_action_benchmark(*l.report)
                 : *format == "bencher" ? to_bencher_bmf(*l.report)
                                        : to_gbench(*l.report);
  if (const std::string left_out = left_out_of_export(*l.report); !left_out.empty())
    err << "reports: note: left out of the export (no value): " << one_line(left_out) << "\n";
  if (auto o = out_opt(a)) {
    if (!write_output(a, *o, j.dump(2) + "\n", err)) return kExitOutput;
  } else {
    out << j.dump(2) << "\n";
  }
  return kExitOk;
}

}  // namespace

std::string resolve_path(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (wd && *wd) return std::string(wd) + "/" + path;
  return path;
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app("reports: build, validate, compare, store and show vmxbench reports (reports/README.md)", "reports");
  cli::repeated_options_take_the_last(app);
  app.footer(kFooter);
  app.require_subcommand(1);
  std::map<const CLI::App*, Args> given;
  // Options land in Args as the user spelled them; each command checks its own.
  auto command = [&](CLI::App& parent, const std::string& name, const std::string& summary) {
    CLI::App* c = parent.add_subcommand(name, summary);
    c->footer(kFooter);
    given[c];
    return c;
  };
  // The help's placeholder for a value: what the option's help begins with
  // ("GB.json: ...", "T: ..."), else VALUE.
  auto value = [&](CLI::App* c, const std::string& name, const std::string& help) {
    Args& a = given[c];
    const size_t colon = help.find(": ");
    const bool named = colon != std::string::npos && help.substr(0, colon).find(' ') == std::string::npos;
    c->add_option_function<std::string>("--" + name, [&a, name](const std::string& v) { a.options[name] = v; },
                                        named ? help.substr(colon + 2) : help)
        ->type_name(named ? help.substr(0, colon) : "VALUE");
  };
  auto force = [&](CLI::App* c, const std::string& help) {
    Args& a = given[c];
    c->add_flag_callback("--force", [&a] { a.flags.insert("force"); }, help);
  };
  auto files = [&](CLI::App* c, const std::string& name, const std::string& help) {
    c->add_option(name, given[c].positional, help)->type_name("");
  };
  const std::string threshold_help =
      "THRESHOLD: the regression threshold, a percentage (5%, at most 1000%) or a fraction (0.05, at most 1); default 5%";
  const std::string alpha_help = "ALPHA: the U test's significance level (default 0.05)";
  const std::string out_help = "output file (never replaced without --force)";

  CLI::App* build_c = command(app, "build", "build a report from Google Benchmark's JSON (+ diag's JSON)");
  value(build_c, "benchmark", "GB.json: the bench run's Google Benchmark JSON (required)");
  value(build_c, "diag", "DIAG.json: diag --format json of the measured host");
  value(build_c, "out", "REPORT.json: the report to write (required; never replaced without --force)");
  value(build_c, "timestamp", "T: the report's time, instead of the run's");
  value(build_c, "suite-version", "VERSION: the suite version, instead of the run's");
  force(build_c, "replace an existing --out file");

  CLI::App* validate_c =
      command(app, "validate", "check reports against reports/report.schema.json and FORMAT.md's rules");
  files(validate_c, "REPORT.json", "reports to check (at least one)");

  CLI::App* compare_c = command(
      app, "compare",
      "per-benchmark change and Mann-Whitney U test; exit 1 on a significant regression beyond the threshold,\n"
      "9 on a benchmark lost in NEW (vanished or unsupported; --allow-missing accepts it), 10 on a lost VMX\n"
      "capability (listed bit by bit); refuses emulated vs hardware and different CPU models unless --force (exit 6)");
  files(compare_c, "OLD.json NEW.json", "the two reports");
  value(compare_c, "threshold", threshold_help);
  value(compare_c, "alpha", alpha_help);
  value(compare_c, "metric", "METRIC: auto (default), real_time, cpu_time or a counter the rows carry");
  value(compare_c, "format", "FORMAT: text (default) or json");
  force(compare_c, "compare reports that are not comparable (emulated vs hardware, other CPU models)");
  compare_c->add_flag_callback(
      "--allow-missing", [&a = given[compare_c]] { a.flags.insert("allow-missing"); },
      "accept benchmarks of OLD that NEW lacks or reports unsupported (else exit 9)");

  CLI::App* history_c = command(app, "history", "the history database: ingest reports, query them");
  history_c->require_subcommand(1);
  CLI::App* ingest_c = command(*history_c, "ingest", "add reports to the history (all are checked first)");
  value(ingest_c, "db", "URL: the history database (see --db below)");
  files(ingest_c, "REPORT.json", "reports to add (at least one)");
  CLI::App* query_c = command(*history_c, "query", "print the history's results");
  for (const auto& [name, help] : std::vector<std::pair<std::string, std::string>>{
           {"db", "URL: the history database (see --db below)"},
           {"host", "HOST: only this host (name or id)"},
           {"benchmark", "NAME: only this benchmark (* matches anything)"},
           {"since", "T: from this time on"},
           {"until", "T: up to this time"},
           {"format", "FORMAT: text (default) or json"}})
    value(query_c, name, help);

  CLI::App* dashboard_c = command(app, "dashboard", "write the history as one self-contained HTML page");
  for (const auto& [name, help] : std::vector<std::pair<std::string, std::string>>{
           {"db", "URL: the history database (see --db below)"},
           {"out", "FILE.html: the page to write (required; never replaced without --force)"},
           {"host", "HOST: only this host (name or id); one the history holds"},
           {"benchmark", "NAME: only this benchmark (* matches anything); one the history holds"},
           {"since", "T: from this time on"},
           {"until", "T: up to this time"},
           {"threshold", threshold_help},
           {"alpha", alpha_help},
           {"title", "TITLE: the page's title"},
           {"recent_runs", "N: each series' newest N runs as they are, older runs folded (default 30; 0: none folded)"},
           {"older_points", "N: at most N points for each series' older runs (default 20)"},
           {"revision_url", "TEMPLATE: link each run's revision, {revision} replaced (e.g. https://git.example/commit/{revision})"}})
    value(dashboard_c, name, help);
  force(dashboard_c, "replace an existing --out file");

  CLI::App* export_c = command(app, "export", "a report for github-action-benchmark, Bencher or Google Benchmark's compare.py");
  value(export_c, "format", "FORMAT: github, bencher or gbench (required)");
  value(export_c, "out", "FILE: " + out_help + "; default stdout");
  files(export_c, "REPORT.json", "the report to export");
  force(export_c, "replace an existing --out file");

  cli::add_version_flags(app);
  if (std::optional<int> status = cli::parse(app, args, out, err, kExitUsage)) return *status;

  try {
    if (build_c->parsed()) return build(given[build_c], out, err);
    if (validate_c->parsed()) return validate(given[validate_c], out, err);
    if (compare_c->parsed()) return compare_cmd(given[compare_c], out, err);
    if (ingest_c->parsed()) return history_ingest(given[ingest_c], out, err);
    if (query_c->parsed()) return history_query(given[query_c], out, err);
    if (dashboard_c->parsed()) return dashboard_cmd(given[dashboard_c], out, err);
    return export_cmd(given[export_c], out, err);
  } catch (const UsageError& e) {
    err << "reports: " << one_line(e.what()) << " (see " << cli::selected_path(app) << " --help)\n";
    return kExitUsage;
  } catch (const DbUnusable& e) {
    err << "reports: " << one_line(e.what()) << "\n";
    return kExitUnreadable;
  } catch (const DbError& e) {
    err << "reports: database error: " << one_line(e.what()) << "\n";
    return kExitDatabase;
  }
}

}  // namespace vmxb::reports
