"""The annual safety-standards survey (issue 15, DOMAIN.md §12): the
guideline catalogue, campaigns from opening to NISC's yearly report through
the real daemon, confidentiality (no operator reads another's answers; a
secretariat only what a member shares; published figures hide groups of
fewer than five and none can be recomputed by differencing two of them),
reminders by real SMTP, CP/BCP readiness, every bad input refused with
nothing changed, and concurrent saves. The published figures are checked
against an oracle computed here from the answers the test gave."""
import base64
import csv
import hashlib
import io
import json
import random
import threading
from datetime import datetime, timedelta, timezone

import pytest

import hubdb
from conftest import (ROOT, Hub, assert_error, assert_id_counts_nothing, epoch_of,
                      wait_for)
from receivers import SMTPReceiver

CATALOGUE = json.loads((ROOT / "data/guideline/ed5.json").read_text())
ANSWERABLE = [i["id"] for i in CATALOGUE["items"] if i["answerable"]] + [
    c["id"] for b in CATALOGUE["bcp"] for c in b["checks"]]
BCP = [c["id"] for b in CATALOGUE["bcp"] for c in b["checks"]]
PDCA = {i["id"]: i["pdca"] for i in CATALOGUE["items"]}
PDCA.update({c["id"]: "bcp" for b in CATALOGUE["bcp"] for c in b["checks"]})
VALUES = ["adopted", "partly", "not", "na"]


def iso(days=0):
    t = datetime.now(timezone.utc) + timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def smtp():
    s = SMTPReceiver().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def sv(tmp_path_factory, smtp):
    h = Hub(tmp_path_factory.mktemp("surveys"), demo=True)
    h.init_fixture()
    h.daemon_args += ["--smtp-url", smtp.url, "--retry-base-s", "1"]
    h.start()
    yield h
    h.stop()


def tok(hub, user):
    cache = hub.__dict__.setdefault("_sv_tokens", {})
    if user not in cache:
        cache[user] = hub.token(user, name="surveys")
    return cache[user]


def call(hub, method, path, user, **kw):
    return hub.api(method, path, token=tok(hub, user), **kw)


def db(hub, sql, *args):
    con = hubdb.connect(hub.db, timeout=30)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def operators(hub, sector):
    return [r[0] for r in db(
        hub, "SELECT o.id FROM orgs o JOIN scopes s ON s.id = o.scope_id "
        "WHERE o.kind = 'operator' AND s.sector_id = ? ORDER BY o.id", sector)]


def answers_for(org, fy):
    rnd = random.Random(f"{org}/{fy}")
    return {i: rnd.choice(VALUES) for i in ANSWERABLE}


def open_campaign(hub, fy, sectors):
    r = call(hub, "POST", "/api/v1/surveys", "nisc-analyst",
             json={"fy": fy, "deadline": iso(30), "sectors": sectors})
    assert r.status_code == 201, r.text
    return r.json()


def submit(hub, cid, org, answers, shared=False, evidence=""):
    cur = call(hub, "GET", f"/api/v1/surveys/{cid}/answers", org).json()
    body = {"version": cur["version"], "submit": True, "shared": shared,
            "answers": [{"item": i, "answer": a, "evidence": evidence}
                        for i, a in answers.items()]}
    r = call(hub, "POST", f"/api/v1/surveys/{cid}/answers", org, json=body)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "submitted"
    return r.json()


def close(hub, cid):
    v = call(hub, "GET", f"/api/v1/surveys/{cid}", "nisc-analyst").json()
    r = call(hub, "POST", f"/api/v1/surveys/{cid}/close", "nisc-analyst",
             json={"version": v["version"]})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "closed"


def rate(counts):
    n = counts[0] + counts[1] + counts[2]
    return None if n == 0 else round(1000.0 * counts[0] / n) / 10.0


def oracle(given):
    """given: {sector: [answers dict per respondent]} -> the published
    groups {key: {"n": respondents, "items": {item: [ad, pa, no, na]}}},
    written again from the rule: sectors of 5 or more; the others pooled
    as "other" when together 5 or more, else in no figure."""
    def tally(rows):
        items = {i: [0, 0, 0, 0] for i in ANSWERABLE}
        for a in rows:
            for i, v in a.items():
                items[i][VALUES.index(v)] += 1
        return {"n": len(rows), "items": items}
    out, hidden, national = {}, [], []
    for sector, rows in given.items():
        if not rows:
            continue
        if len(rows) >= 5:
            out[sector] = tally(rows)
            national += rows
        else:
            hidden += rows
    if len(hidden) >= 5:
        out["other"] = tally(hidden)
        national += hidden
    if len(national) >= 5:
        out["national"] = tally(national)
    return out


def check_published(agg, expect, previous=None):
    groups = {g["key"]: g for g in agg["groups"]}
    published = {k for k, g in groups.items() if g["published"]}
    assert published == set(expect), (published, set(expect))
    for key, want in expect.items():
        g = groups[key]
        assert g["respondents"] == want["n"], key
        allc = [0, 0, 0]
        for it in g["items"]:
            c = want["items"][it["item"]]
            assert [it["adopted"], it["partly"], it["not"], it["na"]] == c, \
                (key, it["item"])
            assert it["rate"] == rate(c)
            for k in range(3):
                allc[k] += c[k]
        assert g["rate"] == rate(allc), key
        prev = (previous or {}).get(key)
        if prev is None:
            assert g["change"] is None and g["previous_rate"] is None, key
        else:
            pc = [0, 0, 0]
            for c in prev["items"].values():
                for k in range(3):
                    pc[k] += c[k]
            assert g["previous_rate"] == rate(pc), key
            assert g["change"] == round(10 * (rate(allc) - rate(pc))) / 10, key


