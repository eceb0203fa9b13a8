"""STIX 2.1 (issue 16, first part): an advisory exported as a bundle, as
its reader may read it. Every bundle is checked against the STIX 2.1 rules
written for these tests from the OASIS specification
(stix21.schema.json, read by the jsonschema package — nothing of the
exporter), every reference resolved inside the bundle, the TLP 2.0
marking of each range (DOMAIN.md §14) and the ids recomputed here as
UUIDv5 of the hub's namespace (Python's uuid module)."""
import json
import sqlite3
import uuid

import jsonschema
import pytest

from conftest import ROOT, assert_error

SCHEMA = json.loads((ROOT / "tests/integration/stix21.schema.json")
                    .read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
# the official TLP 2.0 marking definitions (OASIS cti-stix-common-objects)
TLP = {"red": ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
               "TLP:RED", "red"),
       "amber": ("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
                 "TLP:AMBER+STRICT", "amber+strict"),
       "yellow": ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
                  "TLP:AMBER", "amber"),
       "green": ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
                 "TLP:GREEN", "green"),
       "white": ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
                 "TLP:CLEAR", "clear")}
TLP2_EXT = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"


def tok(hub, user):
    cache = hub.__dict__.setdefault("_stix_tokens", {})
    if user not in cache:
        cache[user] = hub.token(user, name="stix")
    return cache[user]


def call(hub, method, path, user, **kw):
    return hub.api(method, path, token=tok(hub, user), **kw)


def namespace(hub):
    con = sqlite3.connect(str(hub.db), timeout=30)
    try:
        (v,) = con.execute("SELECT value FROM meta WHERE key = "
                           "'stix_namespace'").fetchone()
    finally:
        con.close()
    return uuid.UUID(v)


def valid(bundle):
    errors = sorted(VALIDATOR.iter_errors(bundle), key=lambda e: e.path)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}"
                                 for e in errors[:10])
    ids = [o["id"] for o in bundle["objects"]]
    # one object per id (one version of each in a bundle)
    assert len(ids) == len(set(ids))
    known = set(ids)
    for o in bundle["objects"]:
        refs = [v for k, v in o.items() if k.endswith("_ref")]
        for k, v in o.items():
            if k.endswith("_refs"):
                refs += v
        for r in refs:
            assert r in known, (o["id"], r)
    return {o["id"]: o for o in bundle["objects"]}


