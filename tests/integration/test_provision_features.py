"""情報提供 (advisories) end to end against real receivers: the relay chain
NISC -> ministry -> CEPTOAR -> members, review and its time limit, the
hotline, every channel kind (e-mail to a real SMTP server, signed webhooks,
phone/SMS/FAX gateways), the range rule in message bodies, drills and their
reports, acknowledgement, reach figures, who may see deliveries, and the
"not yet reached" list with escalation (DOMAIN.md §3, §6, §7;
service/provision.h, deliver/outbox.c, deliver/message.c).

The hubs here start without demo data; operators, contacts and users are
made with the CLI so that every contact points at a receiver of the test.
ProvHub (below) is the conftest Hub with the daemon's delivery flags; the
other test_provision_* files import it from here.
"""
import csv
import hashlib
import hmac
import io
import json
import re
import subprocess
import time

import pytest

import hubdb
from conftest import BUILD, Hub, assert_error, wait_for
from receivers import SMTPReceiver, WebhookReceiver

USER_PASSWORD = "provision-test-password"


# ---------------------------------------------------------------- harness

class ProvHub(Hub):
    """The conftest Hub, started with extra infrashared flags (delivery
    settings: --smtp-url, --retry-base-s, --ack-deadlines ...)."""

    def __init__(self, workdir, flags=(), demo=False, tick_ms=100, **kw):
        super().__init__(workdir, demo=demo, **kw)
        self.flags = [str(f) for f in flags]
        self.tick_ms = tick_ms
        self.tokens = {}
        self.pending_tokens = []  # users added before start (add_user)

    def start(self):
        port_file = self.dir / "port"
        if port_file.exists():
            port_file.unlink()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(BUILD / "infrashared"), "--db", str(self.db), "--port", "0",
             "--port-file", str(port_file), "--threads", "4",
             "--tick-ms", str(self.tick_ms), *self.metrics_flags(),
             *self.flags],
            stdout=self.log, stderr=self.log)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"infrashared exited {self.proc.returncode}:\n"
                    + self.log_path.read_text(errors="replace"))
            return port_file.exists() and port_file.read_text().strip()
        self.port = int(wait_for(ready, what="infrashared to listen"))
        self.url = f"http://127.0.0.1:{self.port}"
        for user in self.pending_tokens:
            self.tok(user)
        self.pending_tokens = []
        return self

    # ---- registry and people (CLI) ----
    def add_operator(self, org, scope="gas", ceptoars=("ceptoar-gas",)):
        args = ["org", "add", org, "--scope", scope, "--name-ja",
                f"試験事業者 {org}", "--name-en", f"Test operator {org}"]
        for c in ceptoars:
            args += ["--ceptoar", c]
        self.cli(*args)

    def add_crowd(self, n, scope="gas", ceptoar="ceptoar-gas"):
        """n more operators of scope in ceptoar, so that an anonymous
        report through it hides its reporter among at least 5 (docs/rules.md
        "Anonymous reports": fewer is refused)."""
        for i in range(n):
            self.add_operator(f"op-crowd-{scope}-{i}", scope, (ceptoar,))

    def add_contact(self, org, channel, address, priority=1,
                    emergency=False):
        """Returns the signing secret (hex) the CLI printed, or None."""
        args = ["org", "contact", org, "--channel", channel, "--address",
                address, "--priority", priority]
        if emergency:
            args.append("--emergency")
        r = self.cli(*args)
        if channel == "email":
            return None  # kept for a batch (conftest.deferrable): no output
        m = re.search(r"signing secret: ([0-9a-f]{64})", r.stdout)
        assert m is not None, r.stdout
        return m.group(1)

    def add_user(self, name, org, roles="reader,liaison"):
        pw = self.dir / f"{name}.pw"
        pw.write_text(USER_PASSWORD + "\n")
        self.cli("user", "add", name, "--org", org, "--roles", roles,
                 "--password-file", pw)
        # the user's token: made now by a running hub, else by start()
        # once the hub runs (Hub.token: a request, not a CLI process)
        if self.running():
            return self.tok(name)
        self.pending_tokens.append(name)
        return None

    def tok(self, user):
        """The user's token (Hub.token), made once."""
        if user not in self.tokens:
            self.tokens[user] = self.token(user, name="provision")
        return self.tokens[user]

    # ---- API ----
    def call(self, method, path, user, **kw):
        return self.api(method, path, token=self.tok(user), **kw)

    def ok(self, method, path, user, status=200, **kw):
        r = self.call(method, path, user, **kw)
        assert r.status_code == status, (method, path, user, r.status_code,
                                         r.text)
        return r.json() if r.headers.get("Content-Type", "").startswith(
            "application/json") else r

    def set_policy(self, org, policy, limit=None):
        body = {"policy": policy}
        if limit is not None:
            body["review_limit_min"] = limit
        return self.ok("PUT", f"/api/v1/orgs/{org}/policy", "admin",
                       json=body)

    def issue(self, user, **fields):
        body = {"kind": "security_info", "range": "green", "severity": 1,
                "title_ja": "試験の情報提供", "title_en": "Test advisory",
                "body_ja": "本文（日本語）です。", "body_en": "Body in English.",
                "audience": {"scopes": ["gas"]}}
        body.update(fields)
        r = self.call("POST", "/api/v1/advisories", user, json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def advisory(self, adv, user):
        return self.ok("GET", f"/api/v1/advisories/{adv}", user)

    def deliveries(self, adv, user, state=None):
        q = f"?state={state}" if state else ""
        return self.ok("GET", f"/api/v1/advisories/{adv}/deliveries{q}",
                       user)

    def items(self, adv, user, state=None):
        return {i["org"]: i for i in self.deliveries(adv, user,
                                                     state)["items"]}

    def audit(self, action=None, after=0):
        out = []
        while True:
            r = self.ok("GET", f"/api/v1/audit?after={after}&limit=1000",
                        "admin")
            out += r["items"]
            if r["next_after"] is None:
                break
            after = r["next_after"]
        return [e for e in out if action is None or e["action"] == action]

    # ---- the outbox, read from the database (read-only) ----
    def db_rows(self, sql, *args):
        con = hubdb.connect(self.db, timeout=10, readonly=True,
                            rows="named")
        try:
            return [dict(r) for r in con.execute(sql, args)]
        finally:
            con.close()

    def jobs(self, adv, org=None):
        sql = ("SELECT d.*, k.priority FROM deliveries d JOIN contacts k ON "
               "k.id = d.contact_id WHERE d.advisory_id = ?")
        args = [adv]
        if org:
            sql += " AND d.org_id = ?"
            args.append(org)
        return self.db_rows(sql + " ORDER BY d.id", *args)


def base_flags(smtp=None, **over):
    """Delivery settings that keep the tests short."""
    opts = {"--retry-base-s": 1, "--retry-cap-s": 4,
            "--delivery-attempts": 3, "--http-timeout-s": 2}
    opts.update({k if k.startswith("--") else "--" + k.replace("_", "-"): v
                 for k, v in over.items()})
    flags = []
    for k, v in opts.items():
        flags += [k, v]
    if smtp:
        flags += ["--smtp-url", smtp.url, "--mail-from",
                  "infrashare@hub.example.jp"]
    return flags


def make_hub(tmp_path, flags):
    h = ProvHub(tmp_path, flags=flags)
    h.init_fixture()
    h.tokens["admin"] = h.token("admin", name="provision")
    return h


def staff(h):
    """NISC, METI and the gas CEPTOAR secretariat, with users."""
    h.add_user("nisc-a", "nisc", "reader,liaison,analyst")
    h.add_user("meti-a", "meti", "reader,liaison,analyst")
    h.add_user("gas-sec", "ceptoar-gas", "reader,liaison,analyst")


def verify_signature(hit, secret_hex):
    sig = hit.headers["x-infrashare-signature"]
    m = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", sig)
    assert m, sig
    t = m.group(1)
    want = hmac.new(bytes.fromhex(secret_hex), t.encode() + b"." + hit.body,
                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(want, m.group(2)), "bad signature"
    assert abs(int(t) - time.time()) < 120
    return int(t)


def assert_stays(pred, seconds, what):
    """An absence check: pred must hold throughout a bounded window (for
    things that would happen within it if they happened at all); fails at
    the first moment it does not."""
    deadline = time.monotonic() + seconds
    while True:
        assert pred(), what
        if time.monotonic() >= deadline:
            return
        time.sleep(0.05)


def ack_path(url):
    """The path of an acknowledgement link (/ack/<token>)."""
    m = re.search(r"(/ack/[A-Za-z0-9_.-]+)", url)
    assert m, url
    return m.group(1)


@pytest.fixture
def hook():
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def phub(tmp_path, smtp):
    """A hub without demo data, e-mail to the test's SMTP server, NISC,
    METI and the gas secretariat staffed, METI relaying automatically."""
    h = make_hub(tmp_path, base_flags(smtp))
    staff(h)
    h.start()
    h.set_policy("meti", "auto")
    h.set_policy("ceptoar-gas", "auto")
    yield h
    h.stop()


def gas_members(h, hook, names, secrets=None):
    for n in names:
        h.add_operator(n)
        s = h.add_contact(n, "webhook", hook.url(f"/hooks/{n}"), 1)
        if secrets is not None:
            secrets[n] = s
        h.add_user(f"{n}-liaison", n, "reader,liaison")


# ---------------------------------------------------------------- A: chain

def test_chain_nisc_ministry_ceptoar_members(phub, hook):
    secrets = {}
    gas_members(phub, hook, ["op-a", "op-b"], secrets)
    adv = phub.issue("nisc-a", audience={"sectors": ["gas"]})
    assert adv["author"] == "nisc" and adv["recipients"] == 2
    wait_for(lambda: hook.count("/hooks/op-a", True) and
             hook.count("/hooks/op-b", True), what="members' webhooks")
    view = phub.advisory(adv["id"], "nisc-a")
    chain = {h["org"]: h for h in view["chain"]}
    assert [h["org"] for h in view["chain"]] == ["nisc", "meti",
                                                 "ceptoar-gas"]
    assert chain["nisc"]["step"] == 0 and chain["nisc"]["how"] == "author"
    assert chain["meti"]["step"] == 1 and chain["meti"]["parent"] == "nisc"
    assert chain["ceptoar-gas"]["step"] == 2
    assert chain["ceptoar-gas"]["parent"] == "meti"
    for org in ("meti", "ceptoar-gas"):
        h = chain[org]
        assert h["state"] == "relayed" and h["how"] == "auto", h
        assert h["arrived_at"] and h["relayed_at"], h
        assert h["arrived_at"] <= h["relayed_at"]
    assert chain["meti"]["relayed_at"] <= chain["ceptoar-gas"]["arrived_at"]
    wait_for(lambda: all(i["state"] == "delivered" for i in
                         phub.items(adv["id"], "nisc-a").values()),
             what="deliveries to show delivered")
    items = phub.items(adv["id"], "nisc-a")
    assert set(items) == {"op-a", "op-b"}
    for org, i in items.items():
        assert i["via"] == "ceptoar-gas" and i["sector"] == "gas"
        assert i["channel"] == "webhook"
        assert i["released_at"] >= chain["ceptoar-gas"]["relayed_at"]
        hit = hook.seen(f"/hooks/{org}", True)[0]
        verify_signature(hit, secrets[org])
        assert hit.json["advisory"] == adv["id"] and hit.json["org"] == org


def test_review_hop_waits_for_relay_with_notes_and_narrowing(phub, hook):
    gas_members(phub, hook, ["op-a", "op-b"])
    phub.set_policy("ceptoar-gas", "review", 30)
    adv = phub.issue("nisc-a", body_ja="秘匿しない本文", body_en="plain body")
    aid = adv["id"]
    phub.wait_ticks(3)
    view = phub.advisory(aid, "nisc-a")
    chain = {h["org"]: h for h in view["chain"]}
    assert chain["meti"]["state"] == "relayed"
    assert chain["ceptoar-gas"]["state"] == "waiting"
    assert chain["ceptoar-gas"]["arrived_at"] is not None
    assert chain["ceptoar-gas"]["relayed_at"] is None
    items = phub.items(aid, "nisc-a")
    assert {i["state"] for i in items.values()} == {"pending"}
    assert all(i["released_at"] is None for i in items.values())
    assert phub.deliveries(aid, "nisc-a")["messages"]["queued"] == 0
    assert hook.count("/hooks/") == 0
    # the members' inbox is empty until the relay
    inbox = phub.ok("GET", "/api/v1/advisories?inbox=true", "op-a-liaison")
    assert aid not in [a["id"] for a in inbox["items"]]

    r = phub.call("POST", f"/api/v1/advisories/{aid}/relay", "gas-sec",
                  json={"note_ja": "会員各位、至急確認を。",
                        "note_en": "Members: please check at once.",
                        "range": "amber"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["range"] == "amber" and out["tlp"] == "TLP:AMBER+STRICT"
    wait_for(lambda: hook.count("/hooks/op-a", True) and
             hook.count("/hooks/op-b", True), what="members after relay")
    view = phub.advisory(aid, "nisc-a")
    hop = {h["org"]: h for h in view["chain"]}["ceptoar-gas"]
    assert hop["state"] == "relayed" and hop["how"] == "review"
    assert hop["note"] == {"ja": "会員各位、至急確認を。",
                           "en": "Members: please check at once."}
    assert hop["relayed_at"] >= hop["arrived_at"]
    assert view["range"] == "amber"
    # narrowed to Amber: the members get a notice, not the content
    for org in ("op-a", "op-b"):
        msg = hook.seen(f"/hooks/{org}", True)[0]
        assert msg.json["range"] == "amber"
        assert "body" not in msg.json
        assert "秘匿しない本文".encode() not in msg.body
        assert b"plain body" not in msg.body
    relays = phub.audit("advisory.relay")
    assert [e["target"] for e in relays] == [aid]
    assert relays[0]["detail"]["range"] == "amber"


def test_review_limit_zero_relays_by_itself(phub, hook):
    gas_members(phub, hook, ["op-a"])
    phub.set_policy("ceptoar-gas", "review", 0)
    adv = phub.issue("nisc-a")
    phub.wait_ticks(3)
    hop = {h["org"]: h for h in
           phub.advisory(adv["id"], "nisc-a")["chain"]}["ceptoar-gas"]
    assert hop["state"] == "relayed" and hop["how"] == "limit", hop
    wait_for(lambda: hook.count("/hooks/op-a", True), what="member")
    autos = phub.audit("advisory.auto_relay")
    assert {"hop": "ceptoar-gas"} in [e["detail"] for e in autos]


def test_hotline_every_contact_at_once_and_emergency_contact(phub, hook,
                                                             smtp):
    # the secretariat reviews, and its hop would wait 30 minutes
    phub.set_policy("ceptoar-gas", "review", 30)
    phub.set_policy("meti", "review", 30)
    for n in ("op-a", "op-b"):
        phub.add_operator(n)
        phub.add_contact(n, "webhook", hook.url(f"/hooks/{n}"), 1)
        phub.add_contact(n, "email", f"{n}@op.example.jp", 2)
    esec = phub.add_contact("ceptoar-gas", "webhook",
                            hook.url("/emergency/ceptoar-gas"), 5,
                            emergency=True)
    adv = phub.issue("nisc-a", kind="warning", severity=4,
                     title_ja="攻撃が進行中", title_en="Attack under way")
    assert adv["hotline"] is True
    aid = adv["id"]
    wait_for(lambda: all(hook.count(f"/hooks/{n}", True) and
                         smtp.to(f"{n}@op.example.jp")
                         for n in ("op-a", "op-b")) and
             hook.count("/emergency/ceptoar-gas", True),
             timeout=15, what="every channel of every recipient")
    # both channels were used without waiting for a failure
    for n in ("op-a", "op-b"):
        assert hook.count(f"/hooks/{n}") == 1
        assert len(smtp.to(f"{n}@op.example.jp")) == 1
    chain = {h["org"]: h for h in phub.advisory(aid, "nisc-a")["chain"]}
    assert chain["meti"]["how"] == "hotline"
    assert chain["ceptoar-gas"]["how"] == "hotline"
    em = hook.seen("/emergency/ceptoar-gas", True)[0]
    verify_signature(em, esec)
    assert em.json["hotline"] is True and em.json["advisory"] == aid
    assert em.json.get("ack_url") is None   # told, not asked
    wait_for(lambda: phub.deliveries(aid, "nisc-a")["messages"]
             ["delivered"] == 5, what="5 messages delivered")
    jobs = phub.jobs(aid)
    assert sorted(j["reason"] for j in jobs) == \
        ["emergency"] + ["hotline"] * 4


# ---------------------------------------------------------------- channels

def test_each_channel_kind(phub, hook, smtp):
    secrets = {}
    for n, ch, addr in [
            ("op-mail", "email", "liaison@op-mail.example.jp"),
            ("op-hook", "webhook", hook.url("/hooks/op-hook")),
            ("op-phone", "phone", hook.url("/gw/phone")),
            ("op-sms", "sms", hook.url("/gw/sms")),
            ("op-fax", "fax", hook.url("/gw/fax"))]:
        phub.add_operator(n)
        secrets[n] = phub.add_contact(n, ch, addr, 1)
    adv = phub.issue("nisc-a", title_ja="脆弱性情報 第1報",
                     title_en="Vulnerability notice no. 1",
                     body_ja="パッチを適用してください。",
                     body_en="Please apply the patch.",
                     audience={"orgs": ["op-mail", "op-hook", "op-phone",
                                        "op-sms", "op-fax"]})
    aid = adv["id"]
    wait_for(lambda: smtp.to("liaison@op-mail.example.jp") and
             all(hook.count(p, True) for p in
                 ("/hooks/op-hook", "/gw/phone", "/gw/sms", "/gw/fax")),
             what="every channel")
    # e-mail
    mail = smtp.to("liaison@op-mail.example.jp")[0]
    assert mail.mail_from == "infrashare@hub.example.jp"
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", mail["Message-ID"])
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Idempotency-Key"]
    assert mail.subject == "脆弱性情報 第1報 / Vulnerability notice no. 1"
    text = mail.text
    for s in ("脆弱性情報 第1報", "パッチを適用してください。",
              "Vulnerability notice no. 1", "Please apply the patch."):
        assert s in text
    assert text.index("パッチ") < text.index("Please apply")  # ja first
    link = re.search(r"http://127\.0\.0\.1:\d+/ack/\S+", text).group(0)
    assert link.startswith(phub.url + "/ack/")
    # webhook
    hit = hook.seen("/hooks/op-hook", True)[0]
    verify_signature(hit, secrets["op-hook"])
    assert hit.headers["content-type"] == "application/json"
    assert hit.headers["idempotency-key"] == hit.json["id"]
    assert hit.json["advisory"] == aid and hit.json["org"] == "op-hook"
    assert hit.json["body"] == {"ja": "パッチを適用してください。",
                                "en": "Please apply the patch."}
    assert hit.json["ack_url"].startswith(phub.url + "/ack/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                        hit.json["sent_at"])
    # a tampered body does not verify
    bad = type(hit)(hit.path, hit.headers, hit.body.replace(b"op-hook",
                                                           b"op-hoox"), 200)
    with pytest.raises(AssertionError):
        verify_signature(bad, secrets["op-hook"])
    # gateways: JSON with the channel and a short text
    for n, ch in (("op-phone", "phone"), ("op-sms", "sms"),
                  ("op-fax", "fax")):
        g = hook.seen(f"/gw/{ch}", True)[0]
        verify_signature(g, secrets[n])
        assert g.headers["x-infrashare-channel"] == ch
        assert g.json["channel"] == ch and g.json["org"] == n
        assert g.json["text"]["ja"] == "脆弱性情報 第1報"
        assert g.json["text"]["en"] == "Vulnerability notice no. 1"
        assert len(g.json["text"]["ja"]) <= 200
        assert "body" not in g.json
    # the channel that reached each one is recorded after the receiver's
    # answer (the outbox records outcomes in batches: poll, not race)
    want = {"op-mail": "email", "op-hook": "webhook", "op-phone": "phone",
            "op-sms": "sms", "op-fax": "fax"}
    wait_for(lambda: {o: i["channel"] for o, i in
                      phub.items(aid, "nisc-a").items()} == want,
             what="each channel recorded")
    # the e-mailed link shows a confirmation form (a mail scanner's GET
    # or HEAD acknowledges nothing); its POST acknowledges for op-mail
    r = phub.get(ack_path(link))
    assert r.status_code == 200, r.text
    assert '<form method="post">' in r.text and "<script" not in r.text
    assert phub.items(aid, "nisc-a")["op-mail"]["state"] != "acknowledged"
    r = phub.post(ack_path(link))
    assert r.status_code == 200, r.text
    i = phub.items(aid, "nisc-a")["op-mail"]
    assert i["state"] == "acknowledged" and i["ack_via"] == "link"


@pytest.mark.parametrize("rng,title_in_notice", [
    ("green", False), ("white", False), ("amber", False), ("red", False),
    ("yellow", False), ("amber", True), ("red", True), ("yellow", True)])
def test_range_decides_what_bodies_carry(phub, hook, smtp, rng,
                                         title_in_notice):
    for n in ("op-mail", "op-hook", "op-sms"):
        phub.add_operator(n)
    phub.add_contact("op-mail", "email", "desk@op-mail.example.jp", 1)
    phub.add_contact("op-hook", "webhook", hook.url("/hooks/op-hook"), 1)
    phub.add_contact("op-sms", "sms", hook.url("/gw/sms"), 1)
    title_ja, title_en = "表題ひみつ", "SecretTitle"
    body_ja, body_en = "本文ひみつ", "SecretBody"
    adv = phub.issue("nisc-a", range=rng, title_in_notice=title_in_notice,
                     title_ja=title_ja, title_en=title_en, body_ja=body_ja,
                     body_en=body_en,
                     audience={"orgs": ["op-mail", "op-hook", "op-sms"]})
    aid = adv["id"]
    wait_for(lambda: smtp.to("desk@op-mail.example.jp") and
             hook.count("/hooks/op-hook", True) and
             hook.count("/gw/sms", True), what="messages")
    mail = smtp.to("desk@op-mail.example.jp")[0]
    hit = hook.seen("/hooks/op-hook", True)[0]
    sms = hook.seen("/gw/sms", True)[0]
    raw_hook = hit.body.decode()
    raw_sms = sms.body.decode()
    text = mail.text
    login = f"{phub.url}/#/advisories/{aid}"
    if rng in ("green", "white"):
        for s in (body_ja, body_en, title_ja, title_en):
            assert s in text
        assert hit.json["body"] == {"ja": body_ja, "en": body_en}
        assert hit.json["title"] == {"ja": title_ja, "en": title_en}
        return
    # a notice: no content, a sign-in link, the title only if allowed
    for s in (body_ja, body_en):
        assert s not in text and s not in mail.subject
        assert s not in raw_hook and s not in raw_sms
    assert "body" not in hit.json
    assert login in text and hit.json["login_url"] == login
    assert "ログイン" in text and "Sign in" in text
    for s in (title_ja, title_en):
        shown = [s in text, s in mail.subject, s in raw_hook, s in raw_sms]
        assert shown == [title_in_notice] * 4, (s, shown)
    if not title_in_notice:
        assert "title" not in hit.json
        assert "Advisory notice" in mail.subject


def test_longest_titles_reach_every_channel_whole(phub, hook, smtp):
    """Titles of 200 characters in each language (Japanese 3 bytes a
    character, an emoji 4: 601 bytes) reach the e-mail, the webhook and a
    gateway's short text whole. The gateway's text was once made in a
    600-byte buffer: the Japanese title was cut mid-character and no
    message of that advisory could be composed on any channel."""
    for n in ("op-lmail", "op-lhook", "op-lsms"):
        phub.add_operator(n)
    phub.add_contact("op-lmail", "email", "desk@op-lmail.example.jp", 1)
    phub.add_contact("op-lhook", "webhook", hook.url("/hooks/op-lhook"), 1)
    phub.add_contact("op-lsms", "sms", hook.url("/gw/lsms"), 1)
    ja = ("重要インフラ" * 34)[:199] + "😀"
    en = ("Critical infrastructure " * 9)[:199] + "!"
    assert len(ja) == 200 and len(ja.encode()) == 601
    phub.issue("nisc-a", range="green", title_ja=ja, title_en=en,
               audience={"orgs": ["op-lmail", "op-lhook", "op-lsms"]})
    wait_for(lambda: smtp.to("desk@op-lmail.example.jp") and
             hook.count("/hooks/op-lhook", True) and
             hook.count("/gw/lsms", True), what="messages")
    assert hook.seen("/hooks/op-lhook", True)[0].json["title"] == \
        {"ja": ja, "en": en}
    assert hook.seen("/gw/lsms", True)[0].json["text"] == {"ja": ja, "en": en}
    assert ja in smtp.to("desk@op-lmail.example.jp")[0].text


# ---------------------------------------------------------------- drills

def drill_env(h, hook):
    """Four gas members: three webhooks and one phone gateway."""
    for n in ("op-d1", "op-d2", "op-d3"):
        h.add_operator(n)
        h.add_contact(n, "webhook", hook.url(f"/hooks/{n}"), 1)
    h.add_operator("op-d4")
    h.add_contact("op-d4", "phone", hook.url("/gw/phone/op-d4"), 1)


def test_drill_messages_report_and_comparison(phub, hook, smtp):
    drill_env(phub, hook)
    # a member whose names would be markup / a spreadsheet formula
    phub.cli("org", "add", "op-d5", "--scope", "gas", "--name-ja",
             "<b>危険</b>&", "--name-en", '=HYPERLINK("http://x.example")',
             "--ceptoar", "ceptoar-gas")
    phub.add_contact("op-d5", "email", "desk@op-d5.example.jp", 1)
    members = ["op-d1", "op-d2", "op-d3", "op-d4", "op-d5"]
    paths = {"op-d1": "/hooks/op-d1", "op-d2": "/hooks/op-d2",
             "op-d3": "/hooks/op-d3", "op-d4": "/gw/phone/op-d4"}

    def run_drill(acks):
        before = {p: hook.count(p, True) for p in paths.values()}
        nmail = len(smtp.to("desk@op-d5.example.jp"))
        r = phub.call("POST", "/api/v1/drills", "nisc-a",
                      json={"target_kind": "ceptoar",
                            "target": "ceptoar-gas"})
        assert r.status_code == 201, r.text
        drill = r.json()
        wait_for(lambda: all(hook.count(p, True) > before[p]
                             for p in paths.values()) and
                 len(smtp.to("desk@op-d5.example.jp")) > nmail,
                 what="drill messages")
        msgs = {o: hook.seen(p, True)[-1] for o, p in paths.items()}
        mail = smtp.to("desk@op-d5.example.jp")[-1]
        # every message says it is a drill, in its subject / first line
        assert mail.subject.startswith("【訓練】[DRILL] ")
        assert mail.text.splitlines()[0].startswith("【訓練】[DRILL]")
        for o in ("op-d1", "op-d2", "op-d3"):
            j = msgs[o].json
            assert j["drill"] is True and j["advisory"] == drill["advisory"]
            assert j["title"]["ja"].startswith("【訓練】")
            assert j["title"]["en"].startswith("[DRILL]")
        ph = msgs["op-d4"].json
        assert ph["drill"] is True
        assert ph["text"]["ja"].startswith("【訓練】")
        assert ph["text"]["en"].startswith("[DRILL]")
        adv = phub.advisory(drill["advisory"], "nisc-a")
        assert adv["drill"] is True
        assert adv["hotline"] is False and adv["kind"] != "warning"
        for o in acks:
            link = msgs[o].json["ack_url"]
            assert phub.post(ack_path(link)).status_code == 200
        return drill

    d1 = run_drill(["op-d1", "op-d4"])
    rep = phub.ok("GET", f"/api/v1/drills/{d1['id']}/report?format=json",
                  "nisc-a")
    assert rep["drill"] == d1["id"] and rep["target"] == "ceptoar-gas"
    assert rep["reach"]["recipients"] == 5
    assert rep["reach"]["acknowledged_1d"] == 2
    assert rep["reach"]["reach_1d"] == pytest.approx(2 / 5)
    assert sorted(x["org"] for x in rep["not_reached"]) == \
        ["op-d2", "op-d3", "op-d5"]
    g = rep["by_ceptoar"]["ceptoar-gas"]
    assert g["recipients"] == 5 and g["acknowledged_1d"] == 2
    assert g["reach_1d"] == pytest.approx(0.4)
    orgs = {o["org"]: o for o in rep["organisations"]}
    assert orgs["op-d1"]["ack_via"] == "link"
    assert orgs["op-d4"]["channel"] == "phone"
    assert orgs["op-d5"]["channel"] == "email"
    assert rep["comparison"] is None
    # CSV: one row per organisation
    r = phub.call("GET", f"/api/v1/drills/{d1['id']}/report?format=csv",
                  "nisc-a")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(
        "text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert sorted(row["org"] for row in rows) == members
    assert {row["org"]: row["state"] for row in rows}["op-d1"] == \
        "acknowledged"
    d5 = [row for row in rows if row["org"] == "op-d5"][0]
    assert d5["name_en"] == "'=HYPERLINK(\"http://x.example\")"  # inert
    # HTML with a chart and the 1-day reach figure
    r = phub.call("GET", f"/api/v1/drills/{d1['id']}/report?format=html",
                  "nisc-a")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(
        "text/html")
    assert "<svg" in r.text and "40.0%" in r.text and "(2 / 5)" in r.text
    assert "<b>危険" not in r.text and "&lt;b&gt;危険&lt;/b&gt;&amp;" in r.text
    # the secretariat may read its drill report too; an operator may not
    phub.ok("GET", f"/api/v1/drills/{d1['id']}/report", "gas-sec")
    phub.add_user("op-d1-liaison", "op-d1")
    assert_error(phub.call("GET", f"/api/v1/drills/{d1['id']}/report",
                           "op-d1-liaison"), 403)

    d2 = run_drill(["op-d1", "op-d2", "op-d3", "op-d4"])
    rep2 = phub.ok("GET", f"/api/v1/drills/{d2['id']}/report", "nisc-a")
    assert rep2["reach"]["reach_1d"] == pytest.approx(4 / 5)
    # the comparison waits until both drills' 1-day windows are closed
    # (test_drill_kinds.py covers the rule; here both are backdated)
    assert rep2["comparison"] is None
    assert rep2["comparison_status"] == "pending"
    def backdate(con):
        con.execute("UPDATE drills SET created_at = created_at - 2 * 86400")
        con.execute("UPDATE advisories SET created_at = created_at - "
                    "2 * 86400 WHERE drill = 1")
        con.execute("UPDATE advisory_recipients SET acked_at = acked_at - "
                    "2 * 86400, delivered_at = delivered_at - 2 * 86400 "
                    "WHERE advisory_id IN (SELECT id FROM advisories WHERE "
                    "drill = 1)")

    hubdb.write(phub.db, backdate)
    rep2 = phub.ok("GET", f"/api/v1/drills/{d2['id']}/report", "nisc-a")
    c = rep2["comparison"]
    assert c["previous_drill"] == d1["id"]
    assert c["previous_reach_1d"] == pytest.approx(0.4)
    assert c["reach_1d"] == pytest.approx(0.8)
    assert c["change"] == pytest.approx(0.4)
    html = phub.call("GET", f"/api/v1/drills/{d2['id']}/report?format=html",
                     "nisc-a").text
    assert "+40.0 points" in html


# ---------------------------------------------------------- acknowledgement

def test_acknowledge_by_api(tmp_path, hook):
    # op-b's receiver fails: its job is retried, 1-3 s apart (--retry-cap-s
    # 2), and never runs out of attempts, until op-b acknowledges
    h = make_hub(tmp_path, base_flags(None, retry_cap_s=2,
                                      delivery_attempts=1000))
    staff(h)
    gas_members(h, hook, ["op-a", "op-b"])
    h.add_operator("op-elec", scope="electricity",
                   ceptoars=("ceptoar-electricity",))
    h.add_user("op-elec-liaison", "op-elec")
    hook.set_mode("/hooks/op-b", 500)
    h.start()
    try:
        h.set_policy("meti", "auto")
        h.set_policy("ceptoar-gas", "auto")
        adv = h.issue("nisc-a", severity=2)
        aid = adv["id"]
        wait_for(lambda: hook.count("/hooks/op-a", True),
                 what="op-a delivered")
        wait_for(lambda: [j for j in h.jobs(aid, "op-b")
                          if j["state"] == "queued" and j["attempts"] >= 1],
                 what="op-b's retry to be queued")
        r = h.call("POST", f"/api/v1/advisories/{aid}/ack", "op-b-liaison")
        assert r.status_code == 200, r.text
        assert r.json()["already"] is False and r.json()["org"] == "op-b"
        items = h.items(aid, "nisc-a")
        assert items["op-b"]["state"] == "acknowledged"
        assert items["op-b"]["ack_via"] == "api"
        assert items["op-b"]["acked_at"]
        # the acknowledgement stops op-b's job: cancelled if it was queued
        # for its retry, or - if the machine's load let the retry be
        # claimed meanwhile - failed once that attempt is back, never
        # retried again. Either way exactly one job, stopped
        wait_for(lambda: not [j for j in h.jobs(aid, "op-b")
                              if j["state"] in ("queued", "sending")],
                 what="op-b's job stopped")
        seen_b = hook.count("/hooks/op-b")
        [job] = h.jobs(aid, "op-b")
        assert job["state"] == "cancelled" or (
            job["state"] == "failed"
            and job["last_error"] == "stopped: acknowledged meanwhile"), job
        msgs = h.deliveries(aid, "nisc-a")["messages"]
        assert msgs["queued"] == 0 and msgs["sending"] == 0, msgs
        assert msgs["delivered"] == 1, msgs
        assert (msgs["cancelled"], msgs["failed"]) == (
            (1, 0) if job["state"] == "cancelled" else (0, 1)), msgs
        # nothing more goes to op-b: not at its stopped retry's time (its
        # next_at, the hub's clock, whole seconds) nor at any later retry's
        # (1-3 s apart)
        assert_stays(lambda: hook.count("/hooks/op-b") == seen_b and
                     h.jobs(aid, "op-b")[0]["attempts"] == job["attempts"],
                     max(4.0, (job.get("next_at") or 0) + 2 - time.time()),
                     "a stopped job was sent")
        # twice: 200, already
        r2 = h.call("POST", f"/api/v1/advisories/{aid}/ack", "op-b-liaison")
        assert r2.status_code == 200 and r2.json()["already"] is True
        assert r2.json()["acked_at"] == r.json()["acked_at"]
        # an organisation that is not a recipient
        assert_error(h.call("POST", f"/api/v1/advisories/{aid}/ack",
                            "op-elec-liaison"), 409, "not_a_recipient")
        assert h.audit("advisory.ack")[-1]["target"] == aid
        assert len(h.audit("advisory.ack")) == 1
    finally:
        h.stop()


def test_reach_figures_and_metrics(phub, hook):
    gas_members(phub, hook, ["op-a", "op-b", "op-c"])
    phub.add_operator("op-e", scope="electricity",
                      ceptoars=("ceptoar-electricity",))
    phub.add_contact("op-e", "webhook", hook.url("/hooks/op-e"), 1)
    phub.set_policy("ceptoar-electricity", "auto")
    adv = phub.issue("nisc-a", audience={"scopes": ["gas", "electricity"]})
    aid = adv["id"]
    assert adv["recipients"] == 4
    wait_for(lambda: phub.deliveries(aid, "nisc-a")["reach"]["advisory"]
             ["delivered_15m"] == 4, what="all delivered")
    for n in ("op-a", "op-b"):
        phub.ok("POST", f"/api/v1/advisories/{aid}/ack", f"{n}-liaison")
    d = phub.deliveries(aid, "nisc-a")
    r = d["reach"]["advisory"]
    assert r["recipients"] == 4
    for w in ("15m", "1h", "1d"):
        assert r[f"delivered_{w}"] == 4
        assert r[f"acknowledged_{w}"] == 2
    assert r["reach_1d"] == pytest.approx(0.5)
    tta = r["time_to_acknowledge"]
    assert set(tta) == {"p50_s", "p90_s", "max_s"}
    assert 0 <= tta["p50_s"] <= tta["p90_s"] <= tta["max_s"] < 120
    gas = d["reach"]["by_ceptoar"]["ceptoar-gas"]
    assert gas["recipients"] == 3 and gas["acknowledged_1d"] == 2
    el = d["reach"]["by_ceptoar"]["ceptoar-electricity"]
    assert el["recipients"] == 1 and el["acknowledged_1d"] == 0
    assert el["time_to_acknowledge"] == {}
    assert d["reach"]["by_sector"]["gas"]["recipients"] == 3
    assert d["reach"]["by_sector"]["electricity"]["delivered_1h"] == 1
    # metrics publish nothing per advisory (docs/rules.md "Metrics access")
    metrics = phub.metrics().text
    assert "infrashare_deliveries_total" in metrics
    assert aid not in metrics and "infrashare_advisory_" not in metrics


def test_deliveries_view_permissions(phub, hook):
    gas_members(phub, hook, ["op-a"])
    phub.add_operator("op-e", scope="electricity",
                      ceptoars=("ceptoar-electricity",))
    phub.add_contact("op-e", "webhook", hook.url("/hooks/op-e"), 1)
    phub.set_policy("ceptoar-electricity", "auto")
    phub.add_user("elec-sec", "ceptoar-electricity", "reader,liaison")
    phub.add_user("mic-a", "mic", "reader,liaison,analyst")
    adv = phub.issue("nisc-a", audience={"sectors": ["gas", "electricity"]})
    aid = adv["id"]
    assert set(phub.items(aid, "nisc-a")) == {"op-a", "op-e"}
    assert set(phub.items(aid, "gas-sec")) == {"op-a"}
    assert set(phub.items(aid, "elec-sec")) == {"op-e"}
    assert phub.deliveries(aid, "gas-sec")["reach"]["advisory"][
        "recipients"] == 1
    # advisory-wide message counts are the author side's only
    assert set(phub.deliveries(aid, "nisc-a")["messages"]) >= {
        "queued", "sending", "delivered", "failed", "cancelled"}
    assert phub.deliveries(aid, "gas-sec")["messages"] is None
    assert phub.deliveries(aid, "meti-a")["messages"] is None
    assert set(phub.items(aid, "meti-a")) == {"op-a", "op-e"}
    assert_error(phub.call("GET", f"/api/v1/advisories/{aid}/deliveries",
                           "op-a-liaison"), 403, "forbidden")
    assert_error(phub.call("GET", f"/api/v1/advisories/{aid}/deliveries",
                           "mic-a"), 403, "forbidden")
    assert_error(phub.call("GET", f"/api/v1/advisories/{aid}/deliveries"
                           "?state=bogus", "nisc-a"), 400, "invalid_value")


def test_unreached_list_and_escalation(tmp_path, hook, smtp):
    # a 10 s deadline (whole seconds: released_at + 10 <= now): op-ok's
    # acknowledgement, made as soon as its message arrived, is well before
    # it even on a loaded machine
    deadline_s = 10
    h = make_hub(tmp_path, base_flags(
        smtp, ack_deadlines=",".join([str(deadline_s)] * 3)))
    staff(h)
    for n in ("op-u", "op-ok"):
        h.add_operator(n)
        h.add_contact(n, "webhook", hook.url(f"/hooks/{n}"), 1)
        h.add_contact(n, "email", f"{n}@op.example.jp", 2)
        h.add_user(f"{n}-liaison", n)
    h.start()
    try:
        h.set_policy("meti", "auto")
        h.set_policy("ceptoar-gas", "auto")
        adv = h.issue("nisc-a")
        aid = adv["id"]
        assert adv["ack_deadline_min"] == 0
        wait_for(lambda: hook.count("/hooks/op-ok", True),
                 what="op-ok's first channel")
        h.ok("POST", f"/api/v1/advisories/{aid}/ack", "op-ok-liaison")
        wait_for(lambda: hook.count("/hooks/op-u", True),
                 what="op-u's first channel")
        assert h.items(aid, "nisc-a", "unreached") == {}
        assert smtp.to("op-u@op.example.jp") == []
        wait_for(lambda: "op-u" in h.items(aid, "nisc-a", "unreached"),
                 timeout=deadline_s + 30,
                 what="op-u in the not-yet-reached list")
        un = h.items(aid, "nisc-a", "unreached")
        assert set(un) == {"op-u"}
        assert un["op-u"]["escalated_at"] is not None
        assert un["op-u"]["acked_at"] is None
        # by the hub's own clock: op-u escalated at its deadline, not
        # before; op-ok acknowledged before it, and was never escalated
        rcpt = {r["org_id"]: r for r in h.db_rows(
            "SELECT org_id, released_at, acked_at, escalated_at FROM "
            "advisory_recipients WHERE advisory_id = ?", aid)}
        assert rcpt["op-u"]["escalated_at"] >= \
            rcpt["op-u"]["released_at"] + deadline_s, rcpt
        assert rcpt["op-ok"]["acked_at"] < \
            rcpt["op-ok"]["released_at"] + deadline_s, rcpt
        assert rcpt["op-ok"]["escalated_at"] is None, rcpt
        # the secretariat sees it too
        assert set(h.items(aid, "gas-sec", "unreached")) == {"op-u"}
        # escalation: the next channel is used
        wait_for(lambda: smtp.to("op-u@op.example.jp"), what="escalation")
        assert smtp.to("op-ok@op.example.jp") == []
        jobs = {j["channel"]: j for j in h.jobs(aid, "op-u")}
        assert {c: j["reason"] for c, j in jobs.items()} == \
            {"webhook": "first", "email": "escalation"}
        assert jobs["email"]["created_at"] >= \
            rcpt["op-u"]["released_at"] + deadline_s, (jobs, rcpt)
        esc = h.audit("advisory.escalate")
        assert [(e["target"], e["detail"]["org"]) for e in esc] == \
            [(aid, "op-u")]
    finally:
        h.stop()


def test_who_may_start_a_drill(phub, hook):
    drill_env(phub, hook)
    phub.add_user("mic-a", "mic", "reader,liaison,analyst")
    phub.add_user("elec-sec", "ceptoar-electricity", "reader,liaison,analyst")
    phub.add_user("op-d1-liaison", "op-d1")

    def start(user, **body):
        return phub.call("POST", "/api/v1/drills", user, json=body)
    # a ministry drills the sectors it owns and their CEPTOARs
    r = start("meti-a", target_kind="ceptoar", target="ceptoar-gas")
    assert r.status_code == 201, r.text
    assert start("meti-a", target_kind="sector",
                 target="gas").status_code == 201
    assert_error(start("mic-a", target_kind="ceptoar",
                       target="ceptoar-gas"), 403, "forbidden", "target")
    assert_error(start("mic-a", target_kind="sector", target="gas"), 403,
                 "forbidden", "target")
    assert_error(start("meti-a", target_kind="all"), 403, "forbidden")
    # a secretariat its own CEPTOAR only
    assert start("gas-sec", target_kind="ceptoar",
                 target="ceptoar-gas").status_code == 201
    assert_error(start("elec-sec", target_kind="ceptoar",
                       target="ceptoar-gas"), 403, "forbidden", "target")
    # operators never
    assert_error(start("op-d1-liaison", target_kind="ceptoar",
                       target="ceptoar-gas"), 403)
    assert_error(start("nisc-a", target_kind="ceptoar", target="meti"),
                 400, "invalid_value", "target")
    assert len(phub.audit("drill.start")) == 3


def test_a_named_recipient_sees_only_its_branch_of_the_chain(fresh_demo_hub):
    """Found by an outside review: a Red advisory to an operator of two
    sectors each, relayed by each one's ministry and CEPTOAR; each
    recipient's audience named only itself, but the relay chain showed
    the other's ministry and CEPTOAR, telling it another sector's
    operator was named too. A reader of an advisory to named
    organisations sees the author's step and its own branch of the
    chain (docs/rules.md "Who may read an advisory"); the author's side
    sees all of it."""
    hub = fresh_demo_hub

    def call(user, method, path, **kw):
        return hub.api(method, path, token=hub.token(user), **kw)

    r = call("nisc-analyst", "POST", "/api/v1/advisories", json={
        "kind": "security_info", "range": "red", "severity": 2,
        "title_ja": "赤", "title_en": "red", "body_ja": "本文",
        "body_en": "body",
        "audience": {"orgs": ["op-banking-0001", "op-telecom-0001"]}})
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    for u in ("fsa-desk", "mic-desk", "ceptoar-banking-secretariat",
              "ceptoar-telecom-secretariat"):
        r = call(u, "POST", f"/api/v1/advisories/{aid}/relay", json={})
        assert r.status_code == 200, (u, r.text)

    def chain(user):
        r = call(user, "GET", f"/api/v1/advisories/{aid}")
        assert r.status_code == 200, (user, r.text)
        return sorted(h["org"] for h in r.json()["chain"])

    everything = ["ceptoar-banking", "ceptoar-telecom", "fsa", "mic", "nisc"]
    assert chain("nisc-analyst") == everything
    telecom = ["ceptoar-telecom", "mic", "nisc"]
    banking = ["ceptoar-banking", "fsa", "nisc"]
    for user, want in (("op-telecom-0001", telecom),
                       ("ceptoar-telecom-secretariat", telecom),
                       ("mic-desk", telecom),
                       ("op-banking-0001", banking),
                       ("fsa-desk", banking)):
        assert chain(user) == want, user
    # the relay's own answer is the same view
    r = call("op-telecom-0001", "GET", f"/api/v1/advisories/{aid}")
    assert "banking" not in r.text and "fsa" not in r.text


def test_a_message_carries_the_notes_of_its_own_path_only(phub, hook):
    """A Green advisory to an operator of gas and one of water: METI
    relays with a note. The gas operator's webhook carries METI's note;
    the water operator's none, since another branch's ministry would tell
    who else it went to (docs/rules.md "Bodies follow the range"; the
    messages carried every ministry's note, found by a review)."""
    phub.add_user("mhlw-a", "mhlw", "reader,liaison,analyst")
    phub.set_policy("meti", "review", 30)
    phub.set_policy("mhlw", "auto")
    phub.set_policy("ceptoar-water", "auto")
    gas_members(phub, hook, ["op-a"])
    phub.add_operator("op-w", scope="water", ceptoars=("ceptoar-water",))
    phub.add_contact("op-w", "webhook", hook.url("/hooks/op-w"), 1)
    adv = phub.issue("nisc-a", audience={"orgs": ["op-a", "op-w"]})
    r = phub.call("POST", f"/api/v1/advisories/{adv['id']}/relay", "meti-a",
                  json={"note_ja": "ガス事業者は確認を。",
                        "note_en": "Gas operators: please check."})
    assert r.status_code == 200, r.text
    wait_for(lambda: hook.count("/hooks/op-a", True) and
             hook.count("/hooks/op-w", True), what="both webhooks")
    gas = hook.seen("/hooks/op-a", True)[0].json
    water = hook.seen("/hooks/op-w", True)[0].json
    assert [n["by"] for n in gas["notes"]] == ["meti"], gas["notes"]
    assert water["notes"] == [], water["notes"]
    assert "meti" not in json.dumps(water) and "ガス" not in json.dumps(
        water, ensure_ascii=False)
