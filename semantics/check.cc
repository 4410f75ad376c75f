#include "semantics/check.h"

namespace vmxb::semantics {
namespace {

// One output line through the host (platform.h), built by chained calls.
class Line {
 public:
  explicit Line(const char* prefix) { text(prefix); }
  Line& text(const char* s) {
    platform::line_text(s);
    return *this;
  }
  Line& dec(u64 v) {
    platform::line_dec(v);
    return *this;
  }
  Line& hex16(u64 v) {
    platform::line_hex16(v);
    return *this;
  }
  Line& ch(char c) {
    const char s[2] = {c, '\0'};
    return text(s);
  }
  void end() { platform::line_end(); }
};

void describe(Line& line, const Observation& o) {
  if (const char* mnemonic = exception_mnemonic(o.fault); mnemonic != nullptr) {
    line.text(mnemonic);
    return;
  }
  if (o.fault >= kEscapedFixup) {
    line.text("exception ").dec(static_cast<u64>(o.fault - kEscapedFixup)).text(" that escaped the wrapper's fixup");
    return;
  }
  if (o.fault != kNoFault) {
    line.text("exception ").dec(static_cast<u64>(o.fault));
    return;
  }
  line.text(o.result.name());
  if (o.result.failed_valid()) line.ch('(').dec(o.error).ch(')');
  if (o.check_value) line.text(" value=").hex16(o.value);
}

// "<verdict>name: <lead><what happened>; SDM: <rule>" (KNOWN and OBSERVED).
void outcome_line(const char* verdict, const char* name, const char* lead, const Observation& got, const char* rule) {
  Line line(verdict);
  line.text(name).text(": ").text(lead);
  describe(line, got);
  line.text("; SDM: ").text(rule);
  line.end();
}

}  // namespace

void Suite::pass(const char* name) {
  ++tests_;
  Line("PASS: ").text(name).end();
}

void Suite::skip(const char* name, const char* reason) {
  ++tests_;
  ++skipped_;
  Line("SKIP: ").text(name).text(": ").text(reason).end();
}

void Suite::fail(const char* name, const char* what, const Observation& expected, const Observation& got) {
  ++tests_;
  ++failures_;
  Line line("FAIL: ");
  line.text(name).text(": ").text(what).ch(' ');
  describe(line, expected);
  line.text(", got ");
  describe(line, got);
  line.end();
}

void Suite::fail_text(const char* name, const char* detail) {
  ++tests_;
  ++failures_;
  Line("FAIL: ").text(name).text(": ").text(detail).end();
}

void Suite::known(const char* name, const Observation& got, const char* rule) {
  ++tests_;
  ++known_;
  outcome_line("KNOWN: ", name, "emulator gives ", got, rule);
}

void Suite::known_not_run(const char* name, const char* behaviour, const char* rule) {
  ++tests_;
  ++known_;
  Line("KNOWN: ").text(name).text(": not executed: ").text(behaviour).text("; SDM: ").text(rule).end();
}

void Suite::observed(const char* name, const Observation& got, const char* why) {
  ++tests_;
  outcome_line("OBSERVED: ", name, "", got, why);
}

void Suite::fail_either(const char* name, const Observation& a, const Observation& b, const Observation& got) {
  ++tests_;
  ++failures_;
  Line line("FAIL: ");
  line.text(name).text(": expected ");
  describe(line, a);
  line.text(" or ");
  describe(line, b);
  line.text(", got ");
  describe(line, got);
  line.end();
}

bool Suite::summary() {
  Line("SUMMARY: ").dec(tests_).text(" tests, ").dec(failures_).text(" failures, ").dec(skipped_)
      .text(" skipped, ").dec(known_).text(" known").end();
  return failures_ == 0;
}

}  // namespace vmxb::semantics
