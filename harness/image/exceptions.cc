#include "harness/image/exceptions.h"

#include "harness/image/arch.h"
#include "harness/image/serial.h"

#include "primitives/extable.h"

extern "C" const vmxb::u64 exception_stubs[32];
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
  for (int v = 0; v < 32; ++v) {
    const u64 addr = exception_stubs[v];
    idt[v] = {static_cast<u16>(addr), 0x08, 0, 0x8E /* present, ring 0, interrupt gate */,
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
    // Inside vmxb_try: resume there with the vector as its return value.
    frame->rip = try_resume;
    frame->rsp = try_rsp;
    frame->rax = frame->vector;
    try_resume = 0;
    return;
  }
  Line("EXCEPTION vector=").dec(frame->vector).text(" rip=").hex16(frame->rip).text(" error=").hex16(frame->error).end();
  finish(false, "unexpected exception");
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
