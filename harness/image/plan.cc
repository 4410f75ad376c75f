#include "harness/image/plan.h"

namespace vmxb::image {
namespace {

constexpr bool starts_with(const char* s, const char* prefix) {
  for (; *prefix != '\0'; ++s, ++prefix)
    if (*s != *prefix) return false;
  return true;
}

struct Cursor {
  const char* p;
  const char* end;
  bool at_end() const { return p >= end || *p == '\0'; }
  void skip_spaces() {
    while (!at_end() && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
  }
  // Copies the next space-delimited word into out (NUL-terminated).
  bool word(char* out, usize cap) {
    skip_spaces();
    usize n = 0;
    while (!at_end() && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
      if (n + 1 >= cap) return false;
      out[n++] = *p++;
    }
    out[n] = '\0';
    return n > 0;
  }
  bool number(u32* out) {
    char w[16];
    if (!word(w, sizeof(w))) return false;
    u64 v = 0;
    for (const char* c = w; *c != '\0'; ++c) {
      if (*c < '0' || *c > '9') return false;
      v = v * 10 + static_cast<u64>(*c - '0');
      if (v > 0xFFFFFFFFu) return false;
    }
    *out = static_cast<u32>(v);
    return true;
  }
  void next_line() {
    while (!at_end() && *p != '\n') ++p;
    if (!at_end()) ++p;
  }
};

Plan fail(Plan plan, const char* error, const char* detail) {
  plan.error = error;
  usize i = 0;
  for (; detail != nullptr && detail[i] != '\0' && i + 1 < sizeof(plan.error_detail); ++i)
    plan.error_detail[i] = detail[i];
  plan.error_detail[i] = '\0';
  return plan;
}

}  // namespace

Plan parse_plan(const char* text, usize size) {
  Plan plan;
  Cursor c{text, text + size};
  char w[64];
  if (!c.word(w, sizeof(w)) || !streq(w, "vmxbench-plan")) return fail(plan, "plan: missing header", w);
  u32 version = 0;
  if (!c.number(&version) || version != 1) return fail(plan, "plan: unsupported version", "");
  c.next_line();
  bool ended = false;
  while (!c.at_end() && !ended) {
    if (!c.word(w, sizeof(w))) {
      c.next_line();
      continue;
    }
    if (streq(w, "mode")) {
      if (!c.word(w, sizeof(w))) return fail(plan, "plan: mode needs a value", "");
      if (streq(w, "probe")) plan.mode = Mode::kProbe;
      else if (streq(w, "semantics")) plan.mode = Mode::kSemantics;
      else if (streq(w, "bench")) plan.mode = Mode::kBench;
      else return fail(plan, "plan: unknown mode", w);
    } else if (streq(w, "op")) {
      if (plan.op_count == sizeof(plan.ops) / sizeof(plan.ops[0])) return fail(plan, "plan: too many ops", "");
      if (!c.word(w, sizeof(w))) return fail(plan, "plan: op needs a name", "");
      const core::OperationInfo* info = core::find_operation(w);
      if (info == nullptr) return fail(plan, "plan: unknown operation", w);
      PlannedOp& op = plan.ops[plan.op_count];
      op.op = info->id;
      if (!c.number(&op.iterations) || !c.number(&op.warmup))
        return fail(plan, "plan: op needs <iterations> <warmup>", info->name);
      // Optional: pages=<N> for the rows that touch guest pages.
      if (c.word(w, sizeof(w))) {
        Cursor n{w + 6, w + sizeof(w)};
        if (!starts_with(w, "pages=") || !n.number(&op.pages) || op.pages == 0 || op.pages > 512)
          return fail(plan, "plan: op's fourth field must be pages=<1..512>", w);
      }
      ++plan.op_count;
    } else if (streq(w, "emulator")) {
      if (!c.word(w, sizeof(w))) return fail(plan, "plan: emulator needs a name", "");
      plan.emulator_bochs = streq(w, "bochs");
    } else if (streq(w, "end")) {
      ended = true;
    } else {
      return fail(plan, "plan: unknown directive", w);
    }
    c.next_line();
  }
  if (!ended) return fail(plan, "plan: missing 'end' (truncated?)", "");
  return plan;
}

}  // namespace vmxb::image
