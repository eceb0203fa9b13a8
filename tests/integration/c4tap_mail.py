"""Suspicious e-mails for the C4TAP tests (issue 13), built with Python's
email package: a targeted-attack e-mail with the deception techniques of
the seeds (003:302, 427-441), its forward as an attachment, and hostile
MIME."""
import base64
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

JST = timezone(timedelta(hours=9))
BASE = datetime(2026, 11, 2, 9, 0, tzinfo=JST)
# a Windows executable's first bytes: the sniffed type of the attachment
EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"x" * 200


def attack(n=0, days=0, sender="nenkin@kikou-info.example",
           host="kikou-check.example", attachment=b"", subject=None,
           received_ip="203.0.113.45", reply_to="reply@other-domain.example"):
    """One e-mail of the campaign: the pension-service case's pattern
    (003:619-625) with an icon-spoofing executable with a double extension
    and padding spaces, a link whose text names another address, a
    Reply-To elsewhere and an SPF failure recorded."""
    m = EmailMessage()
    m["From"] = f'"日本年金機構 (info@nenkin.go.jp)" <{sender}>'
    m["To"] = f"staff{n}@op.example"
    m["Reply-To"] = reply_to
    m["Subject"] = subject or f"【重要】年金情報の確認について {n}"
    m["Message-ID"] = f"<att{n}.{days}@{host}>"
    m["Date"] = format_datetime(BASE + timedelta(days=days, minutes=n))
    m["X-Mailer"] = "Kikou Mailer 1.0"
    m["Authentication-Results"] = ("mx.op.example; spf=fail "
                                   "smtp.mailfrom=kikou-info.example; "
                                   "dkim=none; dmarc=fail")
    m.set_content(f"年金情報の確認をお願いします。\n"
                  f"https://{host}/login?id={n}\nパスワードは nenkin です。\n")
    m.add_alternative(
        f'<p><a href="https://{host}/login?id={n}">'
        f"https://www.nenkin.go.jp/</a></p>", subtype="html")
    m.add_attachment(attachment or EXE, maintype="application",
                     subtype="pdf",
                     filename="年金情報.pdf" + " " * 30 + ".exe")
    # the hops, latest first; the latest with its date folded onto the
    # next line (peers' tools are known to mis-parse that)
    hops = (b"Received: from relay.op.example ([192.0.2.10]) by "
            b"inbox.op.example with ESMTP id B1;\n\tMon, 2 Nov 2026 "
            b"09:00:09 +0900\n"
            b"Received: from mail.kikou-info.example "
            b"(mail.kikou-info.example [" + received_ip.encode() +
            b"]) by mx.op.example with ESMTP id A%d; Mon, 2 Nov 2026 "
            b"09:00:01 +0900\n" % n)
    return hops + m.as_bytes()


def forward(inner: bytes, by="handler@op.example"):
    """A handler's forward with the suspicious e-mail attached."""
    m = EmailMessage()
    m["From"] = by
    m["To"] = "c4tap@c4tap.hub.example"
    m["Subject"] = "Fwd: 不審メール"
    m["Message-ID"] = "<fwd@op.example>"
    m.set_content("不審なメールを転送します。")
    m.add_attachment(inner, maintype="message", subtype="rfc822")
    return m.as_bytes()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def nested_bomb(depth=20):
    """message/rfc822 inside message/rfc822, deeper than the hub takes."""
    inner = b"From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n"
    for i in range(depth):
        inner = (b"From: a@b.example\r\nSubject: layer %d\r\n"
                 b"MIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n"
                 % i) + inner
    return inner


def parts_bomb(parts=3000):
    out = [b"From: a@b.example\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"]
    for i in range(parts):
        out.append(b"--B\r\nContent-Type: text/plain\r\n\r\np%d\r\n" % i)
    out.append(b"--B--\r\n")
    return b"".join(out)


def bad_charset():
    """A declared charset that does not exist, and bytes that are not it."""
    return (b"From: a@b.example\r\nSubject: =?x-no-such-charset?B?gqCCoA==?=\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
            b"\x82\xa0\x82\xa2 http://odd-charset.example/\r\n")
