"""The documented command lines do what the documents say: README's client
examples against the demo hub, the options a synopsis promises, the exit
statuses of usage errors (src/cli/, src/infrashared.c)."""
import json
import os
import re
import subprocess

from conftest import BUILD, ROOT, SANITIZER_MARKS

README = (ROOT / "README.md").read_text("utf-8")


def client(hub, *args, token=None, before=False, input=None):
    """infrashare with --url/--token after the command words (or, with
    before, ahead of them), INFRASHARE_URL/INFRASHARE_TOKEN unset."""
    glob = ["--url", hub.url] + (["--token", token] if token else [])
    cmd = [str(BUILD / "infrashare"),
           *(glob if before else []), *map(str, args),
           *([] if before else glob)]
    env = {k: v for k, v in os.environ.items()
           if k not in ("INFRASHARE_URL", "INFRASHARE_TOKEN")}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env,
                       input=input, timeout=60)
    for mark in SANITIZER_MARKS:
        assert mark not in r.stderr, r.stderr
    return r


def readme_lines(prefix):
    """README's command lines that start with prefix (a comment cut off)."""
    return [l.split("  #", 1)[0].strip() for l in README.splitlines()
            if l.startswith(prefix)]


def test_drill_start_and_report_as_documented(fresh_demo_hub):
    hub = fresh_demo_hub
    t = hub.token("nisc-analyst")
    starts = (readme_lines("infrashare drill start ") +
              readme_lines("infrashare drills start "))
    assert starts
    ids = []
    for line in starts:
        words = line.split()[1:]
        r = client(hub, *words, token=t)
        assert r.returncode == 0, (line, r.stderr)
        ids.append(json.loads(r.stdout)["id"])
    did = ids[0]
    api = hub.api("GET", f"/api/v1/drills/{did}/report?format=json",
                  token=t)
    assert api.status_code == 200
    # no --format: one line for people
    r = client(hub, "drill", "report", did, token=t)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"drill {did}: recipients ")
    # --format json: the hub's document, as the API answers it
    r = client(hub, "drill", "report", did, "--format", "json", token=t)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == api.json()
    r = client(hub, "drill", "report", did, "--format", "csv", token=t)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("org,name_ja,name_en,")
    # another format is a usage error, not a request
    r = client(hub, "drill", "report", did, "--format", "xml", token=t)
    assert r.returncode == 2 and r.stdout == ""
    assert '--format: one of json, csv, html (not "xml")' in r.stderr


def test_demo_drill_doc_names_what_deps_test_installs():
    """docs/demo-drill.md lists every package `scripts/deps.sh test` adds
    (the demo drill runs it)."""
    deps = (ROOT / "scripts" / "deps.sh").read_text("utf-8")
    group = re.search(r"^\s*test\)\s*pkgs\+=\(([^)]*)\)", deps, re.M)
    assert group, "deps.sh has no test group"
    doc = (ROOT / "docs" / "demo-drill.md").read_text("utf-8")
    assert "scripts/deps.sh test" in (ROOT / "scripts" /
                                      "demo-drill.sh").read_text("utf-8")
    for pkg in group.group(1).split():
        assert f"`{pkg}`" in doc, pkg


def test_taxii_doc_error_object_is_the_hubs(hub):
    """docs/taxii.md "Errors": the example is what the hub answers."""
    doc = (ROOT / "docs" / "taxii.md").read_text("utf-8")
    block = doc.split("## Errors", 1)[1].split("```json\n", 1)[1]
    want = json.loads(block.split("```", 1)[0])
    tok = hub.token("admin")
    r = hub.api("GET", "/taxii2/infrashare/collections/shared/objects/"
                "?added_after=garbage", token=tok,
                headers={"Accept": "application/taxii+json;version=2.1"})
    assert r.status_code == 400
    assert r.json() == want


def test_c4tap_intake_without_its_options_is_a_usage_error(tmp_path):
    """No --recipient or no --intake-token-file: exit 2 (it was 75), the
    message led by 4.3.5 so that Postfix's pipe(8) keeps the mail queued
    (docs/c4tap-mail.md, "What happens to a forward")."""
    tok = tmp_path / "intake.token"
    tok.write_text("x" * 40 + "\n")
    for opts in ([], ["--recipient", "c4tap+k@c4tap.hub.example"],
                 ["--intake-token-file", str(tok)]):
        r = subprocess.run([str(BUILD / "infrashare"), "c4tap", "intake",
                            "--url", "http://127.0.0.1:9", *opts],
                           capture_output=True, text=True, input="x",
                           timeout=30)
        assert r.returncode == 2, (opts, r.stderr)
        assert r.stderr.startswith(
            "4.3.5 infrashare: c4tap intake needs --recipient and "
            "--intake-token-file"), r.stderr
    doc = (ROOT / "docs" / "c4tap-mail.md").read_text("utf-8")
    assert "| 2, a usage error" in doc


