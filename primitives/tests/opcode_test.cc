// Disassembles the ring-0 build of every wrapper (primitives/ring0_build_check.o,
// built from opcode_probe.cc) and checks, per wrapper and capture strategy:
//   1. the function contains its VMX instruction with the right operand form;
//   2. between that instruction and the first instruction reading CF/ZF
//      (setcc/jcc/cmovcc/pushf) only instructions that leave RFLAGS alone
//      appear. The separate-pushf strategy (x86_vcpu) is exempt by design.
// The probe also holds a negative control per strategy, an ADD inserted in
// the asm between VMCLEAR and the capture, which the checker must reject.
//
// The fault path (capture.h) is checked from two sides:
//   3. every VMX instruction in the object has exactly one __ex_table entry
//      of type 1 (EX_TYPE_DEFAULT), read from the relocations the linker will
//      apply, whose fixup is out of line: the cmp/stc/jmp stub in
//      .text.unlikely that jumps back right after the instruction, or (asm
//      goto, VMFUNC) a label of the same function past its success line. The
//      VMXB_NO_FAULT_PATH build and edited copies of the real table are the
//      negative controls;
//   4. each probe is the same instructions as in the VMXB_NO_FAULT_PATH
//      build; for the goto strategies, its success line is.
//
// And the cost the default capture promises (capture.h):
//   5. in probe_branch_on_result_<default>, a caller that branches on the
//      result, one instruction (a JNA) lies on the success path between the
//      VMX instruction and the caller's work; the other strategies' callers
//      and a planted instruction are the negative controls;
//   6. asm_goto_jna's JNA goes to an out-of-line jc/jmp stub whose targets
//      are failure labels of the same function;
//   7. a VMREAD whose result nobody reads is still there (GCC 12.2 deletes
//      a non-volatile asm goto with outputs).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "primitives/capture.h"
#include "primitives/tests/elf_relocations.h"
#include "primitives/tests/opcode_probe_work.h"

namespace {

using vmxb::test::hex;
using vmxb::test::read_relocated_section;
using vmxb::test::RelocatedSection;
using vmxb::test::Target;

struct Insn {
  std::string mnemonic;
  std::string operands;
  std::string text;
  std::string section;    // objdump's "Disassembly of section" (addresses restart per section)
  uint64_t address = 0;   // offset in `section`
};

using Disassembly = std::map<std::string, std::vector<Insn>>;

constexpr char kObject[] = "primitives/ring0_build_check.o";

Disassembly disassemble(const std::string& path) {
  const std::string cmd = "objdump -d --no-show-raw-insn -M att-mnemonic " + path + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  Disassembly out;
  if (!pipe) return out;
  static const std::regex section_re(R"(^Disassembly of section (\S+):$)");
  static const std::regex function_re(R"(^[0-9a-f]+ <([^>]+)>:$)");
  static const std::regex insn_re(R"(^\s*([0-9a-f]+):\s+(\S+)\s*(.*?)\s*$)");
  std::vector<Insn>* current = nullptr;
  std::string section;
  std::array<char, 512> buf;
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) {
    std::string line(buf.data());
    if (!line.empty() && line.back() == '\n') line.pop_back();
    std::smatch m;
    if (std::regex_match(line, m, section_re)) {
      section = m[1];
      current = nullptr;
    } else if (std::regex_match(line, m, function_re)) {
      current = &out[m[1]];
    } else if (current != nullptr && std::regex_match(line, m, insn_re)) {
      current->push_back({m[2], m[3], line, section, std::stoull(m[1], nullptr, 16)});
    }
  }
  return out;
}

// Which of CF/ZF an instruction reads: bit 0 = CF, bit 1 = ZF.
constexpr unsigned kCf = 1, kZf = 2;
unsigned flags_read(const std::string& mn) {
  static const std::regex cc_re(R"(^(set|j|cmov)([a-z]+?)[bwlq]?$)");
  if (std::regex_match(mn, std::regex(R"(^pushf[qw]?$)"))) return kCf | kZf;
  if (std::regex_match(mn, std::regex(R"(^(adc|sbb|rcl|rcr)[bwlq]?$)"))) return kCf;
  std::smatch m;
  if (!std::regex_match(mn, m, cc_re)) return 0;
  const std::string cc = m[2];
  if (cc == "b" || cc == "c" || cc == "nae" || cc == "ae" || cc == "nb" || cc == "nc") return kCf;
  if (cc == "e" || cc == "z" || cc == "ne" || cc == "nz") return kZf;
  if (cc == "be" || cc == "na" || cc == "a" || cc == "nbe") return kCf | kZf;
  return 0;
}

// Instructions that never write RFLAGS and may sit between the VMX instruction
// and the capture (register moves the compiler schedules there). Anything not
// on this list is treated as a possible flag write.
bool leaves_rflags_alone(const std::string& mn) {
  static const std::regex re(R"(^(mov[a-z]*|lea[lqw]?|nop[lwq]?|xchg[a-z]*|push[lqw]?|pop[lqw]?|data16|cs)$)");
  return std::regex_match(mn, re) && mn != "popf" && mn != "popfq";
}

struct CaptureCheck {
  bool found_vmx = false;
  std::string vmx_operands;
  bool captured = false;               // both CF and ZF were read
  std::vector<std::string> intruders;  // instructions before that may write RFLAGS
};