def test_catalogue_is_the_guideline_in_both_languages(sv):
    r = call(sv, "GET", "/api/v1/guideline", "op-gas-0001")
    assert r.status_code == 200
    g = r.json()
    assert g == CATALOGUE
    ids = [i["id"] for i in g["items"]] + [b["id"] for b in g["bcp"]] + [
        c["id"] for b in g["bcp"] for c in b["checks"]]
    assert len(ids) == len(set(ids))
    # the PDCA items 4.1.1 .. 4.4.1, the controls (ア)..(コ), seven
    # characteristics of cyber attacks, four safety-standard classes
    assert {"4.1.1(1)", "4.4.1(1)", "4.1.3(2)(ア)", "4.1.3(2)(コ)"} <= set(ids)
    assert [b["id"] for b in g["bcp"]] == [f"bcp{k}" for k in range(1, 8)]
    assert [c["id"] for c in g["classes"]] == [
        "mandatory", "recommended", "industry", "internal"]
    for it in g["items"]:
        assert it["title"]["ja"] and it["title"]["en"] and it["text"]["ja"]
    assert_error(call(sv, "GET", "/api/v1/guideline", "op-gas-0001",
                      params={"edition": "ed99"}), 404, "unknown_edition",
                 "edition")


def test_campaign_from_opening_to_the_yearly_report(sv, smtp):
    """FY2011 and FY2012 through the daemon: operators answer (drafts,
    submissions), NISC closes, the figures equal the oracle, with year on
    year change, CSV and the printable report in both languages."""
    sectors = ["gas", "water", "medical", "electricity"]
    plan = {2011: {"gas": 6, "water": 3, "medical": 1, "electricity": 5},
            2012: {"gas": 5, "water": 3, "medical": 2, "electricity": 7}}
    expected = {}
    for fy in (2011, 2012):
        c = open_campaign(sv, fy, sectors)
        cid = c["id"]
        assert c["state"] == "open" and c["edition"] == "ed5"
        assert c["targets"] == sum(len(operators(sv, s)) for s in sectors)
        assert c["items"] == len(ANSWERABLE)
        given = {s: [] for s in sectors}
        for s in sectors:
            orgs = operators(sv, s)
            for org in orgs[:plan[fy][s]]:
                a = answers_for(org, fy)
                submit(sv, cid, org, a)
                given[s].append(a)
            # a draft is never counted
            draft = orgs[plan[fy][s]]
            r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", draft,
                     json={"version": 0, "answers": [
                         {"item": ANSWERABLE[0], "answer": "adopted"}]})
            assert r.status_code == 200 and r.json()["state"] == "draft"
        # nothing is published while the campaign is open
        assert_error(call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates",
                          "nisc-analyst"), 409, "campaign_open", "id")
        prog = call(sv, "GET", f"/api/v1/surveys/{cid}/progress",
                    "nisc-analyst").json()
        by = {p["sector"]: p for p in prog["sectors"]}
        for s in sectors:
            assert by[s]["submitted"] == plan[fy][s]
            assert by[s]["drafts"] == 1
            assert by[s]["targets"] == len(operators(sv, s))
        close(sv, cid)
        expected[fy] = oracle(given)
        agg = call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates",
                   "op-gas-0001").json()
        check_published(agg, expected[fy],
                        expected.get(fy - 1) if fy == 2012 else None)
        assert agg["previous"] == (
            {"campaign": "SV2011", "fy": 2011} if fy == 2012 else None)
        # the same figures for NISC, a ministry, a secretariat
        for user in ("nisc-analyst", "meti-desk", "ceptoar-gas-secretariat"):
            assert call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates",
                        user).json() == agg
        # CSV: one row per published group and item (+ its overall row)
        r = call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates",
                 "nisc-analyst", params={"format": "csv"})
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert {row["group"] for row in rows} == set(expected[fy])
        for row in rows:
            want = expected[fy][row["group"]]
            assert int(row["respondents"]) == want["n"]
            if row["item"] != "*":
                c = want["items"][row["item"]]
                assert [int(row[k]) for k in
                        ("adopted", "partly", "not", "na")] == c
                assert row["pdca"] == PDCA[row["item"]]
        # the printable report
        for lang, hidden in (("ja", "非公表"), ("en", "not shown")):
            r = call(sv, "GET", f"/api/v1/surveys/{cid}/report", "nisc-analyst",
                     params={"lang": lang})
            assert r.status_code == 200
            assert r.headers["Content-Type"].startswith("text/html")
            assert hidden in r.text and "<svg" in r.text
            assert f"<html lang=\"{lang}\"" in r.text
    # 2012 pools water (3) and medical (2) as "other"; 2011 could not
    assert "other" in expected[2012] and "other" not in expected[2011]


def test_no_answer_can_be_inferred_by_differencing(sv):
    """An operator tries to learn one other operator's answers from two
    published figures: before and after that operator submits (refused:
    nothing is published while open, and nothing changes after), and the
    national total minus the published sectors (which leaves nothing of
    the hidden ones)."""
    cid = open_campaign(sv, 2031, ["chemical", "petroleum", "medical"])["id"]
    chem = operators(sv, "chemical")
    petro = operators(sv, "petroleum")
    med = operators(sv, "medical")
    for org in chem[:5] + petro[:2]:
        submit(sv, cid, org, answers_for(org, 2031))
    target = med[0]
    attacker = chem[5]
    before = call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates", attacker)
    submit(sv, cid, target, {i: "not" for i in ANSWERABLE})
    after = call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates", attacker)
    for r in (before, after):
        assert_error(r, 409, "campaign_open", "id")
    close(sv, cid)
    agg = call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates", attacker).json()
    groups = {g["key"]: g for g in agg["groups"]}
    # medical (1) and petroleum (2) are hidden and, together 3, pooled in
    # no figure: the national total is chemical's alone
    assert not groups["medical"]["published"]
    assert not groups["petroleum"]["published"]
    assert "respondents" not in groups["medical"]
    assert "other" not in groups
    nat, chem_g = groups["national"], groups["chemical"]
    assert nat["respondents"] == chem_g["respondents"] == 5
    for a, b in zip(nat["items"], chem_g["items"]):
        assert (a["adopted"], a["partly"], a["not"], a["na"]) == \
            (b["adopted"], b["partly"], b["not"], b["na"])
    # every published figure, and each difference of two, counts the
    # target's "not" answers nowhere: no figure or difference has exactly
    # one respondent
    figures = [g for g in agg["groups"] if g["published"]]
    for g in figures:
        assert g["respondents"] >= 5
    for g in figures:
        for h in figures:
            d = g["respondents"] - h["respondents"]
            assert d == 0 or abs(d) >= 5
    # after closing, nothing can move a figure: answers are refused and
    # the figures stay byte for byte the same
    r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", med[1],
             json={"version": 0, "submit": True, "answers": [
                 {"item": i, "answer": "adopted"} for i in ANSWERABLE]})
    assert_error(r, 409, "campaign_closed", "id")
    again = call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates", attacker)
    assert again.content == call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates",
                                 attacker).content
    assert again.json() == agg


