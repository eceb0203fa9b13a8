#!/usr/bin/python3
"""Every error code the sources send has a Japanese sentence.

The API's error object carries `message_ja`, the code's sentence from
src/http/error_ja.c (docs/rules.md, "Errors in Japanese and English"). A
code without a row still gets its status class's sentence, but a new code
should say what it means in Japanese too: this check names the codes of
the sources that have no row, and fails.

The codes are read where the sources name them as literals:
  svc_fail(e, ERR, "code", ...) and http_error(out, STATUS, "code", ...)
  jv_fail(err, "code", ...)            (src/common/jv.c, body validation)
  fail(p, "code", ...)                 (src/core: models and scenarios)
  rfail(e, i, field, "code", ...)      (src/service/observation.c)
  *code = "code"                       (src/http/server.c, library errors)

Usage: tools/check-error-ja.py   (from the repository root; exit 1 on a
missing row, with the codes and where they are sent)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
TABLE = SRC / "http" / "error_ja.c"

PATTERNS = [
    re.compile(r'\b(?:svc_fail|http_error)\s*\(\s*[^,;()]+,\s*[^,;"()]+,\s*"([a-z_]+)"'),
    re.compile(r'\bjv_fail\s*\(\s*[^,;()]+,\s*"([a-z_]+)"'),
    re.compile(r'\bfail\s*\(\s*p\s*,\s*"([a-z_]+)"'),
    re.compile(r'\brfail\s*\(\s*[^,;()]+,\s*[^,;()]+,\s*[^,;()]+,\s*"([a-z_]+)"'),
    re.compile(r'\*\s*code\s*=\s*"([a-z_]+)"'),
]
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def table_codes():
    text = COMMENT.sub("", TABLE.read_text(encoding="utf-8"))
    return set(re.findall(r'^\s*\{"([a-z_]+)",', text, re.M))


def sent_codes():
    found = {}
    for path in sorted(SRC.rglob("*.c")):
        text = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"),
                           path.read_text(encoding="utf-8"))
        for pat in PATTERNS:
            for m in pat.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.setdefault(m.group(1), f"{path.relative_to(ROOT)}:{line}")
    return found


def main():
    have = table_codes()
    sent = sent_codes()
    if len(have) < 100 or len(sent) < 100:
        print(f"check-error-ja: read {len(have)} rows and {len(sent)} codes: "
              "the patterns no longer match the sources")
        return 1
    missing = sorted(c for c in sent if c not in have)
    for c in missing:
        print(f"{sent[c]}: error code '{c}' has no Japanese sentence in "
              f"{TABLE.relative_to(ROOT)}")
    if missing:
        return 1
    print(f"check-error-ja: {len(sent)} codes sent, each with a Japanese "
          f"sentence ({len(have)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
