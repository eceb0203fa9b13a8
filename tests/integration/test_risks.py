"""The operators' risk registers (issue 15, DOMAIN.md §12; docs/rules.md
"Risk register"; 002:261-308): risks with owner, impact x likelihood on the
operator's own scale, treatment, the guideline's measures, the plan and the
review date, every version kept (checked in the database, also under a
race of concurrent edits); privacy (another operator 404, NISC, ministries
and agencies 403, a secretariat reads only its members' shared risks);
the heat map against an oracle; scale changes; every bad input refused
naming the field with nothing changed; review reminders by real SMTP,
once per review date.

The hub starts without demo data: operators, contacts and users are made
with the CLI (ProvHub of test_provision_features)."""
import random
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from conftest import assert_error, wait_for
from receivers import SMTPReceiver
from test_provision_features import base_flags, make_hub

PUBLIC = "https://hub.example.jp"
M1, M2, M3 = "4.1.3(2)(ア)-1", "4.2.1(2)(ア)", "bcp3.1"


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def days(n):
    return iso(datetime.now(timezone.utc) + timedelta(days=n))


@pytest.fixture
def rhub(tmp_path, smtp):
    """Gas operators op-a and op-b, op-ge in both the gas and the
    electricity CEPTOARs, op-e in electricity only; their users, the two
    secretariats, NISC, METI and JPCERT/CC."""
    h = make_hub(tmp_path, base_flags(smtp) + ["--public-url", PUBLIC])
    h.add_operator("op-a")
    h.add_operator("op-b")
    h.add_operator("op-ge", ceptoars=("ceptoar-gas", "ceptoar-electricity"))
    h.add_operator("op-e", scope="electricity",
                   ceptoars=("ceptoar-electricity",))
    h.add_contact("op-a", "email", "desk@op-a.example.jp", 1)
    h.add_contact("op-a", "email", "risk@op-a.example.jp", 2)
    h.add_contact("op-a", "phone", "https://gw.example.jp/phone", 3)
    h.add_user("a-rep", "op-a", "reader,reporter")
    h.add_user("a-reader", "op-a", "reader")
    h.add_user("a-admin", "op-a", "reader,org_admin")
    h.add_user("b-rep", "op-b", "reader,reporter")
    h.add_user("b-admin", "op-b", "reader,analyst")
    h.add_user("ge-rep", "op-ge", "reader,liaison")
    h.add_user("e-rep", "op-e", "reader,reporter")
    h.add_user("gas-sec", "ceptoar-gas", "reader,liaison,analyst")
    h.add_user("elec-sec", "ceptoar-electricity", "reader,liaison,analyst")
    h.add_user("nisc-a", "nisc", "reader,liaison,analyst")
    h.add_user("meti-a", "meti", "reader,liaison,analyst")
    h.add_user("jpcert-a", "jpcert", "reader,analyst")
    h.start()
    yield h
    h.stop()


def body(**over):
    b = {"title": "基幹系サーバのランサムウェア感染 / Ransomware on core servers",
         "description": "バックアップが暗号化される恐れ。Backups may be "
                        "encrypted too.",
         "owner": "情報システム部長 (CIO)", "asset": "料金システム / billing",
         "impact": 4, "likelihood": 3, "treatment": "reduce",
         "measures": [M1, M2], "plan": "オフラインバックアップを週次で取得。"
                                      "Weekly offline backups.",
         "review_at": days(60), "shared": False}
    b.update(over)
    return b


def create(h, user, **over):
    r = h.call("POST", "/api/v1/risks", user, json=body(**over))
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == f"/api/v1/risks/{r.json()['id']}"
    return r.json()


def put(h, user, rid, **fields):
    return h.call("PUT", f"/api/v1/risks/{rid}", user, json=fields)


def listing(h, user, **params):
    """Every page of the list (limit 3: the cursor is used)."""
    items, cursor = [], None
    while True:
        q = dict(params, limit=3)
        if cursor:
            q["cursor"] = cursor
        r = h.ok("GET", "/api/v1/risks", user, params=q)
        items += r["items"]
        cursor = r["next_cursor"]
        if cursor is None:
            return items


def history(h, user, rid):
    items, cursor = [], None
    while True:
        q = {"limit": 4}
        if cursor:
            q["cursor"] = cursor
        r = h.ok("GET", f"/api/v1/risks/{rid}/history", user, params=q)
        items += r["items"]
        cursor = r["next_cursor"]
        if cursor is None:
            return items


