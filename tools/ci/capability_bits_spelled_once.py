#!/usr/bin/env python3
"""Fails if a capability bit number is spelled outside primitives/.

Every VMX capability bit, CPUID feature bit and CR0/CR4 bit the project uses
has one named handle in primitives/ (vmx_capabilities.h, vmx_controls.h,
cpuid_bits.h, control_registers.h, inv_types.h). Everything else uses the
handle, so this test greps every C, C++, header and shell source outside
primitives/ for the ways a bit number gets spelled:

  bit(25)  bit_set(v, 48)  bit_range(43, 40)  (v >> 31) & 1  & (1u << 31)
  raw MSR indices 0x3A, 0x480..0x49F
  in string literals: "IA32_VMX_EPT_VPID_CAP[20]", "IA32_VMX_BASIC bit 48",
  "CPUID.1:ECX.VMX[5]", "CR4.VMXE (bit 13)", "... (bits 6, 7)"

Comments are not searched: they cite the SDM ("IA32_VMX_BASIC[55] = 1 ...")
to explain why, which is what comments are for. Test sources (tests/
directories, *_test.*) are not searched either: they check the handles
against the SDM's numbers, written independently on purpose.

A hit is reported as file:line: text. Known hits in files being rewritten
elsewhere are listed in capability_bits_pending.txt with the reason; such an
entry matches one file and one exact text, and an entry that no longer
matches anything is itself an error (so the list only shrinks).

Usage: capability_bits_spelled_once.py [--root DIR] [--self-test]
Without --root, the repository is found from this file's real location (the
test is tagged so it is never cached: its inputs are the whole tree).
"""

import os
import re
import sys
import tempfile

SOURCE_EXTENSIONS = (".c", ".cc", ".cpp", ".h", ".hpp", ".sh")
SKIPPED_DIRS = {".git", "third_party", "primitives", "tests"}

CODE_PATTERNS = [
    ("bit(N)", re.compile(r"\bbit\(\s*\d+\s*\)")),
    ("bit_set(v, N)", re.compile(r"\bbit_set\([^;]*?,\s*\d+\s*\)")),
    ("bit_range(N, N)", re.compile(r"\bbit_range\(\s*\d+\s*,\s*\d+\s*\)")),
    ("(v >> N) & 1", re.compile(r">>\s*\d+\s*\)\s*&\s*(?:0x)?1\b")),
    ("& (1 << N)", re.compile(r"[&|]=?\s*\(?\s*(?:1[uUlL]*|u64\{1\}|u32\{1\})\s*<<\s*\d+")),
    ("raw MSR index", re.compile(r"\b0x(?:3[aA]|4[89][0-9a-fA-F])[uUlL]*\b")),
]
STRING_PATTERNS = [
    ("MSR[N] in a message", re.compile(r"IA32_\w+\s*\[\s*\d+")),
    ("CPUID bit in a message", re.compile(r"CPUID\.[0-9A-Fa-f]+[hH]?:E[A-D]X(?:\.\w+)?\[(?:bit )?\d+")),
    ("bit N in a message", re.compile(r"\bbits? \d+")),
]