// Walks the straight line after the VMX instruction (a conditional jump is
// followed by its fall-through, as asm goto's jc/jz are) until both CF and ZF
// have been read.
CaptureCheck check_capture(const std::vector<Insn>& insns, const std::string& vmx_mnemonic) {
  CaptureCheck check;
  size_t i = 0;
  while (i < insns.size() && insns[i].mnemonic != vmx_mnemonic) ++i;
  if (i == insns.size()) return check;
  check.found_vmx = true;
  check.vmx_operands = insns[i].operands;
  unsigned read = 0;
  for (++i; i < insns.size() && read != (kCf | kZf); ++i) {
    const std::string& mn = insns[i].mnemonic;
    if (const unsigned f = flags_read(mn)) {
      read |= f;
      continue;
    }
    if (mn == "ret" || mn == "jmp" || mn == "call") break;  // left the straight line
    if (!leaves_rflags_alone(mn)) check.intruders.push_back(insns[i].text);
  }
  check.captured = read == (kCf | kZf);
  return check;
}

struct Wrapper {
  const char* probe;     // probe_<probe>_<strategy>
  const char* mnemonic;  // VMX instruction
  const char* operands;  // regex over objdump's AT&T operand text
};

const char kMem[] = R"((0x[0-9a-f]+|-0x[0-9a-f]+)?\(%r[a-z0-9]+(,%r[a-z0-9]+,[1248])?\))";
const std::string kMemOnly = std::string("^") + kMem + "$";
const std::string kRegReg = R"(^%r[a-z0-9]+,%r[a-z0-9]+$)";
const std::string kMemReg = std::string("^") + kMem + ",%r[a-z0-9]+$";

const Wrapper kWrappers[] = {
    {"vmxon", "vmxon", kMemOnly.c_str()},     {"vmxoff", "vmxoff", "^$"},
    {"vmclear", "vmclear", kMemOnly.c_str()}, {"vmptrld", "vmptrld", kMemOnly.c_str()},
    {"vmptrst", "vmptrst", kMemOnly.c_str()}, {"vmread", "vmread", kRegReg.c_str()},
    {"vmwrite", "vmwrite", kRegReg.c_str()},  {"invept", "invept", kMemReg.c_str()},
    {"invvpid", "invvpid", kMemReg.c_str()},  {"vmcall", "vmcall", "^$"},
};

// The strategies, from primitives/capture.h's table: every one has its probes.
std::vector<std::string> strategies(bool same_asm_only) {
  std::vector<std::string> names;
  for (const vmxb::CaptureStrategyInfo& s : vmxb::kCaptureStrategies)
    if (s.same_asm_statement || !same_asm_only) names.push_back(s.name);
  return names;
}
const std::vector<std::string> kAllStrategies = strategies(false);
const std::vector<std::string> kSameAsmStrategies = strategies(true);

// The strategy a probe was built with: its name ends in _<strategy>.
const vmxb::CaptureStrategyInfo* strategy_of(const std::string& probe) {
  for (const vmxb::CaptureStrategyInfo& s : vmxb::kCaptureStrategies) {
    const std::string suffix = std::string("_") + s.name;
    if (probe.size() > suffix.size() && probe.compare(probe.size() - suffix.size(), suffix.size(), suffix) == 0)
      return &s;
  }
  return nullptr;
}

// --- Exception table ---------------------------------------------------------

constexpr char kNoFaultObject[] = "primitives/ring0_build_check_no_fault_path.o";
constexpr uint64_t kEntrySize = 12;  // primitives/extable.h
constexpr char kStubSection[] = ".text.unlikely";

struct ExEntry {
  Target insn, fixup;
  uint32_t type = 0;
};

struct ExTable {
  bool present = false;  // the object has an __ex_table section
  std::vector<ExEntry> entries;
  std::vector<std::string> errors;  // layout or relocation problems
};

ExTable read_extable(const std::string& path) {
  const RelocatedSection s = read_relocated_section(path, "__ex_table");
  ExTable table{s.present, {}, s.errors};
  if (!s.present) return table;
  if (s.bytes.size() % kEntrySize != 0) {
    table.errors.push_back("__ex_table size " + hex(s.bytes.size()) + " is not a multiple of 12");
    return table;
  }
  for (uint64_t base = 0; base < s.bytes.size(); base += kEntrySize) {
    const auto insn = s.pc32.find(base), fixup = s.pc32.find(base + 4);
    if (insn == s.pc32.end() || fixup == s.pc32.end()) {
      table.errors.push_back("entry at __ex_table+" + hex(base) + " has an unrelocated insn or fixup word");
      continue;
    }
    if (s.pc32.count(base + 8)) table.errors.push_back("type word at __ex_table+" + hex(base + 8) + " is relocated");
    ExEntry e{insn->second, fixup->second, 0};
    std::memcpy(&e.type, s.bytes.data() + base + 8, sizeof(e.type));
    table.entries.push_back(e);
  }
  for (const auto& [offset, target] : s.pc32)
    if (offset % kEntrySize > 4) table.errors.push_back("relocation at __ex_table+" + hex(offset) + " is inside no word");
  return table;
}

bool is_vmx(const std::string& mn) {
  static const std::set<std::string> vmx = {"vmxon",   "vmxoff",  "vmclear", "vmptrld",  "vmptrst",
                                            "vmread",  "vmwrite", "invept",  "invvpid",  "vmcall",
                                            "vmfunc",  "vmlaunch", "vmresume"};
  return vmx.count(mn) != 0;
}