def issue(hub, rng, **over):
    body = {"kind": "warning", "range": rng, "severity": 3,
            "title_ja": f"ガス分野への注意喚起（{rng}）",
            "title_en": f"Warning to the gas sector ({rng})",
            "body_ja": "不審な通信を確認してください。",
            "body_en": "Check for suspicious traffic.",
            "audience": {"scopes": ["gas"]}}
    body.update(over)
    r = call(hub, "POST", "/api/v1/advisories", "nisc-analyst", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_an_advisory_in_every_range_is_valid_stix(fresh_demo_hub):
    hub = fresh_demo_hub
    for rng, (mid, name, value) in TLP.items():
        # a Red advisory names its recipients one by one
        adv = issue(hub, rng, **({"audience": {"orgs": ["op-gas-0001"]}}
                                 if rng == "red" else {}))
        r = call(hub, "GET", f"/api/v1/advisories/{adv['id']}/stix",
                 "nisc-analyst")
        assert r.status_code == 200, r.text
        b = r.json()
        objs = valid(b)
        ns = namespace(hub)
        rid = f"report--{uuid.uuid5(ns, 'report:advisory:' + adv['id'])}"
        rep = objs[rid]
        assert rep["name"] == adv["title"]["ja"] and rep["lang"] == "ja"
        assert rep["description"] == "不審な通信を確認してください。"
        assert rep["object_marking_refs"] == [mid]
        assert rep["external_references"] == [
            {"source_name": "infrashare", "external_id": adv["id"]}]
        # the marking definition: the official object
        m = objs[mid]
        assert m["name"] == name and m["created"] == "2022-10-01T00:00:00.000Z"
        assert m["extensions"][TLP2_EXT] == {
            "extension_type": "property-extension", "tlp_2_0": value}
        # every object carries the item's marking: none wider than it
        for o in b["objects"]:
            if o["type"] != "marking-definition":
                assert o["object_marking_refs"] == [mid], o["id"]
        # the author, and the English as language content
        author = objs[rep["created_by_ref"]]
        assert author["type"] == "identity"
        assert author["id"] == f"identity--{uuid.uuid5(ns, 'identity:org:nisc')}"
        lc = [o for o in b["objects"] if o["type"] == "language-content"
              and o["object_ref"] == rid]
        assert len(lc) == 1
        assert lc[0]["contents"] == {"en": {
            "name": adv["title"]["en"],
            "description": "Check for suspicious traffic."}}
        assert lc[0]["object_modified"] == rep["modified"]
        # exported again: the same bundle
        again = call(hub, "GET", f"/api/v1/advisories/{adv['id']}/stix",
                     "nisc-analyst").json()
        assert again == b


def test_only_its_readers_get_it_and_hop_notes_are_notes(fresh_demo_hub):
    hub = fresh_demo_hub
    adv = issue(hub, "amber")
    aid = adv["id"]
    view = call(hub, "GET", f"/api/v1/advisories/{aid}", "nisc-analyst").json()
    # the hops that hold it relay it with a note
    for hop in view["chain"]:
        if hop["state"] != "waiting":
            continue
        user = ("meti-desk" if hop["org"] == "meti"
                else f"{hop['org']}-secretariat")
        r = call(hub, "POST", f"/api/v1/advisories/{aid}/relay", user,
                 json={"note_ja": "会員各位、至急確認を。",
                       "note_en": "Members: please check at once."})
        assert r.status_code == 200, r.text
    view = call(hub, "GET", f"/api/v1/advisories/{aid}", "nisc-analyst").json()
    noted = [h for h in view["chain"] if h["note"]["ja"]]
    b = call(hub, "GET", f"/api/v1/advisories/{aid}/stix",
             "nisc-analyst").json()
    objs = valid(b)
    notes = [o for o in b["objects"] if o["type"] == "note"]
    assert len(notes) == len(noted) >= 1
    ns = namespace(hub)
    for h in noted:
        nid = f"note--{uuid.uuid5(ns, f'note:advisory:{aid}:hop:' + h['org'])}"
        n = objs[nid]
        assert n["content"] == "会員各位、至急確認を。" and n["lang"] == "ja"
        assert n["object_refs"] == [
            f"report--{uuid.uuid5(ns, 'report:advisory:' + aid)}"]
        assert objs[n["created_by_ref"]]["external_references"][0][
            "external_id"] == h["org"]
        lc = [o for o in b["objects"] if o["type"] == "language-content"
              and o["object_ref"] == nid]
        assert lc[0]["contents"] == {"en": {
            "content": "Members: please check at once."}}
    # a member of the audience reads it (once relayed), an operator of
    # another sector does not: 404, as for the advisory itself
    r = call(hub, "GET", f"/api/v1/advisories/{aid}/stix", "op-gas-0001")
    assert r.status_code == 200, r.text
    valid(r.json())
    for user in ("op-water-0001",):
        assert_error(call(hub, "GET", f"/api/v1/advisories/{aid}", user), 404)
        assert_error(call(hub, "GET", f"/api/v1/advisories/{aid}/stix", user),
                     404)
    assert_error(call(hub, "GET", "/api/v1/advisories/A0/stix",
                      "nisc-analyst"), 404)


def test_each_hub_has_its_own_namespace(fresh_demo_hub, demo_hub):
    a = issue(fresh_demo_hub, "white")
    b = issue(demo_hub, "white")
    ba = call(fresh_demo_hub, "GET", f"/api/v1/advisories/{a['id']}/stix",
              "nisc-analyst").json()
    bb = call(demo_hub, "GET", f"/api/v1/advisories/{b['id']}/stix",
              "nisc-analyst").json()
    assert namespace(fresh_demo_hub) != namespace(demo_hub)
    ida = {o["id"] for o in ba["objects"] if o["type"] == "identity"}
    idb = {o["id"] for o in bb["objects"] if o["type"] == "identity"}
    # NISC's identity differs between the two hubs (their namespaces),
    # the TLP markings are the official ones on both
    assert ida and idb and not ida & idb
    assert {o["id"] for o in ba["objects"]
            if o["type"] == "marking-definition"} == {TLP["white"][0]}


def test_the_cli_exports_the_same_bundle(fresh_demo_hub, tmp_path):
    import os
    import subprocess
    from conftest import BUILD
    hub = fresh_demo_hub
    adv = issue(hub, "green")

    def cli(*args):
        env = dict(os.environ, INFRASHARE_URL=hub.url,
                   INFRASHARE_TOKEN=tok(hub, "nisc-analyst"))
        return subprocess.run([str(BUILD / "infrashare"), "stix", *args],
                              capture_output=True, text=True, env=env,
                              timeout=60)
    out = tmp_path / "a.json"
    r = cli("export", "advisory", adv["id"], "--out", str(out))
    assert r.returncode == 0, r.stderr
    api = call(hub, "GET", f"/api/v1/advisories/{adv['id']}/stix",
               "nisc-analyst").json()
    assert json.loads(out.read_text()) == api
    valid(api)
    r = cli("export", "advisory", adv["id"])
    assert r.returncode == 0 and json.loads(r.stdout) == api
    # an unknown advisory: the API's error, exit 1; bad usage: exit 2
    r = cli("export", "advisory", "A0")
    assert r.returncode == 1 and "not_found" in r.stderr
    # a report too
    from test_reports_flow import file_report
    rep = file_report(hub, range="green", route="direct")
    r = cli("export", "report", rep["id"])
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == call(
        hub, "GET", f"/api/v1/reports/{rep['id']}/stix", "nisc-analyst").json()
    for bad in (["export"], ["export", "event", "E1"], ["import"],
                ["export", "advisory", "../x"]):
        r = cli(*bad)
        assert r.returncode == 2, (bad, r.stderr)
        assert "stix export advisory|report" in r.stderr or \
            "not an id" in r.stderr


def test_a_report_is_an_incident_and_the_anonymous_stay_anonymous(
        fresh_demo_hub):
    """A report exports as an incident with a report about it, created by
    its reporter as the reader may know it: a named report by its
    organisation's identity; an anonymous one, to all but its reporter, by
    an identity of that report alone, named "an operator in <scope> (via
    <CEPTOAR>)" — no name, no link to the organisation or to its other
    reports."""
    from test_reports_flow import OP, OP_NAMES, file_report, forward_ok
    hub = fresh_demo_hub
    ns = None
    named = file_report(hub, range="amber", route="direct",
                        title="送金システム障害 / payment outage",
                        what_happened="決済が停止した。")
    b = call(hub, "GET", f"/api/v1/reports/{named['id']}/stix", "fsa-desk")
    assert b.status_code == 200, b.text
    objs = valid(b.json())
    ns = namespace(hub)
    key = "report:" + named["id"]
    inc = objs[f"incident--{uuid.uuid5(ns, 'incident:' + key)}"]
    rep = objs[f"report--{uuid.uuid5(ns, 'report:' + key)}"]
    assert inc["name"] == rep["name"] == "送金システム障害 / payment outage"
    assert inc["description"] == "決済が停止した。"
    assert rep["object_refs"][0] == inc["id"]
    assert inc["object_marking_refs"] == [TLP["amber"][0]]
    assert objs[inc["created_by_ref"]]["id"] == \
        f"identity--{uuid.uuid5(ns, 'identity:org:' + OP)}"
    # another operator may not read it
    assert_error(call(hub, "GET", f"/api/v1/reports/{named['id']}/stix",
                      "op-gas-0001"), 404)

    anon = [file_report(hub, range="amber", route="anonymous",
                        title=f"anonymous {k}") for k in range(2)]
    sec = "ceptoar-banking-secretariat"
    people = set()
    for a in anon:
        r = call(hub, "GET", f"/api/v1/reports/{a['id']}/stix", sec)
        assert r.status_code == 200, r.text
        text = r.text
        for name in OP_NAMES:
            assert name not in text, name
        objs = valid(r.json())
        inc = objs[f"incident--{uuid.uuid5(ns, 'incident:report:' + a['id'])}"]
        who = objs[inc["created_by_ref"]]
        assert who["id"] == \
            f"identity--{uuid.uuid5(ns, 'identity:anonymous:report:' + a['id'])}"
        assert "external_references" not in who
        assert "経由" in who["name"]
        lc = [o for o in r.json()["objects"]
              if o["type"] == "language-content" and o["object_ref"] == who["id"]]
        assert lc[0]["contents"]["en"]["name"].startswith("an operator in ")
        people.add(who["id"])
        # its reporter sees itself
        mine = call(hub, "GET", f"/api/v1/reports/{a['id']}/stix", OP).json()
        assert f"identity--{uuid.uuid5(ns, 'identity:org:' + OP)}" in {
            o["id"] for o in mine["objects"]}
    assert len(people) == 2          # two reports, two unlinked identities
    assert f"identity--{uuid.uuid5(ns, 'identity:org:' + OP)}" not in people
