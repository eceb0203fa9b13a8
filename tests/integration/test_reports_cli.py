"""The command-line client for reports: `infrashare report file|update|show|
list`, talking to a running hub with --url/--token or INFRASHARE_URL/
INFRASHARE_TOKEN (src/cli/client.c)."""
import json
import os
import re
import subprocess

import hubdb
from conftest import BUILD, SANITIZER_MARKS

OP = "op-banking-0001"


def client(hub, *args, token=None, use_env=False, input=None):
    cmd = [str(BUILD / "infrashare"), *map(str, args)]
    env = {k: v for k, v in os.environ.items()
           if k not in ("INFRASHARE_URL", "INFRASHARE_TOKEN")}
    if use_env:
        env["INFRASHARE_URL"] = hub.url
        env["INFRASHARE_TOKEN"] = token
    else:
        cmd += ["--url", hub.url, "--token", token]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env,
                       input=input, timeout=60)
    for mark in SANITIZER_MARKS:
        assert mark not in r.stderr, r.stderr
    return r


def count(hub, token):
    r = hub.api("GET", "/api/v1/reports/counts", token=token)
    assert r.status_code == 200
    return r.json()["total"]


def test_file_show_list_update(fresh_demo_hub):
    hub = fresh_demo_hub
    t = hub.token(OP)
    # an empty list says so (it printed nothing: found by a review)
    r = client(hub, "report", "list", token=t)
    assert r.returncode == 0 and r.stdout == "no reports / 報告はありません\n", \
        r.stdout
    r = client(hub, "advisory", "list", token=t)
    assert r.returncode == 0
    assert r.stdout == "no advisories / 情報提供はありません\n", r.stdout
    r = client(hub, "report", "file", "--title", "CLI filed outage",
               "--kind", "incident", "--range", "green", "--route", "direct",
               "--what", "ATMs stopped", token=t)
    assert r.returncode == 0, r.stderr
    m = re.match(r"(R[0-9a-f]{16})\s", r.stdout)
    assert m, r.stdout
    rid = m.group(1)
    api = hub.api("GET", f"/api/v1/reports/{rid}", token=t)
    assert api.status_code == 200
    v = api.json()
    assert v["title"] == "CLI filed outage"
    assert v["what_happened"] == "ATMs stopped"
    assert v["range"] == "green" and v["route"] == "direct"
    assert v["detected_at"]  # the client fills in "now"

    r = client(hub, "report", "show", rid, token=t)
    assert r.returncode == 0, r.stderr
    assert rid in r.stdout and "CLI filed outage" in r.stdout
    assert "current hop fsa" in r.stdout
    assert "arrived" in r.stdout and "filed" in r.stdout

    r = client(hub, "report", "list", token=t, use_env=True)
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stdout.splitlines() if l.startswith(rid)]
    assert len(lines) == 1 and "CLI filed outage" in lines[0]

    r = client(hub, "report", "update", rid, "--kind", "update", "--text",
               "restored at noon", token=t)
    assert r.returncode == 0, r.stderr
    v = hub.api("GET", f"/api/v1/reports/{rid}", token=t).json()
    assert [u["kind"] for u in v["updates"]] == ["original", "update"]
    assert v["updates"][1]["body"]["text"] == "restored at noon"


def test_advisory_list_titles_in_the_locales_language(fresh_demo_hub):
    """The list gave the Japanese title alone, in any locale (found by a
    review): the locale's title, else the other one."""
    hub = fresh_demo_hub
    ts = hub.token("ceptoar-banking-secretariat")
    r = client(hub, "advisory", "issue", "--kind", "security_info",
               "--range", "green", "--severity", "1", "--title-ja", "注意喚起",
               "--title-en", "Heads-up", "--body-ja", "本文", "--body-en",
               "body", "--ceptoars", "ceptoar-banking", "--json", token=ts)
    assert r.returncode == 0, r.stderr
    aid = json.loads(r.stdout)["id"]
    t = hub.token(OP)
    env = {k: v for k, v in os.environ.items()
           if k not in ("INFRASHARE_URL", "INFRASHARE_TOKEN", "LC_ALL",
                        "LC_MESSAGES")}
    for lang, title in (("C.UTF-8", "Heads-up"), ("ja_JP.UTF-8", "注意喚起")):
        r = subprocess.run([str(BUILD / "infrashare"), "advisory", "list",
                            "--url", hub.url, "--token", t],
                           capture_output=True, text=True,
                           env={**env, "LANG": lang}, timeout=60)
        assert r.returncode == 0, r.stderr
        line = [x for x in r.stdout.splitlines() if x.startswith(aid)]
        assert len(line) == 1 and line[0].endswith(" " + title), r.stdout