size_t first_vmx(const std::vector<Insn>& insns) {
  size_t i = 0;
  while (i < insns.size() && !is_vmx(insns[i].mnemonic)) ++i;
  return i;
}

struct Located {
  const std::string* function;
  const std::vector<Insn>* insns;
  size_t index;
};

// Every instruction of a disassembly by (section, address).
using Index = std::map<std::pair<std::string, uint64_t>, Located>;

Index index_instructions(const Disassembly& d) {
  Index at;
  for (const auto& [name, insns] : d)
    for (size_t i = 0; i < insns.size(); ++i) at[{insns[i].section, insns[i].address}] = {&name, &insns, i};
  return at;
}

struct ExTableReport {
  size_t vmx_instructions = 0;
  std::vector<std::string> problems;
};

// --- The timed path --------------------------------------------------------------

// An instruction as code, without addresses: branch targets shift when an
// earlier function grows.
std::string code(const Insn& i) {
  const bool branch = i.mnemonic[0] == 'j' || i.mnemonic == "call";
  return i.mnemonic + (branch ? "" : " " + i.operands);
}

// The success line of an asm-goto wrapper: from the function's entry to the
// first ret or jmp after the VMX instruction, falling through its jc/jz (the
// asm goto's branches are taken only on failure). Its length, or 0 if none.
size_t success_line(const std::vector<Insn>& insns) {
  for (size_t i = first_vmx(insns); i < insns.size(); ++i)
    if (insns[i].mnemonic == "ret" || insns[i].mnemonic == "jmp") return i + 1;
  return 0;
}

// "" when `with` is exactly `without` or, if `label_strategy`, when their
// success lines are the same (the fault label and, with GCC 12, the failure
// blocks may be laid out differently after them); otherwise the difference.
std::string compare_code(const std::vector<Insn>& with, const std::vector<Insn>& without, bool label_strategy) {
  const size_t n = label_strategy ? success_line(without) : without.size();
  if (label_strategy && (n == 0 || success_line(with) != n))
    return "success lines of " + std::to_string(success_line(with)) + " and " + std::to_string(n) + " instructions";
  if (!label_strategy && with.size() != without.size())
    return std::to_string(with.size()) + " instructions with the fault path, " + std::to_string(without.size()) +
           " without";
  for (size_t i = 0; i < n; ++i)
    if (code(with[i]) != code(without[i]))
      return "instruction " + std::to_string(i) + ": '" + code(with[i]) + "' with the fault path, '" +
             code(without[i]) + "' without";
  return "";
}

// Probes whose fault path is a goto label.
bool fault_path_is_a_label(const std::string& probe) {
  const vmxb::CaptureStrategyInfo* s = strategy_of(probe);
  return (s != nullptr && s->fault_at_label) || probe == "probe_vmfunc";
}

// What the checks need besides the entries: both disassemblies and the stub
// section's relocations (where each stub's jmp goes).
struct Objects {
  const Disassembly* with;
  const Disassembly* without;
  const RelocatedSection* stubs;
};

// "" when the fixup of the VMX instruction at `w` is out of line, else why not.
std::string check_fixup(const Objects& o, const Index& at,
                        const Located& w, const Target& fixup) {
  const auto f = at.find({fixup.section, fixup.offset});
  if (f == at.end()) return "fixup " + fixup.section + "+" + hex(fixup.offset) + " is no instruction";
  if (f->second.function == w.function) {
    // asm goto / VMFUNC: a label of the same function, past its success line;
    // a discarded VMREAD's fault and success both just return, so its label
    // may be the success line's ret.
    if (w.function->rfind("probe_discarded_", 0) == 0) return "";
    return f->second.index >= success_line(*w.insns) ? "" : "fixup is on the success line";
  }
  if (fixup.section != kStubSection) return "fixup is in " + *f->second.function + ", not " + *w.function;
  // The flag strategies: cmp %rsp,%rsp; stc; jmp back to the next instruction.
  const std::vector<Insn>& stub = *f->second.insns;
  const size_t i = f->second.index;
  if (i + 2 >= stub.size() || stub[i].mnemonic != "cmp" || stub[i].operands != "%rsp,%rsp" ||
      stub[i + 1].mnemonic != "stc" || stub[i + 2].mnemonic != "jmp")
    return "fixup stub at " + fixup.section + "+" + hex(fixup.offset) + " is not cmp %rsp,%rsp; stc; jmp";
  const auto jmp = o.stubs->pc32.find(stub[i + 2].address + 1);  // E9 rel32
  // Back to the end of the asm statement's text: the next instruction, or
  // for the negative controls the one after their planted ADD.
  const size_t back = w.index + (w.function->rfind("probe_negative_control_", 0) == 0 ? 2 : 1);
  if (back >= w.insns->size()) return "the VMX instruction is the function's last";
  const Insn& next = (*w.insns)[back];
  if (jmp == o.stubs->pc32.end() || jmp->second.section != next.section ||
      jmp->second.offset + 4 != next.address)
    return "fixup stub does not jump back to the instruction after the VMX instruction (" + next.text + ")";
  return "";
}

