// The few parts of diag's JSON document that reports use (FORMAT.md, "The
// diag part"): its schema_version, the capability MSR values (for
// host.vmx_capability_hash) and the verdicts (for the dashboard's capability
// summary). Everything else in the document is kept verbatim and not read.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmxb::reports {

// False, with `why` set (one line), when `diag` lacks what reports need or has
// an MSR/verdict entry in a shape FORMAT.md does not describe.
bool check_diag(const nlohmann::json& diag, std::string& why);

// MSR key ("0x480", lower-case hex index, or the name diag used) ->
// "0x%016x" value, or "absent" when diag could not read it (#GP / error).
// Empty when the document carries no MSRs. False (and `why`) on a bad entry.
bool capability_msrs(const nlohmann::json& diag, std::map<std::string, std::string>& out,
                    std::string& why);

struct Verdict {
  std::string name;
  std::string verdict;  // as diag wrote it: "pass", "fail", "warn", "supported", ...
  std::string detail;
};

// In document order; empty when the document has none or they are malformed.
// diag's report form {"<id>": {"title", "value": true|false|null, "why"}}
// becomes {title, "yes"|"no"|"unknown", why}.
std::vector<Verdict> diag_verdicts(const nlohmann::json& diag);

// A check worth showing with its text: one that failed (an error or a
// warning) or an observation that was observed (diag/SCHEMA.md, "Checks").
struct NotableCheck {
  std::string id;
  std::string severity;  // "error", "warning", "observation"; "" when diag did not say
  std::string outcome;   // "fail" or "observed"
  std::string detail;    // what diag saw
  std::string rule;      // the rule or the observation, as a sentence
};

// diag's "checks" (outcome pass/fail/skip/observed), "exit" {id, meaning} and
// "source", when present.
struct DiagSummary {
  int checks_passed = 0, checks_failed = 0, checks_skipped = 0, checks_observed = 0;
  int errors_failed = 0, warnings_failed = 0;  // of checks_failed, by severity
  std::vector<NotableCheck> notable;           // failed and observed checks, in document order
  std::string exit_id, exit_meaning, source;
  int checks_total() const { return checks_passed + checks_failed + checks_skipped + checks_observed; }
};
DiagSummary summarize_diag(const nlohmann::json& diag);

}  // namespace vmxb::reports
