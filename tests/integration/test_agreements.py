"""Handling-rule agreements (docs/rules.md "Handling-rule agreements"):
Yellow access follows a recorded, active agreement - never the registry's
observer flag alone - from the next request on; signing, withdrawal and
who may do them; the race of concurrent signings; the CLI."""
import concurrent.futures
import datetime
import re

import pytest

import hubdb
from conftest import Hub, assert_error, assert_id_counts_nothing, epoch_of

RULES = "2026.1"
PW = "agreement-admin-pw-1"
# agencies the demo data records as agreed / as having agreed to nothing
DEMO_AGREED = ["jpcert", "ipa", "nict", "aist", "npa", "jc3", "ict-isac",
               "fisc", "fin-isac", "e-isac"]
DEMO_NOT_AGREED = ["mod", "mofa", "nra", "fdma", "jcg"]


@pytest.fixture(scope="module")
def h(tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("agreements"), demo=True)
    hub.init_fixture()
    pw = hub.dir / "admin.pw2"
    pw.write_text(PW + "\n")
    for org in ["mod", "jcg", "fdma", "nra", "mofa"]:
        hub.cli("user", "add", f"{org}-admin", "--org", org, "--roles",
                "reader,org_admin", "--password-file", pw)
    # an operator's own auditor (audit scope: its organisation)
    hub.cli("user", "add", "elec-auditor", "--org", "op-electricity-0001",
            "--roles", "reader,auditor", "--password-file", pw)
    hub.start()
    hub.toks = {}

    def tok(user):
        if user not in hub.toks:
            hub.toks[user] = hub.token(user, name="agreements")
        return hub.toks[user]
    hub.tok = tok
    yield hub
    hub.stop()


def history(h, org, user="nisc-analyst"):
    r = h.api("GET", f"/api/v1/orgs/{org}/agreements", token=h.tok(user))
    assert r.status_code == 200, r.text
    return r.json()


def sign(h, org, user, version=RULES):
    return h.api("POST", f"/api/v1/orgs/{org}/agreements", token=h.tok(user),
                 json={"rules_version": version})


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def test_current_rules_are_data(h):
    r = h.api("GET", "/api/v1/handling-rules", token=h.tok("mod-desk"))
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["version"] == RULES
    assert "取扱いルール" in j["title_ja"] and "Handling rules" in j["title_en"]


def test_demo_records_agreements_for_the_agencies_that_agreed(h):
    for org in DEMO_AGREED:
        j = history(h, org)
        assert j["state"] == "active", (org, j)
        assert len(j["agreements"]) == 1
        g = j["agreements"][0]
        assert g["rules_version"] == RULES and g["signed_by"] is None
        assert g["withdrawn_at"] is None
    for org in DEMO_NOT_AGREED:
        j = history(h, org)
        assert j["state"] == "none" and j["agreements"] == [], (org, j)
        # the registry flag is still there: it is data, nothing more
        o = h.api("GET", f"/api/v1/orgs/{org}", token=h.tok("nisc-analyst"))
        assert o.json()["observer"] is True


def visible(h, user, rid, adv):
    """Whether user sees the Yellow report rid and advisory adv anywhere:
    read, list, counts, search, export."""
    t = h.tok(user)
    read = h.api("GET", f"/api/v1/reports/{rid}", token=t)
    assert read.status_code in (200, 404), read.text
    lst = h.api("GET", "/api/v1/reports", token=t, params={"limit": 200})
    ids = [x["id"] for x in lst.json()["items"]]
    counts = h.api("GET", "/api/v1/reports/counts", token=t).json()["total"]
    exp = h.api("GET", "/api/v1/reports/export", token=t,
                params={"format": "csv"})
    assert exp.status_code == 200, exp.text
    aread = h.api("GET", f"/api/v1/advisories/{adv}", token=t)
    assert aread.status_code in (200, 404), aread.text
    alst = h.api("GET", "/api/v1/advisories", token=t, params={"limit": 200})
    aids = [x["id"] for x in alst.json()["items"]]
    seen = [read.status_code == 200, rid in ids, counts >= 1,
            rid in exp.text, aread.status_code == 200, adv in aids]
    # all or nothing: a view that disagrees with the others is a leak
    assert all(seen) or not any(seen), (user, seen)
    return all(seen)