ExTableReport check_extable(const Objects& o, const std::vector<ExEntry>& entries) {
  const auto at = index_instructions(*o.with);
  ExTableReport report;
  std::map<std::pair<std::string, uint64_t>, size_t> count;
  for (size_t k = 0; k < entries.size(); ++k) {
    const ExEntry& e = entries[k];
    const std::string entry =
        "entry " + std::to_string(k) + " (insn " + e.insn.section + "+" + hex(e.insn.offset) + ")";
    if (e.type != 1) report.problems.push_back(entry + ": type " + std::to_string(e.type) + ", not 1");
    const auto insn = at.find({e.insn.section, e.insn.offset});
    if (insn == at.end()) {
      report.problems.push_back(entry + ": insn points at no instruction");
      continue;
    }
    const Located& w = insn->second;
    if (!is_vmx((*w.insns)[w.index].mnemonic)) {
      report.problems.push_back(entry + ": insn points at non-VMX '" + (*w.insns)[w.index].mnemonic + "' in " +
                                *w.function);
      continue;
    }
    ++count[insn->first];
    if (const std::string why = check_fixup(o, at, w, e.fixup); !why.empty())
      report.problems.push_back(entry + ": " + why);
  }
  for (const auto& [name, insns] : *o.with)
    for (const Insn& insn : insns) {
      if (!is_vmx(insn.mnemonic)) continue;
      ++report.vmx_instructions;
      const size_t n = count[{insn.section, insn.address}];
      if (n != 1)
        report.problems.push_back(name + ": " + insn.mnemonic + " at " + insn.section + "+" + hex(insn.address) +
                                  " has " + std::to_string(n) + " entries");
    }
  return report;
}

// --- The default's success path and kAsmGotoJna's failure stubs ------------------

// Whether a jcc is taken after VMsucceed (CF=0, ZF=0): 1 taken, 0 not, -1 its
// condition reads other flags.
int taken_on_success(const std::string& mn) {
  static const std::regex jcc_re(R"(^j(b|c|nae|e|z|be|na|ae|nb|nc|ne|nz|a|nbe)$)");
  std::smatch m;
  if (!std::regex_match(mn, m, jcc_re)) return -1;
  const std::string cc = m[1];
  return cc == "ae" || cc == "nb" || cc == "nc" || cc == "ne" || cc == "nz" || cc == "a" || cc == "nbe";
}

const std::string kSuccessWork = hex(VMXB_PROBE_SUCCESS_WORK) + "(%rax)";  // opcode_probe_work.h

struct SuccessPath {
  size_t instructions = 0;    // executed after the VMX instruction, before the caller's work
  bool reached_work = false;  // false: the walk stopped, so at least `instructions`
};

// The path a VMsucceed (CF=0, ZF=0) takes through a probe_branch_on_result_*
// function, from the VMX instruction to the caller's success work: jcc's are
// decided while RFLAGS are still the VMX instruction's, and followed (like
// jmp) within the function. Anything that may write RFLAGS ends the deciding.
SuccessPath success_path(const std::vector<Insn>& insns) {
  SuccessPath p;
  static const std::regex flag_reader_re(R"(^(set|cmov)[a-z]+$)");
  bool flags_are_the_instructions = true;
  std::set<size_t> visited;
  for (size_t i = first_vmx(insns) + 1; i < insns.size() && visited.insert(i).second;) {
    const Insn& x = insns[i];
    if (x.mnemonic == "nopl" && x.operands == kSuccessWork) {
      p.reached_work = true;
      return p;
    }
    ++p.instructions;
    const bool jcc = x.mnemonic[0] == 'j' && x.mnemonic != "jmp";
    if (!jcc && x.mnemonic != "jmp") {
      if (x.mnemonic == "ret" || x.mnemonic == "call") return p;
      if (!leaves_rflags_alone(x.mnemonic) && !std::regex_match(x.mnemonic, flag_reader_re))
        flags_are_the_instructions = false;
      ++i;
      continue;
    }
    const int taken = jcc ? (flags_are_the_instructions ? taken_on_success(x.mnemonic) : -1) : 1;
    if (taken < 0) return p;
    if (taken == 0) {
      ++i;
      continue;
    }
    const uint64_t target = std::stoull(x.operands, nullptr, 16);  // "ee5 <probe_...+0x15>"
    const auto next = std::find_if(insns.begin(), insns.end(), [&](const Insn& y) { return y.address == target; });
    if (next == insns.end()) return p;
    i = static_cast<size_t>(next - insns.begin());
  }
  return p;
}

// kAsmGotoJna: right after the VMX instruction a JNA (objdump: jbe) to a stub
// in .text.unlikely whose JB (jc) and JMP go to labels of the same function
// past its success line; two different ones if `distinct` (a caller that
// tells VMfailInvalid from VMfailValid). "" when so, else why not.
std::string check_failure_stub(const Index& at, const RelocatedSection& text, const RelocatedSection& stubs,
                               const std::vector<Insn>& insns, bool distinct) {
  const size_t v = first_vmx(insns);
  if (v + 1 >= insns.size() || insns[v + 1].mnemonic != "jbe")
    return "the VMX instruction is not followed by a jna/jbe";
  // The label a rel32 at `offset` of `s` goes to: S + A + 4 (elf_relocations.h).
  auto target_of = [&](const RelocatedSection& s, uint64_t offset) -> const Located* {
    const auto r = s.pc32.find(offset);
    if (r == s.pc32.end()) return nullptr;
    const auto l = at.find({r->second.section, r->second.offset + 4});
    return l == at.end() ? nullptr : &l->second;
  };
  const Located* stub = target_of(text, insns[v + 1].address + 2);  // 0F 86 rel32
  if (stub == nullptr || (*stub->insns)[stub->index].section != kStubSection)
    return "the jna does not go to an instruction in " + std::string(kStubSection);
  const std::vector<Insn>& s = *stub->insns;
  const size_t i = stub->index;
  if (i + 1 >= s.size() || s[i].mnemonic != "jb" || s[i + 1].mnemonic != "jmp")
    return "the failure stub is not jc; jmp";
  const Located* invalid = target_of(stubs, s[i].address + 2);     // 0F 82 rel32
  const Located* valid = target_of(stubs, s[i + 1].address + 1);   // E9 rel32
  const size_t line = success_line(insns);
  for (const Located* label : {invalid, valid})
    if (label == nullptr || label->insns != &insns || label->index < line)
      return "a failure label is not past the success line of the same function";
  if (distinct && invalid->index == valid->index) return "VMfailInvalid and VMfailValid go to the same label";
  return "";
}

