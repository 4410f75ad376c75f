#include "tools/cli/conventions.h"

#include <algorithm>

#include "bench/version.h"
#include "diag/message_text.h"

namespace vmxb::cli {
namespace {

std::vector<CLI::App*> subcommands_of(CLI::App& app) {
  return app.get_subcommands([](CLI::App*) { return true; });
}

// Optimal string alignment distance: insertions, deletions, substitutions and
// swaps of neighbours ("comapre") each cost one.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// An argument where a subcommand must stand that names none: CLI11 alone
// would call it an unexpected positional. "" when the chain is fine.
std::string unknown_subcommand(CLI::App& app, const std::vector<std::string>& args, std::string* path) {
  CLI::App* at = &app;
  *path = app.get_name();
  bool value_next = false;  // the argument after an option that takes a value is that value
  for (const std::string& arg : args) {
    if (arg == "--") return "";
    if (value_next) {
      value_next = false;
      continue;
    }
    if (arg.rfind('-', 0) == 0) {
      const CLI::Option* option = arg.find('=') == std::string::npos ? at->get_option_no_throw(arg) : nullptr;
      value_next = option != nullptr && option->get_type_size_min() > 0;
      continue;
    }
    const std::vector<CLI::App*> subs = subcommands_of(*at);
    if (subs.empty()) return "";
    std::vector<std::string> names;
    for (CLI::App* s : subs) names.push_back(s->get_name());
    auto it = std::find(names.begin(), names.end(), arg);
    if (it == names.end()) {
      std::string why = "unknown command '" + arg + "'";
      if (auto guess = nearest(arg, names)) why += " (did you mean '" + *guess + "'?)";
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
      return why + "; " + *path + " has: " + list;
    }
    at = subs[static_cast<size_t>(it - names.begin())];
    *path += " " + at->get_name();
  }
  return "";
}

}  // namespace

std::string version_line(const std::string& tool) { return tool + " (vmxbench) " + bench::kVersion; }

void repeated_options_take_the_last(CLI::App& app) {
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

void add_version_flags(CLI::App& app) {
  std::string tool = app.get_name();
  for (const CLI::App* parent = app.get_parent(); parent != nullptr; parent = parent->get_parent())
    tool = parent->get_name() + " " + tool;
  app.set_version_flag("--version", version_line(tool), "print the vmxbench version and exit");
  for (CLI::App* sub : subcommands_of(app)) add_version_flags(*sub);
}

std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best, prefixed;
  size_t best_distance = 3, prefixes = 0;
  for (const std::string& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance && d < c.size()) {
      best_distance = d;
      best = c;
    }
    if (!word.empty() && c.rfind(word, 0) == 0) {
      ++prefixes;
      prefixed = c;
    }
  }
  if (best) return best;
  if (prefixes == 1) return prefixed;
  return std::nullopt;
}

std::string selected_path(const CLI::App& app) {
  std::string path = app.get_name();
  for (const CLI::App* at = &app;;) {
    const std::vector<CLI::App*> chosen = at->get_subcommands();
    if (chosen.empty()) return path;
    at = chosen.front();
    path += " " + at->get_name();
  }
}

std::optional<int> parse(CLI::App& app, const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                         int usage_status) {
  const std::string tool = app.get_name();
  std::string path;
  if (const std::string why = unknown_subcommand(app, args, &path); !why.empty()) {
    err << tool << ": " << input::printable(why) << " (see " << path << " --help)\n";
    return usage_status;
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    err << tool << ": " << input::printable(e.what()) << " (see " << selected_path(app) << " --help)\n";
    return usage_status;
  }
  return std::nullopt;
}

}  // namespace vmxb::cli