def test_yellow_access_follows_the_agreement(h):
    """An agency with the observer flag but no agreement gets 404 on a
    Yellow report and advisory, absent from lists and counts; after
    signing it sees them; after withdrawal, on the very next request, it
    does not."""
    r = h.api("POST", "/api/v1/reports", token=h.tok("op-banking-0001"),
              json={"title": "yellow agreement check", "kind": "incident",
                    "detected_at": now_iso(), "range": "yellow",
                    "route": "direct", "what_happened": "synthetic"})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    a = h.api("POST", "/api/v1/advisories", token=h.tok("nisc-analyst"),
              json={"kind": "security_info", "range": "yellow", "severity": 1,
                    "title_ja": "Yellow の情報提供", "title_en": "Yellow advisory",
                    "body_ja": "本文", "body_en": "Body",
                    "audience": {"scopes": ["gas"]}})
    assert a.status_code == 201, a.text
    adv = a.json()["id"]

    assert not visible(h, "mod-desk", rid, adv)
    e = assert_error(h.api("GET", f"/api/v1/reports/{rid}",
                           token=h.tok("mod-desk")), 404)
    assert "yellow" not in e["message"].lower()
    # an agency the demo recorded as agreed sees both
    assert visible(h, "npa-desk", rid, adv)

    s = sign(h, "mod", "mod-admin")
    assert s.status_code == 201, s.text
    g = s.json()
    assert g["state"] == "active" and g["org"] == "mod"
    assert g["signed_by"]["username"] == "mod-admin"
    assert g["rules_version"] == RULES and g["withdrawn_at"] is None
    assert visible(h, "mod-desk", rid, adv)

    w = h.api("POST", f"/api/v1/orgs/mod/agreements/{g['id']}/withdraw",
              token=h.tok("mod-admin"))
    assert w.status_code == 200, w.text
    assert w.json()["state"] == "withdrawn"
    assert w.json()["withdrawn_by"]["username"] == "mod-admin"
    assert w.json()["withdrawn_at"]
    assert not visible(h, "mod-desk", rid, adv)
    j = history(h, "mod", "mod-admin")
    assert j["state"] == "withdrawn" and len(j["agreements"]) == 1

    # signing again after a withdrawal is a new agreement
    s2 = sign(h, "mod", "mod-admin")
    assert s2.status_code == 201, s2.text
    assert s2.json()["id"] != g["id"]
    assert visible(h, "mod-desk", rid, adv)
    j = history(h, "mod")
    assert j["state"] == "active"
    assert [x["state"] for x in j["agreements"]] == ["active", "withdrawn"]

    # both acts are audited, with who and which agreement
    au = h.api("GET", "/api/v1/audit", token=h.tok("auditor"),
               params={"limit": 200}).json()["items"]
    acts = [(x["action"], x["target"]) for x in au
            if x["action"].startswith("agreement.")]
    assert acts.count(("agreement.sign", "mod")) == 2
    assert acts.count(("agreement.withdraw", "mod")) == 1


def test_signing_for_another_organisation_changes_nothing(h):
    before = history(h, "jcg")
    for user in ["mod-admin", "mod-desk", "npa-desk", "op-banking-0001"]:
        r = sign(h, "jcg", user)
        assert r.status_code in (403, 404), (user, r.text)
        assert_error(r, r.status_code)
    # another organisation's withdrawal, too
    npa = history(h, "npa")
    aid = npa["agreements"][0]["id"]
    assert_error(h.api("POST", f"/api/v1/orgs/npa/agreements/{aid}/withdraw",
                       token=h.tok("mod-admin")), 403)
    assert history(h, "jcg") == before
    assert history(h, "npa") == npa


def test_old_or_unknown_rules_version_is_refused(h):
    before = history(h, "fdma")
    for bad in ["2025.1", "", "x" * 31]:
        assert_error(sign(h, "fdma", "fdma-admin", bad), 400,
                     "invalid_value", "rules_version")
    assert_error(h.api("POST", "/api/v1/orgs/fdma/agreements",
                       token=h.tok("fdma-admin"), json={}),
                 400, field="rules_version")
    assert_error(h.api("POST", "/api/v1/orgs/fdma/agreements",
                       token=h.tok("fdma-admin"),
                       json={"rules_version": RULES, "extra": 1}),
                 400, field="extra")
    assert_error(h.api("POST", "/api/v1/orgs/fdma/agreements",
                       token=h.tok("fdma-admin"),
                       json={"rules_version": 2026}),
                 400, field="rules_version")
    assert history(h, "fdma") == before


def test_withdraw_errors(h):
    assert_error(h.api("POST", "/api/v1/orgs/nra/agreements/999999/withdraw",
                       token=h.tok("nra-admin")), 404)
    assert_error(h.api("POST", "/api/v1/orgs/nra/agreements/abc/withdraw",
                       token=h.tok("nra-admin")), 404)
    s = sign(h, "nra", "nra-admin")
    assert s.status_code == 201
    aid = s.json()["id"]
    # an agreement of nra is not reachable under another organisation
    assert_error(h.api("POST", f"/api/v1/orgs/mod/agreements/{aid}/withdraw",
                       token=h.tok("admin")), 404)
    assert h.api("POST", f"/api/v1/orgs/nra/agreements/{aid}/withdraw",
                 token=h.tok("nra-admin")).status_code == 200
    j = history(h, "nra")
    assert_error(h.api("POST", f"/api/v1/orgs/nra/agreements/{aid}/withdraw",
                       token=h.tok("nra-admin")), 409, "conflict")
    assert history(h, "nra") == j
    # a second signing while one is active
    assert sign(h, "nra", "admin").status_code == 201  # hub admins may
    before = history(h, "nra")
    assert_error(sign(h, "nra", "nra-admin"), 409, "conflict")
    assert history(h, "nra") == before