// What .text.unlikely holds: the flag strategies' fault stubs (cmp %rsp,%rsp;
// stc; jmp) and kAsmGotoJna's failure stubs (jc; jmp), nothing else.
struct UnlikelyContents {
  size_t fault_stubs = 0, failure_stubs = 0;
  std::vector<std::string> other;
};

UnlikelyContents classify_stub_section(const Disassembly& d) {
  UnlikelyContents c;
  for (const auto& entry : d) {
    const auto& insns = entry.second;  // a local, not a structured binding: clang 14 cannot capture those
    if (insns.empty() || insns.front().section != kStubSection) continue;
    for (size_t i = 0; i < insns.size();) {
      auto is = [&](size_t k, const char* mn) { return i + k < insns.size() && insns[i + k].mnemonic == mn; };
      if (is(0, "cmp") && insns[i].operands == "%rsp,%rsp" && is(1, "stc") && is(2, "jmp")) {
        ++c.fault_stubs;
        i += 3;
      } else if (is(0, "jb") && is(1, "jmp")) {
        ++c.failure_stubs;
        i += 2;
      } else {
        c.other.push_back(insns[i++].text);
      }
    }
  }
  return c;
}

class OpcodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_disassembly = new Disassembly(disassemble(kObject));
    shared_no_fault_disassembly = new Disassembly(disassemble(kNoFaultObject));
    shared_extable = new ExTable(read_extable(kObject));
    shared_no_fault_extable = new ExTable(read_extable(kNoFaultObject));
    shared_stubs = new RelocatedSection(read_relocated_section(kObject, kStubSection));
    shared_no_fault_stubs = new RelocatedSection(read_relocated_section(kNoFaultObject, kStubSection));
    shared_text = new RelocatedSection(read_relocated_section(kObject, ".text"));
    shared_no_fault_text = new RelocatedSection(read_relocated_section(kNoFaultObject, ".text"));
  }
  static const std::vector<Insn>& function(const std::string& name) {
    static const std::vector<Insn> empty;
    auto it = shared_disassembly->find(name);
    return it == shared_disassembly->end() ? empty : it->second;
  }
  static Objects objects() { return {shared_disassembly, shared_no_fault_disassembly, shared_stubs}; }
  static Disassembly* shared_disassembly;
  static Disassembly* shared_no_fault_disassembly;
  static ExTable* shared_extable;
  static ExTable* shared_no_fault_extable;
  static RelocatedSection* shared_stubs;
  static RelocatedSection* shared_no_fault_stubs;
  static RelocatedSection* shared_text;
  static RelocatedSection* shared_no_fault_text;
};
Disassembly* OpcodeTest::shared_disassembly = nullptr;
Disassembly* OpcodeTest::shared_no_fault_disassembly = nullptr;
ExTable* OpcodeTest::shared_extable = nullptr;
ExTable* OpcodeTest::shared_no_fault_extable = nullptr;
RelocatedSection* OpcodeTest::shared_stubs = nullptr;
RelocatedSection* OpcodeTest::shared_no_fault_stubs = nullptr;
RelocatedSection* OpcodeTest::shared_text = nullptr;
RelocatedSection* OpcodeTest::shared_no_fault_text = nullptr;

// Probes per strategy besides the wrappers: the negative control, the
// discarded VMREAD and the branch-on-result caller.
constexpr size_t kExtraProbes = 3;

// Every probe: 10 wrappers and the extra probes per strategy, plus vmfunc,
// each with one VMX instruction.
const size_t kProbeVmxInstructions = std::size(vmxb::kCaptureStrategies) * (std::size(kWrappers) + kExtraProbes) + 1;

TEST_F(OpcodeTest, ObjectDisassembles) {
  ASSERT_FALSE(shared_disassembly->empty()) << "objdump produced nothing for " << kObject;
}

TEST_F(OpcodeTest, EveryWrapperHasItsInstructionAndOperandForm) {
  for (const std::string& strategy : kAllStrategies) {
    for (const Wrapper& w : kWrappers) {
      const std::string name = std::string("probe_") + w.probe + "_" + strategy;
      SCOPED_TRACE(name);
      const auto& insns = function(name);
      ASSERT_FALSE(insns.empty()) << "function missing from " << kObject;
      const CaptureCheck check = check_capture(insns, w.mnemonic);
      ASSERT_TRUE(check.found_vmx) << "no " << w.mnemonic;
      EXPECT_TRUE(std::regex_match(check.vmx_operands, std::regex(w.operands)))
          << w.mnemonic << " has operands '" << check.vmx_operands << "'";
      EXPECT_TRUE(check.captured) << "CF and ZF are not both read after " << w.mnemonic;
    }
  }
  const CaptureCheck vmfunc = check_capture(function("probe_vmfunc"), "vmfunc");
  EXPECT_TRUE(vmfunc.found_vmx);
}

