"""Distribution lists (配信先リスト, DOMAIN.md §6a; docs/rules.md
"Distribution lists"): CRUD under the owner's org_admin users, bad input
(each a 4xx naming the field, nothing changed), advisories reaching a
list's members through the owner's hop, reach figures and drills that
count them."""
from conftest import assert_error, wait_for

WATER_HUB = "op-water-0001"      # a water CEPTOAR member relaying to a list
OTHER_HUB = "op-water-0002"
SECRETARIAT = "ceptoar-water-secretariat"


def lists_of(hub, s, org):
    r = hub.api("GET", f"/api/v1/orgs/{org}/lists", session=s)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def nisc_list(hub, s, scope):
    for l in lists_of(hub, s, "nisc"):
        if l["id"] == f"L-demo-{scope}-1":
            return l
    raise AssertionError(f"no NISC list for {scope}")


def test_demo_lists_at_the_seeds_sizes(demo_hub):
    s = demo_hub.login("nisc-analyst")
    water = 0
    for n in range(1, 9):
        ls = lists_of(demo_hub, s, f"op-water-{n:04d}")
        assert len(ls) == 1
        water += ls[0]["members_count"]
    assert water + 8 == 1360        # the 8 hubs and the utilities they relay to
    sizes = {l["id"]: l["members_count"] for l in lists_of(demo_hub, s, "nisc")}
    assert sizes == {"L-demo-telecom-1": 376, "L-demo-cable-tv-1": 438,
                     "L-demo-medical-1": 377, "L-demo-gas-1": 38}


def test_list_crud_and_bad_input(fresh_demo_hub):
    hub = fresh_demo_hub
    s = hub.login(WATER_HUB)
    mine = lists_of(hub, s, WATER_HUB)
    own_member = hub.api("GET", f"/api/v1/orgs/{WATER_HUB}/lists/{mine[0]['id']}",
                         session=s).json()["members"][0]["id"]
    before = lists_of(hub, s, WATER_HUB)

    def refused(body, status, field, code=None):
        r = hub.api("POST", f"/api/v1/orgs/{WATER_HUB}/lists", session=s, json=body)
        assert_error(r, status, code=code, field=field)
        assert lists_of(hub, s, WATER_HUB) == before      # nothing changed

    base = {"name_ja": "訓練用", "name_en": "For drills"}
    # a member outside the owner's visibility (on NISC's telecom list)
    refused({**base, "members": ["ext-telecom-0001"]}, 400, "members")
    # an organisation that does not exist: the same answer
    refused({**base, "members": ["ext-nowhere-9999"]}, 400, "members")
    # a CEPTOAR member is reached through its CEPTOAR, not a list
    refused({**base, "members": [OTHER_HUB]}, 400, "members")
    refused({**base, "members": [own_member, own_member]}, 400, "members", "duplicate")
    refused({**base, "name_ja": "長" * 201}, 400, "name_ja")
    # names are not blank (only white space, U+3000 included)
    refused({**base, "name_ja": "\u3000 "}, 400, "name_ja", "invalid_value")
    refused({**base, "name_en": " \t"}, 400, "name_en", "invalid_value")
    refused({**base, "members": ["x" * 64]}, 400, "members")
    refused({"name_ja": "a"}, 400, "name_en")
    refused({**base, "extra": 1}, 400, "extra")
    # a name the owner uses already
    refused({"name_ja": "x", "name_en": mine[0]["name"]["en"]}, 409, "name_en",
            "duplicate")

    r = hub.api("POST", f"/api/v1/orgs/{WATER_HUB}/lists", session=s,
                json={**base, "members": [own_member]})
    assert r.status_code == 201, r.text
    lst = r.json()
    assert r.headers["Location"] == f"/api/v1/orgs/{WATER_HUB}/lists/{lst['id']}"
    assert lst["members_count"] == 1 and lst["members"][0]["id"] == own_member
    assert lst["name"] == {"ja": "訓練用", "en": "For drills"}

    # PUT: rename, replace members; bad members leave it as it was
    path = f"/api/v1/orgs/{WATER_HUB}/lists/{lst['id']}"
    r = hub.api("PUT", path, session=s, json={"members": ["ext-gas-0001"]})
    assert_error(r, 400, field="members")
    assert hub.api("GET", path, session=s).json()["members_count"] == 1
    r = hub.api("PUT", path, session=s, json={"name_en": "Drill list", "members": []})
    assert r.status_code == 200, r.text
    assert r.json()["members_count"] == 0 and r.json()["name"]["en"] == "Drill list"

    # others: another operator does not see the owner at all; the owner's
    # secretariat reads its lists but does not manage them
    o = hub.login(OTHER_HUB)
    assert_error(hub.api("GET", f"/api/v1/orgs/{WATER_HUB}/lists", session=o), 404)
    assert_error(hub.api("GET", path, session=o), 404)
    assert [l["id"] for l in lists_of(hub, o, OTHER_HUB)] != [l["id"] for l in before]
    sec = hub.login(SECRETARIAT)
    assert len(lists_of(hub, sec, WATER_HUB)) == 2
    assert_error(hub.api("DELETE", path, session=sec), 403)
    # nor do NISC's lists show to a ministry or a secretariat
    assert_error(hub.api("GET", "/api/v1/orgs/nisc/lists", session=sec), 403)

    r = hub.api("DELETE", path, session=s)
    assert r.status_code == 200 and r.json()["deleted"] is True
    assert_error(hub.api("GET", path, session=s), 404)
    assert lists_of(hub, s, WATER_HUB) == before
    # every change is audited
    a = hub.login("auditor")
    acts = [e["action"] for e in hub.api("GET", "/api/v1/audit?limit=200",
                                         session=a).json()["items"]]
    assert {"list.create", "list.update", "list.delete"} <= set(acts)