def test_url_and_token_before_the_command(demo_hub, tmp_path):
    """`infrashare --url URL --token T whoami` (it was "unknown command
    '--url'"); after the command they win; an admin command refuses them."""
    hub = demo_hub
    t = hub.token("nisc-analyst")
    r = client(hub, "whoami", token=t, before=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("nisc-analyst @ nisc ")
    # any order with --db; the environment is below the option
    exe = str(BUILD / "infrashare")
    env = {**os.environ, "INFRASHARE_URL": "http://127.0.0.1:9",
           "INFRASHARE_TOKEN": "ist_wrong"}
    r = subprocess.run([exe, "--token", t, "--db", str(tmp_path / "x.db"),
                        "--url", hub.url, "whoami"], capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("nisc-analyst @"), \
        r.stderr
    # an option after the command wins over one before it
    r = subprocess.run([exe, "--url", "http://127.0.0.1:9", "--token", t,
                        "whoami", "--url", hub.url], capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    # usage errors: an admin command, another option, no value
    for args, msg in (
            (["--url", hub.url, "user", "list"],
             "infrashare: --url and --token are for the client commands; "
             "user works on the database (--db)"),
            (["--json", "whoami"],
             "infrashare: unknown option --json before the command: only "
             "--db, --url and --token go there, a command's options follow "
             "it"),
            (["--token"], "infrashare: --token needs a value"),
            # after the command too, not "unknown option" and the whole
            # usage (found by a review)
            (["org", "list", "--url", hub.url],
             "infrashare: --url and --token are for the client commands; "
             "org works on the database (--db)"),
            (["user", "list", "--token", t],
             "infrashare: --url and --token are for the client commands; "
             "user works on the database (--db)")):
        r = subprocess.run([exe, *args], capture_output=True, text=True,
                           env=env, timeout=60)
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.splitlines()[0] == msg, r.stderr
    assert "`next_cursor` is opaque" in README
    assert "the id of the page's last item" not in README


COMMANDS = ["init", "user", "org", "token", "audit", "backup", "migrate-store",
            "batch", "whoami", "sectors", "api", "report", "advisory", "agreements",
            "lists", "declarations", "drill", "site", "c4tap", "exercise",
            "survey", "bcp", "stix", "taxii", "risk"]


def test_every_command_answers_help_with_its_usage(tmp_path):
    """`infrashare COMMAND --help` (or `-h`, or `COMMAND help`) prints that
    command's lines of the usage and exits 0, touching no database and no
    hub; the commands' own errors say "(see --help)". An unknown command
    stays a usage error."""
    exe = str(BUILD / "infrashare")
    env = {**os.environ, "INFRASHARE_DB": str(tmp_path / "none.db"),
           "INFRASHARE_URL": "http://127.0.0.1:9", "LANG": "C.UTF-8"}
    full = subprocess.run([exe, "--help"], capture_output=True, text=True,
                          env=env, timeout=30)
    assert full.returncode == 0
    for cmd in COMMANDS:
        for how in ([cmd, "--help"], [cmd, "-h"], [cmd, "help"]):
            r = subprocess.run([exe, *how], capture_output=True, text=True,
                               env=env, timeout=30)
            assert r.returncode == 0, (how, r.stdout, r.stderr)
            lines = r.stdout.splitlines()
            assert lines[0].startswith("usage: infrashare"), how
            assert lines[1].startswith(f"  {cmd}"), (how, lines)
            assert all(x in full.stdout for x in lines[1:]), how
            assert len(lines) < len(full.stdout.splitlines()) // 2, how
    assert not (tmp_path / "none.db").exists()
    r = subprocess.run([exe, "report"], capture_output=True, text=True,
                       env=env, timeout=30)
    assert r.returncode == 2 and "see --help" in r.stderr, r.stderr
    # a missing id is said before the usage, in the locale's language
    # (the usage alone, in English: found by a review)
    for lang, said, see in (("C.UTF-8", "report show: the report's ID is "
                             "missing", "(see --help)"),
                            ("ja_JP.UTF-8", "report show: 報告の ID がありません",
                             "（--help を参照）")):
        only = {k: v for k, v in env.items()
                if k not in ("LC_ALL", "LC_MESSAGES")}
        r = subprocess.run([exe, "report", "show"], capture_output=True,
                           text=True, env={**only, "LANG": lang}, timeout=30)
        assert r.returncode == 2, r.stderr
        assert r.stderr.splitlines()[0] == "infrashare: " + said, r.stderr
        assert see in r.stderr, r.stderr
    r = subprocess.run([exe, "nosuch", "--help"], capture_output=True,
                       text=True, env=env, timeout=30)
    assert r.returncode == 2 and "unknown command" in r.stderr, r.stderr