def db_state(h):
    """What a refused request must not change."""
    return (h.db_rows("SELECT * FROM risks ORDER BY id"),
            h.db_rows("SELECT * FROM risk_history ORDER BY risk_id, version"),
            h.db_rows("SELECT * FROM risk_scales ORDER BY org_id"),
            h.db_rows("SELECT count(*) AS n FROM audit")[0]["n"])


# ------------------------------------------------------------------ tests

def test_create_read_update_history(rhub):
    h = rhub
    r = create(h, "a-rep")
    assert r["version"] == 1 and r["state"] == "open"
    assert r["org"]["id"] == "op-a"
    assert r["title"] == body()["title"] and r["measures"] == [M1, M2]
    assert r["score"] == 12 and r["threshold"] == 12 and r["above_appetite"]
    assert r["created_by"]["username"] == "a-rep" and not r["read_only"]
    rid = r["id"]
    assert h.ok("GET", f"/api/v1/risks/{rid}", "a-rep") == r
    # a reader reads, never writes
    got = h.ok("GET", f"/api/v1/risks/{rid}", "a-reader")
    assert got["read_only"] and got["title"] == r["title"]
    before = db_state(h)
    assert_error(put(h, "a-reader", rid, version=1, plan="x"), 403)
    assert_error(h.call("POST", "/api/v1/risks", "a-reader", json=body()),
                 403)
    assert db_state(h) == before
    # changes, each a version
    r2 = put(h, "a-rep", rid, version=1, impact=2, plan="外部委託 / outsourced",
             treatment="transfer")
    assert r2.status_code == 200, r2.text
    r2 = r2.json()
    assert (r2["version"], r2["impact"], r2["score"], r2["above_appetite"]) \
        == (2, 2, 6, False)
    # nothing changed: no version
    same = put(h, "a-admin", rid, version=2, impact=2).json()
    assert same["version"] == 2
    r3 = put(h, "a-admin", rid, version=2, state="closed",
             measures=[M3]).json()
    assert r3["version"] == 3 and r3["state"] == "closed"
    assert r3["updated_by"]["username"] == "a-admin"
    hist = history(h, "a-rep", rid)
    assert [v["version"] for v in hist] == [1, 2, 3]
    assert [v["by"]["username"] for v in hist] == ["a-rep", "a-rep",
                                                    "a-admin"]
    assert set(hist[0]["changed"]) >= {"title", "impact", "review_at"}
    assert hist[1]["changed"] == ["impact", "treatment", "plan"]
    assert hist[2]["changed"] == ["measures", "state"]
    assert hist[1]["risk"]["plan"] == "外部委託 / outsourced"
    assert hist[2]["risk"]["state"] == "closed"
    rows = h.db_rows("SELECT version, by_user FROM risk_history "
                     "WHERE risk_id = ? ORDER BY version", rid)
    assert [x["version"] for x in rows] == [1, 2, 3]
    # audited, without the risk's text
    audit = h.audit()
    mine = [e for e in audit if e["action"].startswith("risk.")]
    assert [e["action"] for e in mine] == ["risk.create", "risk.update",
                                           "risk.update"]
    assert all(e["target"] == str(rid) for e in mine)
    assert mine[1]["detail"] == {"version": 2, "changed": [
        "impact", "treatment", "plan"]}
    for e in mine:
        text = str(e["detail"])
        assert "outsourced" not in text and "Ransomware" not in text


def test_version_conflict(rhub):
    h = rhub
    rid = create(h, "a-rep")["id"]
    assert put(h, "a-rep", rid, version=1, likelihood=1).status_code == 200
    before = db_state(h)
    assert_error(put(h, "a-admin", rid, version=1, likelihood=5), 409,
                 "version_conflict", "version")
    assert db_state(h) == before


