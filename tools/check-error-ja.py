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

The specific reasons of the error messages have their Japanese too
(`detail_ja`, src/http/error_detail.c): the reason each call above writes
(its format after a leading "field: ", the conversions as "{}"; for the
helpers bad(..., "reason") and rfail(..., "reason") their last argument,
or the literal with conversions of a helper that takes a format)
must have a row in src/http/error_detail_rows.c, every row's English must
be a reason some source writes (a row nothing writes would never match),
and every row's Japanese must place each of its values ({1}, {2}, ...)
exactly once. A conditional whose branches are literals ("c ? A : B")
needs a row for each branch, and so does a constant of the file (static
const char NAME[] = "..."); a format held in any other variable is
skipped: its message gets no detail_ja.

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
# comments, skipping string and character literals ("http://" is no comment)
COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                     r"|/\*.*?\*/|//[^\n]*", re.S)


def uncomment(text):
    """text without its comments, each kept as its line breaks."""
    return COMMENT.sub(lambda m: m.group(0) if m.group(0)[0] in "\"'"
                       else "\n" * m.group(0).count("\n"), text)


def table_codes():
    text = uncomment(TABLE.read_text(encoding="utf-8"))
    return set(re.findall(r'^\s*\{"([a-z_]+)",', text, re.M))


def sent_codes():
    found = {}
    for path in sorted(SRC.rglob("*.c")):
        text = uncomment(path.read_text(encoding="utf-8"))
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
        text = uncomment(path.read_text(encoding="utf-8"))
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


DETAIL_TABLE = SRC / "http" / "error_detail_rows.c"
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
# the format's argument of each call that writes a message, and the
# helpers whose reason is their last literal
FORMAT_ARG = {"svc_fail": 4, "http_error": 4, "jv_fail": 4}
LAST_LITERAL = ("bad", "rfail")
CALL = re.compile(r"(?<![A-Za-z0-9_])(svc_fail|http_error|jv_fail|bad|rfail)"
                  r"\s*\(")
HEAD = re.compile(r"^(%s|%\.\d+s|[A-Za-z0-9_.\[\]\-]+): ")
PRINTF = re.compile(r"%%|%[-+ #0]*(\*|\d+)?(\.(\*|\d+))?"
                    r"(hh|h|ll|l|z|j|t)?[sdiuxXfgc]")


def call_args(text, i):
    """The arguments of the call whose "(" ends just before i."""
    depth, args, cur, j = 0, [], "", i
    while j < len(text):
        c = text[j]
        if c in "\"'":
            k = j + 1
            while text[k] != c:
                k += 2 if text[k] == "\\" else 1
            cur += text[j:k + 1]
            j = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                args.append(cur)
                return args
            depth -= 1
        elif c == "," and depth == 0:
            args.append(cur)
            cur = ""
            j += 1
            continue
        cur += c
        j += 1
    return args


def unescape(raw):
    return (raw.encode("utf-8").decode("unicode_escape")
            .encode("latin-1").decode("utf-8"))


def literal(arg):
    """The text of an argument made of string literals only, else None."""
    if not LITERAL.search(arg) or LITERAL.sub("", arg).strip():
        return None
    return unescape("".join(LITERAL.findall(arg)))


# a run of adjacent literals that is a branch of a conditional ("c ? A : B")
BRANCH = re.compile(r'(?:(?<=[?:])|^)\s*((?:"(?:[^"\\]|\\.)*"\s*)+)'
                    r'(?=[:)]|$)')


CONST = re.compile(r'static const char (\w+)\[\] =\s*((?:"(?:[^"\\]|\\.)*"\s*)+);')


def texts(arg, consts=None):
    """The texts an argument can be: the literal, a constant of its file
    (static const char NAME[] = "..."), or each literal branch of a
    conditional whose branches are all literals (else none)."""
    if consts and arg.strip() in consts:
        return [consts[arg.strip()]]
    one = literal(arg)
    if one is not None:
        return [one]
    rest = LITERAL.sub('""', arg)
    if "?" not in rest or ":" not in rest:
        return []
    branches = BRANCH.findall(arg.strip())
    if len(branches) != rest.count("?") + 1:
        return []  # a branch that is no literal: a variable
    return [unescape("".join(LITERAL.findall(b))) for b in branches]


