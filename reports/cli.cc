#include "reports/cli.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "reports/compare.h"
#include "reports/dashboard.h"
#include "reports/exit_codes.h"
#include "reports/export.h"
#include "reports/history.h"
#include "reports/load.h"
#include "reports/report.h"
#include "reports/timeutil.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

constexpr const char* kUsage = R"(usage: reports COMMAND [options]

  build --benchmark GB.json [--diag DIAG.json] --out REPORT.json [--timestamp T] [--suite-version V]
        build a report from Google Benchmark's JSON (+ diag's JSON)
  validate REPORT.json...
        check reports against reports/report.schema.json and FORMAT.md's rules
  compare OLD.json NEW.json [--threshold 5%] [--alpha 0.05] [--metric auto] [--force] [--format text|json]
        per-benchmark change and Mann-Whitney U test; exit 1 on a significant
        regression beyond the threshold; refuses emulated vs hardware and
        different CPU models unless --force (exit 6)
  history ingest [--db URL] REPORT.json...
  history query [--db URL] [--host H] [--benchmark B] [--since T] [--until T] [--format text|json]
  dashboard [--db URL] --out FILE.html [--host H] [--since T] [--until T] [--threshold 5%] [--alpha 0.05]
  export --format github|bencher REPORT.json [--out FILE]

  --db: sqlite:PATH (default: $VMXBENCH_HISTORY_DB, else sqlite:vmxbench-history.sqlite)
        or postgresql://USER@HOST:PORT/DB
  T: 2026-11-26, 2026-11-26T06:00:00Z, or 36h / 7d / 2w ago
  exit: 0 ok, 1 regression, 2 usage, 3 unreadable input, 4 malformed JSON,
        5 invalid report, 6 incompatible reports, 7 database error, 8 output error
)";

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::set<std::string> flags;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Options taking a value; everything else starting with -- is a flag.
Args Parse(const std::vector<std::string>& in, size_t from, const std::set<std::string>& with_value,
           const std::set<std::string>& flags) {
  Args a;
  for (size_t i = from; i < in.size(); ++i) {
    const std::string& s = in[i];
    if (s.rfind("--", 0) != 0 || s == "--") {
      a.positional.push_back(s);
      continue;
    }
    std::string name = s.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (with_value.count(name)) {
      if (!has_value) {
        if (i + 1 >= in.size()) throw UsageError("--" + name + " needs a value");
        value = in[++i];
      }
      a.options[name] = value;
    } else if (flags.count(name) && !has_value) {
      a.flags.insert(name);
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
  return a;
}

std::optional<std::string> Opt(const Args& a, const std::string& k) {
  auto it = a.options.find(k);
  if (it == a.options.end()) return std::nullopt;
  return it->second;
}

double ParseFraction(const std::string& name, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  bool percent = end && *end == '%' && end[1] == '\0';
  if (end == v.c_str() || (!percent && *end != '\0') || !(d >= 0))
    throw UsageError("--" + name + " " + v + ": expected a fraction (0.05) or a percentage (5%)");
  return percent ? d / 100 : d;
}

std::string DbUrl(const Args& a) {
  std::string url;
  if (auto d = Opt(a, "db")) {
    url = *d;
  } else if (const char* e = std::getenv("VMXBENCH_HISTORY_DB"); e && *e) {
    url = e;
  } else {
    url = "sqlite:vmxbench-history.sqlite";
  }
  if (url.rfind("sqlite:", 0) == 0 && url.rfind("sqlite://", 0) != 0) url = "sqlite:" + ResolvePath(url.substr(7));
  return url;
}

std::optional<std::string> TimeOpt(const Args& a, const std::string& k) {
  auto v = Opt(a, k);
  if (!v) return std::nullopt;
  auto t = ParseTimeOrAgo(*v, NowEpochSeconds());
  if (!t) throw UsageError("--" + k + " " + *v + ": expected 2026-11-26, 2026-11-26T06:00:00Z or 7d/36h/2w");
  return FormatUtc(*t);
}

HistoryQuery QueryOf(const Args& a) {
  HistoryQuery q;
  q.host = Opt(a, "host");
  q.benchmark = Opt(a, "benchmark");
  q.since = TimeOpt(a, "since");
  q.until = TimeOpt(a, "until");
  return q;
}

bool WriteText(const std::string& path, const std::string& text, std::ostream& err) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      err << "reports: cannot write " << path << "\n";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    err << "reports: cannot write " << path << "\n";
    return false;
  }
  return true;
}

