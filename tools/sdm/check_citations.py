#!/usr/bin/env python3
"""Checks every SDM citation in the repository against SDM.md's table.

A citation is a section of the VMX chapters (24-31) or appendices (A-C) written
after "SDM", after "Vol. 3X", or first inside parentheses, e.g. "(24.7)",
"SDM 31.3", "Vol. 3D A.10", "(25.11.1, 25.11.3)". Each must be a row of the
table; a title quoted right after it must match the row's title; an appendix
cited with a volume must name Vol. 3D. Prints file:line: problem; exits 1 on
any problem, 2 on bad usage.

usage: check_citations.py SDM.md FILE...
"""
import re
import sys

SECTION = r"(?:2[4-9]|3[01])(?:\.\d+)+|(?:2[4-9]|3[01])(?=\s+\")|[ABC](?:\.\d+)+"
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
            if quoted.lower() != rows[sections[0]].lower():
                problems.append(f"{where}: {sections[0]} is \"{rows[sections[0]]}\", not \"{quoted}\"")
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
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
