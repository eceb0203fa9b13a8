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

The command line's own messages (src/cli) have both languages too: a
message printed with fprintf(stderr, "infrashare: ...") or written into
a message buffer with snprintf(err, ...) must either be
bilingual already (it holds Japanese), only pass on a text made elsewhere
(nothing but conversions and punctuation: "%s: %s"), or be a usage line
(it shows the syntax: "|" or "[--"); anything else goes through
cli_errf(EN, JA, ...) (src/cli/cli.h), which prints one of the two by the
locale (cli_errs(err, len, EN, JA, ...) into a buffer). The check names each English-only message and fails.

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


CLI_PRINT = re.compile(r'(?:fprintf\(\s*stderr|snprintf\(\s*err\s*,\s*[^,]+)'
                       r'\s*,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)')
CLI_ERRF = re.compile(r'\bcli_errf\(\s*"')
JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z]{2,}")
CONVERSION = re.compile(r"%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t)?[a-zA-Z%]")


def english_only_cli_messages():
    """(where, text) of each CLI message printed in English only, and the
    number of cli_errf calls."""
    bad, nerrf = [], 0
    for path in sorted((SRC / "cli").glob("*.c")):
        text = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"),
                           path.read_text(encoding="utf-8"))
        nerrf += len(CLI_ERRF.findall(text))
        for m in CLI_PRINT.finditer(text):
            msg = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
            if m.group(0).startswith("fprintf"):
                if not msg.startswith("infrashare: "):
                    continue
                msg = msg[len("infrashare: "):]
            words = CONVERSION.sub("", msg)
            words = words.replace("\\n", " ").replace("infrashare:", "")
            words = words.replace("HTTP", "")  # a protocol, not English
            if (JAPANESE.search(msg) or not WORD.search(words)
                    or "|" in msg or "[--" in msg):
                continue
            line = text.count("\n", 0, m.start()) + 1
            bad.append((f"{path.relative_to(ROOT)}:{line}", msg))
    return bad, nerrf


def main():
    bad, nerrf = english_only_cli_messages()
    for where, msg in bad:
        print(f"{where}: the CLI message '{msg}' is in English only: print "
              "it with cli_errf(EN, JA, ...) or cli_errs")
    if nerrf < 50:
        print(f"check-error-ja: {nerrf} cli_errf calls in src/cli: the "
              "pattern no longer matches the sources")
        return 1
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
    if missing or bad:
        return 1
    print(f"check-error-ja: {len(sent)} codes sent, each with a Japanese "
          f"sentence ({len(have)} rows); {nerrf} CLI messages in both "
          "languages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
