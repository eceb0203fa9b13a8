#!/usr/bin/python3
"""Parsing and indicator extraction of 1,000 varied e-mails: the C4TAP
intake's parser (src/mail/mail.c, GMime) against Python's standard
`email` package (policy.default) extracting the same fields, on the same
files, in the same run, each on one core (`taskset -c 1`).

    INFRASHARE_BUILD=build-bench bench/mail_parse.py [MESSAGES] [ROUNDS]

Defaults: 1,000 messages, 5 rounds (each tool parses every message
ROUNDS times; messages per second = messages parsed / CPU seconds of
that process). The corpus is made here, reproducibly (seeded): plain
ASCII, UTF-8 and ISO-2022-JP texts (subjects as encoded words), HTML
with links (some whose text names another host), multipart with
attachments (executables, archives, PDFs, double extensions, RLO names),
messages forwarded as message/rfc822, 2-6 Received hops, authentication
results. Target (issue 13): at least 20x Python's messages per second.
Prints one JSON object per tool and the ratio.
"""
import base64
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from email import policy
from email.header import Header
from email.parser import BytesParser
from email.utils import format_datetime, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from datetime import datetime, timedelta, timezone

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("INFRASHARE_BUILD",
                            ROOT / "build-bench")).resolve()

WORDS_EN = ("invoice payment account pension notice security update "
            "password verify urgent meeting report schedule").split()
WORDS_JA = ["年金", "請求書", "ご確認", "お知らせ", "緊急", "パスワード",
            "会議", "報告", "資料", "更新", "重要", "本日"]
EXT_BAD = ["exe", "scr", "js", "lnk", "hta", "vbs"]
EXT_DOC = ["pdf", "doc", "xls", "docx", "jtd", "txt"]


def words(r, n, ja):
    src = WORDS_JA if ja else WORDS_EN
    return ("" if ja else " ").join(r.choice(src) for _ in range(n))


def enc_subject(text, charset):
    return Header(text, charset).encode()


def received(r, n, when):
    hops = []
    for i in range(n):
        ip = f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}." \
             f"{r.randint(1, 254)}"
        t = format_datetime(when - timedelta(seconds=i * r.randint(1, 30)))
        hops.append(f"Received: from host{i}.relay{r.randint(1, 99)}.example "
                    f"(host{i}.example [{ip}])\r\n\tby mx{i}.victim.example "
                    f"with ESMTP id {r.getrandbits(40):x};\r\n\t{t}\r\n")
    return "".join(hops)


def attachment(r, boundary):
    kind = r.randrange(5)
    body = r.randbytes(r.randint(200, 4000))
    if kind == 0:      # executable named as a document (icon spoofing)
        name, data, ctype = f"資料{r.randint(1, 9)}.pdf", b"MZ\x90\x00" + body, \
            "application/pdf"
    elif kind == 1:    # double extension with padding
        name = f"report.{r.choice(EXT_DOC)}{' ' * r.randint(0, 30)}." \
               f"{r.choice(EXT_BAD)}"
        data, ctype = b"MZ\x90\x00" + body, "application/octet-stream"
    elif kind == 2:    # RLO
        name, data, ctype = "invoice\u202efdp.scr", b"MZ" + body, \
            "application/octet-stream"
    elif kind == 3:    # archive
        name, data, ctype = "data.zip", b"PK\x03\x04" + body, \
            "application/zip"
    else:
        name, data, ctype = "paper.pdf", b"%PDF-1.4\n" + body, \
            "application/pdf"
    b64 = base64.encodebytes(data).decode().replace("\n", "\r\n")
    fn = name.encode("utf-8")
    if all(c < 128 for c in fn):
        disp = f'attachment; filename="{name}"'
    else:
        disp = "attachment; filename*=UTF-8''" + "".join(
            f"%{c:02X}" for c in fn)
    return (f"--{boundary}\r\nContent-Type: {ctype}\r\n"
            f"Content-Disposition: {disp}\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{b64}")


