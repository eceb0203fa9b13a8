"""STIX 2.1 (issue 16): advisories, reports, events, C4TAP submissions and
website-observation alerts exported as bundles, as their reader may read
them. Every bundle is checked against the STIX 2.1 rules
written for these tests from the OASIS specification
(stix21.schema.json, read by the jsonschema package — nothing of the
exporter), every reference resolved inside the bundle, the TLP 2.0
marking of each range (DOMAIN.md §14) and the ids recomputed here as
UUIDv5 of the hub's namespace (Python's uuid module)."""
import json
import uuid

import jsonschema
import pytest

import hubdb
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
    con = hubdb.connect(hub.db, timeout=30)
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
    ids = [o["id"] for o in bundle.get("objects", [])]
    # one object per id (one version of each in a bundle)
    assert len(ids) == len(set(ids))
    known = set(ids)
    for o in bundle.get("objects", []):
        refs = [v for k, v in o.items() if k.endswith("_ref")]
        for k, v in o.items():
            if k.endswith("_refs"):
                refs += v
        for r in refs:
            assert r in known, (o["id"], r)
    for o in bundle.get("objects", []):
        if o["type"] == "indicator":
            assert o["pattern_type"] == "stix"
            check_pattern(o["pattern"])
    return {o["id"]: o for o in bundle.get("objects", [])}


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
        # every object carries the item's marking (none wider than it),
        # but a national body's identity and its English name: public
        # registry information, TLP:CLEAR in every bundle
        clear = TLP["white"][0]
        public = {o["id"] for o in b["objects"] if o["type"] == "identity"}
        public |= {o["id"] for o in b["objects"]
                   if o["type"] == "language-content"
                   and o["object_ref"] in public}
        assert public, "the author's identity"
        for o in b["objects"]:
            if o["type"] == "marking-definition":
                continue
            want = [clear] if o["id"] in public else [mid]
            assert o["object_marking_refs"] == want, o["id"]
        assert clear in objs
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
    # the media type: JSON unless the client names STIX 2.1 itself; the
    # same bundle either way, an error always JSON
    path = f"/api/v1/advisories/{adv['id']}/stix"
    for accept, stix in ((None, False), ("*/*", False),
                         ("application/json", False),
                         ("application/stix+json;version=2.1", True),
                         ("application/stix+json", True),
                         ("text/html, Application/STIX+JSON; "
                          "version=\"2.1\"; q=0.5", True),
                         ("application/stix+json;version=2.0", False),
                         ("application/stix+json;q=0, */*", False)):
        r = call(hub, "GET", path, "nisc-analyst",
                 headers={"Accept": accept} if accept else {})
        assert r.status_code == 200, (accept, r.text)
        assert r.headers["Content-Type"] == (
            "application/stix+json;version=2.1" if stix
            else "application/json; charset=utf-8"), accept
        assert r.json() == call(hub, "GET", path, "nisc-analyst").json()
    r = call(hub, "GET", "/api/v1/advisories/A0/stix", "nisc-analyst",
             headers={"Accept": "application/stix+json;version=2.1"})
    assert_error(r, 404)


def test_only_its_readers_get_it_and_hop_notes_are_notes(fresh_demo_hub):
    hub = fresh_demo_hub
    adv = issue(hub, "amber")
    aid = adv["id"]
    # the hops that hold it relay it with a note, the ministry and then
    # the CEPTOAR it arrives at
    while True:
        view = call(hub, "GET", f"/api/v1/advisories/{aid}",
                    "nisc-analyst").json()
        waiting = [h for h in view["chain"] if h["state"] == "waiting"]
        if not waiting:
            break
        hop = waiting[0]
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
    # "-" is standard output (as "-" is standard input for import), not a
    # file named "-"
    r = subprocess.run([str(BUILD / "infrashare"), "stix", "export",
                        "advisory", adv["id"], "--out", "-"],
                       capture_output=True, text=True, cwd=tmp_path,
                       env=dict(os.environ, INFRASHARE_URL=hub.url,
                                INFRASHARE_TOKEN=tok(hub, "nisc-analyst")),
                       timeout=60)
    assert r.returncode == 0 and json.loads(r.stdout) == api, r.stderr
    assert not (tmp_path / "-").exists()
    # an import the hub refuses whole prints its error, and no summary
    # as if something had been posted
    r = cli("import", str(out), "--collection", "advisories")
    assert r.returncode == 1 and "403" in r.stderr, r.stderr
    assert r.stdout == "", r.stdout
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
    for bad in (["export"], ["export", "campaign", "1"], ["import"],
                ["export", "advisory", "../x"], ["export", "event"]):
        r = cli(*bad)
        assert r.returncode == 2, (bad, r.stderr)
        assert "stix export advisory|report|event|c4tap|alert" in \
            r.stderr or "not an id" in r.stderr
    # an event, an alert: the API's bundles
    from test_reports_events import create_event
    ev = create_event(hub, "nisc-analyst", [rep["id"]]).json()
    r = cli("export", "event", ev["id"])
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == call(
        hub, "GET", f"/api/v1/events/{ev['id']}/stix", "nisc-analyst").json()
    al = call(hub, "GET", "/api/v1/observation/alerts",
              "nisc-analyst").json()["items"][0]
    r = cli("export", "alert", str(al["id"]))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["id"].startswith("bundle--")
    r = cli("export", "c4tap", "999999")
    assert r.returncode == 1, r.stderr


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