def test_only_the_operator_and_a_sharing_secretariat_read_answers(sv):
    cid = open_campaign(sv, 2032, ["gas"])["id"]
    a, b = "op-gas-0001", "op-gas-0002"
    submit(sv, cid, a, answers_for(a, 2032), evidence="規程第3条 / rule 3")
    mine = call(sv, "GET", f"/api/v1/surveys/{cid}/answers", a).json()
    assert mine["state"] == "submitted" and mine["missing"] == 0
    assert {x["item"]: x["answer"] for x in mine["answers"]} == \
        answers_for(a, 2032)
    # another operator, NISC, a ministry: nothing (as if it did not exist)
    for user in (b, "nisc-analyst", "meti-desk"):
        assert_error(call(sv, "GET", f"/api/v1/surveys/{cid}/answers", user,
                          params={"org": a}), 404, "not_found", "org")
    # the secretariat: the member's state, and its answers once shared
    sec = "ceptoar-gas-secretariat"
    prog = call(sv, "GET", f"/api/v1/surveys/{cid}/progress", sec).json()
    row = {m["org"]: m for m in prog["members"]}[a]
    assert row["state"] == "submitted" and row["shared"] is False
    assert "answers" not in row
    assert_error(call(sv, "GET", f"/api/v1/surveys/{cid}/answers", sec,
                      params={"org": a}), 403, "not_shared", "org")
    # a secretariat of another sector: not its member
    assert_error(call(sv, "GET", f"/api/v1/surveys/{cid}/answers",
                      "ceptoar-water-secretariat", params={"org": a}), 404,
                 "not_found", "org")
    # progress is not an operator's to read
    assert_error(call(sv, "GET", f"/api/v1/surveys/{cid}/progress", b), 403,
                 "forbidden")
    # the operator shares (amending keeps it submitted)
    cur = call(sv, "GET", f"/api/v1/surveys/{cid}/answers", a).json()
    r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", a,
             json={"version": cur["version"], "shared": True, "submit": True,
                   "answers": []})
    assert r.status_code == 200 and r.json()["shared"] is True
    seen = call(sv, "GET", f"/api/v1/surveys/{cid}/answers", sec,
                params={"org": a})
    assert seen.status_code == 200
    assert {x["item"]: x["answer"] for x in seen.json()["answers"]} == \
        answers_for(a, 2032)
    # no save counter for the secretariat: it counts the saves made while
    # the answers were not shared (found by an outside review); the
    # operator's own read has it, for its next save
    assert "version" not in seen.json()
    assert call(sv, "GET", f"/api/v1/surveys/{cid}/answers",
                a).json()["version"] == r.json()["version"]
    # an attachment: the operator's and, shared, its secretariat's only
    data = bytes(range(256)) * 40
    up = call(sv, "POST", f"/api/v1/surveys/{cid}/attachments", a,
              json={"item": ANSWERABLE[0], "name": "規程.pdf",
                    "content_type": "application/pdf",
                    "content": base64.b64encode(data).decode()})
    assert up.status_code == 201, up.text
    att = up.json()
    assert att["size"] == len(data)
    assert att["sha256"] == hashlib.sha256(data).hexdigest()
    path = f"/api/v1/surveys/{cid}/attachments/{att['id']}"
    for user in (a, sec):
        r = call(sv, "GET", path, user)
        assert r.status_code == 200 and r.content == data
        assert r.headers["Content-Type"] == "application/octet-stream"
        assert r.headers["Content-Disposition"].startswith("attachment")
    for user in (b, "nisc-analyst", "ceptoar-water-secretariat"):
        assert_error(call(sv, "GET", path, user), 404, "not_found")
    listed = call(sv, "GET", f"/api/v1/surveys/{cid}/answers", a).json()
    first = {x["item"]: x for x in listed["answers"]}[ANSWERABLE[0]]
    assert [x["id"] for x in first["attachments"]] == [att["id"]]
    # ids count nothing (docs/rules.md "Ids that count nothing"): another
    # operator's file between two of a's does not show in a's ids
    other = call(sv, "POST", f"/api/v1/surveys/{cid}/attachments", b,
                 json={"item": ANSWERABLE[0], "name": "b.txt",
                       "content": "eA=="})
    assert other.status_code == 201, other.text
    up2 = call(sv, "POST", f"/api/v1/surveys/{cid}/attachments", a,
               json={"item": ANSWERABLE[1], "name": "a2.txt",
                     "content": "eA=="})
    assert up2.status_code == 201, up2.text
    for mine in ([att, up2.json()], [other.json()]):
        assert_id_counts_nothing([x["id"] for x in mine],
                                 [epoch_of(x["created_at"]) for x in mine])


def snapshot(hub):
    """The survey tables' rows, read in one connection (on PostgreSQL a
    connection is a backend's start)."""
    con = hubdb.connect(hub.db, timeout=30)
    try:
        # sorted whole (ORDER BY 1, 2 left ties in the engine's order,
        # which PostgreSQL may change between two reads of the same rows)
        return [sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("survey_campaigns", "survey_targets",
                          "survey_responses", "survey_answers",
                          "survey_tally", "survey_tally_n",
                          "survey_reminders", "bcp_readiness")] + [
            con.execute("SELECT id, campaign_id, org_id, size FROM "
                        "survey_attachments ORDER BY id").fetchall(),
            con.execute("SELECT count(*) FROM notices").fetchall()]
    finally:
        con.close()