def message(r, i, depth=0):
    when = datetime(2026, 12, 1, tzinfo=timezone.utc) - \
        timedelta(minutes=r.randint(0, 100000))
    ja = r.random() < 0.5
    charset = r.choice(["iso-2022-jp", "utf-8"]) if ja else "us-ascii"
    subject = words(r, r.randint(2, 5), ja)
    sender = f"user{r.randint(1, 999)}@sender{r.randint(1, 50)}.example"
    disp = words(r, 2, ja)
    head = received(r, r.randint(2, 6), when)
    head += (f"Authentication-Results: mx.victim.example; "
             f"spf={r.choice(['pass', 'fail', 'softfail', 'none'])} "
             f"smtp.mailfrom={sender.split('@')[1]}; "
             f"dkim={r.choice(['pass', 'fail', 'none'])}; "
             f"dmarc={r.choice(['pass', 'fail'])}\r\n")
    head += f"From: {enc_subject(disp, charset if ja else 'us-ascii')} <{sender}>\r\n"
    if r.random() < 0.3:
        head += f"Reply-To: reply@other{r.randint(1, 9)}.example\r\n"
    head += (f"To: staff@victim.example\r\n"
             f"Subject: {enc_subject(subject, charset if ja else 'us-ascii')}\r\n"
             f"Date: {format_datetime(when)}\r\n"
             f"Message-ID: <{r.getrandbits(64):x}.{i}@{sender.split('@')[1]}>\r\n"
             f"X-Mailer: {r.choice(['Outlook 16.0', 'Thunderbird 115', 'mutt'])}\r\n"
             f"MIME-Version: 1.0\r\n")
    url = f"https://login{r.randint(1, 99)}.phish{r.randint(1, 20)}.example/" \
          f"p?id={r.getrandbits(32):x}"
    text = f"{words(r, r.randint(5, 30), ja)}\r\n{url}\r\n" \
           f"{words(r, r.randint(5, 30), ja)}\r\n"
    kind = r.randrange(4) if depth == 0 else r.randrange(2)
    if kind == 0:      # plain text
        body = text.encode(charset, "replace")
        cte = "7bit" if charset != "utf-8" else "8bit"
        return head.encode() + (f"Content-Type: text/plain; charset={charset}\r\n"
                                f"Content-Transfer-Encoding: {cte}\r\n\r\n"
                                ).encode() + body
    if kind == 1:      # HTML
        shown = url if r.random() < 0.5 else \
            f"https://www.bank{r.randint(1, 9)}.example/login"
        html = (f"<html><body><p>{words(r, 10, ja)}</p>"
                f"<a href=\"{url}&amp;x=1\">{shown}</a>"
                f"<img src=\"cid:img{i}@x\"></body></html>")
        return head.encode() + ("Content-Type: text/html; charset=utf-8\r\n"
                                "Content-Transfer-Encoding: 8bit\r\n\r\n"
                                ).encode() + html.encode()
    boundary = f"=_b{r.getrandbits(48):x}"
    parts = [f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
             f"Content-Transfer-Encoding: 8bit\r\n\r\n{text}"
             + ("パスワードは別途お送りします。\r\n" if r.random() < 0.3 else "")]
    if kind == 2:      # attachments
        for _ in range(r.randint(1, 3)):
            parts.append(attachment(r, boundary))
    else:              # forwarded as message/rfc822
        inner = message(r, i, depth + 1).decode("utf-8", "replace")
        parts.append(f"--{boundary}\r\nContent-Type: message/rfc822\r\n"
                     f"Content-Disposition: attachment\r\n\r\n{inner}\r\n")
    return head.encode() + (
        f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
        + "".join(parts) + f"--{boundary}--\r\n").encode()


# ---- Python's email package, extracting the same fields ----

URL_RE = re.compile(r"(?i)\b(?:https?|hxxps?)://[^\s<>\"'`{}|\\^]+")
RECV_FROM = re.compile(r"(?i)(?:^|\s)from\s+([^\s;(]+)")
RECV_BY = re.compile(r"(?i)(?:^|\s)by\s+([^\s;(]+)")
RECV_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]|"
                     r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