# ---- the STIX patterning grammar (STIX 2.1 §9), independent of the hub ----
# A recursive-descent checker of the grammar's pattern expressions:
#   pattern      := obs_expr (("AND" | "OR" | "FOLLOWEDBY") obs_expr)*
#   obs_expr     := "[" comp_expr "]" | "(" pattern ")"
#   comp_expr    := comp ( ("AND" | "OR") comp )*
#   comp         := "(" comp_expr ")" | ["NOT"] path op value
#   path         := type ":" step ("." step | "[" (int | "*") "]")*
#   step         := identifier | quoted string
#   value        := 'string' (only \' and \\ escaped) | int | float | bool
#                   | t'timestamp' | h'hex' | b'base64' | "(" value, … ")"
# check_pattern returns the (path, value) comparisons it read.
import re as _re

_TOKEN = _re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^'\\]|\\['\\])*')
  | (?P<tstr>[thb]'[^']*')
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<op>!=|<=|>=|=|<|>|\[|\]|\(|\)|:|\.|,|\*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
""", _re.X)
_OPS = {"=", "!=", "<", ">", "<=", ">=", "IN", "LIKE", "MATCHES",
        "ISSUBSET", "ISSUPERSET"}


def _tokens(text):
    out, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        assert m, f"bad character at {i}: {text[i:i + 20]!r}"
        i = m.end()
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group()))
    return out


def _unquote(lit):
    body, out, i = lit[1:-1], "", 0
    while i < len(body):
        if body[i] == "\\":
            assert body[i + 1] in "'\\", lit
            out += body[i + 1]
            i += 2
        else:
            out += body[i]
            i += 1
    return out


class _Pattern:
    def __init__(self, text):
        self.t, self.i, self.comps = _tokens(text), 0, []

    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else (None, None)

    def take(self, want=None):
        kind, v = self.peek()
        assert kind is not None, "unexpected end"
        assert want is None or v == want, f"expected {want}, got {v}"
        self.i += 1
        return kind, v

    def pattern(self):
        self.obs()
        while self.peek()[1] in ("AND", "OR", "FOLLOWEDBY"):
            self.take()
            self.obs()

    def obs(self):
        if self.peek()[1] == "(":
            self.take("(")
            self.pattern()
            self.take(")")
            return
        self.take("[")
        self.comp_expr()
        self.take("]")

    def comp_expr(self):
        self.comp()
        while self.peek()[1] in ("AND", "OR"):
            self.take()
            self.comp()

    def comp(self):
        if self.peek()[1] == "(":
            self.take("(")
            self.comp_expr()
            self.take(")")
            return
        path = self.path()
        if self.peek()[1] == "NOT":
            self.take()
        kind, op = self.take()
        assert op in _OPS, f"not an operator: {op}"
        self.comps.append((path, self.value()))

    def path(self):
        kind, typ = self.take()
        assert kind == "word" and _re.fullmatch(r"[a-z0-9][a-z0-9-]*", typ), typ
        self.take(":")
        steps = [self.step()]
        while self.peek()[1] in (".", "["):
            if self.take()[1] == ".":
                steps.append(self.step())
            else:
                kind, v = self.take()
                assert kind == "num" or v == "*", v
                self.take("]")
        return typ + ":" + ".".join(steps)

    def step(self):
        kind, v = self.take()
        assert kind in ("word", "str"), v
        return v if kind == "word" else _unquote(v)

    def value(self):
        kind, v = self.take()
        if kind == "str":
            return _unquote(v)
        if v == "(":
            vals = [self.value()]
            while self.peek()[1] == ",":
                self.take()
                vals.append(self.value())
            self.take(")")
            return tuple(vals)
        assert kind in ("num", "tstr") or v in ("true", "false"), v
        return v


def check_pattern(text):
    p = _Pattern(text)
    p.pattern()
    assert p.i == len(p.t), f"trailing tokens in {text!r}"
    return p.comps


def test_the_pattern_checker_itself():
    assert check_pattern("[url:value = 'http://x/a\\'b\\\\c']") == [
        ("url:value", "http://x/a'b\\c")]
    assert check_pattern("[file:hashes.'SHA-256' = 'ab'] AND "
                         "[email-message:from_ref.value = 'a@b']") == [
        ("file:hashes.SHA-256", "ab"), ("email-message:from_ref.value", "a@b")]
    for bad in ("[url:value = 'it's']", "url:value = 'x'", "[url:value 'x']",
                "[url:value = 'x'", "[url:value = 'a\\b']", "[Url:value = 1]"):
        with pytest.raises(AssertionError):
            check_pattern(bad)


SCO_NS = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")


def sco_id(typ, contrib):
    """STIX 2.1 §2.9: UUIDv5 of the SCO namespace and the JCS (RFC 8785)
    of the ID-contributing properties."""
    text = json.dumps(contrib, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return f"{typ}--{uuid.uuid5(SCO_NS, text)}"


def marking_of(o):
    m = o.get("object_marking_refs")
    assert m and len(m) == 1, o
    return next(k for k, v in TLP.items() if v[0] == m[0])


def markings_defined(bundle):
    objs = bundle.get("objects", [])
    have = {o["id"] for o in objs if o["type"] == "marking-definition"}
    used = {r for o in objs for r in o.get("object_marking_refs", [])}
    assert have == used, (have, used)


# ---- events ----

def test_an_event_is_an_incident_of_its_readable_reports(fresh_demo_hub):
    """An event exports as an incident and a report about it (TLP:RED),
    whose object_refs are the incident and, of each linked report its
    reader may read, that report's incident as the report export names it
    — in the bundle exactly as the report export gives it (an anonymous
    reporter's identity of that report alone)."""
    from test_reports_flow import OP, OP_NAMES
    from test_reports_events import create_event, file_report
    hub = fresh_demo_hub
    named = file_report(hub, OP, range="amber", title="named member")
    anon = file_report(hub, OP, route="anonymous", range="green",
                       title="anonymous member")
    gas = file_report(hub, "op-gas-0001", range="green", title="gas member")
    # made by a ministry's analyst that may read all three; the others
    # read what their ranges let them
    r = create_event(hub, "fsa-desk",
                     [named["id"], anon["id"], gas["id"]], title="wave")
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    creator = r.json()["created_by"]
    ns = None
    counts = set()
    for user in ("nisc-analyst", "fsa-desk", "meti-desk"):
        view = call(hub, "GET", f"/api/v1/events/{eid}", user)
        assert view.status_code == 200, (user, view.text)
        shown = [i["id"] for i in view.json()["reports"]]
        counts.add(len(shown))
        b = call(hub, "GET", f"/api/v1/events/{eid}/stix", user)
        assert b.status_code == 200, (user, b.text)
        objs = valid(b.json())
        markings_defined(b.json())
        ns = namespace(hub)
        inc = objs[f"incident--{uuid.uuid5(ns, 'incident:event:' + eid)}"]
        rep = objs[f"report--{uuid.uuid5(ns, 'report:event:' + eid)}"]
        assert inc["name"] == rep["name"] == "wave（日本語）"
        assert marking_of(inc) == marking_of(rep) == "red"
        assert objs[inc["created_by_ref"]]["external_references"][0][
            "external_id"] == creator
        want = [inc["id"]] + [
            f"incident--{uuid.uuid5(ns, 'incident:report:' + i)}"
            for i in shown]
        assert rep["object_refs"] == want, user
        lc = [o for o in b.json()["objects"] if o["type"] ==
              "language-content" and o["object_ref"] == rep["id"]]
        assert lc[0]["contents"] == {"en": {"name": "wave"}}
        # each report's incident and reporter as the report export gives
        # them to this reader
        for rid in shown:
            one = call(hub, "GET", f"/api/v1/reports/{rid}/stix", user)
            assert one.status_code == 200
            theirs = {o["id"]: o for o in one.json()["objects"]}
            iid = f"incident--{uuid.uuid5(ns, 'incident:report:' + rid)}"
            mine = dict(objs[iid])
            assert mine == theirs[iid], (user, rid)
            assert objs[mine["created_by_ref"]]["name"] == \
                theirs[mine["created_by_ref"]]["name"]
        # the reports this reader may not read leave no trace
        for rid in {named["id"], anon["id"], gas["id"]} - set(shown):
            assert rid not in b.text
        # the anonymous reporter stays anonymous
        if anon["id"] in shown:
            for name in OP_NAMES:
                assert name not in b.text.replace(
                    named["id"], "") or named["id"] in shown
            who = objs[objs[
                f"incident--{uuid.uuid5(ns, 'incident:report:' + anon['id'])}"
            ]["created_by_ref"]]
            assert who["id"] == f"identity--{uuid.uuid5(ns, 'identity:anonymous:report:' + anon['id'])}"
    assert len(counts) > 1      # the readers do not all read the same
    # a reader that may see no event: 404, as for the event itself
    for user in ("op-gas-0001", OP):
        assert_error(call(hub, "GET", f"/api/v1/events/{eid}", user), 404)
        assert_error(call(hub, "GET", f"/api/v1/events/{eid}/stix", user),
                     404)
    assert_error(call(hub, "GET", "/api/v1/events/E0/stix", "nisc-analyst"),
                 404)


def test_an_event_of_anonymous_reports_names_no_reporter(fresh_demo_hub):
    from test_reports_flow import OP, OP_NAMES
    from test_reports_events import create_event, file_report
    hub = fresh_demo_hub
    anon = [file_report(hub, OP, route="anonymous", range="green",
                        title=f"anonymous {k}") for k in range(2)]
    eid = create_event(hub, "nisc-analyst",
                       [a["id"] for a in anon]).json()["id"]
    for user in ("nisc-analyst", "fsa-desk"):
        b = call(hub, "GET", f"/api/v1/events/{eid}/stix", user)
        assert b.status_code == 200, b.text
        for name in OP_NAMES:
            assert name not in b.text, (user, name)
        objs = valid(b.json())
        ns = namespace(hub)
        people = {objs[f"incident--{uuid.uuid5(ns, 'incident:report:' + a['id'])}"][
            "created_by_ref"] for a in anon}
        assert len(people) == 2
        assert f"identity--{uuid.uuid5(ns, 'identity:org:' + OP)}" not in people


# ---- C4TAP ----

C4_RANGES = {"original": "red", "sender": "amber", "headers": "green",
             "received": "yellow", "urls": "green", "attachments": "white",
             "provider": "amber"}
ORDER = ["red", "amber", "yellow", "green", "white"]


def c4tap_world(tmp_path):
    from test_c4tap import World
    return World(tmp_path)


def test_c4tap_observables_and_indicators_follow_each_types_range(tmp_path):
    """Each information type's observables, indicators and observed-data
    carry that type's marking and reach only the readers its range lets
    read it; patterns are valid STIX patterns whose values are the
    submission's own; SCO ids are those of STIX 2.1 §2.9."""
    import c4tap_mail as cm
    w = c4tap_world(tmp_path)
    try:
        raw = cm.attack(7, subject="【重要】it's a \\test\\ 年金")
        r = w.submit("bank", raw, ranges=C4_RANGES)
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        seen_any = 0
        for rd in w.readers:
            plain = w.hub.api("GET", f"/api/v1/c4tap/submissions/{sid}",
                              token=rd.token)
            got = w.hub.api("GET", f"/api/v1/c4tap/submissions/{sid}/stix",
                            token=rd.token)
            assert got.status_code == plain.status_code, (rd.name, got.text)
            if got.status_code != 200:
                continue
            seen_any += 1
            sub = plain.json()
            b = got.json()
            objs = valid(b)
            markings_defined(b)
            may = {t: rd.may(C4_RANGES[t], "op-bank-a") for t in C4_RANGES}
            by_label = {}
            for o in objs.values():
                for lab in o.get("labels", []):
                    if lab.startswith("c4tap-"):
                        by_label.setdefault(lab[6:], []).append(o)
            # exactly the readable types, each with its own marking
            for t in ("sender", "headers", "received", "urls",
                      "attachments"):
                assert (t in by_label) == may[t], (rd.name, t)
                for o in by_label.get(t, []):
                    assert marking_of(o) == C4_RANGES[t], (rd.name, o["id"])
            for o in objs.values():
                if o["type"] in ("email-addr",):
                    assert may["sender"]
                if o["type"] == "file":
                    assert may["attachments"]
                    assert marking_of(o) == "white"
                if o["type"] == "url":
                    assert may["urls"]
                    assert o["id"] == sco_id("url", {"value": o["value"]})
            pats = {}
            for o in objs.values():
                if o["type"] == "indicator":
                    for path, v in check_pattern(o["pattern"]):
                        pats.setdefault(path, set()).add(v)
            if may["sender"]:
                addr = sub["from"]["address"]
                assert addr in pats["email-message:from_ref.value"]
                assert sco_id("email-addr", {"value": addr}) in objs
                assert set(sub["reply_to"]) <= pats["email-addr:value"]
            else:
                assert "email-message:from_ref.value" not in pats
                assert "nenkin@kikou-info.example" not in got.text
            if may["headers"]:
                assert pats["email-message:subject"] == {sub["subject"]}
                msg = [o for o in objs.values()
                       if o["type"] == "email-message"]
                assert len(msg) == 1 and msg[0]["subject"] == sub["subject"]
                contrib = {"subject": sub["subject"]}
                if may["sender"]:
                    contrib["from_ref"] = msg[0]["from_ref"]
                    # the narrower of the two types it carries
                    assert marking_of(msg[0]) == "amber"
                else:
                    assert "from_ref" not in msg[0]
                    assert marking_of(msg[0]) == "green"
                assert msg[0]["id"] == sco_id("email-message", contrib)
            else:
                assert "email-message:subject" not in pats
            if may["urls"]:
                urls = {u["url"] for u in sub["urls"]}
                assert urls == pats["url:value"]
                assert {u["host"] for u in sub["urls"]} <= \
                    pats["domain-name:value"]
            else:
                assert "url:value" not in pats
                assert "kikou-check.example" not in got.text
            if may["attachments"]:
                hashes = {a["sha256"] for a in sub["attachments"]}
                assert pats["file:hashes.SHA-256"] == hashes
                for h in hashes:
                    f = [o for o in objs.values() if o["type"] == "file"
                         and o["hashes"] == {"SHA-256": h}][0]
                    assert f["id"] == sco_id("file", {
                        "hashes": {"SHA-256": h}, "name": f["name"]})
            if may["received"]:
                assert pats["ipv4-addr:value"] == {"203.0.113.45"}
            else:
                assert "203.0.113.45" not in got.text
            # the provider only to who may know it, and only on objects no
            # wider than its range (Amber)
            prov = [o for o in objs.values() if o["type"] == "identity"]
            sees = rd.sees_provider(C4_RANGES, False, "op-bank-a")
            assert bool(prov) == sees, rd.name
            for o in objs.values():
                if "created_by_ref" in o:
                    assert sees
                    assert ORDER.index(marking_of(o)) <= \
                        ORDER.index("amber"), (rd.name, o["id"])
            if not sees:
                assert "op-bank-a" not in got.text
                assert "試験op-bank-a" not in got.text
            # exported again: the same bundle
            again = w.hub.api("GET",
                              f"/api/v1/c4tap/submissions/{sid}/stix",
                              token=rd.token).json()
            assert again == b
        assert seen_any >= 5
        assert w.hub.api("GET", "/api/v1/c4tap/submissions/999999/stix",
                         token=w.tok["sec"]).status_code == 404
        # an anonymous submission: the provider to itself and the
        # secretariat only, marked Red, and never a creator of wider objects
        a = w.submit("power", cm.attack(8, host="anon-host.example"),
                     anonymous=True, ranges=C4_RANGES)
        assert a.status_code == 201, a.text
        aid = a.json()["id"]
        for who in ("nisc", "bank", "jpcert"):
            t = w.api(who, "GET", f"/api/v1/c4tap/submissions/{aid}/stix")
            assert t.status_code == 200, t.text
            valid(t.json())
            assert "op-power-a" not in t.text and "試験op-power-a" not in t.text
            assert not [o for o in t.json()["objects"]
                        if o["type"] == "identity"]
        t = w.api("sec", "GET", f"/api/v1/c4tap/submissions/{aid}/stix")
        objs = valid(t.json())
        ids = [o for o in objs.values() if o["type"] == "identity"]
        assert len(ids) == 1 and marking_of(ids[0]) == "red"
        for o in objs.values():
            if "created_by_ref" in o:
                assert marking_of(o) == "red"
        # a narrowed range takes the type out of the wider readers' bundles
        # and makes a new version of every object
        before = w.api("jpcert", "GET",
                       f"/api/v1/c4tap/submissions/{sid}/stix").json()
        assert any(o["type"] == "file" for o in before["objects"])
        r = w.api("bank", "PATCH", f"/api/v1/c4tap/submissions/{sid}",
                  json={"version": 1, "ranges": {"attachments": "amber"}})
        assert r.status_code == 200, r.text
        after = w.api("jpcert", "GET",
                      f"/api/v1/c4tap/submissions/{sid}/stix").json()
        valid(after)
        assert not any(o["type"] == "file" for o in after["objects"])
        assert not [o for o in after["objects"] if o["type"] == "indicator"
                    and "file:" in o["pattern"]]
        mods = {o["id"]: o["modified"] for o in before["objects"]
                if "modified" in o and o["type"] == "indicator"}
        for o in after["objects"]:
            if o["id"] in mods:
                assert o["modified"] > mods[o["id"]]
    finally:
        w.hub.stop()


# ---- website observation ----

def test_a_sector_alert_is_observed_data_and_a_sighting(fresh_demo_hub):
    hub = fresh_demo_hub
    alerts = call(hub, "GET", "/api/v1/observation/alerts", "nisc-analyst",
                  params={"state": "open"}).json()["items"]
    al = next(a for a in alerts if a["kind"] == "sector")
    aid = al["id"]
    r = call(hub, "GET", f"/api/v1/observation/alerts/{aid}/stix",
             "nisc-analyst")
    assert r.status_code == 200, r.text
    b = r.json()
    objs = valid(b)
    markings_defined(b)
    ns = namespace(hub)
    key = f"obs-alert:{aid}"
    od = objs[f"observed-data--{uuid.uuid5(ns, 'observed-data:' + key)}"]
    inf = objs[f"infrastructure--{uuid.uuid5(ns, 'infrastructure:' + key)}"]
    sg = objs[f"sighting--{uuid.uuid5(ns, 'sighting:' + key)}"]
    assert sg["sighting_of_ref"] == inf["id"]
    assert sg["observed_data_refs"] == [od["id"]]
    assert od["first_observed"] <= od["last_observed"]
    assert od["number_observed"] >= 1
    # named by the sector's names (鉄道分野, railway), not its id
    sec = next(x for x in hub.get("/api/v1/sectors").json()["items"]
               if x["id"] == al["sector"])
    assert inf["name"] == f"{sec['name']['ja']}分野の登録ウェブサイト群"
    assert inf["lang"] == "ja"
    lc = [o for o in b["objects"] if o["type"] == "language-content"
          and o["object_ref"] == inf["id"]]
    assert len(lc) == 1
    assert lc[0]["contents"]["en"]["name"] == (
        f"Registered websites of the {sec['name']['en']} sector")
    hosts = {s["host"] for s in al["sites"]}
    got = set()
    for ref in od["object_refs"]:
        o = objs[ref]
        assert o["type"] in ("domain-name", "ipv4-addr")
        assert ref == sco_id(o["type"], {"value": o["value"]})
        got.add(o["value"])
    assert got == hosts
    for o in b["objects"]:
        if o["type"] != "marking-definition":
            assert marking_of(o) == "red"
    again = call(hub, "GET", f"/api/v1/observation/alerts/{aid}/stix",
                 "nisc-analyst").json()
    assert again == b
    # who does not see the alert gets 404, as in the list
    for user in ("op-water-0001",):
        mine = call(hub, "GET", "/api/v1/observation/alerts", user)
        if mine.status_code == 200 and any(
                a["id"] == aid for a in mine.json()["items"]):
            continue
        assert_error(call(hub, "GET",
                          f"/api/v1/observation/alerts/{aid}/stix", user), 404)
    assert_error(call(hub, "GET", "/api/v1/observation/alerts/0/stix",
                      "nisc-analyst"), 404)
    assert_error(call(hub, "GET", "/api/v1/observation/alerts/x/stix",
                      "nisc-analyst"), 404)
