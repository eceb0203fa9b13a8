"""Withholding (DOMAIN.md §6a; docs/rules.md "Withholding"): a reviewing
hop may decide not to pass an advisory on, with a reason the author sees;
a warning of severity 4 or more cannot be withheld; the worker never
relays a withheld hop; a recipient cut off by it reads no more than any
registered organisation."""
from conftest import assert_error

HUB = "op-water-0001"        # a water hub relaying to 169 utilities
OTHER = "op-water-0002"
SECRETARIAT = "ceptoar-water-secretariat"
REASON = "当地域の事業体には該当しない / not relevant to the utilities we serve"


def issue(hub, s, **kw):
    body = {"kind": "security_info", "range": "amber", "severity": 2,
            "title_ja": "保留試験", "title_en": "Withhold test",
            "body_ja": "本文", "body_en": "Body",
            "audience": {"ceptoars": ["ceptoar-water"], "include_lists": True},
            **kw}
    r = hub.api("POST", "/api/v1/advisories", session=s, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def hop(hub, s, adv, org):
    a = hub.api("GET", f"/api/v1/advisories/{adv}", session=s).json()
    return {h["org"]: h for h in a["chain"]}[org]


def released(hub, s, adv, via):
    d = hub.api("GET", f"/api/v1/advisories/{adv}/deliveries", session=s).json()
    mine = [i for i in d["items"] if i["via"] == via]
    return sum(1 for i in mine if i["released_at"]), len(mine), d


def reviewing(hub):
    w = hub.login(HUB)
    r = hub.api("PUT", f"/api/v1/orgs/{HUB}/policy", session=w,
                json={"policy": "review", "review_limit_min": 30})
    assert r.status_code == 200, r.text
    return w


def list_member(hub, w):
    """A signed-in user of the first member of the water hub's first
    distribution list (an organisation outside the CEPTOAR); w: the water
    hub's session."""
    lst = hub.api("GET", f"/api/v1/orgs/{HUB}/lists", session=w).json()["items"][0]
    member = hub.api("GET", f"/api/v1/orgs/{HUB}/lists/{lst['id']}",
                     session=w).json()["members"][0]["id"]
    pw = hub.dir / "ext.pw"
    pw.write_text("external-password-1\n")
    hub.cli("user", "add", "ext-user", "--org", member, "--roles",
            "reader,liaison", "--password-file", pw)
    return hub.login("ext-user", "external-password-1")


def test_withhold_stops_release_and_the_author_sees_why(fresh_demo_hub):
    hub = fresh_demo_hub
    w = reviewing(hub)
    sec = hub.login(SECRETARIAT)
    adv = issue(hub, sec)["id"]
    assert hop(hub, sec, adv, HUB)["state"] == "waiting"

    # bad input: no reason, an empty one, a too long one -> nothing changes
    for body, field in (({}, "reason"), ({"reason": ""}, "reason"),
                        ({"reason": "\u3000 \n"}, "reason"),
                        ({"reason": "x" * 2001}, "reason")):
        r = hub.api("POST", f"/api/v1/advisories/{adv}/withhold", session=w,
                    json=body)
        assert_error(r, 400, field=field)
        assert hop(hub, sec, adv, HUB)["state"] == "waiting"
    # an organisation that is no hop of the advisory: as if it did not exist
    g = hub.login("op-gas-0001")
    assert_error(hub.api("POST", f"/api/v1/advisories/{adv}/withhold",
                         session=g, json={"reason": "x"}), 404)
    # a hop that relayed already (policy auto): 409, nothing changed
    o = hub.login(OTHER)
    assert_error(hub.api("POST", f"/api/v1/advisories/{adv}/withhold",
                         session=o, json={"reason": "x"}), 409,
                 code="already_relayed")
    assert hop(hub, sec, adv, OTHER)["state"] == "relayed"

    r = hub.api("POST", f"/api/v1/advisories/{adv}/withhold", session=w,
                json={"reason": REASON})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withheld" and r.json()["reason"] == REASON

    # the author: the chain shows the state, `withheld` which hop, why, how many
    a = hub.api("GET", f"/api/v1/advisories/{adv}", session=sec).json()
    assert {h["org"]: h for h in a["chain"]}[HUB]["state"] == "withheld"
    assert a["withheld"] == [{"hop": HUB, "name": a["withheld"][0]["name"],
                              "withheld_at": a["withheld"][0]["withheld_at"],
                              "reason": REASON, "recipients_not_reached": 169}]
    n, total, d = released(hub, sec, adv, HUB)
    assert (n, total) == (0, 169)
    assert d["withheld"][0]["recipients_not_reached"] == 169
    assert d["reach"]["advisory"]["recipients"] == 1360

    # others learn no reason: a fellow member reads the advisory (Amber)
    other = hub.api("GET", f"/api/v1/advisories/{adv}", session=o)
    assert other.status_code == 200
    assert "withheld" not in other.json() and REASON not in other.text
    assert "withheld" not in hub.api("GET", f"/api/v1/advisories/{adv}/deliveries",
                                     session=w).json()

    # a relay after the withholding, a second withholding: 409
    assert_error(hub.api("POST", f"/api/v1/advisories/{adv}/relay", session=w,
                         json={}), 409, code="already_withheld")
    assert_error(hub.api("POST", f"/api/v1/advisories/{adv}/withhold", session=w,
                         json={"reason": "again"}), 409, code="already_withheld")

    # the worker never relays it, even once its review limit has passed
    r = hub.api("PUT", f"/api/v1/orgs/{HUB}/policy", session=w,
                json={"policy": "review", "review_limit_min": 0})
    assert r.status_code == 200
    hub.wait_ticks(2)
    assert hop(hub, sec, adv, HUB)["state"] == "withheld"
    assert released(hub, sec, adv, HUB)[0] == 0

    # audited, with the reason
    aud = hub.login("auditor")
    items = hub.api("GET", "/api/v1/audit", session=aud,
                    params={"limit": 200}).json()["items"]
    e = [x for x in items if x["action"] == "advisory.withhold"]
    assert len(e) == 1 and e[0]["target"] == adv
    assert e[0]["detail"]["reason"] == REASON


def test_a_cut_off_recipient_reads_as_any_registered_org(fresh_demo_hub):
    hub = fresh_demo_hub
    w = reviewing(hub)
    sec = hub.login(SECRETARIAT)
    x = list_member(hub, w)
    amber = issue(hub, sec)["id"]
    green = issue(hub, sec, range="green")["id"]
    # a list member is Amber audience like any recipient, once the hub has
    # relayed to it: before, the hub may still withhold it
    relayed = issue(hub, sec)["id"]
    assert_error(hub.api("GET", f"/api/v1/advisories/{relayed}", session=x),
                 404)
    r = hub.api("POST", f"/api/v1/advisories/{relayed}/relay", session=w,
                json={})
    assert r.status_code == 200, r.text
    assert hub.api("GET", f"/api/v1/advisories/{relayed}",
                   session=x).status_code == 200
    for adv in (amber, green):
        r = hub.api("POST", f"/api/v1/advisories/{adv}/withhold", session=w,
                    json={"reason": REASON})
        assert r.status_code == 200, r.text
    # withheld: no longer a recipient; Green is for every registered org
    assert_error(hub.api("GET", f"/api/v1/advisories/{amber}", session=x), 404)
    g = hub.api("GET", f"/api/v1/advisories/{green}", session=x)
    assert g.status_code == 200 and "withheld" not in g.json()
    assert REASON not in g.text
    # it cannot see the hub's other lists, nor the hub
    assert_error(hub.api("GET", f"/api/v1/orgs/{HUB}/lists", session=x), 404)


def test_severe_warning_cannot_be_withheld(fresh_demo_hub):
    hub = fresh_demo_hub
    w = reviewing(hub)
    sec = hub.login(SECRETARIAT)
    for sev in (4, 5):
        a = issue(hub, sec, kind="warning", severity=sev)
        adv = a["id"]
        before = hop(hub, sec, adv, HUB)
        r = hub.api("POST", f"/api/v1/advisories/{adv}/withhold", session=w,
                    json={"reason": REASON})
        assert_error(r, 403, code="cannot_withhold", field="severity")
        assert hop(hub, sec, adv, HUB) == before
        assert "withheld" not in hub.api("GET", f"/api/v1/advisories/{adv}",
                                         session=sec).json() or \
            hub.api("GET", f"/api/v1/advisories/{adv}", session=sec).json()["withheld"] == []
    # a severity-3 warning on review can be
    adv = issue(hub, sec, kind="warning", severity=3)["id"]
    assert hop(hub, sec, adv, HUB)["state"] == "waiting"
    r = hub.api("POST", f"/api/v1/advisories/{adv}/withhold", session=w,
                json={"reason": REASON})
    assert r.status_code == 200, r.text


def test_a_recipient_reads_only_once_released(fresh_demo_hub):
    """docs/rules.md "Who may read an advisory": a recipient below a
    reviewing hop reads a Red or Amber advisory only once that hop has
    relayed it, as the hop itself reads it only once reached: before, the
    hop may still withhold it or narrow its range. Until then the
    advisory is 404 to it and in none of its lists, inbox, counts or
    TAXII collections; a Green one is read as any organisation may."""
    hub = fresh_demo_hub
    w = reviewing(hub)
    sec = hub.login(SECRETARIAT)
    x = list_member(hub, w)
    amber = issue(hub, sec, title_en="Waiting at the hub")
    green = issue(hub, sec, range="green", title_en="Green, waiting")
    aid = amber["id"]

    def seen():
        one = hub.api("GET", f"/api/v1/advisories/{aid}", session=x)
        lst = hub.api("GET", "/api/v1/advisories", session=x,
                      params={"limit": 200}).json()["items"]
        inbox = hub.api("GET", "/api/v1/advisories", session=x,
                        params={"inbox": "true", "limit": 200}).json()
        dash = hub.api("GET", "/api/v1/dashboard", session=x).json()
        return (one.status_code, aid in {i["id"] for i in lst},
                aid in {i["id"] for i in inbox["items"]},
                sum(d["advisories"] for d in dash["timeline"]),
                dash["inbox_unacknowledged"])

    assert hop(hub, sec, aid, HUB)["state"] == "waiting"
    before = seen()
    assert before[:3] == (404, False, False)
    # the same answer as an advisory that does not exist
    missing = hub.api("GET", "/api/v1/advisories/A0000000000000000", session=x)
    assert hub.api("GET", f"/api/v1/advisories/{aid}", session=x).json() == \
        missing.json()
    assert_error(hub.api("POST", f"/api/v1/advisories/{aid}/ack",
                         session=x), 404)
    # nor do its answers say it exists, or that it asks for none: the same
    # 404 as for a made-up id (they were 403 forbidden and 409
    # not_a_roll_call)
    for method, body in (("GET", None), ("POST", {"answers": []})):
        got = [hub.api(method, f"/api/v1/advisories/{a}/answers", session=x,
                       json=body) for a in (aid, "A0000000000000000")]
        assert [g.status_code for g in got] == [404, 404], method
        assert got[0].json() == got[1].json(), method
    # Green: every registered organisation reads it, released or not
    assert hub.api("GET", f"/api/v1/advisories/{green['id']}",
                   session=x).status_code == 200
    # the hub relays: now the member reads it, and it is in its inbox
    r = hub.api("POST", f"/api/v1/advisories/{aid}/relay", session=w, json={})
    assert r.status_code == 200, r.text
    # and the dashboard counts it: one more advisory, one more to answer
    assert seen() == (200, True, True, before[3] + 1, before[4] + 1)


def test_named_recipients_are_shown_only_to_who_follows_them(fresh_demo_hub):
    """An advisory's audience names organisations; a reader other than
    the author's side (the author, NISC) sees among them only itself and
    those its delivery board shows it. Before, every reader saw every
    named operator: one still waiting below a reviewing hop (for which
    the advisory does not yet exist) and one withheld from, next to the
    hop that withheld it."""
    hub = fresh_demo_hub
    bank, power = "op-banking-0001", "op-electricity-0001"
    s = {u: hub.login(u) for u in (
        "nisc-analyst", "fsa-desk", "meti-desk", "ceptoar-banking-secretariat",
        "ceptoar-electricity-secretariat", power)}
    adv = issue(hub, s["nisc-analyst"], range="red",
                audience={"orgs": [bank, power]})["id"]
    for u in ("fsa-desk", "meti-desk", "ceptoar-electricity-secretariat"):
        r = hub.api("POST", f"/api/v1/advisories/{adv}/relay", session=s[u],
                    json={"note_ja": "注記", "note_en": "note"})
        assert r.status_code == 200, (u, r.text)

    def named(who):
        r = hub.api("GET", f"/api/v1/advisories/{adv}", session=s[who])
        assert r.status_code == 200, (who, r.text)
        return sorted(r.json()["audience"]["orgs"])
    want = {"nisc-analyst": [bank, power], "fsa-desk": [bank],
            "ceptoar-banking-secretariat": [bank], "meti-desk": [power],
            "ceptoar-electricity-secretariat": [power], power: [power]}
    # op-banking-0001 still waits at its CEPTOAR: named to no one else
    assert {u: named(u) for u in want} == want
    r = hub.api("POST", f"/api/v1/advisories/{adv}/withhold",
                session=s["ceptoar-banking-secretariat"],
                json={"reason": REASON})
    assert r.status_code == 200, r.text
    # withheld from it: still named to no one else
    assert {u: named(u) for u in want} == want
    assert_error(hub.api("GET", f"/api/v1/advisories/{adv}",
                         session=hub.login(bank)), 404)