def test_bad_input_is_refused_and_changes_nothing(sv):
    cid = open_campaign(sv, 2033, ["water"])["id"]
    org = "op-water-0001"
    ok = [{"item": i, "answer": "adopted"} for i in ANSWERABLE]
    heading = next(i["id"] for i in CATALOGUE["items"] if not i["answerable"])
    big = base64.b64encode(b"x" * (2 * 1024 * 1024 + 1)).decode()
    cases = [
        ("nisc-analyst", "POST", "/api/v1/surveys",
         {"fy": 2033, "deadline": iso(9)}, 409, "campaign_exists", "fy"),
        ("nisc-analyst", "POST", "/api/v1/surveys",
         {"fy": 2034, "deadline": iso(-1)}, 400, "invalid_value", "deadline"),
        ("nisc-analyst", "POST", "/api/v1/surveys",
         {"fy": 2034, "deadline": iso(9), "sectors": ["nope"]}, 400,
         "unknown_sector", "sectors[0]"),
        ("nisc-analyst", "POST", "/api/v1/surveys",
         {"fy": 2034, "deadline": iso(9), "edition": "ed99"}, 400,
         "unknown_edition", "edition"),
        ("nisc-analyst", "POST", "/api/v1/surveys",
         {"fy": 1999, "deadline": iso(9)}, 400, None, "fy"),
        ("ceptoar-water-secretariat", "POST", "/api/v1/surveys",
         {"fy": 2034, "deadline": iso(9)}, 403, "forbidden", None),
        (org, "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "answers": [{"item": "9.9.9", "answer": "adopted"}]},
         400, "unknown_item", "answers[0].item"),
        (org, "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "answers": [{"item": heading, "answer": "adopted"}]},
         400, "unknown_item", "answers[0].item"),
        (org, "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "answers": [{"item": ANSWERABLE[0],
                                     "answer": "maybe"}]},
         400, None, "answers[0].answer"),
        (org, "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "answers": [{"item": ANSWERABLE[0], "answer": "na",
                                     "evidence": "長" * 4001}]},
         400, None, "answers[0].evidence"),
        (org, "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "submit": True, "answers": ok[:-1]},
         400, "incomplete", "answers"),
        # contradicting answers of one save (found by a review: the last
        # one won silently)
        (org, "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "answers": [{"item": BCP[0], "answer": "adopted"},
                                    {"item": BCP[0], "answer": "not"}],
          "clear": [BCP[0]]},
         400, "duplicate_item", "answers[1].item"),
        (org, "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "answers": [{"item": ANSWERABLE[0], "answer": "na"},
                                    {"item": ANSWERABLE[1], "answer": "na"},
                                    {"item": ANSWERABLE[0], "answer": "na"}]},
         400, "duplicate_item", "answers[2].item"),
        (org, "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "answers": [{"item": ANSWERABLE[0], "answer": "na"}],
          "clear": [ANSWERABLE[1], ANSWERABLE[0]]},
         400, "duplicate_item", "clear[1]"),
        (org, "PUT", "/api/v1/bcp-readiness",
         {"version": 0, "answers": [{"check": BCP[1], "answer": "adopted"},
                                    {"check": BCP[1], "answer": "not"}]},
         400, "duplicate_item", "answers[1].check"),
        (org, "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 3, "answers": ok}, 409, "version_conflict", "version"),
        (org, "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "org": "op-water-0002", "answers": ok}, 403,
         "not_your_org", "org"),
        ("op-gas-0001", "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "answers": ok}, 403, "not_asked", "id"),
        ("nisc-analyst", "POST", f"/api/v1/surveys/{cid}/answers",
         {"version": 0, "answers": ok}, 403, "forbidden", None),
        (org, "POST", f"/api/v1/surveys/{cid}/attachments",
         {"item": ANSWERABLE[0], "name": "a.txt", "content": big}, 413,
         "too_large", "content"),
        (org, "POST", f"/api/v1/surveys/{cid}/attachments",
         {"item": ANSWERABLE[0], "name": "a.txt", "content": "%%%"}, 400,
         "invalid_value", "content"),
        (org, "POST", f"/api/v1/surveys/{cid}/attachments",
         {"item": ANSWERABLE[0], "name": "../x", "content": "eA=="}, 400,
         "invalid_value", "name"),
        (org, "POST", f"/api/v1/surveys/{cid}/attachments",
         {"item": "9.9", "name": "a", "content": "eA=="}, 400,
         "unknown_item", "item"),
        (org, "POST", f"/api/v1/surveys/{cid}/remind", {}, 403, "forbidden",
         None),
        ("ceptoar-water-secretariat", "POST", f"/api/v1/surveys/{cid}/remind",
         {"orgs": ["op-gas-0001"]}, 400, "not_remindable", "orgs[0]"),
        (org, "POST", f"/api/v1/surveys/{cid}/close", {"version": 1}, 403,
         "forbidden", None),
        ("nisc-analyst", "POST", f"/api/v1/surveys/{cid}/close",
         {"version": 7}, 409, "version_conflict", "version"),
        (org, "PUT", "/api/v1/bcp-readiness",
         {"version": 0, "answers": [{"check": ANSWERABLE[0],
                                     "answer": "adopted"}]},
         400, "unknown_item", "answers[0].check"),
        (org, "PUT", "/api/v1/bcp-readiness",
         {"version": 5, "answers": []}, 409, "version_conflict", "version"),
        (org, "POST", "/api/v1/surveys/SV1900/answers",
         {"version": 0, "answers": ok}, 404, "not_found", "id"),
    ]
    for user, method, path, body, status, code, field in cases:
        before = snapshot(sv)
        r = call(sv, method, path, user, json=body)
        assert_error(r, status, code, field)
        assert snapshot(sv) == before, (path, body if len(str(body)) < 200
                                        else field)
    # a body over the upload's limit: 413 before it is read whole
    huge = {"item": ANSWERABLE[0], "name": "a", "content": "A" * (4 << 20)}
    before = snapshot(sv)
    r = call(sv, "POST", f"/api/v1/surveys/{cid}/attachments", org, json=huge)
    assert r.status_code == 413
    assert snapshot(sv) == before
    # at most 20 files per operator and campaign
    for k in range(20):
        r = call(sv, "POST", f"/api/v1/surveys/{cid}/attachments", org,
                 json={"item": ANSWERABLE[0], "name": f"{k}.txt",
                       "content": base64.b64encode(b"%d" % k).decode()})
        assert r.status_code == 201, r.text
    before = snapshot(sv)
    assert_error(call(sv, "POST", f"/api/v1/surveys/{cid}/attachments", org,
                      json={"item": ANSWERABLE[0], "name": "21.txt",
                            "content": "eA=="}), 413, "too_many", "content")
    assert snapshot(sv) == before
    # a closed campaign takes no answers and no files
    close(sv, cid)
    for path, body in ((f"/api/v1/surveys/{cid}/answers",
                        {"version": 0, "answers": ok}),
                       (f"/api/v1/surveys/{cid}/attachments",
                        {"item": ANSWERABLE[0], "name": "a",
                         "content": "eA=="})):
        before = snapshot(sv)
        assert_error(call(sv, "POST", path, "op-water-0002", json=body), 409,
                     "campaign_closed", "id")
        assert snapshot(sv) == before
    assert_error(call(sv, "POST", f"/api/v1/surveys/{cid}/close",
                      "nisc-analyst", json={"version": 2}), 409,
                 "campaign_closed", "id")


def test_secretariat_reminds_non_respondents_by_email(sv, smtp):
    cid = open_campaign(sv, 2035, ["water"])["id"]
    members = operators(sv, "water")
    submit(sv, cid, members[0], answers_for(members[0], 2035))
    sec = "ceptoar-water-secretariat"
    r = call(sv, "POST", f"/api/v1/surveys/{cid}/remind", sec, json={})
    assert r.status_code == 200, r.text
    out = r.json()
    assert sorted(x["org"] for x in out["reminded"]) == members[1:]
    assert out["skipped"] == [{"org": members[0], "reason": "submitted"}]
    for org in members[1:]:
        addr = f"{org}@demo.example.jp"
        wait_for(lambda: smtp.to(addr), what=f"the reminder to {org}")
    mail = smtp.to(f"{members[1]}@demo.example.jp")[-1]
    assert "安全基準等調査" in mail.subject and "Safety-standards" in mail.subject
    assert f"/#/surveys/{cid}" in mail.text and "2035" in mail.text
    assert smtp.to(f"{members[0]}@demo.example.jp") == [] or all(
        "2035" not in m.subject for m in smtp.to(f"{members[0]}@demo.example.jp"))
    # the same day again: nobody is reminded twice
    n = {org: len(smtp.to(f"{org}@demo.example.jp")) for org in members}
    r = call(sv, "POST", f"/api/v1/surveys/{cid}/remind", sec, json={})
    assert r.json()["reminded"] == []
    assert {x["reason"] for x in r.json()["skipped"]} == {
        "submitted", "reminded_today"}
    sv.wait_ticks(5)
    assert {org: len(smtp.to(f"{org}@demo.example.jp")) for org in members} == n
    prog = call(sv, "GET", f"/api/v1/surveys/{cid}/progress", sec).json()
    for m in prog["members"]:
        assert (m["last_reminded"] is None) == (m["org"] == members[0])


def test_bcp_readiness_feeds_the_survey(sv):
    org = "op-electricity-0001"
    g = call(sv, "GET", "/api/v1/bcp-readiness", org).json()
    assert g["version"] == 0 and g["answered"] == 0
    assert [c["id"] for c in g["characteristics"]] == [
        b["id"] for b in CATALOGUE["bcp"]]
    checks = [c["id"] for b in CATALOGUE["bcp"] for c in b["checks"]]
    given = {c: VALUES[k % 4] for k, c in enumerate(checks)}
    r = call(sv, "PUT", "/api/v1/bcp-readiness", org, json={
        "version": 0, "answers": [{"check": c, "answer": a, "note": "BCP 4.2"}
                                  for c, a in given.items()]})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["version"] == 1 and got["answered"] == len(checks)
    every = [given[c] for c in checks if given[c] != "na"]
    assert got["readiness"] == int(sum(
        1.0 if v == "adopted" else 0.5 if v == "partly" else 0
        for v in every) * 100 / len(every) + 0.5)
    for ch, b in zip(got["characteristics"], CATALOGUE["bcp"]):
        vals = [given[c["id"]] for c in b["checks"]]
        applies = [v for v in vals if v != "na"]
        score = sum(1.0 if v == "adopted" else 0.5 if v == "partly" else 0
                    for v in applies)
        want = None if not applies else int(score * 100 / len(applies) + 0.5)
        assert ch["readiness"] == want, ch["id"]
    # the survey offers them for the CP/BCP items not answered yet
    cid = open_campaign(sv, 2036, ["electricity"])["id"]
    resp = call(sv, "GET", f"/api/v1/surveys/{cid}/answers", org).json()
    assert {s["item"]: s["answer"] for s in resp["suggested"]} == given
    # other kinds keep no checklist
    assert_error(call(sv, "GET", "/api/v1/bcp-readiness", "nisc-analyst"),
                 403, "forbidden")


def test_concurrent_saves_one_winner_and_tallies_that_add_up(sv):
    cid = open_campaign(sv, 2037, ["petroleum", "chemical"])["id"]
    org = operators(sv, "petroleum")[0]
    tok(sv, org)
    # many saves of one response at the same version: one wins each round
    for rnd in range(4):
        v = call(sv, "GET", f"/api/v1/surveys/{cid}/answers", org).json()[
            "version"]
        results = []

        def save(k):
            r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", org,
                     json={"version": v, "answers": [
                         {"item": ANSWERABLE[k], "answer": "partly"}]})
            results.append(r.status_code)
        ts = [threading.Thread(target=save, args=(k,)) for k in range(8)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        assert sorted(results) == [200] + [409] * 7, results
        assert db(sv, "SELECT version FROM survey_responses WHERE "
                  "campaign_id = ? AND org_id = ?", cid, org) == [(v + 1,)]
    # operators submitting, amending and taking back at once: the tallies
    # equal a count of the stored answers of the submitted responses
    orgs = operators(sv, "petroleum")[1:7] + operators(sv, "chemical")[:6]
    for o in orgs:
        tok(sv, o)

    def churn(o):
        for k in range(3):
            cur = call(sv, "GET", f"/api/v1/surveys/{cid}/answers", o).json()
            a = answers_for(o, 3000 + k)
            r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", o, json={
                "version": cur["version"], "submit": k != 1,
                "answers": [{"item": i, "answer": x} for i, x in a.items()]})
            assert r.status_code == 200, r.text
    ts = [threading.Thread(target=churn, args=(o,)) for o in orgs]
    [t.start() for t in ts]
    [t.join() for t in ts]
    want = db(sv, "SELECT t.sector_id, a.item_id, sum(a.answer = 'adopted'), "
              "sum(a.answer = 'partly'), sum(a.answer = 'not'), "
              "sum(a.answer = 'na') FROM survey_answers a JOIN "
              "survey_responses r ON r.campaign_id = a.campaign_id AND "
              "r.org_id = a.org_id JOIN survey_targets t ON t.campaign_id = "
              "a.campaign_id AND t.org_id = a.org_id WHERE a.campaign_id = ? "
              "AND r.state = 'submitted' GROUP BY 1, 2 ORDER BY 1, 2", cid)
    got = db(sv, "SELECT sector_id, item_id, adopted, partly, not_adopted, na "
             "FROM survey_tally WHERE campaign_id = ? AND adopted + partly + "
             "not_adopted + na > 0 ORDER BY 1, 2", cid)
    assert got == want
    assert db(sv, "SELECT sector_id, respondents FROM survey_tally_n WHERE "
              "campaign_id = ? AND respondents > 0 ORDER BY 1", cid) == db(
        sv, "SELECT t.sector_id, count(*) FROM survey_responses r JOIN "
        "survey_targets t USING (campaign_id, org_id) WHERE r.campaign_id = ? "
        "AND r.state = 'submitted' GROUP BY 1 ORDER BY 1", cid)