TEST_F(OpcodeTest, NothingWritesRflagsBetweenInstructionAndCapture) {
  for (const std::string& strategy : kSameAsmStrategies) {
    for (const Wrapper& w : kWrappers) {
      const std::string name = std::string("probe_") + w.probe + "_" + strategy;
      SCOPED_TRACE(name);
      const CaptureCheck check = check_capture(function(name), w.mnemonic);
      ASSERT_TRUE(check.captured);
      EXPECT_TRUE(check.intruders.empty()) << "may write RFLAGS before the capture: " << check.intruders[0];
    }
  }
}

// The checker itself must be able to fail: an ADD placed between VMCLEAR and
// the capture is reported, for every strategy that promises same-asm capture.
TEST_F(OpcodeTest, NegativeControlIsRejected) {
  for (const std::string& strategy : kSameAsmStrategies) {
    const std::string name = std::string("probe_negative_control_") + strategy;
    SCOPED_TRACE(name);
    const CaptureCheck check = check_capture(function(name), "vmclear");
    ASSERT_TRUE(check.found_vmx);
    ASSERT_EQ(check.intruders.size(), 1u);
    EXPECT_NE(check.intruders[0].find("add"), std::string::npos) << check.intruders[0];
  }
}

TEST_F(OpcodeTest, ExTableIsWellFormed) {
  ASSERT_TRUE(shared_extable->present) << kObject << " has no __ex_table section";
  for (const std::string& e : shared_extable->errors) ADD_FAILURE() << e;
  for (const std::string& e : shared_stubs->errors) ADD_FAILURE() << e;
  EXPECT_FALSE(shared_no_fault_extable->present) << kNoFaultObject << " has an __ex_table section";
  // .text.unlikely: one fault stub per VMX instruction of a strategy that
  // reads the flag pair, one failure stub per kAsmGotoJna probe; without the
  // fault path only the failure stubs, so no fixup stub at all.
  size_t flag_pair_probes = 0;
  for (const vmxb::CaptureStrategyInfo& info : vmxb::kCaptureStrategies)
    if (!info.fault_at_label) flag_pair_probes += std::size(kWrappers) + kExtraProbes;
  const size_t jna_probes = std::size(kWrappers) + kExtraProbes;
  const UnlikelyContents with = classify_stub_section(*shared_disassembly);
  const UnlikelyContents without = classify_stub_section(*shared_no_fault_disassembly);
  EXPECT_EQ(with.fault_stubs, flag_pair_probes);
  EXPECT_EQ(with.failure_stubs, jna_probes);
  EXPECT_EQ(without.fault_stubs, 0u) << kNoFaultObject << " has fixup stubs";
  EXPECT_EQ(without.failure_stubs, jna_probes);
  for (const std::string& other : with.other) ADD_FAILURE() << kObject << " " << kStubSection << ": " << other;
  for (const std::string& other : without.other) ADD_FAILURE() << kNoFaultObject << " " << kStubSection << ": " << other;
  for (const std::string& e : shared_text->errors) ADD_FAILURE() << e;
  for (const std::string& e : shared_no_fault_text->errors) ADD_FAILURE() << e;
}

// kAsmGotoJna: one JNA in line, the VMfailInvalid/VMfailValid split in the
// out-of-line stub of the same asm statement. Checked on the ring-0 build
// (the one production uses): without its fault label, GCC 12.2 sends the
// failure labels of probe_vmread_* to the success line's ret (the output
// register is returned on failure), for asm_goto as for asm_goto_jna.
TEST_F(OpcodeTest, JnaProbesBranchOnceToAFailureStub) {
  const std::string jna = vmxb::capture_strategy_info(vmxb::CaptureStrategy::kAsmGotoJna).name;
  const Index at = index_instructions(*shared_disassembly);
  size_t probes = 0;
  for (const auto& [name, insns] : *shared_disassembly) {
    // The negative control has its ADD before the JNA; the discarded VMREAD's
    // labels may all be its ret.
    if (name.rfind("probe_", 0) != 0 || name.rfind("probe_negative_control_", 0) == 0 ||
        name.rfind("probe_discarded_", 0) == 0 || strategy_of(name) == nullptr || strategy_of(name)->name != jna)
      continue;
    SCOPED_TRACE(name);
    ++probes;
    const bool distinct = name.rfind("probe_branch_on_result_", 0) == 0;
    EXPECT_EQ(check_failure_stub(at, *shared_text, *shared_stubs, insns, distinct), "");
  }
  EXPECT_EQ(probes, std::size(kWrappers) + 1);
}

// A VMX instruction whose result nobody reads still executes, under every
// strategy (GCC 12.2 deletes such an asm goto unless it says volatile).
size_t count_mnemonic(const std::vector<Insn>& insns, const std::string& mnemonic) {
  return static_cast<size_t>(
      std::count_if(insns.begin(), insns.end(), [&](const Insn& i) { return i.mnemonic == mnemonic; }));
}

