// Disassembles the ring-0 build of every wrapper (primitives/ring0_build_check.o,
// built from opcode_probe.cc) and checks, per wrapper and capture strategy:
//   1. the function contains its VMX instruction with the right operand form;
//   2. between that instruction and the first instruction reading CF/ZF
//      (setcc/jcc/cmovcc/pushf) only instructions that leave RFLAGS alone
//      appear. The separate-pushf strategy (x86_vcpu) is exempt by design.
// The probe also holds a negative control per strategy, an ADD inserted in
// the asm between VMCLEAR and the capture, which the checker must reject.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace {

struct Insn {
  std::string mnemonic;
  std::string operands;
  std::string text;
};

using Disassembly = std::map<std::string, std::vector<Insn>>;

constexpr char kObject[] = "primitives/ring0_build_check.o";

Disassembly disassemble(const std::string& path) {
  const std::string cmd = "objdump -d --no-show-raw-insn -M att-mnemonic " + path + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  Disassembly out;
  if (!pipe) return out;
  static const std::regex function_re(R"(^[0-9a-f]+ <([^>]+)>:$)");
  static const std::regex insn_re(R"(^\s*[0-9a-f]+:\s+(\S+)\s*(.*?)\s*$)");
  std::vector<Insn>* current = nullptr;
  std::array<char, 512> buf;
  while (fgets(buf.data(), buf.size(), pipe.get()) != nullptr) {
    std::string line(buf.data());
    if (!line.empty() && line.back() == '\n') line.pop_back();
    std::smatch m;
    if (std::regex_match(line, m, function_re)) {
      current = &out[m[1]];
    } else if (current != nullptr && std::regex_match(line, m, insn_re)) {
      current->push_back({m[1], m[2], line});
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

const char* const kSameAsmStrategies[] = {"pushf_in_asm", "flag_outputs", "asm_goto"};

class OpcodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { disassembly_ = new Disassembly(disassemble(kObject)); }
  static const std::vector<Insn>& function(const std::string& name) {
    static const std::vector<Insn> empty;
    auto it = disassembly_->find(name);
    return it == disassembly_->end() ? empty : it->second;
  }
  static Disassembly* disassembly_;
};
Disassembly* OpcodeTest::disassembly_ = nullptr;

TEST_F(OpcodeTest, ObjectDisassembles) {
  ASSERT_FALSE(disassembly_->empty()) << "objdump produced nothing for " << kObject;
}

TEST_F(OpcodeTest, EveryWrapperHasItsInstructionAndOperandForm) {
  for (const char* strategy : {"separate_pushf", "pushf_in_asm", "flag_outputs", "asm_goto"}) {
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
  for (const char* strategy : kSameAsmStrategies) {
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
  for (const char* strategy : kSameAsmStrategies) {
    const std::string name = std::string("probe_negative_control_") + strategy;
    SCOPED_TRACE(name);
    const CaptureCheck check = check_capture(function(name), "vmclear");
    ASSERT_TRUE(check.found_vmx);
    ASSERT_EQ(check.intruders.size(), 1u);
    EXPECT_NE(check.intruders[0].find("add"), std::string::npos) << check.intruders[0];
  }
}

}  // namespace