def test_kept_results_follow_a_later_closing_of_an_earlier_year(
        fresh_demo_hub):
    """The results of a closed campaign are made once and kept; closing an
    earlier year afterwards gives them their year-on-year figures."""
    sv = fresh_demo_hub
    early = open_campaign(sv, 2001, ["gas"])["id"]
    late = open_campaign(sv, 2002, ["gas"])["id"]
    orgs = operators(sv, "gas")[:5]
    for cid, fy in ((early, 2001), (late, 2002)):
        for org in orgs:
            submit(sv, cid, org, answers_for(org, fy))
    close(sv, late)
    first = call(sv, "GET", f"/api/v1/surveys/{late}/aggregates", "nisc-analyst")
    assert first.json()["previous"] is None
    # read again: the kept text, the same bytes
    assert call(sv, "GET", f"/api/v1/surveys/{late}/aggregates",
                "nisc-analyst").content == first.content
    close(sv, early)
    after = call(sv, "GET", f"/api/v1/surveys/{late}/aggregates",
                 "nisc-analyst").json()
    assert after["previous"] == {"campaign": early, "fy": 2001}
    given = {fy: oracle({"gas": [answers_for(o, fy) for o in orgs]})
             for fy in (2001, 2002)}
    check_published(after, given[2002], given[2001])


