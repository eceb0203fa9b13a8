"""Registry administration from the CLI: operators and their contacts, and
what an operator without a CEPTOAR membership may (not) do."""
import json

from conftest import assert_error, wait_for  # noqa: F401


def add_reporter(hub, org, name):
    pw = hub.dir / f"{name}.pw"
    pw.write_text("reporter-password-1\n")
    hub.cli("user", "add", name, "--org", org, "--roles", "reader,reporter",
            "--password-file", pw)
    return hub.token(name)


def report(**kw):
    body = {"title": "lone bank outage", "kind": "incident",
            "detected_at": "2026-01-01T00:00:00Z", "range": "red",
            "route": "direct"}
    body.update(kw)
    return body


def test_org_add_and_contacts(hub):
    r = hub.cli("org", "add", "op-lone", "--scope", "banking", "--name-ja",
                "単独銀行", "--name-en", "Lone Bank", alone=True)
    assert "0 CEPTOAR" in r.stdout
    r = hub.cli("org", "add", "op-member", "--scope", "banking", "--name-ja",
                "会員銀行", "--name-en", "Member Bank", "--ceptoar",
                "ceptoar-banking", alone=True)
    assert "1 CEPTOAR" in r.stdout
    shown = json.loads(hub.cli("org", "show", "op-member").stdout)
    assert shown["member_of"] == ["ceptoar-banking"]
    assert shown["name"] == {"ja": "会員銀行", "en": "Member Bank"}
    r = hub.cli("org", "contact", "op-member", "--channel", "webhook",
                "--address", "http://127.0.0.1:9/hook", "--priority", "2")
    secret = [l for l in r.stdout.splitlines() if l.startswith("signing")]
    assert len(secret) == 1 and len(secret[0].split()[2]) == 64
    contacts = json.loads(hub.cli("org", "show", "op-member").stdout)["contacts"]
    assert [(c["channel"], c["priority"]) for c in contacts] == [("webhook", 2)]
    # the secret is shown once and never again
    assert secret[0].split()[2] not in hub.cli("org", "show", "op-member").stdout
    # audited
    actions = [json.loads(l)["action"]
               for l in hub.cli("audit", "list").stdout.splitlines()]
    assert actions.count("org.add") == 2 and "contact.add" in actions


def test_org_add_bad_input_changes_nothing(hub):
    before = hub.cli("org", "list", "--kind", "operator").stdout
    for args, code in [
        (("org", "add", "op-x", "--scope", "no-such-scope", "--name-ja", "a",
          "--name-en", "b"), 1),
        (("org", "add", "Bad Id!", "--scope", "banking", "--name-ja", "a",
          "--name-en", "b"), 2),
        (("org", "add", "op-y", "--scope", "banking", "--name-ja", "a",
          "--name-en", "b", "--ceptoar", "fsa"), 1),
        (("org", "add", "op-z", "--scope", "banking"), 2),
    ]:
        r = hub.cli(*args, check=False)
        assert r.returncode == code, (args, r.returncode, r.stderr)
        assert r.stderr.startswith("infrashare: "), r.stderr
    assert hub.cli("org", "list", "--kind", "operator").stdout == before
    hub.cli("org", "add", "op-dup", "--scope", "gas", "--name-ja", "a",
            "--name-en", "b")
    r = hub.cli("org", "add", "op-dup", "--scope", "gas", "--name-ja", "a",
                "--name-en", "b", check=False)
    assert r.returncode == 1 and "exists already" in r.stderr
    for args in [("--channel", "pigeon", "--address", "x@example.jp"),
                 ("--channel", "email", "--address", "http://example.jp/"),
                 ("--channel", "webhook", "--address", "not-a-url"),
                 ("--channel", "email", "--address", "a@b.jp", "--priority",
                  "0")]:
        r = hub.cli("org", "contact", "op-dup", *args, check=False)
        assert r.returncode == 2, (args, r.stderr)
    r = hub.cli("org", "contact", "op-nobody", "--channel", "email",
                "--address", "a@b.jp", check=False)
    assert r.returncode == 1 and "no organisation" in r.stderr
    assert json.loads(hub.cli("org", "show", "op-dup").stdout).get(
        "contacts") == []


def test_operator_without_ceptoar_cannot_use_ceptoar_routes(hub):
    hub.cli("org", "add", "op-lone", "--scope", "banking", "--name-ja",
            "単独銀行", "--name-en", "Lone Bank", alone=True)
    tok = add_reporter(hub, "op-lone", "lone-reporter")
    admin = hub.token("admin")
    before = hub.api("GET", "/api/v1/reports/counts", token=admin).json()
    for route in ("anonymous", "via_ceptoar"):
        assert_error(hub.api("POST", "/api/v1/reports", token=tok,
                             json=report(route=route)),
                     403, "route_not_allowed", "route")
    assert hub.api("GET", "/api/v1/reports/counts",
                   token=admin).json() == before
    # the direct route needs no CEPTOAR: operator -> FSA -> NISC
    r = hub.api("POST", "/api/v1/reports", token=tok, json=report())
    assert r.status_code == 201, r.text
    chain = [(h["org"], h["reached"]) for h in r.json()["chain"]]
    assert chain == [("fsa", True), ("nisc", False)]