AUTH = re.compile(r"(?i)\b(spf|dkim|dmarc)=([a-z]+)")
EXEC = {"exe", "scr", "com", "pif", "bat", "cmd", "js", "jse", "vbs", "vbe",
        "wsf", "wsh", "hta", "lnk", "cpl", "msi", "ps1", "jar", "dll", "iso",
        "img", "chm", "reg", "sys", "msc"}
DOC = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf",
       "jpg", "jpeg", "png", "gif", "csv", "htm", "html", "jtd", "zip"}
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self._href, self._text = [], None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self._href, self._text = a["href"], []
        elif tag == "img" and a.get("src"):
            self.links.append((a["src"], None))
        elif tag == "form" and a.get("action"):
            self.links.append((a["action"], None))

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def sniff(d):
    for magic, t in ((b"MZ", "application/x-dosexec"),
                     (b"PK\x03\x04", "application/zip"),
                     (b"%PDF-", "application/pdf")):
        if d.startswith(magic):
            return t
    return "application/octet-stream" if b"\0" in d[:512] else "text/plain"


def py_extract(raw):
    m = BytesParser(policy=policy.default).parsebytes(raw)
    out = {"sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}
    flags = []
    frm = m["From"]
    addr = frm.addresses[0] if frm is not None and frm.addresses else None
    out["from"] = {"address": addr.addr_spec, "display_name":
                   addr.display_name} if addr else None
    rt = m["Reply-To"]
    out["reply_to"] = [a.addr_spec for a in rt.addresses] if rt else []
    out["return_path"] = str(m["Return-Path"]) if m["Return-Path"] else None
    out["message_id"] = str(m["Message-ID"]) if m["Message-ID"] else None
    try:
        d = m["Date"].datetime if m["Date"] else None
        out["date"] = d.astimezone(timezone.utc).isoformat() if d else None
    except (TypeError, ValueError, AttributeError):
        out["date"] = None
    out["subject"] = str(m["Subject"]) if m["Subject"] else None
    out["x_mailer"] = str(m["X-Mailer"]) if m["X-Mailer"] else None
    hops = []
    for v in m.get_all("Received") or []:
        v = " ".join(str(v).split())
        f, b = RECV_FROM.search(v), RECV_BY.search(v)
        head = v[:b.start()] if b else v
        ip = RECV_IP.search(head)
        when = None
        if ";" in v:
            try:
                when = parsedate_to_datetime(v.rsplit(";", 1)[1].strip())
            except (TypeError, ValueError):
                when = None
        hops.append({"from_host": f.group(1) if f else None,
                     "from_ip": (ip.group(1) or ip.group(2)) if ip else None,
                     "by_host": b.group(1) if b else None,
                     "date": when.isoformat() if when else None, "text": v})
    out["received"] = hops
    auth = {}
    for v in m.get_all("Authentication-Results") or []:
        for meth, res in AUTH.findall(str(v)):
            auth.setdefault(meth.lower(), res)
    out["auth"] = auth
    for meth, res in auth.items():
        if res.lower() in ("fail", "softfail"):
            flags.append(("auth_failed", f"{meth}={res}"))
    if addr and addr.display_name and "@" in addr.display_name and \
            addr.addr_spec not in addr.display_name:
        flags.append(("display_name_address", addr.display_name))
    for a in out["reply_to"]:
        if addr and a.split("@")[-1].lower() != addr.domain.lower():
            flags.append(("reply_to_other_domain", a))
    urls, atts, hint, archive = [], [], False, False
    for part in m.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        name = part.get_filename()
        if name or not part.get_content_maintype() == "text":
            if ctype == "message/rfc822":
                continue
            data = part.get_payload(decode=True) or b""
            sn = sniff(data)
            atts.append({"filename": name, "declared_type": ctype,
                         "sniffed_type": sn, "size": len(data),
                         "sha256": hashlib.sha256(data).hexdigest()})
            if name:
                base, _, ext = name.rstrip(" .").rpartition(".")
                ext = ext.lower()
                if ext in EXEC or sn == "application/x-dosexec":
                    flags.append(("executable_attachment", name))
                if sn == "application/x-dosexec" and ext not in EXEC:
                    flags.append(("icon_spoof", name))
                if ext in EXEC and len(base) - len(base.rstrip(" ")) >= 3:
                    flags.append(("padding_spaces", name))
                inner = base.rstrip(" ").rpartition(".")[2].lower()
                if ext in EXEC and "." in base and inner in DOC:
                    flags.append(("double_extension", name))
                if BIDI.search(name):
                    flags.append(("bidi_control", name))
                if ext in ("zip", "rar", "7z", "lzh") or \
                        sn == "application/zip":
                    flags.append(("archive_attachment", name))
                    archive = True
            continue
        try:
            text = part.get_content()
        except (LookupError, UnicodeError):
            text = (part.get_payload(decode=True) or b"").decode("utf-8",
                                                                 "replace")
        if "パスワード" in text or "password" in text.lower():
            hint = True
        if ctype == "text/html":
            p = Links()
            p.feed(text)
            for href, shown in p.links:
                urls.append({"url": href, "source": "html",
                             "link_text": shown})
                if shown and re.match(r"(?i)(https?://|www\.)", shown):
                    h1 = re.sub(r"(?i)^https?://", "", shown).split("/")[0]
                    h2 = re.sub(r"(?i)^https?://", "", href).split("/")[0]
                    if h1.lower() != h2.lower():
                        flags.append(("link_text_mismatch", shown))
        else:
            for u in URL_RE.findall(text):
                urls.append({"url": u.rstrip(".,;:!?)]"), "source": "text",
                             "link_text": None})
    if archive and hint:
        flags.append(("archive_password_hint", ""))
    out["urls"], out["attachments"] = urls, atts
    out["flags"] = [{"code": c, "evidence": e} for c, e in flags]
    return out


def run_python(files, rounds):
    data = [Path(f).read_bytes() for f in files]
    counts = {"urls": 0, "attachments": 0, "received": 0, "flags": 0}
    t0, c0 = time.monotonic(), time.process_time()
    for r in range(rounds):
        for d in data:
            out = py_extract(d)
            json.dumps(out, ensure_ascii=False, default=str)
            if r == 0:
                for k in counts:
                    counts[k] += len(out[k])
    secs, cpu = time.monotonic() - t0, time.process_time() - c0
    n = rounds * len(data)
    return {"tool": "python email (policy.default)", "messages": n,
            "seconds": round(secs, 3), "cpu_s": round(cpu, 3),
            "messages_per_s": round(n / cpu, 1), **counts}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    if len(sys.argv) > 3 and sys.argv[3] == "--python":
        # the child: Python's extraction on the files listed on stdin
        print(json.dumps(run_python(sys.stdin.read().split("\n")[:-1],
                                    rounds)))
        return
    exe = BUILD / "bench" / "mail_parse_bench"
    if not exe.exists():
        sys.exit(f"{exe}: build it first (ninja -C {BUILD})")
    r = random.Random(13)
    with tempfile.TemporaryDirectory() as d:
        files = []
        total = 0
        for i in range(n):
            raw = message(r, i)
            p = Path(d) / f"m{i:05d}.eml"
            p.write_bytes(raw)
            files.append(str(p))
            total += len(raw)
        print(json.dumps({"corpus": n, "bytes": total}), flush=True)
        pin = ["taskset", "-c", "1"]
        c = subprocess.run(pin + [str(exe), str(rounds)] + files,
                           capture_output=True, text=True, check=True)
        ours = json.loads(c.stdout)
        print(json.dumps(ours), flush=True)
        py = subprocess.run(pin + [sys.executable, __file__, str(n),
                                   str(rounds), "--python"],
                            input="".join(f + "\n" for f in files),
                            capture_output=True, text=True, check=True)
        theirs = json.loads(py.stdout)
        print(json.dumps(theirs), flush=True)
        print(json.dumps({"ratio_ours_to_python": round(
            ours["messages_per_s"] / theirs["messages_per_s"], 1),
            "target": ">= 20"}))


if __name__ == "__main__":
    main()