def test_the_demo_has_last_years_results_and_this_years_campaign(sv):
    now = datetime.now(timezone.utc) + timedelta(hours=9)   # JST
    fy = now.year - (1 if now.month < 4 else 0)
    items = call(sv, "GET", "/api/v1/surveys", "op-gas-0001").json()["items"]
    by = {c["id"]: c for c in items}
    last, cur = by[f"SV{fy - 1}"], by[f"SV{fy}"]
    assert last["state"] == "closed" and cur["state"] == "open"
    # the operator left for a person trying the demo has not answered
    assert cur["mine"] == {"state": "none", "answered": 0}
    agg = call(sv, "GET", f"/api/v1/surveys/SV{fy - 1}/aggregates",
               "op-gas-0001").json()
    shown = [g for g in agg["groups"] if g["published"]]
    hidden = [g for g in agg["groups"] if not g["published"]]
    assert shown and hidden        # small sectors show as hidden groups
    nat = [g for g in shown if g["key"] == "national"][0]
    assert nat["phases"]["plan"] > nat["phases"]["act"]
    assert_error(call(sv, "GET", f"/api/v1/surveys/SV{fy}/aggregates",
                      "op-gas-0001"), 409, "campaign_open", "id")


def test_an_incomplete_submission_names_the_first_missing_item(sv):
    cid = open_campaign(sv, 2038, ["medical"])["id"]
    org = operators(sv, "medical")[1]
    skip = ANSWERABLE[3]
    r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", org, json={
        "version": 0, "submit": True,
        "answers": [{"item": i, "answer": "na"} for i in ANSWERABLE
                    if i != skip]})
    err = assert_error(r, 400, "incomplete", "answers")
    assert f"1 of the {len(ANSWERABLE)} items" in err["message"]
    assert skip in err["message"]


def test_what_a_secretariat_knows_is_not_subtracted(sv):
    """A secretariat reads the answers its members share: a sector it knows
    all but one of is not published (it would subtract what it knows and
    learn the last one's answers), nor pooled into a figure that lets it."""
    cid = open_campaign(sv, 2042, ["gas", "water", "electricity"])["id"]
    gas = operators(sv, "gas")
    for k, org in enumerate(gas[:5]):
        submit(sv, cid, org, answers_for(org, 2042), shared=k < 4)
    elec = operators(sv, "electricity")
    for org in elec[:6]:
        submit(sv, cid, org, answers_for(org, 2042))
    close(sv, cid)
    agg = call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates",
               "ceptoar-gas-secretariat").json()
    groups = {g["key"]: g for g in agg["groups"]}
    assert groups["electricity"]["published"]
    assert not groups["gas"]["published"]
    # water (no respondent) is hidden the same way as gas (five)
    assert groups["water"] == {"key": "water", "kind": "sector",
                               "name": groups["water"]["name"],
                               "published": False,
                               "reason": "fewer_than_min_group"}
    assert set(groups["gas"]) == set(groups["water"])
    # the pool is gas alone (water has none): the secretariat knows 4 of
    # its 5, so it is in no figure; the total is electricity's alone
    assert "other" not in groups
    assert groups["national"]["respondents"] == 6


