#include "harness/semantics/check.h"

#include "harness/image/serial.h"

namespace vmxb::semantics {
namespace {

void describe(image::Line& line, const Observation& o) {
  if (o.fault == image::kVectorUd) {
    line.text("#UD");
    return;
  }
  if (o.fault == image::kVectorGp) {
    line.text("#GP");
    return;
  }
  if (o.fault >= kEscapedFixup) {
    line.text("exception ").dec(static_cast<u64>(o.fault - kEscapedFixup)).text(" that escaped the wrapper's fixup");
    return;
  }
  if (o.fault != image::kNoFault) {
    line.text("exception ").dec(static_cast<u64>(o.fault));
    return;
  }
  line.text(o.result.name());
  if (o.result.failed_valid()) line.ch('(').dec(o.error).ch(')');
  if (o.check_value) line.text(" value=").hex16(o.value);
}

}  // namespace

void Suite::pass(const char* name) {
  ++tests_;
  image::Line("PASS: ").text(name).end();
}

void Suite::skip(const char* name, const char* reason) {
  ++tests_;
  ++skipped_;
  image::Line("SKIP: ").text(name).text(": ").text(reason).end();
}

void Suite::fail(const char* name, const char* what, const Observation& expected, const Observation& got) {
  ++tests_;
  ++failures_;
  image::Line line("FAIL: ");
  line.text(name).text(": ").text(what).ch(' ');
  describe(line, expected);
  line.text(", got ");
  describe(line, got);
  line.end();
}

void Suite::fail_text(const char* name, const char* detail) {
  ++tests_;
  ++failures_;
  image::Line("FAIL: ").text(name).text(": ").text(detail).end();
}

void Suite::known(const char* name, const Observation& got, const char* rule) {
  ++tests_;
  ++known_;
  image::Line line("KNOWN: ");
  line.text(name).text(": emulator gives ");
  describe(line, got);
  line.text("; SDM: ").text(rule);
  line.end();
}

void Suite::known_not_run(const char* name, const char* behaviour, const char* rule) {
  ++tests_;
  ++known_;
  image::Line("KNOWN: ").text(name).text(": not executed: ").text(behaviour).text("; SDM: ").text(rule).end();
}

bool Suite::summary() {
  image::Line("SUMMARY: ").dec(tests_).text(" tests, ").dec(failures_).text(" failures, ").dec(skipped_)
      .text(" skipped, ").dec(known_).text(" known").end();
  return failures_ == 0;
}

}  // namespace vmxb::semantics
