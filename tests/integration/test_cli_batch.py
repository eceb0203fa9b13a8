"""`infrashare batch` (README "infrashare batch"): the user, org and token
commands of standard input, one a line, on one connection. Every line is
read and checked before any runs; each then commits as it would alone;
the batch stops at the first line that fails and names it."""
import subprocess

import hubdb
from conftest import BUILD, SANITIZER_MARKS

PW = "batch-password-for-tests-1"


def batch(hub, text, env=None):
    # straight to the binary: Hub.cli would run its own kept calls first
    r = subprocess.run([str(BUILD / "infrashare"), "--db", str(hub.db),
                        "batch"], input=text, capture_output=True,
                       text=True, timeout=120, env=env)
    for mark in SANITIZER_MARKS:
        assert mark not in r.stderr, r.stderr
    return r


def state(hub):
    """What a batch may change: users, organisations, contacts, tokens
    and the audit log's length."""
    con = hubdb.connect(hub.db)
    try:
        out = {}
        for t in ("users", "orgs", "contacts", "tokens", "audit"):
            out[t] = con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        return out
    finally:
        con.close()


def test_a_batch_runs_every_line_in_order(hub):
    pw = hub.dir / "b.pw"
    pw.write_text(PW + "\n")
    before = state(hub)
    text = (
        "# operators and their people\n"
        "\n"
        "org add op-batch --scope gas --name-ja '試験 事業者 \"甲\"' "
        "--name-en 'Batch operator' --ceptoar ceptoar-gas\n"
        f"user add batch-alice --org op-batch --roles reader,liaison "
        f"--password-file {pw}\r\n"
        "org contact op-batch --channel email --address a@op-batch.example.jp\n"
        "org contact op-batch --channel webhook "
        "--address http://127.0.0.1:9/hook   # a signing secret, shown once\n"
        "token create batch-alice --name from-batch\n")
    r = batch(hub, text)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    # each command's own output, in the input's order
    assert out[0].startswith("added operator op-batch"), out
    assert out[1].startswith("added user batch-alice"), out
    assert out[2] == "added email contact for op-batch", out
    assert "signing secret: " in r.stdout
    assert r.stdout.count("signing secret: ") == 1
    tok = [l for l in out if l.startswith("ist_")]
    assert len(tok) == 1
    assert r.stdout.index("signing secret") < r.stdout.index(tok[0])
    after = state(hub)
    assert after["users"] == before["users"] + 1
    assert after["orgs"] == before["orgs"] + 1
    assert after["contacts"] == before["contacts"] + 2
    assert after["tokens"] == before["tokens"] + 1
    # the org's names as quoted, Japanese included
    org = hub.api("GET", "/api/v1/orgs/op-batch", token=tok[0]).json()
    assert org["name"] == {"ja": '試験 事業者 "甲"', "en": "Batch operator"}
    # the token made in the batch works, and the user's password
    me = hub.api("GET", "/api/v1/session", token=tok[0])
    assert me.status_code == 200, me.text
    assert me.json()["user"]["username"] == "batch-alice"
    assert hub.login("batch-alice", PW) is not None
    # each command audited as alone, via the CLI
    admin = hub.token("admin")
    items = hub.api("GET", "/api/v1/audit?limit=20", token=admin).json()["items"]
    acts = [(e["action"], e["target"]) for e in items
            if e["detail"].get("via") == "cli"]
    for want in (("user.add", "batch-alice"),):
        assert want in acts, acts


def test_a_line_that_cannot_be_read_runs_nothing(hub):
    pw = hub.dir / "b.pw"
    pw.write_text(PW + "\n")
    good = f"user add batch-bob --org nisc --roles reader --password-file {pw}\n"
    cases = [
        (good + "user add 'open --org nisc\n", "line 2", "a quote is not closed"),
        (good + good + "init --force\n", "line 3",
         "only user, org and token commands"),
        ("\n\n" + good + "report list\n", "line 4", "only user, org and token"),
        (good + "x" * 65537 + "\n", "line 2", "longer than 65536 bytes"),
        (good + "user add " + "w " * 70 + "\n", "line 2", "more than 64 words"),
        (good + "org add\0x\n", None, "NUL byte"),
    ]
    before = state(hub)
    for text, where, why in cases:
        r = batch(hub, text)
        assert r.returncode == 2, (text[:80], r.stdout, r.stderr)
        assert why in r.stderr and "nothing was run" in r.stderr, r.stderr
        if where:
            assert where + ":" in r.stderr, r.stderr
        assert r.stdout == ""
        assert state(hub) == before
    # over 16 MiB of input: refused before anything runs
    r = batch(hub, good + "#" * (16 << 20) + "\n")
    assert r.returncode == 2 and "over 16 MiB" in r.stderr, r.stderr
    assert state(hub) == before
    # arguments after batch are a usage error
    r = subprocess.run([str(BUILD / "infrashare"), "--db", str(hub.db),
                        "batch", "cmds.txt"], capture_output=True, text=True,
                       input=good, timeout=60)
    assert r.returncode == 2 and "no arguments" in r.stderr
    assert state(hub) == before
    # said in Japanese under a Japanese locale
    import os
    env = dict(os.environ, LANG="ja_JP.UTF-8", LC_ALL="", LC_MESSAGES="")
    r = batch(hub, good + "user add 'x\n", env=env)
    assert r.returncode == 2
    assert "2 行目" in r.stderr and "何も実行していません" in r.stderr, r.stderr
    assert state(hub) == before


def test_a_batch_stops_at_the_first_line_that_fails(hub):
    pw = hub.dir / "b.pw"
    pw.write_text(PW + "\n")
    before = state(hub)
    text = "".join(
        f"user add {n} --org nisc --roles reader --password-file {pw}\n"
        for n in ("batch-c1", "batch-c2", "batch-c1", "batch-c3"))
    r = batch(hub, text)
    assert r.returncode == 1, r.stderr
    assert "user batch-c1 exists already" in r.stderr
    assert ("line 3 failed (exit 1): the 2 command(s) before it are done, "
            "none after it was run") in r.stderr, r.stderr
    con = hubdb.connect(hub.db)
    names = {row[0] for row in con.execute(
        "SELECT username FROM users WHERE username LIKE 'batch-c%'")}
    con.close()
    assert names == {"batch-c1", "batch-c2"}
    assert state(hub)["users"] == before["users"] + 2
    # a usage error inside a line stops it with that line's status
    r = batch(hub, f"user add batch-c4 --org nisc --roles reader "
                   f"--password-file {pw}\nuser add batch-c5 --bogus x\n")
    assert r.returncode == 2 and "line 2 failed (exit 2)" in r.stderr
    assert state(hub)["users"] == before["users"] + 3


def test_an_empty_batch_does_nothing(hub):
    before = state(hub)
    r = batch(hub, "# nothing\n\n   \n")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    assert state(hub) == before


def test_batch_is_an_admin_command():
    r = subprocess.run([str(BUILD / "infrashare"), "--url",
                        "http://127.0.0.1:9", "batch"], input="",
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "batch works on the database (--db)" in r.stderr
    r = subprocess.run([str(BUILD / "infrashare"), "batch", "--help"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "batch < FILE" in r.stdout