def test_answers_once_shared_stay_known_to_the_secretariat(sv):
    """A secretariat that read its members' answers while they were shared
    still knows them after sharing is turned off: a sector it once read
    all but one of is not published (found by an outside review: the
    last one's 77 answers were the published counts minus the four it had
    read). A sector whose members never shared is."""
    cid = open_campaign(sv, 2047, ["gas", "water"])["id"]
    gas = operators(sv, "gas")[:5]
    for org in gas[:4]:
        cur = call(sv, "GET", f"/api/v1/surveys/{cid}/answers", org).json()
        r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", org,
                 json={"version": cur["version"], "submit": False,
                       "shared": True,
                       "answers": [{"item": i, "answer": a}
                                   for i, a in answers_for(org, 2047).items()]})
        assert r.status_code == 200, r.text
        read = call(sv, "GET", f"/api/v1/surveys/{cid}/answers?org={org}",
                    "ceptoar-gas-secretariat")
        assert read.status_code == 200, read.text
    for org in gas:
        # submitted, no longer shared: the secretariat reads it no more
        submit(sv, cid, org, answers_for(org, 2047), shared=False)
        r = call(sv, "GET", f"/api/v1/surveys/{cid}/answers?org={org}",
                 "ceptoar-gas-secretariat")
        assert r.status_code in (403, 404), r.text
    for org in operators(sv, "water")[:5]:
        submit(sv, cid, org, answers_for(org, 2047), shared=False)
    close(sv, cid)
    agg = call(sv, "GET", f"/api/v1/surveys/{cid}/aggregates",
               "ceptoar-gas-secretariat").json()
    groups = {g["key"]: g for g in agg["groups"]}
    assert groups["water"]["published"] and \
        groups["water"]["respondents"] == 5
    assert not groups["gas"]["published"], groups["gas"]
    assert "respondents" not in groups["gas"]
    # nor pooled, nor in the national total: it is water's alone
    assert "other" not in groups
    assert groups["national"]["respondents"] == 5


def test_saves_keep_the_state_and_answers_can_be_cleared(sv):
    cid = open_campaign(sv, 2043, ["chemical"])["id"]
    org = operators(sv, "chemical")[2]
    submit(sv, cid, org, answers_for(org, 2047))
    cur = call(sv, "GET", f"/api/v1/surveys/{cid}/answers", org).json()
    # sharing after submitting keeps it submitted (and counted)
    r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", org,
             json={"version": cur["version"], "shared": True})
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    n = db(sv, "SELECT respondents FROM survey_tally_n WHERE campaign_id = ? "
           "AND sector_id = 'chemical'", cid)
    assert n == [(1,)]
    # clearing an answer of a submitted response: refused unless it goes
    # back to a draft
    v = r.json()["version"]
    before = snapshot(sv)
    assert_error(call(sv, "POST", f"/api/v1/surveys/{cid}/answers", org,
                      json={"version": v, "clear": [ANSWERABLE[0]]}),
                 400, "incomplete", "answers")
    assert snapshot(sv) == before
    assert_error(call(sv, "POST", f"/api/v1/surveys/{cid}/answers", org,
                      json={"version": v, "clear": ["4.9.9"]}),
                 400, "unknown_item", "clear[0]")
    r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", org,
             json={"version": v, "clear": [ANSWERABLE[0]], "submit": False})
    assert r.status_code == 200 and r.json()["state"] == "draft"
    assert r.json()["missing"] == 1
    assert ANSWERABLE[0] not in {a["item"] for a in r.json()["answers"]}
    assert db(sv, "SELECT respondents FROM survey_tally_n WHERE campaign_id "
              "= ? AND sector_id = 'chemical'", cid) == [(0,)]
    # a file: deleted by its operator only
    up = call(sv, "POST", f"/api/v1/surveys/{cid}/attachments", org,
              json={"item": ANSWERABLE[1], "name": "a.txt",
                    "content": "eA=="}).json()
    path = f"/api/v1/surveys/{cid}/attachments/{up['id']}"
    other = operators(sv, "chemical")[3]
    assert_error(call(sv, "DELETE", path, other), 404, "not_found", "att")
    r = call(sv, "DELETE", path, org)
    assert r.status_code == 200 and r.json()["deleted"] is True
    assert_error(call(sv, "GET", path, org), 404)
    assert_error(call(sv, "DELETE", path, org), 404, "not_found", "att")
    # file names that would show reversed or hide characters
    for name in ("evil\u202etxt.exe", "a\u0085b", "x\u2066y", "a\u2028b.txt",
                 "a\u2029b"):
        assert_error(call(sv, "POST", f"/api/v1/surveys/{cid}/attachments",
                          org, json={"item": ANSWERABLE[1], "name": name,
                                     "content": "eA=="}),
                     400, "invalid_value", "name")
    # nor a name that shows nothing (found by a review: "   " was stored)
    for name in ("   ", "\u3000", "\u200b\u00a0", ""):
        before = snapshot(sv)
        assert_error(call(sv, "POST", f"/api/v1/surveys/{cid}/attachments",
                          org, json={"item": ANSWERABLE[1], "name": name,
                                     "content": ""}),
                     400, "invalid_value", "name")
        assert snapshot(sv) == before, name
    # a file a few bytes over the limit is 413 like any over it
    big = base64.b64encode(b"x" * (2 * 1024 * 1024 + 3)).decode()
    assert_error(call(sv, "POST", f"/api/v1/surveys/{cid}/attachments", org,
                      json={"item": ANSWERABLE[1], "name": "b",
                            "content": big}), 413, "too_large", "content")


def test_reminding_one_operator_twice_in_a_request_sends_once(sv, smtp):
    cid = open_campaign(sv, 2044, ["petroleum"])["id"]
    org = operators(sv, "petroleum")[4]
    addr = f"{org}@demo.example.jp"
    had = len(smtp.to(addr))
    r = call(sv, "POST", f"/api/v1/surveys/{cid}/remind", "nisc-analyst",
             json={"orgs": [org] * 50})
    assert r.status_code == 200
    assert [x["org"] for x in r.json()["reminded"]] == [org]
    wait_for(lambda: len(smtp.to(addr)) > had, what="the reminder")
    sv.wait_ticks(5)
    assert len(smtp.to(addr)) == had + 1
    assert db(sv, "SELECT count(*) FROM survey_reminders WHERE campaign_id "
              "= ?", cid) == [(1,)]