int Build(const Args& a, std::ostream& out, std::ostream& err) {
  auto gb_path = Opt(a, "benchmark");
  auto out_path = Opt(a, "out");
  if (!gb_path || !out_path || !a.positional.empty()) throw UsageError("build needs --benchmark FILE and --out FILE");
  Loaded gb = LoadJsonFile(ResolvePath(*gb_path), /*google_benchmark=*/true);
  if (gb.error) {
    err << "reports: " << gb.error->Line() << "\n";
    return gb.error->code;
  }
  std::optional<json> diag;
  if (auto d = Opt(a, "diag")) {
    Loaded dl = LoadJsonFile(ResolvePath(*d));
    if (dl.error) {
      err << "reports: " << dl.error->Line() << "\n";
      return dl.error->code;
    }
    diag = dl.report;
  }
  BuildOptions bo;
  bo.timestamp = Opt(a, "timestamp");
  bo.suite_version = Opt(a, "suite-version");
  json report;
  try {
    report = BuildReport(*gb.report, diag ? &*diag : nullptr, bo);
  } catch (const ReportError& e) {
    err << "reports: " << OneLine(*gb_path + ": cannot build a report: " + e.what()) << "\n";
    return kExitInvalid;
  }
  try {
    WriteReportFile(report, ResolvePath(*out_path));
  } catch (const ReportError& e) {
    err << "reports: " << OneLine(e.what()) << "\n";
    return kExitOutput;
  }
  out << "wrote " << *out_path << " (" << report["google_benchmark"]["benchmarks"].size() << " rows, content hash "
      << ContentHash(report).substr(0, 12) << ")\n";
  return kExitOk;
}

int Validate(const Args& a, std::ostream& out, std::ostream& err) {
  if (a.positional.empty()) throw UsageError("validate needs at least one REPORT.json");
  int status = kExitOk;
  for (const std::string& f : a.positional) {
    Loaded l = LoadReportFile(ResolvePath(f));
    if (l.error) {
      l.error->file = f;
      err << "reports: " << l.error->Line() << "\n";
      if (status == kExitOk) status = l.error->code;
      continue;
    }
    out << f << ": ok, " << (*l.report)["backend"]["kind"].get<std::string>() << " on "
        << (*l.report)["host"]["name"].get<std::string>() << ", " << (*l.report)["timestamp"].get<std::string>()
        << ", content hash " << ContentHash(*l.report).substr(0, 12) << "\n";
  }
  return status;
}

int CompareCmd(const Args& a, std::ostream& out, std::ostream& err) {
  if (a.positional.size() != 2) throw UsageError("compare needs OLD.json and NEW.json");
  CompareOptions co;
  if (auto t = Opt(a, "threshold")) co.threshold = ParseFraction("threshold", *t);
  if (auto t = Opt(a, "alpha")) co.alpha = ParseFraction("alpha", *t);
  if (!(co.alpha > 0 && co.alpha < 1)) throw UsageError("--alpha must be between 0 and 1");
  if (auto m = Opt(a, "metric")) co.metric = *m;
  const std::string format = Opt(a, "format").value_or("text");
  if (format != "text" && format != "json") throw UsageError("--format is text or json");
  json reports[2];
  for (int i = 0; i < 2; ++i) {
    Loaded l = LoadReportFile(ResolvePath(a.positional[i]));
    if (l.error) {
      l.error->file = a.positional[i];
      err << "reports: " << l.error->Line() << "\n";
      return l.error->code;
    }
    reports[i] = std::move(*l.report);
  }
  Compatibility compat = CheckCompatible(reports[0], reports[1]);
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
  Comparison c = Compare(reports[0], reports[1], co);
  if (format == "json") {
    json j = ComparisonJson(c);
    j["old"] = a.positional[0];
    j["new"] = a.positional[1];
    j["compatible"] = compat.ok;
    j["notes"] = compat.notes;
    out << j.dump(2) << "\n";
  } else {
    out << "OLD " << a.positional[0] << " (" << reports[0]["timestamp"].get<std::string>() << ")\nNEW "
        << a.positional[1] << " (" << reports[1]["timestamp"].get<std::string>() << ")\n";
    for (const std::string& n : compat.notes) out << "note: " << n << "\n";
    out << FormatComparisonText(c);
  }
  return c.regressions > 0 ? kExitRegression : kExitOk;
}