TEST_F(OpcodeTest, DiscardedResultKeepsItsInstruction) {
  for (const std::string& strategy : kAllStrategies) {
    SCOPED_TRACE(strategy);
    const std::vector<Insn>& insns = function("probe_discarded_vmread_" + strategy);
    ASSERT_FALSE(insns.empty()) << "function missing from " << kObject;
    EXPECT_EQ(count_mnemonic(insns, "vmread"), 1u);
  }
  // This fails for asm_goto and asm_goto_jna when VMXB_ASM_GOTO (capture.h)
  // drops its `volatile`: GCC 12.2 then emits no VMREAD at all.
}

// The stub checker must be able to fail: an asm_goto probe has no JNA, and a
// stub whose JNA is redirected to the next instruction is no stub.
TEST_F(OpcodeTest, FailureStubCheckerRejectsOtherShapes) {
  const Index at = index_instructions(*shared_disassembly);
  EXPECT_NE(
      check_failure_stub(at, *shared_text, *shared_stubs, function("probe_vmclear_asm_goto"), false).find("not followed by a jna"),
      std::string::npos);
  const std::vector<Insn>& jna = function("probe_vmclear_asm_goto_jna");
  const size_t v = first_vmx(jna);
  ASSERT_LT(v + 2, jna.size());
  RelocatedSection edited = *shared_text;
  edited.pc32[jna[v + 1].address + 2] = {jna[v + 2].section, jna[v + 2].address - 4};
  EXPECT_NE(check_failure_stub(at, edited, *shared_stubs, jna, false).find("does not go to an instruction in"),
            std::string::npos);
  // A caller that tells the failures apart, checked as if its labels had to
  // differ, passes; the vmptrst probe (0 on either failure: labels merged) does not.
  EXPECT_EQ(check_failure_stub(at, *shared_text, *shared_stubs, function("probe_branch_on_result_asm_goto_jna"), true), "");
  EXPECT_NE(check_failure_stub(at, *shared_text, *shared_stubs, function("probe_vmptrst_asm_goto_jna"), true).find("same label"),
            std::string::npos);
}

// The point of the default: with a caller that branches on the result, the
// success path from the VMX instruction to the caller's work is one JNA.
TEST_F(OpcodeTest, DefaultSuccessPathIsOneBranch) {
  for (const std::string& strategy : kAllStrategies) {
    const SuccessPath p = success_path(function("probe_branch_on_result_" + strategy));
    std::printf("success path of a branch-on-result caller, %s: %s%zu instructions\n", strategy.c_str(),
                p.reached_work ? "" : "at least ", p.instructions);
  }
  const std::string name = std::string("probe_branch_on_result_") + vmxb::capture_strategy_info(vmxb::kDefaultCapture).name;
  SCOPED_TRACE(name);
  const std::vector<Insn>& insns = function(name);
  const SuccessPath p = success_path(insns);
  EXPECT_TRUE(p.reached_work);
  EXPECT_EQ(p.instructions, 1u);
  const size_t v = first_vmx(insns);
  ASSERT_LT(v + 1, insns.size());
  EXPECT_EQ(insns[v + 1].mnemonic, "jbe");  // JNA: taken on CF=1 or ZF=1
}

// The count must be able to fail: the other strategies' callers take more than
// one instruction, an instruction planted after the VMX instruction counts,
// and without the caller's work the walk does not claim to reach it.
TEST_F(OpcodeTest, SuccessPathCountRejectsLongerPaths) {
  for (const char* strategy : {"flag_outputs", "asm_goto"}) {
    SCOPED_TRACE(strategy);
    const SuccessPath p = success_path(function(std::string("probe_branch_on_result_") + strategy));
    EXPECT_GT(p.instructions, 1u);
  }
  const std::vector<Insn>& base = function("probe_branch_on_result_asm_goto_jna");
  const size_t v = first_vmx(base);
  ASSERT_LT(v + 2, base.size());
  std::vector<Insn> planted = base, no_work = base;
  Insn extra = base[v + 1];
  extra.mnemonic = "lea";
  extra.operands = "0x0(%rax),%rax";
  planted.insert(planted.begin() + v + 1, extra);
  const SuccessPath p = success_path(planted);
  EXPECT_TRUE(p.reached_work);
  EXPECT_EQ(p.instructions, 2u);
  for (Insn& i : no_work)
    if (i.operands == kSuccessWork) i.operands = "0x0(%rax)";
  EXPECT_FALSE(success_path(no_work).reached_work);
}

TEST_F(OpcodeTest, EveryVmxInstructionHasOneOutOfLineEntry) {
  const ExTableReport report = check_extable(objects(), shared_extable->entries);
  EXPECT_EQ(report.vmx_instructions, kProbeVmxInstructions);
  EXPECT_EQ(shared_extable->entries.size(), kProbeVmxInstructions);
  for (const std::string& p : report.problems) ADD_FAILURE() << p;
}

// The checker must be able to fail on a real object: without the fault path
// there are no entries, and every VMX instruction is reported as lacking one.
TEST_F(OpcodeTest, NoFaultPathObjectIsReportedAsLackingEntries) {
  ASSERT_FALSE(shared_no_fault_disassembly->empty()) << "objdump produced nothing for " << kNoFaultObject;
  EXPECT_TRUE(shared_no_fault_extable->entries.empty());
  const ExTableReport report =
      check_extable({shared_no_fault_disassembly, shared_no_fault_disassembly, shared_no_fault_stubs}, shared_no_fault_extable->entries);
  EXPECT_EQ(report.vmx_instructions, kProbeVmxInstructions);
  ASSERT_EQ(report.problems.size(), report.vmx_instructions);
  for (const std::string& p : report.problems) EXPECT_NE(p.find(" has 0 entries"), std::string::npos) << p;
}

