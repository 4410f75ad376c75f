// The revision a run measured: a free-form label (a commit, a kernel or
// microcode version, "cloud image 2026-11") and an optional order key that
// sorts revisions where labels do not (commit count, YYYYMMDD, a version
// packed into an integer). bench takes them as --vmxbench_revision and
// --vmxbench_revision_order and writes them into its JSON context
// (vmxbench_revision, vmxbench_revision_order), which a unified report keeps
// verbatim (FORMAT.md): one place, read by history, compare and the dashboard.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace vmxb::reports {

inline constexpr size_t kMaxRevisionLabel = 128;
inline constexpr int64_t kMaxRevisionOrder = int64_t{1} << 53;  // exact in a JSON double

struct Revision {
  std::string label;
  std::optional<int64_t> order;
};

// "" when `label` may be a revision label, else why not (one line).
std::string revision_label_error(const std::string& label);
// The order key of `text` (decimal, 0..2^53), or nullopt with `why` set.
std::optional<int64_t> parse_revision_order(const std::string& text, std::string* why);

// From a Google Benchmark context: nullopt without vmxbench_revision; false
// (with `why`) when either key is malformed.
bool revision_from_context(const nlohmann::json& context, std::optional<Revision>* out, std::string* why);

// A validated report's revision (nullopt: it has none).
std::optional<Revision> report_revision(const nlohmann::json& report);
// ", revision LABEL (order N)" for the OLD/NEW lines; "" without one.
std::string revision_suffix(const std::optional<Revision>& r);
nlohmann::json revision_json(const std::optional<Revision>& r);  // {label, order} or null

}  // namespace vmxb::reports