int HistoryCmd(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() < 2) throw UsageError("history needs ingest or query");
  const std::string sub = args[1];
  if (sub == "ingest") {
    Args a = Parse(args, 2, {"db"}, {});
    if (a.positional.empty()) throw UsageError("history ingest needs at least one REPORT.json");
    // Every file is checked before anything is written.
    std::vector<json> reports;
    for (const std::string& f : a.positional) {
      Loaded l = LoadReportFile(ResolvePath(f));
      if (l.error) {
        l.error->file = f;
        err << "reports: " << l.error->Line() << " (nothing ingested)\n";
        return l.error->code;
      }
      reports.push_back(std::move(*l.report));
    }
    History h(OpenDatabase(DbUrl(a)));
    int added = 0, dup = 0;
    for (size_t i = 0; i < reports.size(); ++i) {
      bool is_new = h.Ingest(reports[i]) == History::Outcome::kAdded;
      (is_new ? added : dup)++;
      out << (is_new ? "added   " : "present ") << ContentHash(reports[i]).substr(0, 12) << "  " << a.positional[i]
          << "\n";
    }
    out << added << " added, " << dup << " already in the history (" << h.CountReports() << " reports)\n";
    return kExitOk;
  }
  if (sub == "query") {
    Args a = Parse(args, 2, {"db", "host", "benchmark", "since", "until", "format"}, {});
    if (!a.positional.empty()) throw UsageError("history query takes no positional arguments");
    const std::string format = Opt(a, "format").value_or("text");
    if (format != "text" && format != "json") throw UsageError("--format is text or json");
    HistoryQuery q = QueryOf(a);
    History h(OpenDatabase(DbUrl(a)));
    std::vector<HistoryPoint> pts = h.Query(q);
    if (format == "json") {
      json j = json::array();
      for (const HistoryPoint& p : pts)
        j.push_back({{"timestamp", p.timestamp}, {"host", p.host_name}, {"host_id", p.host_id},
                     {"backend", p.backend}, {"backend_detail", p.backend_detail}, {"emulated", p.emulated},
                     {"benchmark", p.benchmark}, {"metric", p.metric}, {"unit", p.unit},
                     {"repetitions", p.repetitions}, {"median", p.median}, {"min", p.min}, {"max", p.max},
                     {"samples", p.samples}, {"report", p.content_hash}, {"error", p.error}});
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
  throw UsageError("unknown history command " + sub);
}

int DashboardCmd(const Args& a, std::ostream& out, std::ostream& err) {
  auto out_path = Opt(a, "out");
  if (!out_path || !a.positional.empty()) throw UsageError("dashboard needs --out FILE.html");
  DashboardOptions o;
  if (auto t = Opt(a, "threshold")) o.threshold = ParseFraction("threshold", *t);
  if (auto t = Opt(a, "alpha")) o.alpha = ParseFraction("alpha", *t);
  if (auto t = Opt(a, "title")) o.title = *t;
  HistoryQuery q = QueryOf(a);
  const std::string url = DbUrl(a);
  o.source = RedactUrl(url);
  History h(OpenDatabase(url));
  DashboardSummary s;
  const std::string html = RenderDashboard(h.Query(q), h.Reports(q), o, &s);
  if (!WriteText(ResolvePath(*out_path), html, err)) return kExitOutput;
  out << "wrote " << *out_path << ": " << s.hosts << " host(s), " << s.plots << " plot(s), " << s.invept_pairs
      << " INVEPT pair(s), " << s.regressions.size() << " regression(s)\n";
  return kExitOk;
}

int ExportCmd(const Args& a, std::ostream& out, std::ostream& err) {
  auto format = Opt(a, "format");
  if (!format || (*format != "github" && *format != "bencher") || a.positional.size() != 1)
    throw UsageError("export needs --format github|bencher and one REPORT.json");
  Loaded l = LoadReportFile(ResolvePath(a.positional[0]));
  if (l.error) {
    l.error->file = a.positional[0];
    err << "reports: " << l.error->Line() << "\n";
    return l.error->code;
  }
  const json j = *format == "github" ? ToGithubActionBenchmark(*l.report) : ToBencherBmf(*l.report);
  if (auto o = Opt(a, "out")) {
    if (!WriteText(ResolvePath(*o), j.dump(2) + "\n", err)) return kExitOutput;
  } else {
    out << j.dump(2) << "\n";
  }
  return kExitOk;
}

}  // namespace

std::string ResolvePath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (wd && *wd) return std::string(wd) + "/" + path;
  return path;
}

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << kUsage;
    return kExitUsage;
  }
  const std::string cmd = args[0];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    out << kUsage;
    return kExitOk;
  }
  try {
    if (cmd == "build")
      return Build(Parse(args, 1, {"benchmark", "diag", "out", "timestamp", "suite-version"}, {}), out, err);
    if (cmd == "validate") return Validate(Parse(args, 1, {}, {}), out, err);
    if (cmd == "compare")
      return CompareCmd(Parse(args, 1, {"threshold", "alpha", "metric", "format"}, {"force"}), out, err);
    if (cmd == "history") return HistoryCmd(args, out, err);
    if (cmd == "dashboard")
      return DashboardCmd(
          Parse(args, 1, {"db", "out", "host", "since", "until", "threshold", "alpha", "title", "benchmark"}, {}),
          out, err);
    if (cmd == "export") return ExportCmd(Parse(args, 1, {"format", "out"}, {}), out, err);
    throw UsageError("unknown command " + cmd);
  } catch (const UsageError& e) {
    err << "reports: " << e.what() << "\n" << kUsage;
    return kExitUsage;
  } catch (const DbError& e) {
    err << "reports: database error: " << OneLine(e.what()) << "\n";
    return kExitDatabase;
  }
}

}  // namespace vmxb::reports
