#!/usr/bin/env python3
"""Checks every SDM citation in the repository against SDM.md's table.

A citation is a section of the VMX chapters (24-31) or appendices (A-C) written
after "SDM", after "Vol. 3X", or first inside parentheses, e.g. "(24.7)",
"SDM 31.3", "Vol. 3D A.10", "(25.11.1, 25.11.3)". Each must be a row of the
table; a title quoted right after it must match the row's title; an appendix
cited with a volume must name Vol. 3D. Prints file:line: problem; exits 1 on
any problem, 2 on bad usage.

usage: check_citations.py [SDM.md FILE...]
Without arguments: the negative control, then every project source (C, C++,
assembly, shell, Python, Markdown; not third_party/ or testdata/) below the
repository this script lives in.
"""
import os
import re
import sys

SECTION = r"(?:2[0-9]|3[0-5])(?:\.\d+)+|(?:2[0-9]|3[0-5])(?=\s+\")|[ABC](?:\.\d+)+"
# After "SDM" or a volume, or opening a parenthesis; then a list "x, y".
CITATION = re.compile(
    r"(?P<lead>SDM(?:\s+Vol\.\s*3[A-D])?[ ,]+|Vol\.\s*(?P<vol>3[A-D])[ ,]+|\()"
    r"(?P<list>(?:" + SECTION + r")(?:\s*(?:,|and|/)\s*(?:" + SECTION + r"))*)"
    r"(?P<title>\s+\"[^\"]+\")?")


def load_table(path):
    rows = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^\|\s*([0-9A-C][0-9.]*)\s*\|\s*(.+?)\s*\|\s*$", line)
        if m and m.group(1) != "section":
            rows[m.group(1)] = m.group(2)
    return rows


def check_line(rows, where, line):
    problems = []
    for m in CITATION.finditer(line):
        sections = re.findall(SECTION, m.group("list"))
        for s in sections:
            if s not in rows:
                problems.append(f"{where}: section {s} is not in SDM.md's table for the pinned edition")
        vol = m.group("vol")
        if vol and vol != "3D" and any(s[0] in "ABC" for s in sections):
            problems.append(f"{where}: appendix {sections[0]} cited in Vol. {vol}; the appendices are Vol. 3D")
        title = m.group("title")
        if title and len(sections) == 1 and sections[0] in rows:
            quoted = title.strip().strip('"')
            full = rows[sections[0]]
            short = re.sub(r"\s*\([^)]*\)$", "", full)
            if quoted.lower() not in (full.lower(), short.lower()):
                problems.append(f"{where}: {sections[0]} is \"{rows[sections[0]]}\", not \"{quoted}\"")
    for m in re.finditer(r"Vol\.\s*(3[ABC]),?\s+Appendix", line):
        problems.append(f"{where}: an appendix cited in Vol. {m.group(1)}; the appendices are Vol. 3D")
    return problems


SUFFIXES = (".h", ".cc", ".c", ".S", ".sh", ".py", ".md", ".bzl")
SKIPPED_DIRS = {".git", "third_party", "testdata", "bazel-out"}


def project_files(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("bazel-"))
        for f in sorted(filenames):
            path = os.path.join(dirpath, f)
            # This file plants bad citations on purpose (self_test).
            if f.endswith(SUFFIXES) and os.path.realpath(path) != os.path.realpath(__file__):
                yield path


def self_test(rows):
    """Planted citations: each bad one must be reported, each good one not."""
    bad = ['// (23.8 "Restrictions on VMX Operation")', "// SDM 28.2.1.1", "// Vol. 3C A.10",
           '// (24.7 "Restrictions on VMX Operation")', "// see Vol. 3C Appendix A"]
    good = ['// (24.8 "Restrictions on VMX Operation")', "// SDM 31.3", "// Vol. 3D A.10",
            "// (25.11.1, 25.11.3)", "// median 29.0115 (1.5)", '// (25.6.11 "Extended-Page-Table Pointer")']
    failures = [f"not reported: {t}" for t in bad if not check_line(rows, "planted", t)]
    failures += [f"reported: {t}: {check_line(rows, 'planted', t)}" for t in good if check_line(rows, "planted", t)]
    return failures


def main(argv):
    if len(argv) == 1:
        root = os.path.normpath(os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", ".."))
        table = os.path.join(root, "SDM.md")
        if not os.path.isfile(table):
            print(f"{root} is not the repository (no SDM.md)", file=sys.stderr)
            return 2
        failures = self_test(load_table(table))
        if failures:
            print("the checker itself is broken (negative control):\n  " + "\n  ".join(failures))
            return 1
        print("negative control: every planted bad citation reported, no good one")
        os.chdir(root)
        argv = [argv[0], "SDM.md"] + [os.path.relpath(p, root) for p in project_files(root)]
    if len(argv) < 3:
        print("usage: check_citations.py [SDM.md FILE...]", file=sys.stderr)
        return 2
    rows = load_table(argv[1])
    if len(rows) < 10:
        print(f"{argv[1]}: no section table found", file=sys.stderr)
        return 2
    problems = []
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    problems += check_line(rows, f"{path}:{n}", line)
        except UnicodeDecodeError:
            continue
    for p in problems:
        print(p)
    print(f"{len(argv) - 2} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
