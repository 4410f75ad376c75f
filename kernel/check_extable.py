#!/usr/bin/env python3
"""Checks that every VMX instruction in a built module has an exception-table entry.

    kernel/check_extable.py MODULE.ko

A VMX instruction that faults (#UD, #GP) without an entry oopses with
interrupts off and locks held; the wrappers in primitives/capture.h give each
one an entry (primitives/extable.h). This reads the module's disassembly and
the relocations of its __ex_table section (a .ko is relocatable: each entry's
first word is an R_X86_64_PC32 relocation against the instruction's section)
and names every VMX instruction no entry points at, except the guest
programs' VMCALL/VMFUNC (GUEST_ONLY_MNEMONICS below).

Exit: 0 all covered (one summary line), 1 some are not (one line each), 2 usage
or a tool failed.
"""
import re
import subprocess
import sys

VMX_MNEMONICS = {
    "vmxon", "vmxoff", "vmclear", "vmptrld", "vmptrst", "vmread", "vmwrite", "invept",
    "invvpid", "vmcall", "vmfunc", "vmlaunch", "vmresume",
}
ENTRY_SIZE = 12  # primitives/extable.h: insn, fixup, type

# The guest programs (core/guest/guest_programs.h, run_program<TscEnd>) run
# only in VMX non-root operation, where VMCALL always causes a VM exit
# (SDM 26.1.2) and VMFUNC performs its function or exits (26.5.6.3): neither
# can fault there, and the guest has no exception table anyway (every guest
# exception is a VM exit). Exactly these mnemonics in exactly these functions
# need no entry; anything else does.
GUEST_ONLY_MNEMONICS = {"vmcall", "vmfunc"}
GUEST_PROGRAM_SECTION = re.compile(r"^\.text\._ZN4vmxb4core5guest6detail11run_program")


def run(*cmd):
    try:
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"check_extable: {' '.join(cmd)} failed: {e}")


def vmx_instructions(ko):
    """(section, offset, text) of every VMX instruction."""
    found, section = [], None
    for line in run("objdump", "-d", "--no-show-raw-insn", ko).splitlines():
        m = re.match(r"^Disassembly of section (\S+):$", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^\s*([0-9a-f]+):\s+(\S+)", line)
        if m and section and m.group(2) in VMX_MNEMONICS:
            found.append((section, int(m.group(1), 16), m.group(2), line.strip()))
    return found


def extable_targets(ko):
    """(section, offset) each entry's insn word points at."""
    targets, in_table = set(), False
    for line in run("readelf", "-rW", ko).splitlines():
        if line.startswith("Relocation section"):
            in_table = "'.rela__ex_table'" in line
            continue
        if not in_table:
            continue
        m = re.match(r"^([0-9a-f]+)\s+[0-9a-f]+\s+R_X86_64_PC32\s+([0-9a-f]+)\s+(\S+)\s*([+-])\s*([0-9a-f]+)", line)
        if not m or int(m.group(1), 16) % ENTRY_SIZE != 0:
            continue  # the fixup word, or not a relocation line
        value, symbol = int(m.group(2), 16), m.group(3)
        addend = int(m.group(5), 16) * (1 if m.group(4) == "+" else -1)
        targets.add((symbol, value + addend))
    return targets


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    ko = sys.argv[1]
    insns, targets = vmx_instructions(ko), extable_targets(ko)
    uncovered = [i for i in insns if (i[0], i[1]) not in targets]
    guest_only = [i for i in uncovered if i[2] in GUEST_ONLY_MNEMONICS and GUEST_PROGRAM_SECTION.match(i[0])]
    missing = [i for i in uncovered if i not in guest_only]
    for section, offset, _, text in missing:
        print(f"no exception-table entry for {section}+{offset:#x}: {text}")
    if not insns:
        print(f"no VMX instruction found in {ko}")
        return 1
    print(f"{len(insns)} VMX instructions, {len(insns) - len(uncovered)} with an exception-table entry, "
          f"{len(guest_only)} VMCALL/VMFUNC in the guest programs (non-root only: they exit, never fault)")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
