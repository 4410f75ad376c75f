/* Exception-table entries for the VMX wrappers' fault paths (ring-0 builds).
 *
 * Valid C and C++: the kernel module's C glue includes it to check, against
 * the kernel's own <asm/extable.h>, that this layout is the kernel's
 * (kernel/module/platform.c static_asserts it); the boot image's exception
 * handler searches the same table (harness/image/exceptions.cc).
 *
 * One entry is three 32-bit words, each relative to its own address, the
 * layout of Linux's struct exception_table_entry since 5.16 (insn, fixup,
 * data = fixup type). Type 1 is EX_TYPE_DEFAULT: resume at `fixup`. A faulting
 * instruction listed here resumes at its fixup label instead of oopsing, as
 * KVM's vmx_ops.h does for every VMX instruction.
 */
#ifndef VMXB_PRIMITIVES_EXTABLE_H
#define VMXB_PRIMITIVES_EXTABLE_H

#define VMXB_EXTABLE_TYPE_DEFAULT 1
#define VMXB_EXTABLE_ENTRY_SIZE 12

#define VMXB_EXTABLE_STR_IMPL(x) #x
#define VMXB_EXTABLE_STR(x) VMXB_EXTABLE_STR_IMPL(x)

/* Assembler text for one entry: `from` and `to` are asm label expressions. */
#define VMXB_EXTABLE_ENTRY(from, to)                      \
	"\n\t.pushsection __ex_table, \"a\"\n\t"          \
	".balign 4\n\t"                                   \
	".long (" from ") - .\n\t"                        \
	".long (" to ") - .\n\t"                          \
	".long " VMXB_EXTABLE_STR(VMXB_EXTABLE_TYPE_DEFAULT) "\n\t" \
	".popsection\n\t"

#ifdef __ASSEMBLER__
/* The same entry for assembly sources (core/guest/world_switch.S). */
.macro VMXB_EXTABLE from, to
	.pushsection __ex_table, "a"
	.balign 4
	.long (\from) - .
	.long (\to) - .
	.long VMXB_EXTABLE_TYPE_DEFAULT
	.popsection
.endm
#endif

#endif /* VMXB_PRIMITIVES_EXTABLE_H */