def issue(hub, s, audience, **kw):
    body = {"kind": "security_info", "range": "amber", "severity": 1,
            "title_ja": "配信先試験", "title_en": "List test",
            "body_ja": "本文", "body_en": "Body", "audience": audience, **kw}
    r = hub.api("POST", "/api/v1/advisories", session=s, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_named_list_reaches_members_through_owner(fresh_demo_hub):
    hub = fresh_demo_hub
    s = hub.login("nisc-analyst")
    tele = nisc_list(hub, s, "telecom")
    adv = issue(hub, s, {"lists": [tele["id"]]})
    assert adv["recipients"] == 376
    d = hub.api("GET", f"/api/v1/advisories/{adv['id']}/deliveries",
                session=s).json()
    assert d["reach"]["advisory"]["recipients"] == 376
    assert {i["via"] for i in d["items"]} == {"nisc"}
    assert all(i["state"] != "pending" for i in d["items"])
    assert all(i["org"].startswith("ext-telecom-") for i in d["items"])
    # a list the author may not name, a Red advisory naming a list
    w = hub.login(WATER_HUB)
    sec = hub.login(SECRETARIAT)
    r = hub.api("POST", "/api/v1/advisories", session=sec, json={
        "kind": "security_info", "range": "amber", "severity": 1,
        "title_ja": "t", "title_en": "t", "body_ja": "b", "body_en": "b",
        "audience": {"lists": [tele["id"]]}})
    assert_error(r, 400, field="audience.lists")
    r = hub.api("POST", "/api/v1/advisories", session=s, json={
        "kind": "security_info", "range": "red", "severity": 1,
        "title_ja": "t", "title_en": "t", "body_ja": "b", "body_en": "b",
        "audience": {"lists": [tele["id"]]}})
    assert_error(r, 400, field="audience")
    assert w  # the water hub is not part of NISC's telecom list
    assert_error(hub.api("GET", f"/api/v1/advisories/{adv['id']}", session=w), 404)


def test_include_lists_relays_through_each_hub(fresh_demo_hub):
    hub = fresh_demo_hub
    sec = hub.login(SECRETARIAT)
    # one hub reviews before relaying: its utilities wait for it
    w = hub.login(WATER_HUB)
    r = hub.api("PUT", f"/api/v1/orgs/{WATER_HUB}/policy", session=w,
                json={"policy": "review", "review_limit_min": 30})
    assert r.status_code == 200, r.text
    adv = issue(hub, sec, {"ceptoars": ["ceptoar-water"], "include_lists": True})
    assert adv["recipients"] == 1360
    hops = {h["org"]: h for h in adv["chain"]}
    assert hops[WATER_HUB]["step"] == 3 and hops[WATER_HUB]["state"] == "waiting"
    assert hops[OTHER_HUB]["state"] == "relayed"        # policy auto
    d = hub.api("GET", f"/api/v1/advisories/{adv['id']}/deliveries",
                session=sec).json()
    assert d["reach"]["advisory"]["recipients"] == 1360
    pending = [i for i in d["items"] if i["state"] == "pending"]
    assert len(pending) == 169 and {i["via"] for i in pending} == {WATER_HUB}
    assert d["reach"]["by_ceptoar"][WATER_HUB]["recipients"] == 169
    # the hub sees the recipients it releases, and relays them
    dw = hub.api("GET", f"/api/v1/advisories/{adv['id']}/deliveries", session=w)
    assert dw.status_code == 200, dw.text
    assert len(dw.json()["items"]) == 169
    r = hub.api("POST", f"/api/v1/advisories/{adv['id']}/relay", session=w, json={})
    assert r.status_code == 200, r.text
    d = hub.api("GET", f"/api/v1/advisories/{adv['id']}/deliveries",
                session=sec).json()
    assert not [i for i in d["items"] if i["state"] == "pending"]


def test_water_drill_reaches_the_utilities(fresh_demo_hub):
    hub = fresh_demo_hub
    sec = hub.login(SECRETARIAT)
    r = hub.api("POST", "/api/v1/drills", session=sec,
                json={"target_kind": "ceptoar", "target": "ceptoar-water"})
    assert r.status_code == 201, r.text
    rep = hub.api("GET", f"/api/v1/drills/{r.json()['id']}/report", session=sec)
    assert rep.status_code == 200, rep.text
    rep = rep.json()
    assert rep["reach"]["recipients"] == 1360
    orgs = {o["org"] for o in rep["organisations"]}
    assert len([o for o in orgs if o.startswith("ext-water-")]) == 1352


def run_client(hub, *args, token):
    import os
    import subprocess
    from conftest import BUILD, SANITIZER_MARKS
    env = {k: v for k, v in os.environ.items()
           if k not in ("INFRASHARE_URL", "INFRASHARE_TOKEN")}
    r = subprocess.run([str(BUILD / "infrashare"), *map(str, args), "--url",
                        hub.url, "--token", token],
                       capture_output=True, text=True, env=env, timeout=60)
    for mark in SANITIZER_MARKS:
        assert mark not in r.stderr, r.stderr
    return r


def test_cli_lists_and_withhold(fresh_demo_hub):
    """`infrashare lists ...` and `infrashare advisory withhold` against
    the real daemon."""
    hub = fresh_demo_hub
    t = hub.token(WATER_HUB)
    r = run_client(hub, "lists", WATER_HUB, token=t)
    assert r.returncode == 0, r.stderr
    assert "L-demo-water-1" in r.stdout and " 169 " in r.stdout
    r = run_client(hub, "lists", "show", WATER_HUB, "L-demo-water-1", token=t)
    assert r.returncode == 0 and "ext-water-0001" in r.stdout
    r = run_client(hub, "lists", "create", WATER_HUB, "--name-ja", "試験",
                   "--name-en", "CLI test", "--members",
                   "ext-water-0001,ext-water-0002", "--json", token=t)
    assert r.returncode == 0, r.stderr
    import json
    lid = json.loads(r.stdout)["id"]
    assert json.loads(r.stdout)["members_count"] == 2
    # bad input: the API's error, a non-zero exit, nothing changed
    r = run_client(hub, "lists", "set", WATER_HUB, lid, "--members",
                   "ext-telecom-0001", token=t)
    assert r.returncode == 1 and "HTTP 400 invalid_value" in r.stderr
    r = run_client(hub, "lists", "show", WATER_HUB, lid, "--json", token=t)
    assert json.loads(r.stdout)["members_count"] == 2
    r = run_client(hub, "lists", "delete", WATER_HUB, lid, token=t)
    assert r.returncode == 0 and "deleted" in r.stdout
    # withholding from the command line
    w = hub.login(WATER_HUB)
    hub.api("PUT", f"/api/v1/orgs/{WATER_HUB}/policy", session=w,
            json={"policy": "review", "review_limit_min": 30})
    ts = hub.token(SECRETARIAT)
    r = run_client(hub, "advisory", "issue", "--kind", "security_info",
                   "--range", "amber", "--severity", "1", "--title-ja", "t",
                   "--title-en", "t", "--body-ja", "b", "--body-en", "b",
                   "--ceptoars", "ceptoar-water", "--include-lists", "--json",
                   token=ts)
    assert r.returncode == 0, r.stderr
    adv = json.loads(r.stdout)
    assert adv["recipients"] == 1360
    r = run_client(hub, "advisory", "withhold", adv["id"], "--reason",
                   "対象外 / not for us", token=t)
    assert r.returncode == 0, r.stderr
    assert "withheld" in r.stdout and "not for us" in r.stdout
    r = run_client(hub, "advisory", "withhold", adv["id"], "--reason", "x",
                   token=t)
    assert r.returncode == 1 and "409 already_withheld" in r.stderr


def test_nisc_water_drill_takes_the_hubs_lists_not_nisc_own(fresh_demo_hub):
    hub = fresh_demo_hub
    n = hub.login("nisc-analyst")
    r = hub.api("POST", "/api/v1/drills", session=n,
                json={"target_kind": "ceptoar", "target": "ceptoar-water"})
    assert r.status_code == 201, r.text
    rep = hub.api("GET", f"/api/v1/drills/{r.json()['id']}/report", session=n).json()
    assert rep["reach"]["recipients"] == 1360
    orgs = {o["org"] for o in rep["organisations"]}
    assert not [o for o in orgs if o.startswith("ext-telecom-")]
    adv = hub.api("GET", f"/api/v1/advisories/{r.json()['advisory']}", session=n).json()
    hops = {h["org"]: h for h in adv["chain"]}
    assert hops[WATER_HUB]["step"] == 3 and hops[WATER_HUB]["parent"] == "ceptoar-water"
    assert hops["ceptoar-water"]["step"] == 2
