// The caller's work in opcode_probe.cc's probe_branch_on_result_* functions:
// a NOP whose displacement says which side of the caller's branch it is on.
// opcode_probe.cc emits them, opcode_test.cc finds them in the disassembly.
#pragma once

#define VMXB_PROBE_SUCCESS_WORK 0x5cce55
#define VMXB_PROBE_VALID_WORK 0xfa11ed
#define VMXB_PROBE_OTHER_FAILURE_WORK 0xfa1170

#define VMXB_PROBE_STR(x) #x
// Assembler text of one marker, for extended asm (hence %%); `marker` is
// expanded before it is quoted.
#define VMXB_PROBE_WORK(marker) "nopl " VMXB_PROBE_STR(marker) "(%%rax)"
