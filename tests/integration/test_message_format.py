"""What integrators and mail servers see of delivered messages: webhook
signatures verified with openssl (a tool that is not the hub's code), the
folding of RFC 2047 subjects (every Subject line at most 76 characters,
each encoded word at most 75, no character split) and the sender and
Message-ID domain taken from --public-url (docs/rules.md "Delivery").
"""
import base64
import re
import subprocess

import pytest

from conftest import wait_for
from receivers import SMTPReceiver, WebhookReceiver
from test_provision_features import make_hub, staff

PUBLIC_URL = "https://Hub.Example.JP:8443/infrashare"
DOMAIN = "hub.example.jp"


def flags(smtp=None, extra=()):
    f = ["--retry-base-s", 1, "--retry-cap-s", 4, "--delivery-attempts", 3,
         "--http-timeout-s", 2, *extra]
    if smtp:
        f += ["--smtp-url", smtp.url]
    return f


@pytest.fixture
def hook():
    r = WebhookReceiver().start()
    yield r
    r.stop()


def started(tmp_path, fl):
    h = make_hub(tmp_path, fl)
    staff(h)
    h.start()
    h.set_policy("meti", "auto")
    h.set_policy("ceptoar-gas", "auto")
    return h


def openssl_hmac(key_opt, data):
    """HMAC-SHA256 of data by the openssl command line, as hex."""
    r = subprocess.run(["openssl", "dgst", "-sha256", "-mac", "HMAC",
                        "-macopt", key_opt], input=data,
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    # "HMAC-SHA2-256(stdin)= <hex>" (OpenSSL 3) or "(stdin)= <hex>"
    return r.stdout.decode().strip().split("= ")[-1]


def test_webhook_signatures_verify_with_openssl(tmp_path, hook):
    """The documented recipe (docs/rules.md, README, the CLI's message):
    key = the 64-hex secret decoded to 32 bytes, data = "<t>." + body."""
    h = started(tmp_path, flags())
    try:
        secrets = {}
        for n in ("op-a", "op-b"):
            h.add_operator(n)
            out = h.cli("org", "contact", n, "--channel", "webhook",
                        "--address", hook.url(f"/hooks/{n}")).stdout
            m = re.search(r"signing secret: ([0-9a-f]{64})", out)
            assert m, out
            secrets[n] = m.group(1)
            # the CLI says how to verify: the key is the decoded secret
            assert "hexkey:" in out and "32 bytes" in out, out
        for title in ("第一報", "second"):
            h.issue("nisc-a", title_ja=title, title_en=title,
                    audience={"orgs": ["op-a", "op-b"]})
        wait_for(lambda: hook.count("/hooks/op-a", True) >= 2 and
                 hook.count("/hooks/op-b", True) >= 2, what="4 webhooks")
        hits = hook.seen("/hooks/", True)
        assert len(hits) >= 4
        for hit in hits:
            secret = secrets[hit.path[len("/hooks/"):]]
            m = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})",
                             hit.headers["x-infrashare-signature"])
            assert m, hit.headers
            data = m.group(1).encode() + b"." + hit.body
            assert openssl_hmac(f"hexkey:{secret}", data) == m.group(2)
            # the pitfall the documentation warns of: the hex text as key
            assert openssl_hmac(f"key:{secret}", data) != m.group(2)
            # a changed body or time does not verify
            assert openssl_hmac(f"hexkey:{secret}",
                                data + b" ") != m.group(2)
            t2 = str(int(m.group(1)) + 1).encode() + b"." + hit.body
            assert openssl_hmac(f"hexkey:{secret}", t2) != m.group(2)
    finally:
        h.stop()


def header_lines(raw, name):
    """The physical lines (without CRLF) of one header of a raw message."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    lines = head.split("\r\n")
    for i, line in enumerate(lines):
        if line.lower().startswith(name.lower() + ":"):
            out = [line]
            for cont in lines[i + 1:]:
                if not cont[:1] in (" ", "\t"):
                    break
                out.append(cont)
            return out
    raise AssertionError(f"no {name} header")


EW = re.compile(r"=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=")


def check_subject(mail, want):
    lines = header_lines(mail.raw, "Subject")
    decoded = b""
    for i, line in enumerate(lines):
        assert len(line) <= 76, (len(line), line)
        words = EW.findall(line)
        assert len(words) == 1, line
        word = EW.search(line).group(0)
        assert len(word) <= 75, word
        chunk = base64.b64decode(words[0])
        chunk.decode("utf-8")        # whole characters in every word
        decoded += chunk
    assert decoded.decode("utf-8") == want
    assert mail.subject == want      # and a real parser agrees
    return len(lines)


def test_subjects_from_and_message_id(tmp_path, smtp):
    h = started(tmp_path, flags(smtp, ["--public-url", PUBLIC_URL]))
    try:
        h.add_operator("op-m")
        h.cli("org", "contact", "op-m", "--channel", "email", "--address",
              "liaison@op-m.example.jp")
        titles = [
            ("重要インフラ事業者における不正アクセスの兆候と推奨される対策につ"
             "いて（第二報）", "Signs of unauthorised access at critical "
             "infrastructure operators and recommended measures (second "
             "report)"),
            ("短い", "An extremely long English advisory title that goes on "
             "and on well past the seventy-six characters of one line"),
            ("絵文字😀と記号①を含む件名", "Emoji and symbols"),
        ]
        want = []
        for ja, en in titles:
            h.issue("nisc-a", title_ja=ja, title_en=en,
                    audience={"orgs": ["op-m"]})
            want.append(f"{ja} / {en}")
        # an Amber notice: the fixed bilingual subject
        h.issue("nisc-a", range="amber", audience={"orgs": ["op-m"]})
        want.append("情報提供のお知らせ（TLP:AMBER+STRICT） / Advisory notice "
                    "(TLP:AMBER+STRICT)")
        wait_for(lambda: len(smtp.to("liaison@op-m.example.jp")) >= 4,
                 what="4 mails")
        mails = smtp.to("liaison@op-m.example.jp")
        got = {m.subject: m for m in mails}
        assert set(got) == set(want)
        for w in want:
            assert check_subject(got[w], w) >= 2
        for m in mails:
            # sender and Message-ID from --public-url's host, lower-cased
            assert m.mail_from == f"infrashare@{DOMAIN}"
            assert m["From"].addresses[0].addr_spec == f"infrashare@{DOMAIN}"
            mid = m["Message-ID"]
            assert re.fullmatch(r"<[^<>@\s]+@" + re.escape(DOMAIN) + ">",
                                str(mid)), mid
            for line in header_lines(m.raw, "Message-ID") + \
                    header_lines(m.raw, "From"):
                assert "localhost" not in line and "@infrashare>" not in line
        assert len({str(m["Message-ID"]) for m in mails}) == len(mails)
    finally:
        h.stop()


def test_explicit_mail_from_wins(tmp_path, smtp):
    h = started(tmp_path, flags(smtp, ["--public-url", PUBLIC_URL,
                                       "--mail-from",
                                       "noreply@mail.example.org"]))
    try:
        h.add_operator("op-m")
        h.cli("org", "contact", "op-m", "--channel", "email", "--address",
              "liaison@op-m.example.jp")
        h.issue("nisc-a", audience={"orgs": ["op-m"]})
        wait_for(lambda: smtp.to("liaison@op-m.example.jp"), what="a mail")
        m = smtp.to("liaison@op-m.example.jp")[0]
        assert m.mail_from == "noreply@mail.example.org"
        # the Message-ID still names the hub's own host
        assert str(m["Message-ID"]).endswith(f"@{DOMAIN}>")
    finally:
        h.stop()