def test_who_reads_agreements(h):
    for user in ["jcg-admin", "jcg-desk", "nisc-analyst", "admin", "auditor"]:
        assert h.api("GET", "/api/v1/orgs/jcg/agreements",
                     token=h.tok(user)).status_code == 200, user
    # an operator's auditor read every organisation's agreements, with the
    # signer's user id and name, which /orgs/{id}/users keeps from it
    # (found by a review): its audit scope is its own organisation
    for user in ["mod-desk", "fsa-desk", "ceptoar-banking-secretariat",
                 "op-banking-0001", "elec-auditor"]:
        assert_error(h.api("GET", "/api/v1/orgs/jcg/agreements",
                           token=h.tok(user)), 403)
    assert h.api("GET", "/api/v1/orgs/op-electricity-0001/agreements",
                 token=h.tok("elec-auditor")).status_code == 200
    # an operator the reader may not see does not exist
    assert_error(h.api("GET", "/api/v1/orgs/op-gas-0001/agreements",
                       token=h.tok("op-banking-0001")), 404)


def test_concurrent_signings_leave_exactly_one_active(h):
    tok = h.tok("mofa-admin")

    def one(_):
        return h.api("POST", "/api/v1/orgs/mofa/agreements", token=tok,
                     json={"rules_version": RULES}).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        codes = list(ex.map(one, range(32)))
    assert codes.count(201) == 1, codes
    assert set(codes) <= {201, 409}, codes
    j = history(h, "mofa")
    assert j["state"] == "active"
    assert [x["state"] for x in j["agreements"]] == ["active"]


def test_cli_agreements(h):
    env = {"INFRASHARE_URL": h.url, "INFRASHARE_TOKEN": h.tok("jcg-admin")}
    r = h.cli("agreements", "rules", env=env)
    assert RULES in r.stdout and "Handling rules" in r.stdout
    r = h.cli("agreements", "list", "jcg", env=env)
    assert re.search(r"^jcg: none \(未同意\)$", r.stdout, re.M), r.stdout
    r = h.cli("agreements", "sign", "jcg", "--rules-version", RULES, env=env)
    m = re.search(r"^#(\d+)  2026\.1  active \(同意中\)  signed \S+ by jcg-admin",
                  r.stdout, re.M)
    assert m, r.stdout
    r = h.cli("agreements", "list", "jcg", env=env)
    assert "jcg: active (同意中)" in r.stdout
    r = h.cli("agreements", "withdraw", "jcg", m.group(1), env=env)
    assert "withdrawn (撤回済み)" in r.stdout and "by jcg-admin" in r.stdout
    # refusals: exit status 1 with the API's reason; usage errors 2
    r = h.cli("agreements", "sign", "jcg", "--rules-version", "1999.1",
              env=env, check=False)
    assert r.returncode == 1 and "rules_version" in r.stderr, r.stderr
    r = h.cli("agreements", "sign", "npa", "--rules-version", RULES,
              env=env, check=False)
    assert r.returncode == 1
    r = h.cli("agreements", "sign", "jcg", env=env, check=False)
    assert r.returncode == 2
    assert history(h, "jcg")["state"] == "withdrawn"
    assert history(h, "npa")["state"] == "active"


def test_agreement_ids_count_nothing(h):
    """An agreement's id is not the hub's row counter (docs/rules.md "Ids
    that count nothing"): an organisation's ids grow, and do not tell how
    many agreements others signed or withdrew between them."""
    made = []
    for _ in range(2):
        s = sign(h, "fdma", "fdma-admin")
        assert s.status_code == 201, s.text
        made.append(s.json())
        w = h.api("POST",
                  f"/api/v1/orgs/fdma/agreements/{made[-1]['id']}/withdraw",
                  token=h.tok("fdma-admin"))
        assert w.status_code == 200, w.text
    assert_id_counts_nothing([g["id"] for g in made],
                             [epoch_of(g["signed_at"]) for g in made])
    # newest first, as before
    assert [g["id"] for g in history(h, "fdma")["agreements"]] == [
        made[1]["id"], made[0]["id"]]


def test_signing_an_old_version_is_refused(h):
    """Runs last: it records newer rules. The earlier version is then old:
    signing it is 400 and changes nothing; the new one can be signed;
    agreements to the earlier version stay active until withdrawn."""
    db = hubdb.connect(h.db)
    with db:
        db.execute("INSERT INTO handling_rules(version, title_ja, title_en, "
                   "effective_at) VALUES ('2027.1', '取扱いルール（2027年版）', "
                   "'Handling rules (2027)', 1798761600)")
    db.close()
    assert h.api("GET", "/api/v1/handling-rules",
                 token=h.tok("jcg-desk")).json()["version"] == "2027.1"
    before = history(h, "jcg")
    assert before["state"] == "withdrawn"
    e = assert_error(sign(h, "jcg", "jcg-admin", RULES), 400, "invalid_value",
                     "rules_version")
    assert "2027.1" in e["message"]
    assert history(h, "jcg")["agreements"] == before["agreements"]
    s = sign(h, "jcg", "jcg-admin", "2027.1")
    assert s.status_code == 201, s.text
    assert s.json()["rules_version"] == "2027.1"
    assert history(h, "npa")["state"] == "active"  # signed 2026.1