def test_json_outputs_are_valid_json(fresh_demo_hub):
    hub = fresh_demo_hub
    t = hub.token(OP)
    r = client(hub, "report", "file", "--title", "json one", "--kind",
               "precursor", "--range", "amber", "--route", "via_ceptoar",
               "--json", token=t)
    assert r.returncode == 0, r.stderr
    filed = json.loads(r.stdout)
    rid = filed["id"]
    assert filed["severity"]["computed"] == 1
    assert filed["current_hop"] == "ceptoar-banking"
    r = client(hub, "report", "show", rid, "--json", token=t)
    assert r.returncode == 0
    shown = json.loads(r.stdout)
    assert shown["id"] == rid and shown["timeline"]
    r = client(hub, "report", "list", "--json", token=t)
    assert r.returncode == 0
    assert [i["id"] for i in json.loads(r.stdout)["items"]] == [rid]
    r = client(hub, "report", "update", rid, "--kind", "full", "--text",
               "full report", "--json", token=t)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["updates"][-1]["kind"] == "full"
    # --data from stdin, flags override the file
    doc = {"title": "from stdin", "kind": "info", "range": "green",
           "route": "direct", "measures": "none needed"}
    r = client(hub, "report", "file", "--data", "-", "--title",
               "flag wins", "--json", token=t, input=json.dumps(doc))
    assert r.returncode == 0, r.stderr
    v = json.loads(r.stdout)
    assert v["title"] == "flag wins" and v["measures"] == "none needed"
    # the anonymous label in the CLI list of another reader
    s = hub.token("ceptoar-banking-secretariat")
    r = client(hub, "report", "list", "--json", token=s)
    assert r.returncode == 0
    assert rid in [i["id"] for i in json.loads(r.stdout)["items"]]


def test_api_errors_in_the_locales_language(demo_hub):
    """The CLI prints the API error's message in Japanese (detail_ja,
    else the code's sentence message_ja) when the locale's language is
    Japanese: LC_ALL, else LC_MESSAGES, else LANG, as POSIX orders them;
    else the English message."""
    t = demo_hub.token(OP)
    base = {k: v for k, v in os.environ.items()
            if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}

    def show(**loc):
        r = subprocess.run(
            [str(BUILD / "infrashare"), "report", "show", "R0000000000000000",
             "--url", demo_hub.url, "--token", t],
            capture_output=True, text=True, env={**base, **loc}, timeout=60)
        assert r.returncode == 1 and r.stdout == "", (r.returncode, r.stderr)
        return r.stderr.strip()

    ja = "infrashare: HTTP 404 not_found: 指定された報告は見つかりません。"
    en = "infrashare: HTTP 404 not_found: no such report"
    assert show(LANG="ja_JP.UTF-8") == ja
    assert show(LC_ALL="ja_JP.UTF-8", LANG="C.UTF-8") == ja
    assert show(LC_MESSAGES="ja_JP.UTF-8") == ja
    assert show(LANG="C.UTF-8") == en
    assert show() == en
    assert show(LC_MESSAGES="en_US.UTF-8", LANG="ja_JP.UTF-8") == en
    assert show(LC_ALL="C", LC_MESSAGES="ja_JP.UTF-8") == en
    # a field, as in English: the code's sentence after it
    r = subprocess.run(
        [str(BUILD / "infrashare"), "report", "file", "--title", "bad kind",
         "--kind", "outage", "--range", "green", "--route", "direct",
         "--url", demo_hub.url, "--token", t],
        capture_output=True, text=True, env={**base, "LANG": "ja_JP.UTF-8"},
        timeout=60)
    assert r.returncode != 0 and r.stdout == ""
    assert "kind: 許可された値ではありません。" in r.stderr, r.stderr