def test_a_secretariat_sees_its_own_sector_and_no_checklist(sv):
    cid = open_campaign(sv, 2045, ["gas", "water"])["id"]
    prog = call(sv, "GET", f"/api/v1/surveys/{cid}/progress",
                "ceptoar-gas-secretariat").json()
    assert [p["sector"] for p in prog["sectors"]] == ["gas"]
    assert {m["org"] for m in prog["members"]} == set(operators(sv, "gas"))
    nisc = call(sv, "GET", f"/api/v1/surveys/{cid}/progress",
                "nisc-analyst").json()
    assert [p["sector"] for p in nisc["sectors"]] == ["gas", "water"]
    # the operator's CP/BCP checklist is offered to it, never to the
    # secretariat reading its shared answers
    org = operators(sv, "gas")[6]
    checks = [c["id"] for b in CATALOGUE["bcp"] for c in b["checks"]]
    r = call(sv, "PUT", "/api/v1/bcp-readiness", org, json={
        "version": call(sv, "GET", "/api/v1/bcp-readiness", org).json()[
            "version"],
        "answers": [{"check": checks[0], "answer": "not",
                     "note": "PRIVATE: no generator"}]})
    assert r.status_code == 200
    r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", org, json={
        "version": 0, "shared": True,
        "answers": [{"item": ANSWERABLE[0], "answer": "adopted"}]})
    assert r.status_code == 200
    assert [s["item"] for s in r.json()["suggested"]] == [checks[0]]
    seen = call(sv, "GET", f"/api/v1/surveys/{cid}/answers",
                "ceptoar-gas-secretariat", params={"org": org})
    assert seen.status_code == 200
    assert seen.json()["suggested"] == []
    assert "PRIVATE" not in seen.text


def test_concurrent_checklist_saves_and_a_close_racing_submissions(sv):
    """CP/BCP saves of one version: one wins each round. NISC closes while
    operators submit: every submission either got 200 before the close and
    is counted, or 409 campaign_closed and is not; the published figures
    equal the submitted responses in the database."""
    org = operators(sv, "railway")[3]
    tok(sv, org)
    checks = [c["id"] for b in CATALOGUE["bcp"] for c in b["checks"]]
    for rnd in range(3):
        v = call(sv, "GET", "/api/v1/bcp-readiness", org).json()["version"]
        codes = []

        def put(k):
            r = call(sv, "PUT", "/api/v1/bcp-readiness", org, json={
                "version": v, "answers": [{"check": checks[k],
                                           "answer": "partly"}]})
            codes.append(r.status_code)
        ts = [threading.Thread(target=put, args=(k,)) for k in range(8)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        assert sorted(codes) == [200] + [409] * 7, codes
        assert db(sv, "SELECT version FROM bcp_readiness_version WHERE "
                  "org_id = ?", org) == [(v + 1,)]
    cid = open_campaign(sv, 2046, ["railway"])["id"]
    orgs = operators(sv, "railway")[:12]
    for o in orgs:
        tok(sv, o)
    version = call(sv, "GET", f"/api/v1/surveys/{cid}",
                   "nisc-analyst").json()["version"]
    got = {}

    def submit_one(o):
        r = call(sv, "POST", f"/api/v1/surveys/{cid}/answers", o, json={
            "version": 0, "submit": True,
            "answers": [{"item": i, "answer": "adopted"}
                        for i in ANSWERABLE]})
        got[o] = r.status_code

    def close_it():
        got["close"] = call(sv, "POST", f"/api/v1/surveys/{cid}/close",
                            "nisc-analyst",
                            json={"version": version}).status_code
    ts = [threading.Thread(target=submit_one, args=(o,)) for o in orgs]
    ts.insert(len(ts) // 2, threading.Thread(target=close_it))
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert got.pop("close") == 200
    assert set(got.values()) <= {200, 409}
    accepted = sorted(o for o, c in got.items() if c == 200)
    assert db(sv, "SELECT org_id FROM survey_responses WHERE campaign_id = ? "
              "AND state = 'submitted' ORDER BY org_id", cid) == [
        (o,) for o in accepted]
    n = db(sv, "SELECT respondents FROM survey_tally_n WHERE campaign_id = ?",
           cid)
    assert n == ([(len(accepted),)] if accepted else [])


def test_a_campaign_title_says_something_and_names_each_sector_once(sv):
    """Found by a review: a title of only spaces was stored and shown to
    every operator asked, and a sector named twice was stored twice."""
    cases = [
        ({"title_ja": "   "}, "invalid_value", "title_ja"),
        ({"title_en": "\u3000\u200b"}, "invalid_value", "title_en"),
        ({"title_ja": "調査\u202e2050"}, "invalid_text", "title_ja"),
        ({"title_en": "FY2050 \u2066survey\u2069"}, "invalid_text",
         "title_en"),
        ({"sectors": ["gas", "gas"]}, "duplicate_item", "sectors[1]"),
        ({"sectors": ["gas", "water", "gas"]}, "duplicate_item",
         "sectors[2]"),
        ({"sectors": ["gas", "gas"], "title_ja": "   "}, "invalid_value",
         "title_ja"),
    ]
    for extra, code, field in cases:
        body = {"fy": 2050, "deadline": iso(30), **extra}
        before = snapshot(sv)
        assert_error(call(sv, "POST", "/api/v1/surveys", "nisc-analyst",
                          json=body), 400, code, field)
        assert snapshot(sv) == before, extra
    # an empty title is the default one; white space inside is kept
    r = call(sv, "POST", "/api/v1/surveys", "nisc-analyst", json={
        "fy": 2050, "deadline": iso(30), "sectors": ["gas", "water"],
        "title_ja": "", "title_en": " FY2050  survey "})
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["title"] == {"ja": "2050年度 安全基準等の浸透状況等に関する調査",
                            "en": " FY2050  survey "}
    assert sorted(got["sectors"]) == ["gas", "water"]
