#!/usr/bin/env python3
"""Tests you can find: every source file under sim/, model/ and app/ is named by a test.

A source file DIR/NAME.c is covered
  - by a CUnit file of its folder: tests/DIR/test_*.c (or one in a folder above or below
    it within tests/ROOM/) that includes DIR/NAME.h, names NAME.c, or calls a function
    NAME.c defines;
  - by a CLI section: a tests/cli/NN-TOPIC.sh whose "# Covers:" lines name DIR/NAME.c;
  - by an entry of tests/INDEX: "DIR/NAME.c  TEST  -- why", TEST being the test file
    (under tests/) that covers it.
Run by `make test`; a source file named by none fails it, as does an entry of tests/INDEX
that names a file that is not there.
    tests/check-index.py          check (one line when all is well)
    tests/check-index.py --list   print the whole index: each source file, how it is covered
"""
import glob
import os
import re
import sys

ROOMS = ("sim", "model", "app")


def sources():
    out = []
    for room in ROOMS:
        for d, _, files in os.walk(room):
            out += [os.path.join(d, f) for f in files if f.endswith(".c")]
    return sorted(out)


# A function defined (not static) at the start of a line: "TYPE name(ARGS)\n{".
FUNCTION = re.compile(r"^(?!static\b)(?!typedef\b)[A-Za-z_][\w \*]*?[\s\*](\w+)\s*\([^;{}]*\)\s*\{", re.M)


def functions(src):
    return sorted(set(FUNCTION.findall(open(src, encoding="utf-8").read())) - {"main"})


def related(test_dir, src_dir):
    """tests/DIR, a folder above it or below it, within the same room."""
    t = test_dir[len("tests/"):].split("/")
    s = src_dir.split("/")
    n = min(len(t), len(s))
    return t[0] == s[0] and t[:n] == s[:n]


def cunit_files():
    files = {}
    for path in sorted(glob.glob("tests/**/test_*.c", recursive=True)):
        files[path] = open(path, encoding="utf-8", errors="replace").read()
    return files


def cli_covers():
    covers = {}
    for path in sorted(glob.glob("tests/cli/[0-9]*.sh")):
        for line in open(path, encoding="utf-8"):
            m = re.match(r"#\s*Covers:\s*(.*)", line)
            if m:
                for src in m.group(1).split():
                    covers.setdefault(src, []).append(path)
    return covers


def index_entries(problems):
    entries = {}
    if not os.path.exists("tests/INDEX"):
        return entries
    for n, line in enumerate(open("tests/INDEX", encoding="utf-8"), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        words = text.split("--", 1)[0].split()
        if len(words) < 2:
            problems.append("tests/INDEX:%d: expected 'SOURCE TEST... -- why', got '%s'" % (n, text))
            continue
        src, tests = words[0], words[1:]
        if not os.path.isfile(src):
            problems.append("tests/INDEX:%d: %s: no such source file (moved or removed? update the entry)" % (n, src))
        for t in tests:
            if not os.path.isfile(t):
                problems.append("tests/INDEX:%d: %s: no such test file" % (n, t))
        entries.setdefault(src, []).extend(tests)
    return entries


def main():
    listing = "--list" in sys.argv[1:]
    problems = []
    cunit = cunit_files()
    cli = cli_covers()
    index = index_entries(problems)
    by = {"CUnit file of its folder": 0, "CLI section": 0, "tests/INDEX": 0}
    missing = []
    for src in sources():
        d, name = os.path.split(src)
        stem = src[:-2]
        names = [r'#include "%s\.h"' % re.escape(stem), r"\b%s\.c\b" % re.escape(name[:-2])]
        names += [r"\b%s\s*\(" % f for f in functions(src)]
        header = re.compile("|".join(names))
        how = []
        tests = [t for t, text in cunit.items() if related(os.path.dirname(t), d) and header.search(text)]
        if tests:
            how.append(("CUnit file of its folder", tests))
        if src in cli:
            how.append(("CLI section", cli[src]))
        if src in index:
            how.append(("tests/INDEX", index[src]))
        if not how:
            missing.append(src)
            if listing:
                print("%-44s NO TEST" % src)
            continue
        by[how[0][0]] += 1
        if listing:
            print("%-44s %s" % (src, "; ".join("%s (%s)" % (" ".join(t), k) for k, t in how)))
    for src in cli:
        if not os.path.isfile(src):
            problems.append("%s: '# Covers: %s': no such source file" % (" ".join(cli[src]), src))
    total = len(sources())
    for p in problems:
        print("check-index: " + p, file=sys.stderr)
    if missing:
        print("check-index: %d of %d source files are named by no test:" % (len(missing), total), file=sys.stderr)
        for src in missing:
            print("  " + src, file=sys.stderr)
        print("Give each a test: a CUnit file in tests/%s/ that includes its header, names it\n"
              "or calls one of its functions; a '# Covers: FILE' line in the tests/cli/ section\n"
              "that runs it; or a line 'FILE TEST... -- why' in tests/INDEX naming the test that\n"
              "covers it." % os.path.dirname(missing[0]), file=sys.stderr)
    if missing or problems:
        sys.exit(1)
    print("test index: %d source files, each named by a test: %s" % (
        total, ", ".join("%d by a %s" % (n, k) if k != "tests/INDEX" else "%d by tests/INDEX" % n
                         for k, n in by.items())))


if __name__ == "__main__":
    main()