// And on each way a table can be wrong, as edits of the real one: for a stub
// fixup (flag outputs) and for a label fixup (asm goto).
TEST_F(OpcodeTest, ExTableCheckerRejectsEditedTables) {
  ASSERT_FALSE(shared_extable->entries.empty());
  const auto entry_of = [&](const std::vector<Insn>& f) -> size_t {
    const size_t vmx = first_vmx(f);
    for (size_t k = 0; k < shared_extable->entries.size(); ++k)
      if (vmx < f.size() && shared_extable->entries[k].insn.offset == f[vmx].address) return k;
    return shared_extable->entries.size();
  };
  const std::vector<Insn>& flags = function("probe_vmxon_flag_outputs");
  const std::vector<Insn>& gotos = function("probe_vmxon_asm_goto");
  const size_t vmx = first_vmx(flags), k = entry_of(flags), g = entry_of(gotos);
  ASSERT_LT(vmx + 1, flags.size());
  ASSERT_LT(k, shared_extable->entries.size());
  ASSERT_LT(g, shared_extable->entries.size());
  struct Case {
    const char* what;
    std::vector<ExEntry> entries;
    std::vector<const char*> expected;  // one problem each, in order
  };
  auto edited = [&](auto edit) {
    std::vector<ExEntry> t = shared_extable->entries;
    edit(t);
    return t;
  };
  const Target next{flags[vmx + 1].section, flags[vmx + 1].address};
  const std::vector<Case> cases = {
      {"entry dropped", edited([&](auto& t) { t.erase(t.begin() + k); }), {" has 0 entries"}},
      {"entry duplicated", edited([&](auto& t) { t.push_back(t[k]); }), {" has 2 entries"}},
      {"insn is the next instruction", edited([&](auto& t) { t[k].insn = next; }),
       {": insn points at non-VMX", " has 0 entries"}},
      {"insn between instructions", edited([&](auto& t) { t[k].insn.offset += 1; }),
       {": insn points at no instruction", " has 0 entries"}},
      {"fixup falls through", edited([&](auto& t) { t[k].fixup = next; }), {": fixup is on the success line"}},
      {"fixup in another function",
       edited([&](auto& t) {
         t[k].fixup = {flags[0].section, function("probe_vmxoff_flag_outputs").front().address};
       }),
       {": fixup is in probe_vmxoff_flag_outputs"}},
      {"another instruction's stub", edited([&](auto& t) { t[k].fixup = t[g == 0 ? 1 : 0].fixup; }),
       {": fixup stub does not jump back"}},
      {"stub entered past its cmp", edited([&](auto& t) { t[k].fixup.offset += 3; }), {": fixup stub at"}},
      {"label fixup on the success path",
       edited([&](auto& t) { t[g].fixup = {gotos[0].section, gotos[0].address}; }),
       {": fixup is on the success line"}},
      {"type 0", edited([&](auto& t) { t[k].type = 0; }), {": type 0, not 1"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const ExTableReport report = check_extable(objects(), c.entries);
    ASSERT_EQ(report.problems.size(), c.expected.size()) << (report.problems.empty() ? "" : report.problems[0]);
    for (size_t i = 0; i < c.expected.size(); ++i)
      EXPECT_NE(report.problems[i].find(c.expected[i]), std::string::npos) << report.problems[i];
  }
}

// The fault path costs nothing on success: the flag strategies compile to the
// very same instructions as without it, and a goto fault label leaves the
// success line (entry, VMX instruction, fall-through, ret) as it was.
TEST_F(OpcodeTest, FaultPathLeavesTheTimedPathUnchanged) {
  size_t probes = 0;
  for (const auto& [name, insns] : *shared_disassembly) {
    if (name.rfind("probe_", 0) != 0) continue;
    SCOPED_TRACE(name);
    ++probes;
    const auto other = shared_no_fault_disassembly->find(name);
    ASSERT_NE(other, shared_no_fault_disassembly->end()) << "missing from " << kNoFaultObject;
    const std::string diff = compare_code(insns, other->second, fault_path_is_a_label(name));
    EXPECT_TRUE(diff.empty()) << diff;
  }
  EXPECT_EQ(probes, kProbeVmxInstructions);
}

// The comparison must be able to fail: an instruction inserted after the VMX
// instruction is reported for both kinds of strategy; one appended after the
// ret only where the whole function must be equal.
TEST_F(OpcodeTest, CodeComparisonRejectsAnExtraInstruction) {
  const auto& base = shared_no_fault_disassembly->at("probe_vmxon_asm_goto");
  const size_t vmx = first_vmx(base);
  ASSERT_LT(vmx + 1, base.size());
  ASSERT_EQ(compare_code(base, base, false), "");
  Insn extra = base[vmx + 1];
  extra.mnemonic = "lea";
  extra.operands = "0x0(%rax),%rax";
  std::vector<Insn> inserted = base, appended = base;
  inserted.insert(inserted.begin() + vmx + 1, extra);
  appended.push_back(extra);
  EXPECT_NE(compare_code(inserted, base, false).find("instructions with the fault path"), std::string::npos);
  EXPECT_NE(compare_code(inserted, base, true).find("success lines of"), std::string::npos);
  EXPECT_NE(compare_code(appended, base, false).find("instructions with the fault path"), std::string::npos);
  EXPECT_EQ(compare_code(appended, base, true), "");
}

}  // namespace