def test_errors_exit_non_zero_with_the_api_message(fresh_demo_hub):
    hub = fresh_demo_hub
    t = hub.token(OP)
    n = count(hub, t)
    r = client(hub, "report", "file", "--title", "bad kind", "--kind",
               "outage", "--range", "green", "--route", "direct", token=t)
    assert r.returncode != 0
    assert "400" in r.stderr and "invalid_value" in r.stderr
    assert "kind" in r.stderr
    assert r.stdout == ""
    r = client(hub, "report", "file", "--title", "bad route", "--kind",
               "incident", "--range", "green", "--route", "carrier_pigeon",
               token=t)
    assert r.returncode != 0 and "route" in r.stderr
    assert count(hub, t) == n
    # a report that does not exist / cannot be read
    r = client(hub, "report", "show", "R0000000000000000", token=t)
    assert r.returncode != 0
    assert "404" in r.stderr and "no such report" in r.stderr
    # the overdue view is not for operators
    r = client(hub, "report", "list", "--overdue", token=t)
    assert r.returncode != 0 and "403" in r.stderr and "overdue" in r.stderr
    # a bad token
    r = client(hub, "report", "list", token="ist_not_a_token")
    assert r.returncode != 0 and "401" in r.stderr
    # no token at all
    r = subprocess.run([str(BUILD / "infrashare"), "report", "list", "--url",
                        hub.url], capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items()
                            if k != "INFRASHARE_TOKEN"}, timeout=60)
    assert r.returncode != 0 and "token" in r.stderr
    # a usage error
    r = client(hub, "report", "show", token=t)
    assert r.returncode == 2
    # numbers checked before anything is sent (the request log stays as
    # it was): exit 2, the option named; a good one still lists
    def requests_logged():
        return sum('"request"' in line for line in
                   hub.log_path.read_text(errors="replace").splitlines())
    before = requests_logged()
    assert before > 0
    for args, opt in ((("report", "list", "--min-severity", "abc"),
                       "--min-severity"),
                      (("report", "list", "--min-severity", "6"),
                       "--min-severity"),
                      (("report", "list", "--limit", "5&overdue=true"),
                       "--limit"),
                      (("report", "list", "--limit", "0"), "--limit"),
                      (("advisory", "list", "--limit", "201"), "--limit"),
                      (("drill", "list", "--limit", "x"), "--limit"),
                      # a value outside an option's set: the option, its
                      # values and the one given are named (found by an
                      # outside review: the usage block alone was printed)
                      (("risk", "list", "--state", "bogus"),
                       '--state: one of open, closed (not "bogus")'),
                      (("risk", "list", "--treatment", "x"),
                       "--treatment: one of reduce, avoid, transfer, accept"),
                      (("survey", "results", "SV2025", "--lang", "fr"),
                       '--lang: one of ja, en (not "fr")'),
                      (("survey", "results", "SV2025", "--format", "xml"),
                       "--format: one of json, csv, html"),
                      (("exercise", "debrief", "X0000000000000001",
                        "--view", "bogus"), "--view: one of full, summary"),
                      (("c4tap", "export", "--format", "xml"),
                       "--format: one of csv, json"),
                      (("c4tap", "export", "--campaign", "x1"),
                       "--campaign"),
                      (("drill", "report", "D1", "--format", "xml"),
                       "--format: one of json, csv, html")):
        r = client(hub, *args, token=t)
        assert r.returncode == 2, (args, r.stderr)
        assert opt in r.stderr and r.stdout == "", (args, r.stderr)

    # stray arguments are usage errors too, before anything is sent
    for args in (("whoami", "extra"), ("sectors", "x"),
                 ("advisory", "ack", "A0000000000000000", "extra"),
                 ("advisory", "list", "x"), ("drill", "list", "--fy", "abc"),
                 ("drill", "list", "--ceptoar", "a/b")):
        r = client(hub, *args, token=t)
        assert r.returncode == 2 and r.stdout == "", (args, r.stderr)
    assert requests_logged() == before
    # -h at the top, as --help and help: the usage, exit 0
    for flag in ("-h", "--help", "help"):
        r = subprocess.run([str(BUILD / "infrashare"), flag],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "usage: infrashare" in r.stdout, flag
    r = client(hub, "report", "list", "--min-severity", "0", "--limit",
               "500", "--json", token=t)
    assert r.returncode == 0, r.stderr


def test_cli_own_messages_in_the_locales_language(demo_hub, tmp_path):
    """The CLI's own messages (options, files, connections, init) follow
    the same locale rule as the API's sentences: Japanese when the locale's
    language is Japanese, else English; the exit status is the same in
    both, and nothing is printed on stdout."""
    t = demo_hub.token(OP)
    base = {k: v for k, v in os.environ.items()
            if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "INFRASHARE_URL",
                         "INFRASHARE_TOKEN")}
    missing = tmp_path / "no-such.eml"

    def run(loc, *args):
        r = subprocess.run([str(BUILD / "infrashare"), *map(str, args)],
                           capture_output=True, text=True,
                           env={**base, **loc}, timeout=60)
        for mark in SANITIZER_MARKS:
            assert mark not in r.stderr, r.stderr
        assert r.stdout == "", r.stdout
        return r.returncode, r.stderr.strip()

    # (arguments, English, Japanese), each a whole line of stderr
    cases = [
        (["frobnicate"], "infrashare: unknown command 'frobnicate'",
         "infrashare: 'frobnicate' というコマンドはありません"),
        (["report", "list", "--url", demo_hub.url],
         "infrashare: no token: pass --token or set INFRASHARE_TOKEN "
         "(create one with 'infrashare token create USER')",
         "infrashare: トークンがありません: --token を指定するか "
         "INFRASHARE_TOKEN を設定してください（作成は 'infrashare token "
         "create USER'）"),
        (["advisory", "issue", "--severity", "9", "--url", demo_hub.url,
          "--token", t],
         'infrashare: --severity: 0 to 5 (not "9")',
         'infrashare: --severity: 0 から 5 で指定してください（"9" は使えません）'),
        # a value outside an option's set: the option, its values and the
        # one given (README, "Command-line tool"; an outside review found
        # these without the value, or with the usage line only)
        (["risk", "add", "--title", "t", "--owner", "o", "--impact", "2",
          "--likelihood", "2", "--treatment", "nope", "--review",
          "2030-01-01", "--url", demo_hub.url, "--token", t],
         'infrashare: --treatment: one of reduce, avoid, transfer, accept '
         '(not "nope")',
         "infrashare: --treatment: reduce（低減）、avoid（回避）、transfer"
         '（移転）、accept（受容）のいずれかです（"nope" は使えません）'),
        (["--db", demo_hub.db, "org", "contact", "op-banking-0001",
          "--channel", "pigeon", "--address", "a@b.example"],
         'infrashare: --channel: one of email, webhook, phone, sms, fax '
         '(not "pigeon")',
         "infrashare: --channel: email, webhook, phone, sms, fax のいずれか"
         'で指定してください（"pigeon" は使えません）'),
        # a JSON file that is not there: said in the locale's language,
        # with no position (it was "PATH:-1: unable to open ...")
        (["report", "file", "--data", missing, "--url", demo_hub.url,
          "--token", t],
         f"infrashare: cannot read {missing}: unable to open {missing}: "
         "No such file or directory",
         f"infrashare: {missing} を読めません: unable to open {missing}: "
         "No such file or directory"),
        (["c4tap", "submit", missing, "--url", demo_hub.url, "--token", t],
         f"infrashare: {missing}: cannot open",
         f"infrashare: {missing}: 開けません"),
        (["risk", "update", "1", "--close", "--reopen", "--url",
          demo_hub.url, "--token", t],
         "infrashare: --close or --reopen, not both",
         "infrashare: --close と --reopen は同時に指定できません"),
        # a command of the database on a path that holds none
        (["--db", tmp_path / "none.db", "user", "list"],
         f"infrashare: {tmp_path / 'none.db'}: no database here (run "
         "'infrashare init' first)",
         f"infrashare: {tmp_path / 'none.db'}: データベースがありません"
         "（先に 'infrashare init' を実行してください）"),
    ]
    for args, en, ja in cases:
        rc_en, out_en = run({"LANG": "C.UTF-8"}, *args)
        rc_ja, out_ja = run({"LANG": "ja_JP.UTF-8"}, *args)
        assert rc_en != 0 and rc_ja == rc_en, (args, rc_en, rc_ja)
        assert en in out_en.splitlines(), (args, out_en)
        assert ja in out_ja.splitlines(), (args, out_ja)
        # LC_ALL wins over LANG, as for the API's sentences
        assert run({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, *args)[1] == \
            out_en
        assert run({"LC_MESSAGES": "ja_JP.UTF-8"}, *args)[1] == out_ja
    # a hub that cannot be reached: the reason after the sentence
    rc, out = run({"LANG": "ja_JP.UTF-8"}, "report", "list", "--url",
                  "http://127.0.0.1:1", "--token", t)
    assert rc != 0 and out.startswith("infrashare: ハブに接続できません: "), out


def test_cli_local_commands_in_the_locales_language(demo_hub):
    """The commands that open the database (user add, user passwd, ...)
    word their refusals in the locale's language too, and change
    nothing."""
    def users():
        con = hubdb.connect(demo_hub.db, timeout=10, readonly=True)
        try:
            return [tuple(r) for r in con.execute(
                "SELECT id, username, disabled, pw_hash FROM users "
                "ORDER BY id").fetchall()]
        finally:
            con.close()

    before = users()
    cases = [
        (["user", "add", "x-new", "--org", "nisc", "--roles", "reader",
          "--lang", "fr"],
         "infrashare: --lang: ja or en", "infrashare: --lang: ja または en です"),
        (["user", "add", "x-new", "--org", "no-such-org", "--roles",
          "reader"],
         "infrashare: --org: no organisation no-such-org",
         "infrashare: --org: 組織 no-such-org はありません"),
        (["user", "add", "nisc-analyst", "--org", "nisc", "--roles",
          "reader"],
         "infrashare: user nisc-analyst exists already",
         "infrashare: 利用者 nisc-analyst は既にいます"),
        (["user", "disable", "no-such-user"],
         "infrashare: no user no-such-user",
         "infrashare: 利用者 no-such-user はいません"),
        (["user", "frob"], "infrashare: unknown user command 'frob'",
         "infrashare: 'frob' という user コマンドはありません"),
    ]
    for args, en, ja in cases:
        r_en = demo_hub.cli(*args, check=False, env={"LANG": "C.UTF-8"})
        r_ja = demo_hub.cli(*args, check=False, env={"LANG": "ja_JP.UTF-8"})
        assert r_en.returncode != 0 and r_ja.returncode == r_en.returncode
        assert en in r_en.stderr.splitlines(), (args, r_en.stderr)
        assert ja in r_ja.stderr.splitlines(), (args, r_ja.stderr)
    assert users() == before


def test_list_gives_an_anonymous_reporter_in_the_locales_language(
        fresh_demo_hub):
    """`report list` showed an anonymous report's label in English under
    LANG=ja (found by an outside review)."""
    hub = fresh_demo_hub
    r = hub.api("POST", "/api/v1/reports", token=hub.token(OP), json={
        "title": "匿名の報告", "kind": "incident", "range": "amber",
        "route": "anonymous", "detected_at": "2026-12-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    sec = hub.token("ceptoar-banking-secretariat")
    label = hub.api("GET", f"/api/v1/reports/{rid}",
                    token=sec).json()["reporter"]["label"]
    for lang, want, other in (("ja_JP.UTF-8", "ja", "en"),
                              ("C.UTF-8", "en", "ja")):
        env = {k: v for k, v in os.environ.items()
               if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
        env.update(LANG=lang, INFRASHARE_URL=hub.url, INFRASHARE_TOKEN=sec)
        p = subprocess.run([str(BUILD / "infrashare"), "report", "list"],
                           capture_output=True, text=True, env=env,
                           timeout=60)
        assert p.returncode == 0, p.stderr
        line = [x for x in p.stdout.splitlines() if x.startswith(rid)]
        assert len(line) == 1, p.stdout
        assert label[want] in line[0] and label[other] not in line[0], line
