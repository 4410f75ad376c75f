// Operands VMX instructions must reject before they do anything (Vol. 3C
// 31.3, each instruction's "Operation" and "64-Bit Mode Exceptions"):
//   #UD for a LOCK prefix (Vol. 2A LOCK: #UD on any instruction not in its
//   list of read-modify-write instructions) and for a register where the
//   instruction takes memory (VMXON, VMCLEAR, VMPTRLD, VMPTRST: "IF
//   (register operand) ... THEN #UD");
//   #GP(0) for a non-canonical memory operand, #SS(0) for one in the SS
//   segment, #PF for one no page maps.
// They run in VMX root operation with a current VMCS, where the well-formed
// instruction would succeed.
#include "semantics/cases.h"
#include "semantics/linear_address.h"

namespace vmxb::semantics {
namespace {

// Non-canonical with 48- and with 57-bit linear addresses alike, and so is
// anything within 2^47 of it.
constexpr u64 kNonCanonicalOperand = 0x8000'0000'0000'0000;
constexpr u64 kFrameSlack = 0x4000'0000'0000;  // 2^46
static_assert(!is_canonical(kNonCanonicalOperand, 48) && !is_canonical(kNonCanonicalOperand, 57));
static_assert(!is_canonical(kNonCanonicalOperand - kFrameSlack, 57) &&
              !is_canonical(kNonCanonicalOperand + kFrameSlack, 57));

// Register-operand forms, as bytes: the assembler has no such forms. ModRM
// C0H | reg << 3 with rm = 0 (EAX); /6 is VMXON (F3), VMCLEAR (66) and
// VMPTRLD (no prefix), /7 is VMPTRST (31.3, opcode column).
struct RegisterForm {
  const char* name;
  bool other_instruction;  // the bytes are another instruction on this CPU
  const char* other_reason;
};

// One function per encoding, like the wrappers in primitives/instructions.h:
// clang 14 rejects the capture macro's asm goto inside a lambda in a switch.
// `scratch`: an instruction decoded instead (RDRAND, ...) writes EAX.
template <CaptureStrategy S>
VmResult register_form_0(u64& scratch) {
  return VMXB_CAPTURE(S, ".byte 0xf3, 0x0f, 0xc7, 0xf0", ([s] "=a"(scratch)), ());
}
template <CaptureStrategy S>
VmResult register_form_1(u64& scratch) {
  return VMXB_CAPTURE(S, ".byte 0x66, 0x0f, 0xc7, 0xf0", ([s] "=a"(scratch)), ());
}
template <CaptureStrategy S>
VmResult register_form_2(u64& scratch) {
  return VMXB_CAPTURE(S, ".byte 0x0f, 0xc7, 0xf0", ([s] "=a"(scratch)), ());
}
template <CaptureStrategy S>
VmResult register_form_3(u64& scratch) {
  return VMXB_CAPTURE(S, ".byte 0x0f, 0xc7, 0xf8", ([s] "=a"(scratch)), ());
}

template <CaptureStrategy S>
Observation register_form(int which) {
  u64 scratch = 0;
  switch (which) {
    case 0: return observe<S>([&] { return register_form_0<S>(scratch); });
    case 1: return observe<S>([&] { return register_form_1<S>(scratch); });
    case 2: return observe<S>([&] { return register_form_2<S>(scratch); });
    default: return observe<S>([&] { return register_form_3<S>(scratch); });
  }
}

void register_forms(CaseContext& c) {
  const Environment& env = *c.env;
  const RegisterForm forms[] = {
      {"vmxon_register_operand_ud", env.senduipi, "F3 0F C7 /6 with a register operand is SENDUIPI on this CPU"},
      {"vmclear_register_operand_ud", env.rdrand, "66 0F C7 /6 with a register operand is RDRAND on this CPU"},
      {"vmptrld_register_operand_ud", env.rdrand, "0F C7 /6 with a register operand is RDRAND on this CPU"},
      {"vmptrst_register_operand_ud", env.rdseed, "0F C7 /7 with a register operand is RDSEED on this CPU"},
  };
  for (int i = 0; i < static_cast<int>(array_size(forms)); ++i) {
    if (forms[i].other_instruction) c.suite->skip(forms[i].name, forms[i].other_reason);
    else c.suite->check(forms[i].name, ud(), [=]<CaptureStrategy S> { return register_form<S>(i); });
  }
}

void lock_prefix(Suite& t) {
  t.check("vmptrst_lock_prefix_ud", ud(), []<CaptureStrategy S> {
    u64 pa = 0;
    return observe<S>([&] { return VMXB_CAPTURE(S, ".byte 0xf0\n\tvmptrst %[pa]", ([pa] "=m"(pa)), ()); });
  });
  t.check("vmread_lock_prefix_ud", ud(), []<CaptureStrategy S> {
    u64 value = 0;
    const u64 field = vmcs::kGuestRip.kEncoding;
    return observe<S>([&] {
      return VMXB_CAPTURE(S, ".byte 0xf0\n\tvmread %[field], %[value]", ([value] "=r"(value)), ([field] "r"(field)));
    });
  });
}

// VMPTRLD reads its 64-bit operand at `address`: in the DS segment, or in the
// SS segment through an RSP base (an RSP or RBP base selects SS, Vol. 1
// "Default Segment Selection Rules"), rather than through an SS override
// prefix, which 64-bit mode treats as a null prefix (Bochs 2.7 then raises
// #GP). Near `address` is enough for a non-canonical one: RSP may move
// between the read and VMPTRLD only by a frame, far less than 2^46.
template <CaptureStrategy S>
Observation vmptrld_at(u64 address) {
  return observe<S>([&] { return VMXB_CAPTURE(S, "vmptrld (%[p])", (), ([p] "r"(address))); });
}
template <CaptureStrategy S>
Observation vmptrld_at_stack(u64 address) {
  return observe<S>([&] {
    u64 rsp;
    asm volatile("mov %%rsp, %0" : "=r"(rsp));
    const u64 from_rsp = address - rsp;
    return VMXB_CAPTURE(S, "vmptrld (%%rsp, %[i], 1)", (), ([i] "r"(from_rsp)));
  });
}

void bad_memory_operands(CaseContext& c) {
  Suite& t = *c.suite;
  t.check("vmptrld_noncanonical_operand_gp", Observation{exception_vector::kGeneralProtection},
          []<CaptureStrategy S> { return vmptrld_at<S>(kNonCanonicalOperand); });
  t.check("vmptrld_noncanonical_stack_operand_ss", Observation{exception_vector::kStackFault},
          []<CaptureStrategy S> { return vmptrld_at_stack<S>(kNonCanonicalOperand); });
  const u64 unmapped = c.env->unmapped_address;
  if (unmapped == 0) t.skip("vmptrld_unmapped_operand_pf", "the host names no unmapped address");
  else
    t.check("vmptrld_unmapped_operand_pf", Observation{exception_vector::kPageFault},
            [=]<CaptureStrategy S> { return vmptrld_at<S>(unmapped); });
}

}  // namespace

void operand_faults(CaseContext& c) {
  register_forms(c);
  lock_prefix(*c.suite);
  bad_memory_operands(c);
}

}  // namespace vmxb::semantics
