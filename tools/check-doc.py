#!/usr/bin/env python3
"""Checks that the names a document writes in backquotes exist in the code.

    /usr/bin/python3 tools/check-doc.py docs/architecture.md [more.md ...]

Run from anywhere in the repository. For every `span` of the document:

  - a test, `FILE::NAME` (FILE as a path below): FILE exists and defines
    NAME (a C function or a Python def);
  - a path, a span with a '/' or ending in a known extension (.c .h .sh .py
    .md .sql .json): it exists, looked up from the repository root, then
    under src/, tests/unit/, tests/integration/ (a trailing '/' names a
    directory; a span with a space, '*' or NNNN is not a path, and one
    starting with '/' is a route or a URL, not checked);
  - a name, `name()` or a C identifier with an underscore (`store_put`,
    `IS_ERR_GONE`, `struct store_report`): it occurs as a whole word in a
    file under src/, tests/, tools/, scripts/ or bench/.

Other spans (options, literals, SQL, prose in code font) are not checked.
Prints each missing name with its line and exits 1; exits 0 when all exist.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOOKUP = ["", "src", "tests/unit", "tests/integration"]
CODE_DIRS = ["src", "tests", "tools", "scripts", "bench"]
CODE_EXT = (".c", ".h", ".py", ".sh", ".sql", ".build")
PATH_EXT = (".c", ".h", ".sh", ".py", ".md", ".sql", ".json")

IDENT = re.compile(r"^(?:struct |enum )?([A-Za-z_][A-Za-z0-9_]*)(?:\(\))?$")
TEST = re.compile(r"^([A-Za-z0-9_./-]+)::([A-Za-z_][A-Za-z0-9_]*)$")


def corpus():
    """Every source file's text, concatenated (a few MB at most)."""
    parts = []
    for d in CODE_DIRS:
        for dirpath, dirnames, files in os.walk(os.path.join(ROOT, d)):
            dirnames[:] = [n for n in dirnames if not n.startswith(".")
                           and n not in ("node_modules", "__pycache__")]
            for f in files:
                if f.endswith(CODE_EXT) or f == "meson.build":
                    with open(os.path.join(dirpath, f), encoding="utf-8",
                              errors="replace") as fh:
                        parts.append(fh.read())
    return "\n".join(parts)


def find_path(p):
    for base in LOOKUP:
        full = os.path.join(ROOT, base, p)
        if p.endswith("/") and os.path.isdir(full):
            return full
        if not p.endswith("/") and os.path.exists(full):
            return full
    return None


def looks_like_path(s):
    if " " in s or "*" in s or "NNNN" in s or s.startswith("-"):
        return False
    if s.startswith(("/", "http://", "https://")):  # a URL or a route
        return False
    return "/" in s or s.endswith(PATH_EXT)


def check(doc, text, missing):
    # code blocks are not names
    lines = text.split("\n")
    in_block = False
    for no, line in enumerate(lines, 1):
        if line.startswith("```"):
            in_block = not in_block
            continue
        if in_block:
            continue
        for span in re.findall(r"`([^`]+)`", line):
            span = span.strip()
            m = TEST.match(span)
            if m:
                f = find_path(m.group(1))
                if not f:
                    missing.append((doc, no, span, "no such file"))
                    continue
                with open(f, encoding="utf-8", errors="replace") as fh:
                    src = fh.read()
                name = re.escape(m.group(2))
                if not re.search(r"(\bdef\s+" + name + r"\s*\(|\b" + name +
                                 r"\s*\(\s*void\s*\*\*)", src):
                    missing.append((doc, no, span, "no such test"))
                continue
            if looks_like_path(span):
                if not find_path(span):
                    missing.append((doc, no, span, "no such path"))
                continue
            m = IDENT.match(span)
            if m and "_" in m.group(1).strip("_"):
                if m.group(1) not in WORDS:
                    missing.append((doc, no, span, "not in the code"))


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    global WORDS
    WORDS = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", corpus()))
    missing = []
    for doc in argv[1:]:
        with open(doc, encoding="utf-8") as fh:
            check(doc, fh.read(), missing)
    for doc, no, span, why in missing:
        print(f"{doc}:{no}: `{span}`: {why}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
