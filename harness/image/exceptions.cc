#include "harness/image/exceptions.h"

#include "harness/image/arch.h"
#include "harness/image/serial.h"

#include "primitives/extable.h"

extern "C" const vmxb::u64 vmxb_exception_stubs[32];
extern "C" vmxb::u64 try_resume;
extern "C" vmxb::u64 try_rsp;

namespace vmxb::image {
namespace {

struct [[gnu::packed]] IdtEntry {
  u16 offset_low;
  u16 selector;
  u8 ist;
  u8 type_attr;
  u16 offset_mid;
  u32 offset_high;
  u32 reserved;
};
static_assert(sizeof(IdtEntry) == 16);

struct [[gnu::packed]] IdtPointer {
  u16 limit;
  u64 base;
};

alignas(16) IdtEntry idt[32];

// Segment selectors (Vol. 3A 3.4.2); 0x08 and 0x10 are boot.S's, unchanged.
constexpr u16 kKernelCode = 0x08;
constexpr u16 kKernelData = 0x10;
constexpr u16 kUserCode = 0x18 | 3;
constexpr u16 kUserData = 0x20 | 3;
constexpr u16 kCompatibilityCode = 0x28;
constexpr u16 kTss = 0x30;

// Code and data descriptors (Vol. 3A 3.4.5): 4 GiB limit, present, with
// access byte 9A ring-0 code, 92 ring-0 data, FA ring-3 code, F2 ring-3 data
// and flags A (64-bit code) or C (32-bit code and data).
alignas(16) u64 g_gdt[8];
constexpr u64 kGdtKernelCode = 0x00AF9A000000FFFF;
constexpr u64 kGdtKernelData = 0x00CF92000000FFFF;
constexpr u64 kGdtUserCode = 0x00AFFA000000FFFF;
constexpr u64 kGdtUserData = 0x00CFF2000000FFFF;
constexpr u64 kGdtCompatibilityCode = 0x00CF9A000000FFFF;
constexpr u64 kTssAvailable64 = 0x89;  // present, ring 0, type 9 (Vol. 3A 8.2.3)

// The 64-bit TSS (Vol. 3A 8.7): only RSP0 is used, the stack an exception
// from CPL 3 switches to.
struct [[gnu::packed]] Tss64 {
  u32 reserved0;
  u64 rsp[3];
  u64 reserved1;
  u64 ist[7];
  u64 reserved2;
  u16 reserved3;
  u16 io_map_base;
};
static_assert(sizeof(Tss64) == 104);
alignas(16) Tss64 g_tss;
alignas(16) u8 g_cpl3_exception_stack[4096];
// The stack run_in_code_segment() gives its code (user-accessible like every page).
alignas(16) u8 g_code_segment_stack[4096];

struct [[gnu::packed]] GdtPointer {
  u16 limit;
  u64 base;
};

void install_gdt() {
  const u64 tss = reinterpret_cast<u64>(&g_tss);
  const u64 limit = sizeof(Tss64) - 1;
  g_tss.rsp[0] = reinterpret_cast<u64>(g_cpl3_exception_stack + sizeof(g_cpl3_exception_stack));
  g_tss.io_map_base = sizeof(Tss64);
  g_gdt[0] = 0;
  g_gdt[kKernelCode / 8] = kGdtKernelCode;
  g_gdt[kKernelData / 8] = kGdtKernelData;
  g_gdt[kUserCode / 8] = kGdtUserCode;
  g_gdt[kUserData / 8] = kGdtUserData;
  g_gdt[kCompatibilityCode / 8] = kGdtCompatibilityCode;
  g_gdt[kTss / 8] = (limit & 0xFFFF) | ((tss & 0xFFFFFF) << 16) | (kTssAvailable64 << 40) |
                    (((limit >> 16) & 0xF) << 48) | (((tss >> 24) & 0xFF) << 56);
  g_gdt[kTss / 8 + 1] = tss >> 32;
  const GdtPointer ptr{sizeof(g_gdt) - 1, reinterpret_cast<u64>(&g_gdt[0])};
  asm volatile("lgdt %0" : : "m"(ptr) : "memory");
  asm volatile("ltr %w0" : : "r"(kTss) : "memory");
}

// The VMX wrappers' exception table (primitives/extable.h), gathered by linker.ld.
struct ExtableEntry {
  i32 insn, fixup, type;  // each relative to its own address
};
static_assert(sizeof(ExtableEntry) == VMXB_EXTABLE_ENTRY_SIZE);

u64 target(const i32& field) { return reinterpret_cast<u64>(&field) + static_cast<i64>(field); }

int g_fixup_vector = kNoFault;

}  // namespace

extern "C" const ExtableEntry __start___ex_table[];
extern "C" const ExtableEntry __stop___ex_table[];

int take_fixup_vector() {
  const int v = g_fixup_vector;
  g_fixup_vector = kNoFault;
  return v;
}

// Layout pushed by entry.S exception_common (lowest address first).
struct ExceptionFrame {
  u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  u64 vector, error, rip, cs, rflags, rsp, ss;
};

void install_idt() {
  install_gdt();
  for (int v = 0; v < 32; ++v) {
    const u64 addr = vmxb_exception_stubs[v];
    idt[v] = {static_cast<u16>(addr), kKernelCode, 0, 0x8E /* present, ring 0, interrupt gate */,
              static_cast<u16>(addr >> 16), static_cast<u32>(addr >> 32), 0};
  }
  const IdtPointer ptr{sizeof(idt) - 1, reinterpret_cast<u64>(&idt[0])};
  asm volatile("lidt %0" : : "m"(ptr));
}

extern "C" void exception_dispatch(ExceptionFrame* frame) {
  // A wrapper's own fixup comes first, as in the kernel (fixup_exception).
  for (const ExtableEntry* e = __start___ex_table; e < __stop___ex_table; ++e) {
    if (target(e->insn) == frame->rip && e->type == VMXB_EXTABLE_TYPE_DEFAULT) {
      g_fixup_vector = static_cast<int>(frame->vector);
      frame->rip = target(e->fixup);
      return;
    }
  }
  if (try_resume != 0) {
    // Inside vmxb_try: resume there with the vector as its return value, in
    // 64-bit ring 0 whatever code segment raised it (run_in_code_segment).
    frame->rip = try_resume;
    frame->rsp = try_rsp;
    frame->cs = kKernelCode;
    frame->ss = kKernelData;
    frame->rax = frame->vector;
    try_resume = 0;
    return;
  }
  Line("EXCEPTION vector=").dec(frame->vector).text(" rip=").hex16(frame->rip).text(" error=").hex16(frame->error).end();
  finish(false, "unexpected exception");
}

int run_in_code_segment(void (*code)(), CodeSegment segment) {
  const bool cpl3 = segment == CodeSegment::kCpl3;
  const u64 cs = cpl3 ? kUserCode : kCompatibilityCode;
  const u64 ss = cpl3 ? kUserData : kKernelData;
  const u64 rsp = reinterpret_cast<u64>(g_code_segment_stack + sizeof(g_code_segment_stack));
  const int vector = try_call([&] { vmxb_enter_segment(code, cs, ss, rsp); });
  // IRET to CPL 3 leaves DS and ES null (Vol. 2A IRET); ring 0 gets them back.
  asm volatile("mov %0, %%ds\n\tmov %0, %%es" : : "r"(u32{kKernelData}) : "memory");
  return vector;
}

bool rdmsr_safe(u32 index, u64* value) {
  u64 v = 0;
  const int fault = try_call([&] { v = rdmsr_unchecked(index); });
  if (fault != kNoFault) return false;
  *value = v;
  return true;
}

bool wrmsr_safe(u32 index, u64 value) {
  return try_call([&] { wrmsr_unchecked(index, value); }) == kNoFault;
}

void finish(bool ok, const char* reason) {
  Line line("END status=");
  line.text(ok ? "ok" : "error");
  if (reason != nullptr && *reason != '\0') line.ch(' ').text(reason);
  line.end();
  serial_drain();
  // Bochs: magic breakpoint, answered by the debugger script with `quit`.
  asm volatile("xchg %%bx, %%bx" : : : "memory");
  // QEMU with isa-debug-exit (iobase 0xf4): exit status (0x10 << 1) | 1 = 33.
  outb(0xF4, 0x10);
  for (;;) asm volatile("cli; hlt");
}

}  // namespace vmxb::image