STRING_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def strip_c_comments(text):
    """Blanks // and /* */ comments outside string and char literals, keeping lines."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_shell_comments(text):
    lines = []
    for line in text.split("\n"):
        lines.append(re.sub(r"(^|\s)#.*$", r"\1", line) if not line.startswith("#!") else "")
    return "\n".join(lines)


def is_shell_script(path):
    try:
        with open(path, "rb") as f:
            first = f.readline(100)
    except OSError:
        return False
    return first.startswith(b"#!") and b"sh" in first


def sources(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("bazel-"))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            stem = os.path.splitext(name)[0]
            if stem.endswith("_test"):
                continue
            if name.endswith(SOURCE_EXTENSIONS) or ("." not in name and is_shell_script(path)):
                yield path


def hits_in(path, text):
    shell = path.endswith(".sh") or "." not in os.path.basename(path)
    code = strip_shell_comments(text) if shell else strip_c_comments(text)
    for number, line in enumerate(code.split("\n"), 1):
        for what, pattern in CODE_PATTERNS:
            for m in pattern.finditer(line):
                yield number, what, m.group(0)
        for literal in STRING_LITERAL.finditer(line):
            for what, pattern in STRING_PATTERNS:
                for m in pattern.finditer(literal.group(0)):
                    yield number, what, m.group(0)


def load_pending(path):
    """Lines `file<TAB>exact text<TAB>why`; '#' starts a comment line."""
    entries = []
    if not os.path.exists(path):
        return entries
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[2].strip():
                raise SystemExit(f"{path}:{n}: want file<TAB>text<TAB>why, got {line!r}")
            entries.append((parts[0], parts[1], n))
    return entries


def scan(root, pending):
    """Returns (hits not pending, pending entries that matched nothing)."""
    used = set()
    report = []
    for path in sources(root):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for number, what, snippet in hits_in(path, text):
            match = [e for e in pending if e[0] == rel and e[1] == snippet]
            if match:
                used.update(e[2] for e in match)
                continue
            report.append(f"{rel}:{number}: {what}: {snippet}")
    unused = [e for e in pending if e[2] not in used]
    return report, unused


def self_test():
    """Negative control: planted raw bits are found, handles and comments are not."""
    planted = {
        "src/planted.cc": [
            ("  if (caps.ept_vpid_cap & (1ull << 25)) return true;", True),
            ("  const u64 m = bit(20);", True),
            ("  if (bit_set(v, 48)) fail();", True),
            ("  const bool vmx = (ecx >> 5) & 1;", True),
            ('  return "INVEPT not advertised (IA32_VMX_EPT_VPID_CAP[20])";', True),
            ('  why = "needs IA32_VMX_EPT_VPID_CAP bits 32/41";', True),
            ('  why = "CPUID.1:ECX.VMX[bit 5] = 0";', True),
            ("  rdmsr(0x48C, &v);", True),
            ("  const u64 m = ept_vpid_cap::kInveptSingleContext.mask();  // IA32_VMX_EPT_VPID_CAP[25]", False),
            ("  /* bit(20) in a comment */ const u32 n = count << 2;", False),
            ('  const char* s = "ticks: 100 samples";', False),
        ],
        "src/planted.sh": [
            ("test $((caps & (1 << 20))) -ne 0", True),
            ("# bit(20) in a shell comment", False),
        ],
        "primitives/handles.h": [("inline constexpr CapBit kInvept = cap(20, \"INVEPT supported\");", False)],
        "src/tests/handles_test.cc": [("EXPECT_EQ(kInvept.mask(), 1ull << 20);", False)],
    }
    failures = []
    with tempfile.TemporaryDirectory() as root:
        for rel, lines in planted.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as f:
                f.write("\n".join(text for text, _ in lines) + "\n")
        report, _ = scan(root, [])
        for rel, lines in planted.items():
            for number, (text, want) in enumerate(lines, 1):
                got = any(r.startswith(f"{rel}:{number}:") for r in report)
                if got != want:
                    failures.append(f"{rel}:{number}: {'missed' if want else 'false positive'}: {text}")
        # A pending entry silences exactly its hit, and a stale one is reported.
        pending = [("src/planted.cc", "bit(20)", 1), ("src/planted.cc", "bit(99)", 2)]
        report2, unused = scan(root, pending)
        if any(r.startswith("src/planted.cc:2:") for r in report2):
            failures.append("a pending entry did not silence its hit")
        if [e[2] for e in unused] != [2]:
            failures.append(f"the stale pending entry was not reported: {unused}")
    return failures


def main(argv):
    here = os.path.dirname(os.path.realpath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    if "--root" in argv:
        root = argv[argv.index("--root") + 1]
    if "--self-test" in argv or "--root" not in argv:
        failures = self_test()
        if failures:
            print("the checker itself is broken (negative control):")
            print("\n".join("  " + f for f in failures))
            return 1
        print("negative control: every planted bit number found, no false positive")
        if "--self-test" in argv:
            return 0
    if not os.path.isdir(os.path.join(root, "primitives")):
        print(f"{root} is not the repository (no primitives/)")
        return 1
    pending = load_pending(os.path.join(here, "capability_bits_pending.txt"))
    report, unused = scan(root, pending)
    for e in unused:
        report.append(f"tools/ci/capability_bits_pending.txt:{e[2]}: matches nothing any more: {e[0]} {e[1]!r}")
    if report:
        print("capability bit numbers spelled outside primitives/ (use the handles there):")
        print("\n".join("  " + r for r in report))
        return 1
    print(f"no capability bit number spelled outside primitives/ ({len(pending)} pending entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