def test_concurrent_edits_one_wins_per_round_no_gaps(rhub):
    h = rhub
    rid = create(h, "a-rep")["id"]
    threads, rounds = 8, 10
    version = 1
    for rnd in range(rounds):
        barrier = threading.Barrier(threads)
        results = [None] * threads

        def edit(i, v=version, n=rnd):
            barrier.wait()
            r = put(h, "a-rep", rid, version=v, plan=f"round {n} thread {i}")
            results[i] = (r.status_code, r.json())

        ts = [threading.Thread(target=edit, args=(i,)) for i in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        won = [r for r in results if r[0] == 200]
        assert len(won) == 1, results
        assert all(r[0] == 409 and r[1]["error"]["code"] == "version_conflict"
                   for r in results if r[0] != 200)
        version += 1
        assert won[0][1]["version"] == version
    rows = h.db_rows("SELECT version, snapshot FROM risk_history "
                     "WHERE risk_id = ? ORDER BY version", rid)
    assert [x["version"] for x in rows] == list(range(1, rounds + 2))
    row = h.db_rows("SELECT version, plan FROM risks WHERE id = ?", rid)[0]
    assert row["version"] == rounds + 1
    # the last snapshot is the row
    assert f'"plan":"{row["plan"]}"' in rows[-1]["snapshot"]
    assert len(h.audit("risk.update")) == rounds


def test_privacy(rhub):
    h = rhub
    shared = create(h, "a-rep", shared=True, title="共有リスク shared")
    private = create(h, "a-rep", title="非共有 private")
    ge = create(h, "ge-rep", shared=True, title="gas+electricity")
    e_own = create(h, "e-rep", shared=False, title="electricity private")
    # another operator: 404, and its list holds its own only
    for rid in (shared["id"], private["id"]):
        assert_error(h.call("GET", f"/api/v1/risks/{rid}", "b-rep"), 404)
        assert_error(h.call("GET", f"/api/v1/risks/{rid}/history", "b-rep"),
                     404)
        assert_error(put(h, "b-rep", rid, version=1, plan="x"), 404)
    assert listing(h, "b-rep") == []
    assert [r["id"] for r in listing(h, "a-reader")] == sorted(
        [shared["id"], private["id"]])
    # the same 404 for a risk that does not exist
    for bad in ("999999", "abc", "0", "-1"):
        assert_error(h.call("GET", f"/api/v1/risks/{bad}", "a-rep"), 404)
    # NISC, ministries, agencies: no register to read
    for user in ("nisc-a", "meti-a", "jpcert-a"):
        assert_error(h.call("GET", "/api/v1/risks", user), 403)
        assert_error(h.call("GET", "/api/v1/risks/heatmap", user), 403)
        assert_error(h.call("GET", f"/api/v1/risks/{shared['id']}", user),
                     404)
    # the gas secretariat: the shared risks of its members, read only
    gas = listing(h, "gas-sec")
    assert [r["id"] for r in gas] == sorted([shared["id"], ge["id"]])
    g0 = next(r for r in gas if r["id"] == shared["id"])
    assert g0["org"]["id"] == "op-a" and g0["org"]["name"]["en"]
    assert g0["read_only"] and g0["created_by"] is None
    # no version: it would count the versions made while not shared
    assert "version" not in g0
    assert "version" not in h.ok("GET", f"/api/v1/risks/{shared['id']}",
                                 "gas-sec")
    assert_error(h.call("GET", f"/api/v1/risks/{private['id']}", "gas-sec"),
                 404)
    assert_error(h.call("GET", f"/api/v1/risks/{e_own['id']}", "gas-sec"),
                 404)
    before = db_state(h)
    assert_error(put(h, "gas-sec", shared["id"], version=1, plan="x"), 403)
    assert_error(h.call("POST", "/api/v1/risks", "gas-sec", json=body()), 403)
    assert db_state(h) == before
    # the electricity secretariat: op-ge's only (op-e shares nothing)
    assert [r["id"] for r in listing(h, "elec-sec")] == [ge["id"]]
    assert_error(h.call("GET", f"/api/v1/risks/{shared['id']}", "elec-sec"),
                 404)
    # unsharing hides it again; sharing again shows the shared versions
    put(h, "a-rep", shared["id"], version=1, shared=False,
        plan="非共有中の計画 unshared plan")
    assert_error(h.call("GET", f"/api/v1/risks/{shared['id']}", "gas-sec"),
                 404)
    assert [r["id"] for r in listing(h, "gas-sec")] == [ge["id"]]
    assert h.ok("GET", "/api/v1/risks/heatmap", "gas-sec")["total"] == 1
    put(h, "a-rep", shared["id"], version=2, shared=True, plan="共有の計画")
    hist = history(h, "gas-sec", shared["id"])
    # the shared versions numbered among themselves: no gap tells that the
    # operator changed it while it was not shared
    assert [v["version"] for v in hist] == [1, 2]
    assert all(v["by"] is None for v in hist)
    assert "unshared plan" not in str(hist)
    own = history(h, "a-rep", shared["id"])
    assert [v["version"] for v in own] == [1, 2, 3]
    # what changed is told against the last version the reader may read:
    # the owner sees the plan and the sharing change at 2 and 3; the
    # secretariat sees only that the plan of 3 differs from that of 1
    assert own[2]["changed"] == ["plan", "shared"]
    assert hist[1]["changed"] == ["plan"]
    # a risk shared for the first time: its first shared version tells
    # nothing of what it was before (every field, as a new one)
    p = h.ok("GET", f"/api/v1/risks/{private['id']}", "a-rep")
    put(h, "a-rep", private["id"], version=p["version"], shared=True,
        title="共有開始 now shared")
    hp = history(h, "gas-sec", private["id"])
    assert [v["version"] for v in hp] == [1]
    assert hp[0]["changed"] == history(h, "a-rep", private["id"])[0][
        "changed"]
    assert "shared" in hp[0]["changed"] and "plan" in hp[0]["changed"]


def test_a_secretariats_history_pages_count_only_shared_versions(rhub):
    """Shared and unshared changes in turn: the secretariat's pages (one
    version each, by the cursor) number the shared ones 1, 2, 3, ...; the
    operator's, every version; the same risk, the same contents."""
    h = rhub
    r = create(h, "a-rep", shared=True, title="交互に共有 alternating")
    v = 1
    for i in range(6):
        x = put(h, "a-rep", r["id"], version=v, shared=i % 2 == 1,
                plan=f"計画 plan {i}")
        assert x.status_code == 200, x.text
        v = x.json()["version"]
    assert v == 7
    own = history(h, "a-rep", r["id"])
    assert [x["version"] for x in own] == list(range(1, 8))
    shown = [x for x in own if x["risk"]["shared"]]
    pages, cursor = [], None
    while True:
        q = {"limit": 1}
        if cursor:
            q["cursor"] = cursor
        page = h.ok("GET", f"/api/v1/risks/{r['id']}/history", "gas-sec",
                    params=q)
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    sec = [x for p in pages for x in p]
    assert all(len(p) == 1 for p in pages), pages
    assert [x["version"] for x in sec] == list(range(1, len(shown) + 1))
    assert [x["risk"] for x in sec] == [x["risk"] for x in shown]
    assert all(x["by"] is None for x in sec)
    # a cursor past the end is an empty page
    last = h.ok("GET", f"/api/v1/risks/{r['id']}/history", "gas-sec",
                params={"cursor": str(len(shown))})
    assert last == {"items": [], "next_cursor": None}


def test_router_fixed_paths_before_id(rhub):
    h = rhub
    create(h, "a-rep")
    hm = h.ok("GET", "/api/v1/risks/heatmap", "a-rep")
    assert hm["basis"] == "own_scale" and hm["total"] == 1
    sc = h.ok("GET", "/api/v1/risks/scale", "a-rep")
    assert sc["default"] and sc["version"] == 0
    # (above: the fixed paths answered, not the {id} route); a method
    # neither path has is 405
    r = h.call("DELETE", "/api/v1/risks/scale", "a-rep")
    assert r.status_code == 405 and "PUT" in r.headers["Allow"]


def test_heatmap_and_filters_match_an_oracle(rhub):
    h = rhub
    rnd = random.Random(15)
    # op-b's own scale: 3 x 4, appetite 6
    labels = [{"ja": f"水準{i}", "en": f"level {i}"} for i in range(1, 5)]
    h.ok("PUT", "/api/v1/risks/scale", "b-admin",
         json={"impact": labels[:3], "likelihood": labels, "threshold": 6,
               "version": 0})
    made = []
    for org, user, ni, nl in (("op-a", "a-rep", 5, 5), ("op-b", "b-rep", 3, 4),
                              ("op-ge", "ge-rep", 5, 5)):
        for k in range(9):
            r = create(h, user, impact=rnd.randint(1, ni),
                       likelihood=rnd.randint(1, nl),
                       treatment=rnd.choice(["reduce", "avoid", "transfer",
                                             "accept"]),
                       shared=rnd.random() < 0.6,
                       review_at=days(rnd.randint(20, 400)),
                       title=f"{org} リスク {k}")
            if rnd.random() < 0.25:
                r = put(h, user, r["id"], version=1, state="closed").json()
            made.append(dict(r, org_id=org, thr=6 if org == "op-b" else 12))

    def cells(risks):
        out = {}
        for r in risks:
            if r["state"] != "open":
                continue
            c = out.setdefault((r["impact"], r["likelihood"]), [0, 0])
            c[0] += 1
            c[1] += r["impact"] * r["likelihood"] >= r["thr"]
        return out

    def got(hm):
        return {(c["impact"], c["likelihood"]): [c["count"], c["above"]]
                for c in hm["cells"] if c["count"]}

    # op-a: its own open risks on its own scale (5 x 5, appetite 12)
    hm = h.ok("GET", "/api/v1/risks/heatmap", "a-rep")
    own = [r for r in made if r["org_id"] == "op-a"]
    assert got(hm) == cells(own)
    assert len(hm["cells"]) == 25 and hm["scale"]["threshold"] == 12
    assert all(c["above_appetite"] == (c["impact"] * c["likelihood"] >= 12)
               for c in hm["cells"])
    assert hm["total"] == sum(v[0] for v in cells(own).values())
    # op-b: 3 x 4 with its labels
    hm = h.ok("GET", "/api/v1/risks/heatmap", "b-rep")
    assert (hm["impact_levels"], hm["likelihood_levels"]) == (3, 4)
    assert len(hm["cells"]) == 12
    assert hm["scale"]["likelihood"][3] == {"level": 4, "ja": "水準4",
                                            "en": "level 4"}
    assert got(hm) == cells([r for r in made if r["org_id"] == "op-b"])
    # the gas secretariat: its members' shared open risks, each on its
    # own scale's cell and judged by its own appetite
    hm = h.ok("GET", "/api/v1/risks/heatmap", "gas-sec")
    assert hm["basis"] == "members_scales" and hm["scale"] is None
    sh = [r for r in made if r["shared"]]
    assert got(hm) == cells(sh)
    assert hm["above_appetite"] == sum(v[1] for v in cells(sh).values())
    hm = h.ok("GET", "/api/v1/risks/heatmap", "elec-sec")
    assert got(hm) == cells([r for r in sh if r["org_id"] == "op-ge"])
    # the list's filters
    for user, org in (("a-rep", "op-a"), ("b-rep", "op-b")):
        mine = [r for r in made if r["org_id"] == org]
        # the list is by id (ids grow with the second a risk was made,
        # random within it: docs/rules.md "The risk register")
        ids = lambda rs: sorted(r["id"] for r in rs)  # noqa: E731
        assert ids(listing(h, user)) == ids(mine)
        assert ids(listing(h, user, above="true")) == ids(
            [r for r in mine if r["impact"] * r["likelihood"] >= r["thr"]])
        assert ids(listing(h, user, above="false")) == ids(
            [r for r in mine if r["impact"] * r["likelihood"] < r["thr"]])
        assert ids(listing(h, user, state="closed")) == ids(
            [r for r in mine if r["state"] == "closed"])
        assert ids(listing(h, user, treatment="accept")) == ids(
            [r for r in mine if r["treatment"] == "accept"])
        cut = days(200)
        assert ids(listing(h, user, review_before=cut)) == ids(
            [r for r in mine if r["review_at"] < cut])
        for r in listing(h, user):
            assert r["score"] == r["impact"] * r["likelihood"]
            assert r["above_appetite"] == (r["score"] >= r["threshold"])
    gas = listing(h, "gas-sec", above="true")
    assert [r["id"] for r in gas] == sorted(
        r["id"] for r in made if r["shared"] and
        r["impact"] * r["likelihood"] >= r["thr"])


def test_scale_changes(rhub):
    h = rhub
    sc = h.ok("GET", "/api/v1/risks/scale", "a-rep")
    assert sc["default"] and sc["threshold"] == 12 and sc["version"] == 0
    assert [x["en"] for x in sc["impact"]][0] == "Negligible"
    assert sc["likelihood"][4] == {"level": 5, "ja": "ほぼ確実",
                                   "en": "Almost certain"}
    rid = create(h, "a-rep", impact=4, likelihood=2)["id"]
    three = [{"ja": "低", "en": "Low"}, {"ja": "中", "en": "Medium"},
             {"ja": "高", "en": "High"}]
    new = {"impact": three, "likelihood": sc["likelihood"], "threshold": 6,
           "version": 0}
    # only analysts and organisation administrators of the operator
    before = db_state(h)
    for user in ("a-rep", "a-reader", "gas-sec", "nisc-a"):
        assert_error(h.call("PUT", "/api/v1/risks/scale", user, json=new),
                     403)
    # a risk at impact 4: three impact levels refused
    assert_error(h.call("PUT", "/api/v1/risks/scale", "a-admin", json=new),
                 409, "level_in_use", "impact")
    assert db_state(h) == before
    assert put(h, "a-rep", rid, version=1, impact=3).status_code == 200
    got = h.ok("PUT", "/api/v1/risks/scale", "a-admin", json=new)
    assert got["version"] == 1 and not got["default"]
    assert [x["en"] for x in got["impact"]] == ["Low", "Medium", "High"]
    assert got["impact"][2]["level"] == 3
    # the GET's objects may be sent back as they are (with their levels)
    again = h.ok("PUT", "/api/v1/risks/scale", "a-admin",
                 json={"impact": got["impact"],
                       "likelihood": got["likelihood"][:4], "threshold": 5,
                       "version": 1})
    assert again["version"] == 2 and len(again["likelihood"]) == 4
    r = h.ok("GET", f"/api/v1/risks/{rid}", "a-rep")
    assert (r["score"], r["threshold"], r["above_appetite"]) == (6, 5, True)
    # a stale version
    before = db_state(h)
    assert_error(h.call("PUT", "/api/v1/risks/scale", "a-admin", json=new),
                 409, "version_conflict", "version")
    # levels beyond the scale
    assert_error(h.call("POST", "/api/v1/risks", "a-rep",
                        json=body(impact=4)), 400, "out_of_range", "impact")
    assert_error(h.call("POST", "/api/v1/risks", "a-rep",
                        json=body(impact=3, likelihood=5)), 400,
                 "out_of_range", "likelihood")
    assert_error(put(h, "a-rep", rid, version=2, impact=5), 400,
                 "out_of_range", "impact")
    # likelihood 4 in use: three likelihood levels refused
    put(h, "a-rep", rid, version=2, likelihood=4)
    before = db_state(h)
    assert_error(h.call("PUT", "/api/v1/risks/scale", "a-admin",
                        json={"impact": three, "likelihood": three,
                              "threshold": 4, "version": 2}),
                 409, "level_in_use", "likelihood")
    # bad scales
    bad = [
        ({"impact": three[:2]}, "impact"),
        ({"impact": three + three}, "impact"),
        ({"threshold": 13}, "threshold"),
        ({"threshold": 0}, "threshold"),
        ({"impact": [three[0], {"ja": " ", "en": "x"}, three[2]]},
         "impact[1].ja"),
        ({"impact": [dict(three[0], level=2), three[1], three[2]]},
         "impact[0].level"),
        ({"impact": [three[0], {"ja": "x"}, three[2]]}, "impact[1].en"),
        ({"colour": "red"}, "colour"),
    ]
    for over, field in bad:
        b = {"impact": three, "likelihood": three[:3] + [three[0]],
             "threshold": 4, "version": 2}
        b.update(over)
        assert_error(h.call("PUT", "/api/v1/risks/scale", "a-admin", json=b),
                     400, None, field)
    assert db_state(h) == before
    assert [e["detail"]["version"] for e in h.audit("risk.scale")] == [1, 2]
    assert h.audit("risk.scale")[0]["target"] == "op-a"


def test_bad_input_changes_nothing(rhub):
    h = rhub
    rid = create(h, "a-rep")["id"]
    before = db_state(h)
    items_before = listing(h, "a-rep")
    long_title = "危" * 201
    cases = [
        (body(measures=["no-such-item"]), 400, "unknown_item", "measures[0]"),
        (body(title="\u3000\u3000 "), 400, "invalid_value", "title"),
        (body(owner="\u3000"), 400, "invalid_value", "owner"),
        (body(measures=[M1, "4.9.9"]), 400, "unknown_item", "measures[1]"),
        (body(measures=[M1, M1]), 400, "duplicate_item", "measures[1]"),
        (body(measures=[M1] * 51), 400, None, "measures"),
        (body(measures=M1), 400, None, "measures"),
        (body(impact=0), 400, None, "impact"),
        (body(impact=6), 400, None, "impact"),
        (body(likelihood=-1), 400, None, "likelihood"),
        (body(impact="3"), 400, None, "impact"),
        (body(review_at=days(-1)), 400, "in_the_past", "review_at"),
        (body(review_at="next week"), 400, None, "review_at"),
        (body(colour="red"), 400, "unknown_field", "colour"),
        (body(title=long_title), 400, "too_long", "title"),
        (body(title=" \n"), 400, "invalid_value", "title"),
        (body(owner=""), 400, "invalid_value", "owner"),
        (body(description="d" * 4001), 400, "too_long", "description"),
        (body(treatment="mitigate"), 400, None, "treatment"),
        (body(shared="yes"), 400, None, "shared"),
        (body(state="closed"), 400, "unknown_field", "state"),
        ({k: v for k, v in body().items() if k != "owner"}, 400,
         "missing_field", "owner"),
    ]
    for b, status, code, field in cases:
        assert_error(h.call("POST", "/api/v1/risks", "a-rep", json=b),
                     status, code, field)
    for user in ("nisc-a", "meti-a", "gas-sec", "jpcert-a", "a-reader"):
        assert_error(h.call("POST", "/api/v1/risks", user, json=body()), 403)
    puts = [
        ({"plan": "x"}, "missing_field", "version"),
        ({"version": 1, "state": "deleted"}, None, "state"),
        ({"version": 1, "review_at": days(-2)}, "in_the_past", "review_at"),
        ({"version": 1, "measures": ["4.1.3(2)(ア)-9"]}, "unknown_item",
         "measures[0]"),
        ({"version": 1, "title": "x" * 201}, "too_long", "title"),
        ({"version": 1, "id": 5}, "unknown_field", "id"),
    ]
    for b, code, field in puts:
        assert_error(put(h, "a-rep", rid, **b), 400, code, field)
    for params, field in (({"state": "gone"}, "state"),
                          ({"treatment": "x"}, "treatment"),
                          ({"above": "maybe"}, "above"),
                          ({"review_before": "yesterday"}, "review_before"),
                          ({"cursor": "zzz"}, "cursor"),
                          ({"limit": "0"}, "limit")):
        assert_error(h.call("GET", "/api/v1/risks", "a-rep", params=params),
                     400, None, field)
    # a cursor naming another organisation's risk: the same 400
    other = create(h, "b-rep")["id"]
    before = (before[0], before[1], before[2], db_state(h)[3])
    assert_error(h.call("GET", "/api/v1/risks", "a-rep",
                        params={"cursor": str(other)}), 400, None, "cursor")
    now = db_state(h)
    assert [r for r in now[0] if r["org_id"] == "op-a"] == before[0]
    assert [r for r in now[1] if r["risk_id"] != other] == before[1]
    assert now[2] == before[2] and now[3] == before[3]
    assert listing(h, "a-rep") == items_before


def text_of(m):
    parts = []
    for p in m.msg.walk():
        if p.get_content_type() == "text/plain":
            parts.append(p.get_content())
    return "\n".join(parts)


def test_review_reminders_by_smtp(rhub, smtp):
    h = rhub
    began = int(time.time())
    desk, risk_desk = "desk@op-a.example.jp", "risk@op-a.example.jp"
    soon = create(h, "a-rep", title="制御系の停止 / OT outage",
                  review_at=days(3))
    later = create(h, "a-rep", title="later risk", review_at=days(30))
    # a closed risk is not reminded, whatever its date
    closed = create(h, "a-rep", title="closed risk", review_at=days(40))
    put(h, "a-rep", closed["id"], version=1, state="closed",
        review_at=days(2))
    wait_for(lambda: smtp.to(desk) and smtp.to(risk_desk),
             what="the review reminder")
    m = smtp.to(desk)[0]
    assert "制御系の停止 / OT outage" in m.subject
    # the notice's id, in its header and key, counts nothing (docs/rules.md
    # "Ids that count nothing"): the second it was queued, random bits
    nid = int(m["X-Infrashare-Notice"])
    assert began <= nid >> 20 <= int(time.time()), nid
    assert m["Idempotency-Key"].startswith(f"notice.{nid}.")
    assert "Risk review due" in m.subject and "リスク見直し" in m.subject
    text = text_of(m)
    link = f"{PUBLIC}/#/risks/{soon['id']}"
    assert link in text and "見直し期日" in text and "due for review" in text
    assert soon["review_at"] in text
    h.wait_ticks(5)
    assert len(smtp.to(desk)) == 1 and len(smtp.to(risk_desk)) == 1
    rows = h.db_rows("SELECT risk_id, review_at FROM risk_reminders")
    assert rows == [{"risk_id": soon["id"],
                     "review_at": int(datetime.fromisoformat(
                         soon["review_at"].replace("Z", "+00:00"))
                         .timestamp())}]
    # the date moves: a new reminder for the new date, once
    moved = put(h, "a-rep", soon["id"], version=1, review_at=days(5)).json()
    wait_for(lambda: len(smtp.to(desk)) == 2, what="the second reminder")
    assert moved["review_at"] in text_of(smtp.to(desk)[1])
    # the later one enters the window
    put(h, "a-rep", later["id"], version=1, review_at=days(10))
    wait_for(lambda: len(smtp.to(desk)) == 3, what="the third reminder")
    assert "later risk" in smtp.to(desk)[2].subject
    h.wait_ticks(5)
    assert len(smtp.to(desk)) == 3 and len(smtp.to(risk_desk)) == 3
    assert not [x for x in smtp.messages
                if "closed risk" in x.subject]
    assert len(h.db_rows("SELECT * FROM risk_reminders")) == 3
    # nothing else was mailed (no other organisation has a contact)
    assert {a for x in smtp.messages for a in x.rcpt_tos} == {desk,
                                                              risk_desk}


def test_null_is_as_if_absent(rhub):
    """null for an optional field is the same as leaving it out (the
    OpenAPI document's convention): no measures on create, unchanged on
    update."""
    h = rhub
    r = create(h, "a-rep", measures=None)
    assert r["measures"] == []
    rid = create(h, "a-rep")["id"]
    cur = h.ok("GET", f"/api/v1/risks/{rid}", "a-rep")
    r = put(h, "a-rep", rid, version=cur["version"], measures=None,
            title="changed")
    assert r.status_code == 200, r.text
    assert r.json()["measures"] == cur["measures"]


def test_a_title_or_owner_holds_no_bidirectional_control(rhub):
    """A risk's title and owner are required texts: a right-to-left
    override (or another bidirectional control) is 400 invalid_text, on
    creation and on change, and nothing is stored (a title listed as
    `report<U+202E>txt.exe` shows reordered)."""
    h = rhub
    rid = create(h, "a-rep")["id"]
    before = db_state(h)
    for field, value in (("title", "report\u202etxt.exe"),
                         ("owner", "a\u202eb"),
                         ("title", "\u2067x\u2069"),
                         ("owner", "部長\u200f")):
        assert_error(h.call("POST", "/api/v1/risks", "a-rep",
                            json=body(**{field: value})),
                     400, "invalid_text", field)
        assert_error(put(h, "a-rep", rid, version=1, **{field: value}),
                     400, "invalid_text", field)
    assert db_state(h) == before


def test_an_asset_or_a_scale_label_holds_no_bidirectional_control(rhub):
    """Found by a review: a risk's asset ("\\u202eexe") was stored (201)
    and listed with its title; so were the scale's labels, shown with
    every risk's level. Both are 400 invalid_text naming the field, on
    creation and on change, and nothing is stored; an empty asset is
    still no asset."""
    h = rhub
    rid = create(h, "b-rep")["id"]
    before = db_state(h)
    for value in ("\u202eexe", "billing\u2066x\u2069", "\u200eA"):
        assert_error(h.call("POST", "/api/v1/risks", "b-rep",
                            json=body(asset=value)),
                     400, "invalid_text", "asset")
        assert_error(put(h, "b-rep", rid, version=1, asset=value),
                     400, "invalid_text", "asset")
    three = [{"ja": "低", "en": "Low"}, {"ja": "中", "en": "Medium"},
             {"ja": "高", "en": "High"}]
    for labels, field in (
            ([three[0], {"ja": "中\u202e", "en": "Medium"}, three[2]],
             "impact[1].ja"),
            ([three[0], three[1], {"ja": "高", "en": "\u2067High"}],
             "impact[2].en")):
        assert_error(h.call("PUT", "/api/v1/risks/scale", "b-admin",
                            json={"impact": labels, "likelihood": three,
                                  "threshold": 4, "version": 0}),
                     400, "invalid_text", field)
    assert db_state(h) == before
    r = put(h, "b-rep", rid, version=1, asset="")
    assert r.status_code == 200 and r.json()["asset"] == "", r.text


def test_ids_count_nothing(rhub):
    """Found by an outside review: risk ids were the hub's row counter, so
    an operator's two ids told how many risks other operators entered
    between them. An id is the second it was made and 20 random bits
    (docs/rules.md "The risk register"): the operator's next id says
    nothing of the three op-b entered between, and ids still grow."""
    h = rhub
    t0 = int(time.time())
    a1 = create(h, "a-rep")["id"]
    for _ in range(3):
        create(h, "b-rep")
    a2 = create(h, "a-rep")["id"]
    t1 = int(time.time())
    for rid in (a1, a2):
        assert t0 <= rid >> 20 <= t1, (rid, t0, t1)
        assert rid < 2 ** 53
    assert a2 > a1 or a2 >> 20 == a1 >> 20
    assert a2 - a1 != 4