def reason_pattern(fmt, strip_head):
    if strip_head:
        fmt = HEAD.sub("", fmt, count=1)
    return PRINTF.sub(lambda m: "%" if m.group(0) == "%%" else "{}", fmt)


def written_reasons():
    """reason pattern -> where a source writes it first."""
    found = {}
    for path in sorted(SRC.rglob("*.c")):
        text = uncomment(path.read_text(encoding="utf-8"))
        consts = {m.group(1): literal(m.group(2)) for m in CONST.finditer(text)}
        for m in CALL.finditer(text):
            if re.search(r"(int|void|bool)\s+$", text[max(0, m.start() - 20):
                                                      m.start()]):
                continue  # the definition
            args = call_args(text, m.end())
            name = m.group(1)
            if name in LAST_LITERAL:
                # the literal with conversions (a helper taking a format
                # and its values), else the last argument
                lits = [texts(a, consts) for a in args]
                fmts = [x for x in lits if x and PRINTF.search(x[0])]
                last = fmts[-1] if fmts else (lits[-1] if lits else [])
                pats = [reason_pattern(x, False) for x in last]
            else:
                if len(args) <= FORMAT_ARG[name]:
                    continue
                pats = [reason_pattern(x, name != "jv_fail")
                        for x in texts(args[FORMAT_ARG[name]], consts)]
            line = text.count("\n", 0, m.start()) + 1
            for pat in pats:
                if pat in ("", "{}", "{}: {}"):
                    continue  # a text made elsewhere, passed on
                found.setdefault(pat, f"{path.relative_to(ROOT)}:{line}")
    return found


def detail_rows():
    """[(line, en, ja)] of src/http/error_detail_rows.c: one row a line."""
    rows = []
    for n, line in enumerate(DETAIL_TABLE.read_text("utf-8").splitlines(), 1):
        m = re.match(r'^\s*\{("(?:[^"\\]|\\.)*"), ("(?:[^"\\]|\\.)*")\},$',
                     line)
        if m:
            rows.append((n, literal(m.group(1)), literal(m.group(2))))
    return rows


def detail_problems():
    problems = []
    reasons = written_reasons()
    rows = detail_rows()
    if len(reasons) < 400 or len(rows) < 400:
        return [f"check-error-ja: read {len(reasons)} reasons and "
                f"{len(rows)} detail rows: the patterns no longer match "
                "the sources"], reasons, rows
    where = f"{DETAIL_TABLE.relative_to(ROOT)}"
    have = {}
    for n, en, ja in rows:
        if en in have:
            problems.append(f"{where}:{n}: '{en}' has a row already "
                            f"(line {have[en]})")
        have[en] = n
        if en not in reasons:
            problems.append(f"{where}:{n}: no source writes the reason "
                            f"'{en}': the row would never match")
        holes = en.count("{}")
        if "{}{}" in en or holes > 6:
            problems.append(f"{where}:{n}: '{en}': at most 6 values, never "
                            "two side by side")
        for k in range(1, 10):
            want = 1 if k <= holes else 0
            if ja.count("{%d}" % k) != want:
                problems.append(f"{where}:{n}: its Japanese must hold "
                                f"{{{k}}} {want} time(s)")
        if "{}" in ja or not JAPANESE.search(ja):
            problems.append(f"{where}:{n}: its Japanese is not Japanese "
                            "with {1}, {2}, ... for the values")
    for pat, at in sorted(reasons.items(), key=lambda x: x[1]):
        if pat not in have:
            problems.append(f"{at}: the reason '{pat}' has no Japanese in "
                            f"{where}")
    return problems, reasons, rows


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
    problems, reasons, rows = detail_problems()
    for p in problems:
        print(p)
    if missing or bad or problems:
        return 1
    print(f"check-error-ja: {len(sent)} codes sent, each with a Japanese "
          f"sentence ({len(have)} rows); {len(reasons)} reasons written, "
          f"each with its Japanese ({len(rows)} rows); {nerrf} CLI "
          "messages in both languages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
