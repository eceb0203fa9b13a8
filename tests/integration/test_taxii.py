"""TAXII 2.1 server (issue 16, docs/taxii.md), tested as an integrator and
an attacker would: discovery, API root and collections; credentials (Bearer
and Basic with an API token, never the password); media types; adding
envelopes and the status resource (every object judged alone, the envelope
limits); the sharing ranges of posted objects in every way of reading them
(objects, manifest, an object, its versions, `more`/`next`, the
X-TAXII-Date-Added headers); versions and filters; pagination of an
envelope of 10,000 objects that share one date_added, with objects added
while paging and `next` tokens that are forged or belong to another query;
and the `advisories` collection, as each advisory's range allows, checked
against the STIX 2.1 rules of stix21.schema.json like test_stix.py.

Expectations come from docs/taxii.md and the OASIS TAXII 2.1 specification
(written here from them, not from the server). Every exchange through
requests is also checked against docs/openapi.json by the harness.
"""
import base64
import json
import re
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

import hubdb
from conftest import DEMO_PASSWORD, Hub, wait_for
from test_http_protocol import parse, raw
from test_stix import TLP as STIX_TLP
from test_stix import TLP2_EXT
from test_stix import namespace, valid

TAXII = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"
API_ROOT = "/taxii2/infrashare/"
SHARED = "82b8bb8d-f1d4-442b-a7e5-dcf08e8484bd"
ADVISORIES = "f32df133-9fca-4ad2-80d4-7a913841a061"
COLL = {"shared": SHARED, "advisories": ADVISORIES}
MAX_CONTENT = 10 * 1024 * 1024
REALM = 'realm="infrashare TAXII"'
# the official TLP 2.0 marking definitions (docs/stix.md)
TLP = {k: v[0] for k, v in STIX_TLP.items()}
RANGES = ["red", "amber", "yellow", "green", "white"]
# TLP 1.0 marking definitions of the STIX 2.1 specification: not TLP 2.0
TLP1_WHITE = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
TLP1_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"

OP = "op-banking-0001"          # the poster, a member of ceptoar-banking
T0 = "2024-04-01T00:00:00.000Z"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
RFC3339_US = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
ABSENT = object()               # a header left out of the request


# ---- the client ----

class Taxii:
    """A TAXII client of one hub: API tokens per user (the CLI), requests
    with the headers a test chooses."""

    def __init__(self, hub):
        self.hub = hub
        self.tokens = {}
        self.local = threading.local()

    @property
    def s(self):
        """A keep-alive session per thread."""
        if not hasattr(self.local, "s"):
            self.local.s = requests.Session()
        return self.local.s

    def tok(self, user):
        if user not in self.tokens:
            self.tokens[user] = self.hub.token(user, name="taxii")
        return self.tokens[user]

    def req(self, method, path, user=None, *, auth=None, accept=TAXII,
            ctype=ABSENT, headers=None, **kw):
        h = {"Accept": None if accept is ABSENT else accept}
        if auth is not None:
            h["Authorization"] = auth
        elif user is not None:
            h["Authorization"] = f"Bearer {self.tok(user)}"
        if ctype is not ABSENT:
            h["Content-Type"] = ctype
        h.update(headers or {})
        url = path if path.startswith("http") else self.hub.url + path
        return self.s.request(method, url, headers=h, timeout=60, **kw)

    def get(self, path, user, **kw):
        return self.req("GET", path, user, **kw)

    def post_envelope(self, user, objects, coll="shared", **kw):
        body = kw.pop("data", None)
        if body is None:
            body = json.dumps({"objects": objects})
        return self.req("POST", f"{API_ROOT}collections/{coll}/objects/",
                        user, ctype=kw.pop("ctype", TAXII), data=body, **kw)

    def add(self, user, objects, coll="shared"):
        """Posts an envelope that must be added whole: the status."""
        st = ok(self.post_envelope(user, objects, coll), 202)
        assert st["failure_count"] == 0, st
        assert st["success_count"] == len(objects), st
        return st

    def objects(self, user, coll="shared", **params):
        return self.get(f"{API_ROOT}collections/{coll}/objects/", user,
                        params=params)

    def manifest(self, user, coll="shared", **params):
        return self.get(f"{API_ROOT}collections/{coll}/manifest/", user,
                        params=params)

    def object(self, user, oid, coll="shared", **params):
        return self.get(f"{API_ROOT}collections/{coll}/objects/{oid}/", user,
                        params=params)

    def versions(self, user, oid, coll="shared", **params):
        return self.get(f"{API_ROOT}collections/{coll}/objects/{oid}/"
                        "versions/", user, params=params)

    def all_pages(self, user, what="objects", coll="shared", limit=None,
                  **params):
        """Every page of objects or manifest: (items, pages)."""
        items, pages, nxt = [], [], None
        for _ in range(100000):
            p = dict(params)
            if limit is not None:
                p["limit"] = limit
            if nxt is not None:
                p["next"] = nxt
            env = ok(getattr(self, what)(user, coll, **p))
            pages.append(env)
            items += env.get("objects", [])
            if not env.get("more", False):
                assert "next" not in env, env
                return items, pages
            nxt = env["next"]
            assert isinstance(nxt, str) and nxt
        raise AssertionError("no end of pages")


def media(r):
    return r.headers.get("Content-Type", "").replace(" ", "").lower()


def ok(r, status=200):
    """A TAXII answer with status and the TAXII media type: its JSON."""
    assert r.status_code == status, (r.status_code, r.text[:2000])
    assert media(r) == TAXII, r.headers.get("Content-Type")
    return r.json()


def taxii_error(r, status, title_has=None):
    """The TAXII error object (docs/taxii.md "Errors"), status as a string."""
    assert r.status_code == status, (r.status_code, r.text[:2000])
    assert media(r) == TAXII, (r.headers.get("Content-Type"), r.text[:500])
    e = r.json()
    assert isinstance(e, dict) and "error" not in e, e
    assert isinstance(e.get("title"), str) and e["title"], e
    assert e.get("http_status") == str(status), e
    for k in ("description", "error_code", "error_id"):
        if k in e:
            assert isinstance(e[k], str), e
    # and the hub's sentence in Japanese (every error of the hub has one)
    ja = e.get("details", {}).get("message_ja", "")
    assert any("\u3040" <= ch <= "\u9fff" for ch in ja), e
    if title_has:
        assert title_has in json.dumps(e).lower(), e
    return e


def more(env):
    return env.get("more", False)


def ids_of(env):
    return [o["id"] for o in env.get("objects", [])]


def basic(user, secret):
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def rfc3339(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(s):
    assert RFC3339.match(s), s
    frac = s[20:-1] if "." in s else ""
    base = datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=timezone.utc)
    return base + timedelta(microseconds=int((frac + "000000")[:6] or 0))


def instants(values):
    return [parse_ts(v) for v in values]


def ts(i):
    """A distinct millisecond timestamp, i seconds after T0."""
    return rfc3339(parse_ts(T0) + timedelta(seconds=i))[:23] + "Z"


def indicator(marking="green", oid=None, modified=T0, name=None, **over):
    o = {"type": "indicator", "spec_version": "2.1",
         "id": oid or f"indicator--{uuid.uuid4()}",
         "created": T0, "modified": modified,
         "name": name or "suspicious address",
         "pattern": "[ipv4-addr:value = '203.0.113.7']",
         "pattern_type": "stix", "valid_from": T0}
    if marking is not None:
        o["object_marking_refs"] = [TLP[marking]]
    o.update(over)
    return o


def malware(marking="green", **over):
    o = {"type": "malware", "spec_version": "2.1",
         "id": f"malware--{uuid.uuid4()}", "created": T0, "modified": T0,
         "name": "demo malware", "is_family": False,
         "object_marking_refs": [TLP[marking]]}
    o.update(over)
    return o


def ipv4(marking="green", value="198.51.100.9"):
    return {"type": "ipv4-addr", "spec_version": "2.1",
            "id": f"ipv4-addr--{uuid.uuid4()}", "value": value,
            "object_marking_refs": [TLP[marking]]}


def without(o, *keys):
    return {k: v for k, v in o.items() if k not in keys}


# ---- fixtures ----

def demo_hub(tmp):
    h = Hub(tmp, demo=True)
    h.init_fixture()
    h.start()
    return h


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    """One demo hub for the tests that post objects of their own ids and
    read them back by id (they do not depend on the rest of the
    collection)."""
    h = demo_hub(tmp_path_factory.mktemp("taxii"))
    yield Taxii(h)
    h.stop()


@pytest.fixture
def fresh(tmp_path):
    """A private demo hub: the collection holds only what the test posts."""
    h = demo_hub(tmp_path)
    yield Taxii(h)
    h.stop()


# ---- 1. discovery, API root, collections ----

def test_discovery_api_root_and_collections(mod):
    t = mod
    d = ok(t.get("/taxii2/", OP))
    assert isinstance(d["title"], str) and d["title"]
    roots = d["api_roots"]
    assert isinstance(roots, list) and len(roots) == 1, roots
    assert roots[0].endswith(API_ROOT), roots
    if "default" in d:
        assert d["default"] == roots[0]

    root = ok(t.get(API_ROOT, OP))
    assert isinstance(root["title"], str) and root["title"]
    assert root["versions"] == [TAXII]
    assert root["max_content_length"] == MAX_CONTENT

    # a reporter may read both and write the shared collection only
    cs = ok(t.get(API_ROOT + "collections/", OP))["collections"]
    by_alias = {c["alias"]: c for c in cs}
    assert set(by_alias) == {"shared", "advisories"}, cs
    for alias, cid in COLL.items():
        c = by_alias[alias]
        assert c["id"] == cid
        assert isinstance(c["title"], str) and c["title"]
        assert c["can_read"] is True
        if "media_types" in c:
            assert c["media_types"] == [STIX_MEDIA], c
    assert by_alias["shared"]["can_write"] is True
    assert by_alias["advisories"]["can_write"] is False
    # one collection, by id and by alias: the same resource
    for alias, cid in COLL.items():
        a = ok(t.get(f"{API_ROOT}collections/{cid}/", OP))
        b = ok(t.get(f"{API_ROOT}collections/{alias}/", OP))
        assert a == b == by_alias[alias]
    # unknown collections: 404 with the TAXII error object
    for bad in (str(uuid.uuid4()), "nope", "shared2"):
        taxii_error(t.get(f"{API_ROOT}collections/{bad}/", OP), 404)
        taxii_error(t.get(f"{API_ROOT}collections/{bad}/objects/", OP), 404)


def test_unknown_paths_under_taxii2_are_taxii_errors(mod):
    """docs/taxii.md: every error under /taxii2/ is the TAXII error
    object, an unknown API root or endpoint too."""
    t = mod
    for path in ("/taxii2/another-root/", f"{API_ROOT}nothing/",
                 f"{API_ROOT}collections/shared/objects/x/y/z/"):
        taxii_error(t.get(path, OP), 404)


def test_a_path_without_its_trailing_slash_names_the_one_with_it(mod):
    """TAXII 2.1 URLs end with a slash; an integrator who leaves it off
    gets a 404 that names the URL with it, and only where that URL is an
    endpoint (an unknown path's 404 says nothing more)."""
    t = mod
    for path in ("/taxii2", API_ROOT.rstrip("/"),
                 f"{API_ROOT}collections", f"{API_ROOT}collections/shared",
                 f"{API_ROOT}collections/shared/objects"):
        e = taxii_error(t.get(path, OP), 404)
        assert e["description"].endswith(
            f"TAXII 2.1 URLs end with a slash ({path}/)"), e
        # and the URL it names answers
        assert t.get(path + "/", OP).status_code == 200, path
    for path in (f"{API_ROOT}nothing", f"{API_ROOT}collections/shared/x/y"):
        e = t.get(path, OP).json()
        assert e["description"] == "no such path", e


def test_can_write_follows_the_callers_roles(mod):
    """NISC's auditor (reader, auditor) may read but not write `shared`:
    the collection says so and a POST is 403; analysts and liaisons may."""
    t = mod
    for user, w in (("auditor", False), ("nisc-analyst", True),
                    ("ipa-desk", True), ("ceptoar-banking-secretariat", True)):
        cs = {c["alias"]: c for c in ok(
            t.get(API_ROOT + "collections/", user))["collections"]}
        assert cs["shared"]["can_read"] is True, user
        assert cs["shared"]["can_write"] is w, (user, cs)
        assert cs["advisories"]["can_write"] is False, user
    o = indicator()
    taxii_error(t.post_envelope("auditor", [o]), 403)
    taxii_error(t.object(OP, o["id"]), 404)          # nothing stored
    st = t.add("ipa-desk", [indicator()])
    assert st["status"] == "complete"


def test_every_answer_has_the_taxii_media_type(mod):
    t = mod
    o = indicator()
    st = t.add(OP, [o])
    paths = ["/taxii2/", API_ROOT, API_ROOT + "collections/",
             f"{API_ROOT}collections/shared/",
             f"{API_ROOT}collections/shared/objects/",
             f"{API_ROOT}collections/shared/manifest/",
             f"{API_ROOT}collections/shared/objects/{o['id']}/",
             f"{API_ROOT}collections/shared/objects/{o['id']}/versions/",
             f"{API_ROOT}collections/advisories/objects/",
             f"{API_ROOT}status/{st['id']}/"]
    for p in paths:
        r = t.get(p, OP)
        ok(r)
    # errors too
    taxii_error(t.get(f"{API_ROOT}status/{uuid.uuid4()}/", OP), 404)
    taxii_error(t.get(f"{API_ROOT}collections/shared/objects/"
                      f"indicator--{uuid.uuid4()}/", OP), 404)


def test_delete_is_not_offered(mod):
    t = mod
    o = indicator()
    t.add(OP, [o])
    r = t.req("DELETE", f"{API_ROOT}collections/shared/objects/{o['id']}/",
              OP)
    taxii_error(r, 405)
    ok(t.object(OP, o["id"]))                        # still there


# ---- 2. authentication ----

def test_no_or_bad_credentials_are_401_with_basic_challenge(mod):
    t = mod
    good = t.tok(OP)
    other = t.tok("op-banking-0002")
    coll = f"{API_ROOT}collections/"
    bad = {
        "none": None,
        "unknown bearer": "Bearer ist_" + "0" * 40,
        "empty bearer": "Bearer ",
        "bearer with the password": f"Bearer {DEMO_PASSWORD}",
        "basic: another user's name": basic("op-banking-0002", good),
        "basic: a name that does not exist": basic("no-such-user", good),
        "basic: the user's password": basic(OP, DEMO_PASSWORD),
        "basic: another user's token": basic(OP, other),
        "basic: no colon": "Basic " + base64.b64encode(good.encode()).decode(),
        "basic: not base64": "Basic !!!not-base64!!!",
        "basic: empty name": basic("", good),
        "unknown scheme": f"Token {good}",
    }
    for what, auth in bad.items():
        for path in ("/taxii2/", coll, API_ROOT, f"{coll}shared/objects/",
                     f"{coll}advisories/manifest/"):
            if auth is None:
                r = t.req("GET", path)
            else:
                r = t.req("GET", path, auth=auth)
            e = taxii_error(r, 401)
            wa = r.headers.get("WWW-Authenticate", "")
            assert wa.startswith("Basic ") and REALM in wa, (what, wa)
            assert "collections" not in e, (what, e)
    # a POST without credentials adds nothing
    o = indicator()
    r = t.req("POST", f"{coll}shared/objects/", ctype=TAXII,
              data=json.dumps({"objects": [o]}))
    taxii_error(r, 401)
    r = t.req("POST", f"{coll}shared/objects/", ctype=TAXII,
              auth=basic(OP, DEMO_PASSWORD),
              data=json.dumps({"objects": [o]}))
    taxii_error(r, 401)
    taxii_error(t.object(OP, o["id"]), 404)


def test_bearer_and_basic_with_a_token_work(mod):
    t = mod
    token = t.tok(OP)
    coll = f"{API_ROOT}collections/"
    a = ok(t.req("GET", coll, auth=f"Bearer {token}"))
    b = ok(t.req("GET", coll, auth=basic(OP, token)))
    assert a == b
    # a POST with Basic, then the status, by Bearer
    o = indicator()
    r = t.req("POST", f"{coll}shared/objects/", auth=basic(OP, token),
              ctype=TAXII, data=json.dumps({"objects": [o]}))
    st = ok(r, 202)
    assert st["success_count"] == 1
    ok(t.get(f"{API_ROOT}status/{st['id']}/", OP))
    ok(t.req("GET", f"{coll}shared/objects/{o['id']}/",
             auth=basic(OP, token)))


def test_a_token_made_over_the_api_works_until_revoked(mod):
    """The token an integrator makes itself (POST /api/v1/tokens) works for
    TAXII, and stops working on the next request after it is revoked."""
    t = mod
    s = t.hub.login("op-banking-0002")
    r = s.post(t.hub.url + "/api/v1/tokens", json={"name": "taxii client"},
               timeout=30)
    assert r.status_code == 201, r.text
    tid, token = r.json()["id"], r.json()["token"]
    coll = f"{API_ROOT}collections/"
    ok(t.req("GET", coll, auth=f"Bearer {token}"))
    ok(t.req("GET", coll, auth=basic("op-banking-0002", token)))
    r = s.delete(t.hub.url + f"/api/v1/tokens/{tid}", timeout=30)
    assert r.status_code == 200, r.text
    taxii_error(t.req("GET", coll, auth=f"Bearer {token}"), 401)
    taxii_error(t.req("GET", coll, auth=basic("op-banking-0002", token)), 401)


# ---- 3. media types ----

def test_accept_must_admit_taxii_json(mod):
    t = mod
    coll = f"{API_ROOT}collections/"
    for accept in (ABSENT, "*/*", "application/*", TAXII,
                   "application/taxii+json",
                   "application/taxii+json; version=2.1",
                   "text/html, application/taxii+json;version=2.1;q=0.9"):
        for path in (coll, f"{coll}shared/objects/", "/taxii2/"):
            ok(t.get(path, OP, accept=accept))
    for accept in ("application/json", "text/html", "application/xml",
                   "application/taxii+json;version=2.0",
                   "application/stix+json;version=2.1",
                   "application/vnd.oasis.taxii+json; version=2.0"):
        for path in (coll, f"{coll}shared/objects/", "/taxii2/"):
            taxii_error(t.get(path, OP, accept=accept), 406)
    # a POST whose Accept does not admit the answer adds nothing
    o = indicator()
    taxii_error(t.post_envelope(OP, [o], accept="application/json"), 406)
    taxii_error(t.object(OP, o["id"]), 404)


def test_post_content_type_must_be_taxii_json(mod):
    t = mod
    o = indicator()
    for ctype in ("application/json", "text/plain",
                  "application/stix+json;version=2.1",
                  "application/taxii+json;version=2.0",
                  "application/x-www-form-urlencoded", ABSENT):
        r = t.post_envelope(OP, [o], ctype=ctype)
        e = taxii_error(r, 415)
        # the Japanese sentence names the media type the English one does
        # (it said application/json, found by an outside review)
        assert "application/taxii+json;version=2.1" in \
            e["details"]["message_ja"], e
    taxii_error(t.object(OP, o["id"]), 404)
    st = ok(t.post_envelope(OP, [o], ctype="application/taxii+json"), 202)
    assert st["success_count"] == 1
    o2 = indicator()
    st = ok(t.post_envelope(OP, [o2],
                            ctype="application/taxii+json; version=2.1"), 202)
    assert st["success_count"] == 1


# ---- 4. adding objects, the status resource ----

def check_status(st, total, good_ids, bad_ids):
    assert isinstance(st["id"], str) and st["id"], st
    assert st["status"] == "complete", st
    assert st["total_count"] == total, st
    assert st["success_count"] == len(good_ids), st
    assert st["failure_count"] == total - len(good_ids), st
    assert st.get("pending_count", 0) == 0, st
    succ = st.get("successes", [])
    assert sorted(s["id"] for s in succ) == sorted(good_ids), st
    fails = st.get("failures", [])
    assert len(fails) == st["failure_count"], st
    for f in fails:
        assert isinstance(f.get("message"), str) and f["message"], f
    # TAXII 2.1 4.3.1: every entry names the object's version ("" for
    # one that has neither modified nor created)
    for x in succ + fails:
        assert isinstance(x.get("version"), str), x
    got = {f.get("id") for f in fails}
    for b in bad_ids:
        assert b in got, (b, fails)
    if "request_timestamp" in st:
        assert RFC3339.match(st["request_timestamp"]), st


def test_post_answers_202_with_the_status_resource(mod):
    t = mod
    objs = [indicator(), malware(), ipv4()]
    r = t.post_envelope(OP, objs)
    st = ok(r, 202)
    check_status(st, 3, [o["id"] for o in objs], [])
    versions = {s["id"]: s.get("version") for s in st["successes"]}
    for o in objs[:2]:
        if versions[o["id"]] is not None:
            assert parse_ts(versions[o["id"]]) == parse_ts(T0), st
    for o in objs:
        got = ok(t.object(OP, o["id"]))["objects"]
        assert got == [o], got
    # the status again, by its poster: the same
    again = ok(t.get(f"{API_ROOT}status/{st['id']}/", OP))
    for k in ("id", "status", "total_count", "success_count",
              "failure_count"):
        assert again[k] == st[k], (k, again, st)
    # another organisation (even of the same CEPTOAR, even NISC): 404, as a
    # status that does not exist
    for user in ("op-banking-0002", "op-gas-0001", "nisc-analyst"):
        taxii_error(t.get(f"{API_ROOT}status/{st['id']}/", user), 404)
    taxii_error(t.get(f"{API_ROOT}status/{uuid.uuid4()}/", OP), 404)
    taxii_error(t.get(f"{API_ROOT}status/x'%20OR%201=1/", OP), 404)
    # another user of the poster's organisation may read it
    pw = t.hub.dir / "status-user.pw"
    pw.write_text("status-user-password-1\n")
    t.hub.cli("user", "add", "banking-status", "--org", OP, "--roles",
              "reader", "--password-file", pw)
    assert ok(t.get(f"{API_ROOT}status/{st['id']}/", "banking-status"))[
        "id"] == st["id"]


def test_each_object_is_judged_alone(mod):
    t = mod
    good = [indicator(), ipv4(),
            {"type": "relationship", "spec_version": "2.1",
             "id": f"relationship--{uuid.uuid4()}", "created": T0,
             "modified": T0, "relationship_type": "indicates",
             "source_ref": f"indicator--{uuid.uuid4()}",
             "target_ref": f"malware--{uuid.uuid4()}",
             "object_marking_refs": [TLP["green"]]}]
    base = indicator
    bad = {
        "no created": without(base(), "created"),
        "no modified": without(base(), "modified"),
        "no spec_version": without(base(), "spec_version"),
        "spec_version 2.0": base(spec_version="2.0"),
        "no type": without(base(), "type"),
        "a bad uuid": base(oid="indicator--1234-not-a-uuid"),
        "a bad id": base(oid="indicator-" + str(uuid.uuid4())),
        "an id of another type": base(oid=f"malware--{uuid.uuid4()}"),
        "created: a day that does not exist": base(
            created="2024-02-30T00:00:00.000Z"),
        "created: month 13": base(created="2024-13-01T00:00:00Z"),
        "modified: not a time": base(modified="yesterday"),
        "modified: not UTC": base(modified="2024-04-01T09:00:00+09:00"),
        "modified: a date": base(modified="2024-04-01"),
        "a relationship without created": without(good[2] | {
            "id": f"relationship--{uuid.uuid4()}"}, "created"),
        "a malware without modified": without(malware(), "modified"),
        # valid JSON, but no text of the hub holds U+0000: the object
        # fails alone (it made the whole envelope a malformed_json)
        "a NUL in its text": base(description="a\u0000b"),
        "a NUL deep inside": base(external_references=[
            {"source_name": "x", "description": "\u0000"}]),
    }
    no_id = dict(base())
    no_id.pop("id")
    bad["no id"] = no_id
    objs = [good[0], *bad.values(), good[1], good[2]]
    st = ok(t.post_envelope(OP, objs), 202)
    bad_ids = [o["id"] for o in bad.values() if "id" in o]
    check_status(st, len(objs), [o["id"] for o in good], bad_ids)
    nul = {f["id"]: f["message"] for f in st["failures"]}
    assert "description" in nul[bad["a NUL in its text"]["id"]], nul
    assert "external_references[0].description" in \
        nul[bad["a NUL deep inside"]["id"]], nul
    # the good ones are stored, nothing of the bad ones
    for o in good:
        assert ids_of(ok(t.object(OP, o["id"]))) == [o["id"]]
    for what, o in bad.items():
        if "id" not in o:
            continue
        r = t.object(OP, o["id"])
        assert r.status_code in (400, 404), (what, r.status_code, r.text)
        taxii_error(r, r.status_code)
    well_formed = [o["id"] for o in bad.values()
                   if re.match(r"^[a-z0-9-]+--[0-9a-f-]{36}$", o.get("id", ""))]
    env = ok(t.manifest(OP, **{"match[id]": ",".join(well_formed),
                               "match[version]": "all"}))
    assert env.get("objects", []) == [], env
    env = ok(t.objects(OP, **{"match[id]": ",".join(well_formed),
                              "match[version]": "all"}))
    assert env.get("objects", []) == [], env


def test_a_non_object_in_the_array_is_one_failure(mod):
    t = mod
    o = indicator()
    st = ok(t.post_envelope(OP, [o, "indicator", 7, None, []]), 202)
    assert st["total_count"] == 5 and st["success_count"] == 1, st
    assert st["failure_count"] == 4, st
    assert [f["version"] for f in st["failures"]] == [""] * 4, st
    # a refused object's version is its modified as sent
    old = {**indicator(), "spec_version": "2.0"}
    st = ok(t.post_envelope(OP, [old]), 202)
    assert st["failure_count"] == 1, st
    assert st["failures"][0]["id"] == old["id"]
    assert st["failures"][0]["version"] == old["modified"], st
    assert ids_of(ok(t.object(OP, o["id"]))) == [o["id"]]


def test_a_bad_envelope_is_refused_whole(mod):
    t = mod
    o = indicator()
    env = json.dumps({"objects": [o]})
    bodies = {
        "truncated": env[:-5],
        "not json": "objects: everything",
        "empty": "",
        "no objects array": json.dumps({"object": [o]}),
        "objects not an array": json.dumps({"objects": {"0": o}}),
        "objects a string": json.dumps({"objects": json.dumps([o])}),
        "an array": json.dumps([o]),
        "a bundle without objects": json.dumps(
            {"type": "bundle", "id": f"bundle--{uuid.uuid4()}"}),
        "trailing garbage": env + " {}",
        "not UTF-8": env.replace("suspicious", "susp\udcffcious")
                        .encode("utf-8", "surrogateescape"),
        "NaN": env.replace('"suspicious address"', "NaN"),
    }
    for what, body in bodies.items():
        r = t.post_envelope(OP, None, data=body)
        e = taxii_error(r, 400)
        assert e["title"], what
    taxii_error(t.object(OP, o["id"]), 404)
    env = ok(t.manifest(OP, **{"match[id]": o["id"]}))
    assert env.get("objects", []) == []


def test_an_empty_envelope_adds_nothing(mod):
    t = mod
    st = ok(t.post_envelope(OP, []), 202)
    assert st["total_count"] == 0 and st["success_count"] == 0, st
    assert st["failure_count"] == 0 and st["status"] == "complete", st


def test_an_envelope_over_10_mib_is_413(mod):
    t = mod
    o = indicator()
    pad = "x" * 1000
    each = len(json.dumps(indicator(description=pad))) + 2
    n = MAX_CONTENT // each + 10
    objs = [o] + [indicator(description=pad) for _ in range(n)]
    body = json.dumps({"objects": objs}).encode()
    assert MAX_CONTENT < len(body) < MAX_CONTENT + 40000, len(body)
    # declared in Content-Length: refused before the hub reads it, with
    # the TAXII error object (raw socket: the hub closes after answering)
    head = (f"POST {API_ROOT}collections/shared/objects/ HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{t.hub.port}\r\n"
            f"Authorization: Bearer {t.tok(OP)}\r\n"
            f"Accept: {TAXII}\r\nContent-Type: {TAXII}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    status, headers, rbody = parse(raw(t.hub.port, head.encode(), timeout=30))
    assert status == 413, rbody[:500]
    assert headers["content-type"][0].replace(" ", "") == TAXII, headers
    e = json.loads(rbody)
    assert e["http_status"] == "413" and e["title"], e
    # sent chunked, without a length: the hub counts what it reads
    def chunks():
        for i in range(0, len(body), 1 << 20):
            yield body[i:i + (1 << 20)]
    r = t.req("POST", f"{API_ROOT}collections/shared/objects/", OP,
              ctype=TAXII, data=chunks())
    taxii_error(r, 413)
    taxii_error(t.object(OP, o["id"]), 404)
    # just under the limit is read (the answer is not 413)
    small = [o] + objs[1:n - 30]
    data = json.dumps({"objects": small})
    assert len(data) < MAX_CONTENT
    st = ok(t.post_envelope(OP, None, data=data), 202)
    assert st["success_count"] == len(small), st


def test_more_than_10000_objects_is_refused_whole(mod):
    t = mod
    objs = [ipv4(value=f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
            for i in range(10001)]
    r = t.post_envelope(OP, objs)
    assert r.status_code in (400, 413), (r.status_code, r.text[:500])
    taxii_error(r, r.status_code)
    taxii_error(t.object(OP, objs[0]["id"]), 404)
    taxii_error(t.object(OP, objs[-1]["id"]), 404)


def test_a_page_of_large_objects_ends_at_its_byte_cap(fresh):
    """Objects near the 1 MiB limit: a page ends before the object that
    would take it past 16 MiB (more, next), so every page can be answered
    and a reader paging with next reaches every object, on the objects and
    the object views; the manifest is not cut by the bodies' size."""
    t = fresh
    big = "x" * (1000 * 1000)
    objs = [indicator(description=big) for _ in range(18)]
    for i in range(0, len(objs), 9):         # two envelopes of ~9 MB
        t.add(OP, objs[i:i + 9])
    want = {o["id"] for o in objs}
    reader = "nisc-analyst"                  # reads every posted object
    r = t.objects(reader, limit=100)
    env = ok(r)
    assert env["more"] is True and env["next"], {k: env.get(k) for k in
                                                  ("more", "next")}
    assert 1 <= len(env["objects"]) < len(objs)
    assert len(r.content) <= 16 * 1024 * 1024 + 4096, len(r.content)
    items, pages = t.all_pages(reader, limit=1000)
    assert [o["id"] for o in items if o["id"] in want] == \
        [o["id"] for o in objs]
    assert len(pages) >= 2
    # one object's versions (match[version]=all) on the object view too
    one = ok(t.object(reader, objs[0]["id"], **{"match[version]": "all"}))
    assert [o["id"] for o in one["objects"]] == [objs[0]["id"]]
    # the manifest lists them all on one page
    man = ok(t.manifest(reader, limit=100))
    assert want <= {m["id"] for m in man["objects"]}


def test_advisories_is_read_only(mod):
    t = mod
    o = indicator()
    for coll in ("advisories", ADVISORIES):
        for user in (OP, "nisc-analyst"):
            taxii_error(t.post_envelope(user, [o], coll=coll), 403)
    taxii_error(t.object("nisc-analyst", o["id"], coll="advisories"), 404)
    taxii_error(t.object(OP, o["id"]), 404)


def test_reposting_a_version_adds_nothing(mod):
    t = mod
    o = indicator(name="the original")
    t.add(OP, [o])
    q = {"match[id]": o["id"], "match[version]": "all"}
    before = ok(t.manifest(OP, **q))["objects"]
    assert len(before) == 1
    # the same id and version again, even with other content: a success
    # that adds nothing and changes nothing
    st = ok(t.post_envelope(OP, [o, dict(o, name="changed")]), 202)
    assert st["success_count"] == 2 and st["failure_count"] == 0, st
    after = ok(t.manifest(OP, **q))["objects"]
    assert after == before
    got = ok(t.object(OP, o["id"], **{"match[version]": "all"}))["objects"]
    assert got == [o]
    assert len(ok(t.versions(OP, o["id"]))["versions"]) == 1


def test_another_org_cannot_widen_or_replace_an_object(mod):
    """An organisation that learns the id of another's Red object posts
    the same id and version marked TLP:CLEAR (and a "newer version"): it
    must not make the original readable, to itself or to anyone, nor take
    the object over — each organisation's versions are its own lineage
    (docs/taxii.md "Versions"), so the originator's last version stays
    its own."""
    t = mod
    secret = indicator("red", name="secret of the originator")
    t.add(OP, [secret])
    fake = dict(secret, name="posted by another",
                object_marking_refs=[TLP["white"]])
    r = ok(t.post_envelope("op-gas-0001", [fake]), 202)
    assert r["failure_count"] + r["success_count"] == 1, r
    for user in ("op-gas-0001", "op-water-0001", "op-banking-0002"):
        for rr in (t.object(user, secret["id"]),
                   t.objects(user, **{"match[id]": secret["id"]}),
                   t.manifest(user, **{"match[id]": secret["id"]})):
            assert "secret of the originator" not in rr.text, (user, rr.text)
    newer = dict(fake, modified="9999-12-31T00:00:00.000Z", revoked=True)
    ok(t.post_envelope("op-gas-0001", [newer]), 202)
    got = ok(t.object(OP, secret["id"]))["objects"]
    # the originator's own version is still the last of its lineage; the
    # other organisation's copies are its own, never the originator's
    assert secret in got
    assert all(o == secret or o["name"] == "posted by another"
               for o in got), got
    for user in ("op-water-0001", "op-banking-0002"):
        seen = t.object(user, secret["id"])
        if seen.status_code == 200:
            assert secret not in seen.json()["objects"], user


def test_only_the_creator_makes_new_versions(mod):
    """Found by an outside review: any member posted a "newer version" of
    an object it could read (another organisation's indicator, revoked;
    NISC's White advisory report, altered in the shared collection) and a
    consumer keeping the latest version of each id took it for the
    creator's (STIX 2.1 3.6), also under the creator's created_by_ref.
    Now: a version of an id whose other organisation's version the poster
    may read is a failure, an advisory's object likewise (held already in
    its own version), and a created_by_ref naming another organisation's
    identity (as the hub makes it) is a failure."""
    t = mod
    # an advisory's export makes the hub's STIX namespace
    aid = issue_advisory(t, "white")
    assert t.hub.api("GET", f"/api/v1/advisories/{aid}/stix",
                     token=t.tok("nisc-analyst")).status_code == 200
    ns = namespace(t.hub)
    mine = f"identity--{uuid.uuid5(ns, 'identity:org:' + OP)}"
    gas = f"identity--{uuid.uuid5(ns, 'identity:org:op-gas-0001')}"
    nisc = f"identity--{uuid.uuid5(ns, 'identity:org:nisc')}"
    o = indicator("white", name="the originator's", created_by_ref=mine)
    t.add(OP, [o])
    # a "newer version" under no creator, and under the creator's name
    forged = dict(without(o, "created_by_ref"), revoked=True,
                  modified="2099-01-01T00:00:00.000Z",
                  name="revoked by another")
    st = ok(t.post_envelope("op-gas-0001", [forged]), 202)
    assert st["failure_count"] == 1 and st["success_count"] == 0, st
    assert "3.6" in st["failures"][0]["message"], st
    st = ok(t.post_envelope("op-gas-0001", [dict(forged, created_by_ref=mine)]),
            202)
    assert st["failure_count"] == 1 and st["success_count"] == 0, st
    for user in ("meti-desk", "op-water-0001", OP):
        got = ok(t.object(user, o["id"], **{"match[version]": "all"}))
        assert got["objects"] == [o], (user, got)
    # the creator itself versions it
    newer = dict(o, modified="2099-01-01T00:00:00.000Z", revoked=True)
    t.add(OP, [newer])
    assert ok(t.object("meti-desk", o["id"]))["objects"] == [newer]
    # a copy of the same version is held already, as before
    st = ok(t.post_envelope("op-gas-0001", [newer]), 202)
    assert st["success_count"] == 1 and st["failure_count"] == 0, st
    # claiming another organisation's identity, whatever the id, or
    # defining it (an identity of its id, an English name for it)
    ident = {"type": "identity", "spec_version": "2.1", "id": gas,
             "created": T0, "modified": T0, "name": "not the gas operator",
             "identity_class": "organization",
             "object_marking_refs": [TLP["white"]]}
    lc = {"type": "language-content", "spec_version": "2.1",
          "id": f"language-content--{uuid.uuid4()}", "created": T0,
          "modified": T0, "object_ref": gas, "object_modified": T0,
          "contents": {"en": {"name": "not the gas operator"}},
          "object_marking_refs": [TLP["white"]]}
    for claim in [indicator("white", name="claims another",
                            created_by_ref=ref) for ref in (nisc, gas)] + \
            [ident, lc]:
        st = ok(t.post_envelope(OP, [claim]), 202)
        assert st["failure_count"] == 1, (claim, st)
        assert "another organisation's" in st["failures"][0]["message"], st
        taxii_error(t.object("meti-desk", claim["id"]), 404)
    # an advisory's report: a copy is held already, a "newer version" in
    # the shared collection is refused
    rid = f"report--{uuid.uuid5(ns, 'report:advisory:' + aid)}"
    wait_for(lambda: t.object("op-gas-0001", rid, coll="advisories")
             .status_code == 200, timeout=30, what="the advisory in TAXII")
    rep = ok(t.object("op-gas-0001", rid, coll="advisories"))["objects"][0]
    st = ok(t.post_envelope("op-gas-0001", [rep]), 202)
    assert st["success_count"] == 1, st
    assert "held already" in st["successes"][0]["message"], st
    alt = dict(rep, modified="2099-01-01T00:00:00.000Z",
               description="誤報です。対応不要")
    st = ok(t.post_envelope("op-gas-0001", [alt]), 202)
    assert st["failure_count"] == 1, st
    for user in ("meti-desk", "op-water-0001"):
        taxii_error(t.object(user, rid), 404)


def test_a_narrowed_objects_former_readers_make_no_new_version(mod):
    """Found by an outside review: the originator narrows an indicator it
    had shared Green (a new version, TLP:AMBER+STRICT); an organisation
    that had read the Green version, and so knew the id, could then post
    a later "version" of it (another address, "updated by originator")
    as a lineage of its own, which the originator's community, NISC and
    every former reader then read as the object's latest version. A
    version whose own marking let the poster read it is no secret from
    it: a new version of that id is refused as another organisation's,
    after the narrowing as before it."""
    t = mod
    v1 = indicator("green", name="shared first")
    t.add(OP, [v1])
    assert ok(t.object("op-gas-0001", v1["id"]))["objects"] == [v1]
    v2 = dict(v1, modified=ts(60), name="narrowed",
              object_marking_refs=[TLP["amber"]],
              pattern="[ipv4-addr:value = '203.0.113.8']")
    t.add(OP, [v2])
    taxii_error(t.object("op-gas-0001", v1["id"]), 404)
    forged = dict(v1, modified=ts(120), name="updated by originator",
                  pattern="[ipv4-addr:value = '192.0.2.99']")
    st = ok(t.post_envelope("op-gas-0001", [forged]), 202)
    assert st["failure_count"] == 1 and st["success_count"] == 0, st
    assert "another organisation's object" in st["failures"][0]["message"]
    # the originator's community and NISC read its lineage alone; the
    # former reader reads nothing of the id
    for user in (OP, "op-banking-0002", "ceptoar-banking-secretariat",
                 "nisc-analyst"):
        got = ok(t.object(user, v1["id"], **{"match[version]": "all"}))
        assert got["objects"] == [v1, v2], (user, got)
    for user in ("op-gas-0001", "op-water-0001"):
        taxii_error(t.object(user, v1["id"]), 404)
        assert ok(t.objects(user, **{"match[id]": v1["id"]})) == {}
    # an id the poster could never read is still no oracle: a copy under
    # it is a lineage of the poster's own (test_another_org_cannot_...)
    red = indicator("red", name="never shown")
    t.add(OP, [red])
    st = ok(t.post_envelope("op-gas-0001", [dict(red, modified=ts(5))]),
            202)
    assert st["success_count"] == 1 and st["failure_count"] == 0, st


def test_what_a_strict_consumer_refuses_is_a_failure(mod):
    """Found by an outside review: a relationship whose refs were no
    identifiers, a bundle posted as an object and an id with its UUID in
    upper case were stored and served, and a strict client (stix2.parse)
    failed on the whole page (STIX 2.1 2.9, 8)."""
    t = mod
    good = indicator("white")
    rel = {"type": "relationship", "spec_version": "2.1",
           "id": f"relationship--{uuid.uuid4()}", "created": T0,
           "modified": T0, "relationship_type": "indicates",
           "source_ref": good["id"],
           "target_ref": f"malware--{uuid.uuid4()}",
           "object_marking_refs": [TLP["white"]]}
    # an upper-case UUID is one (RFC 4122: case-insensitive on input)
    upper = dict(rel, id=f"relationship--{uuid.uuid4()}",
                 target_ref=f"malware--{str(uuid.uuid4()).upper()}")
    bad = [dict(rel, id=f"relationship--{uuid.uuid4()}",
                source_ref="indicator--x"),
           {"type": "bundle", "id": f"bundle--{uuid.uuid4()}",
            "spec_version": "2.1", "objects": []},
           dict(indicator("white"), object_refs="report--x"),
           dict(indicator("white"), sample_refs=[good["id"], 7])]
    st = ok(t.post_envelope(OP, [good, rel, upper] + bad), 202)
    assert st["success_count"] == 3, st
    assert st["failure_count"] == len(bad), st
    msgs = " ".join(f["message"] for f in st["failures"])
    for k in ("source_ref", "bundle", "object_refs", "sample_refs"):
        assert k in msgs, (k, msgs)
    for o in bad:
        env = ok(t.objects("meti-desk", **{"match[id]": o["id"]}))
        assert env.get("objects", []) == [], o


def test_tlp1_definitions_are_built_in_too(mod):
    """Found by an outside review: the TLP 1.0 definitions of STIX 2.1
    7.2.1.4 (which the hub reads as ranges) could be redefined in the
    shared collection, "TLP:WHITE" saying red; they are built in, as the
    TLP 2.0 ones are."""
    t = mod
    fake = {"type": "marking-definition", "spec_version": "2.1",
            "id": TLP1_WHITE, "created": "2017-01-20T00:00:00.000Z",
            "name": "TLP:WHITE", "definition_type": "tlp",
            "definition": {"tlp": "red"},
            "object_marking_refs": [TLP["white"]]}
    st = ok(t.post_envelope("op-gas-0001", [fake]), 202)
    assert st["success_count"] == 1, st
    assert "built in" in st["successes"][0]["message"], st
    for user in ("meti-desk", "op-gas-0001"):
        taxii_error(t.object(user, TLP1_WHITE), 404)


# ---- 5. sharing ranges ----

# reader -> the ranges it may read of op-banking-0001's objects
READERS = {
    OP: set(RANGES),                                      # originator
    "nisc-analyst": set(RANGES),                          # handling chain
    "op-banking-0002": {"amber", "yellow", "green", "white"},  # community
    "ceptoar-banking-secretariat": {"amber", "yellow", "green", "white"},
    "ipa-desk": {"yellow", "green", "white"},             # agreement
    "jpcert-desk": {"yellow", "green", "white"},          # agreement
    # the observer flag, no agreement: Green
    "mod-desk": {"green", "white"},
    "fsa-desk": {"green", "white"},                       # not NISC
    "op-gas-0001": {"green", "white"},                    # registered
    "op-securities-0001": {"green", "white"},   # another finance CEPTOAR
}


def test_ranges_in_every_way_of_reading(fresh):
    """op-banking-0001 posts one object per range, each in its own
    envelope (Red first, White last), then objects marked otherwise:
    unmarked and a private marking (Red), TLP 1.0 WHITE and GREEN (read as
    White and Green), Green with a granular TLP:RED, Green and TLP:AMBER
    together. Each reader sees exactly what
    its relation allows, in every view, and nothing else gives the hidden
    ones away."""
    t = fresh
    objs, rng_of = [], {}
    for rng in RANGES:
        o = indicator(rng, name=f"{rng} object")
        t.add(OP, [o])
        objs.append(o)
        rng_of[o["id"]] = rng
    private = f"marking-definition--{uuid.uuid4()}"
    tail = [
        indicator(None, name="unmarked"),
        indicator(None, name="tlp1 white", object_marking_refs=[TLP1_WHITE]),
        indicator(None, name="tlp1 green", object_marking_refs=[TLP1_GREEN]),
        indicator(None, name="private", object_marking_refs=[private]),
        indicator("green", name="granular red", granular_markings=[
            {"marking_ref": TLP["red"], "selectors": ["description"]}],
            description="the red part"),
        malware("green", object_marking_refs=[TLP["green"], TLP["yellow"]],
                name="green and amber"),
        malware("white", object_marking_refs=[TLP["white"]],
                granular_markings=[{"marking_ref": TLP["amber"],
                                    "selectors": ["name"]}],
                name="white with amber+strict granular"),
    ]
    tail_rng = ["red", "white", "green", "red", "red", "yellow", "amber"]
    t.add(OP, tail)
    for o, rng in zip(tail, tail_rng):
        objs.append(o)
        rng_of[o["id"]] = rng
    all_ids = [o["id"] for o in objs]
    # the date_added of each (as the originator sees it)
    man = ok(t.manifest(OP, limit=1000))["objects"]
    added = {m["id"]: m["date_added"] for m in man}
    assert [m["id"] for m in man] == all_ids

    for reader, may in READERS.items():
        want = [i for i in all_ids if rng_of[i] in may]
        hidden = [i for i in all_ids if rng_of[i] not in may]
        # objects, in one page and in pages of one
        env = ok(t.objects(reader))
        assert ids_of(env) == want, reader
        assert not more(env) and "next" not in env, (reader, env)
        items, pages = t.all_pages(reader, limit=1)
        assert [o["id"] for o in items] == want, reader
        assert len(pages) == len(want), (reader, len(pages))
        for o in items:
            assert o == next(x for x in objs if x["id"] == o["id"])
        # manifest
        m = ok(t.manifest(reader))
        assert [x["id"] for x in m.get("objects", [])] == want, reader
        assert not more(m), reader
        for x in m["objects"]:
            assert parse_ts(x["version"]) == parse_ts(T0), x
            assert x["media_type"] == STIX_MEDIA, x
            assert x["date_added"] == added[x["id"]]
        mitems, mpages = t.all_pages(reader, "manifest", limit=2)
        assert [x["id"] for x in mitems] == want, reader
        # the headers name the page's objects only
        r = t.objects(reader)
        first = r.headers["X-TAXII-Date-Added-First"]
        last = r.headers["X-TAXII-Date-Added-Last"]
        assert parse_ts(first) == parse_ts(added[want[0]]), reader
        assert parse_ts(last) == parse_ts(added[want[-1]]), reader
        # one object, its versions: 404 exactly as one that does not exist
        for i in want:
            assert ids_of(ok(t.object(reader, i))) == [i]
            assert instants(ok(t.versions(reader, i))["versions"]) == \
                instants([T0])
        nobody = f"indicator--{uuid.uuid4()}"
        same = ("title", "http_status", "error_code")
        absent = taxii_error(t.object(reader, nobody), 404)
        absent_v = taxii_error(t.versions(reader, nobody), 404)
        for i in hidden:
            e = taxii_error(t.object(reader, i), 404)
            assert [e.get(k) for k in same] == \
                [absent.get(k) for k in same], (reader, e, absent)
            e = taxii_error(t.versions(reader, i), 404)
            assert [e.get(k) for k in same] == \
                [absent_v.get(k) for k in same], (reader, e, absent_v)
            for q in ({"match[id]": i}, {"match[id]": i,
                                         "match[version]": "all"}):
                for what in ("objects", "manifest"):
                    env = ok(getattr(t, what)(reader, **q))
                    assert env.get("objects", []) == [], (reader, i, env)
                    assert not more(env) and "next" not in env
        if hidden:
            # a query that matches hidden objects only: the empty envelope
            q = {"match[id]": ",".join(hidden), "limit": 1}
            for what in ("objects", "manifest"):
                r = getattr(t, what)(reader, **q)
                env = ok(r)
                assert env.get("objects", []) == [], (reader, env)
                assert not more(env) and "next" not in env, (reader, env)


def test_a_reader_that_sees_nothing_gets_the_empty_envelope(fresh):
    t = fresh
    reds = [indicator(rng) for rng in ("red", "amber", "yellow")] + \
        [indicator(None)]
    t.add(OP, reds)
    for reader in ("op-gas-0001", "mod-desk"):
        for q in ({}, {"limit": 1}, {"match[type]": "indicator"},
                  {"added_after": "2020-01-01T00:00:00Z"}):
            for what in ("objects", "manifest"):
                r = getattr(t, what)(reader, **q)
                env = ok(r)
                assert env.get("objects", []) == [], (reader, q, env)
                assert not more(env) and "next" not in env, (reader, q, env)
    # the originator sees them all
    assert ids_of(ok(t.objects(OP))) == [o["id"] for o in reds]


def tlp2_definition(rng):
    mid, name, value = STIX_TLP[rng]
    return {"type": "marking-definition", "spec_version": "2.1", "id": mid,
            "created": "2022-10-01T00:00:00.000Z", "name": name,
            "extensions": {TLP2_EXT: {"extension_type": "property-extension",
                                      "tlp_2_0": value}}}


def test_marking_definitions_official_white_others_by_their_marking(mod):
    """The official TLP 2.0 definitions are built in: posted ones are a
    success that stores nothing (nobody can redefine them); any other
    marking definition is read as its own marking says: unmarked, Red."""
    t = mod
    official = [tlp2_definition(r) for r in ("red", "white", "amber")]
    st = ok(t.post_envelope(OP, official), 202)
    assert st["success_count"] == 3 and st["failure_count"] == 0, st
    assert all("built in" in x["message"] for x in st["successes"]), st
    for o in official:
        taxii_error(t.object(OP, o["id"]), 404)
    private = {"type": "marking-definition", "spec_version": "2.1",
               "id": f"marking-definition--{uuid.uuid4()}", "created": T0,
               "definition_type": "statement",
               "definition": {"statement": "internal to the demo bank"}}
    private_green = dict(private, id=f"marking-definition--{uuid.uuid4()}",
                         object_marking_refs=[TLP["green"]])
    t.add(OP, [private, private_green])
    for user in ("op-gas-0001", "op-banking-0002", "mod-desk"):
        for o in [private_green]:
            assert ok(t.object(user, o["id"]))["objects"] == [o], user
        taxii_error(t.object(user, private["id"]), 404)
        env = ok(t.objects(user, **{"match[type]": "marking-definition",
                                    "match[id]": private["id"]}))
        assert env.get("objects", []) == []
    assert ok(t.object(OP, private["id"]))["objects"] == [private]


def test_nobody_can_redefine_an_official_tlp_marking(fresh):
    """An organisation posts an object under the official TLP:RED id that
    says TLP:CLEAR, before anyone posted the real one: a reader resolving
    the marking of a Red object must never get the forgery (the hub
    refuses it, or keeps and serves only the official definition)."""
    t = fresh
    fake = tlp2_definition("red")
    fake["name"] = "TLP:CLEAR"
    fake["extensions"][TLP2_EXT]["tlp_2_0"] = "clear"
    r = t.post_envelope("op-gas-0001", [fake])
    assert r.status_code == 202, r.text
    t.add(OP, [indicator("red"), tlp2_definition("red")])
    for user in (OP, "nisc-analyst", "op-gas-0001", "op-water-0001"):
        r = t.object(user, TLP["red"])
        if r.status_code == 404:
            taxii_error(r, 404)
            continue
        for o in ok(r)["objects"]:
            assert o["name"] == "TLP:RED", (user, o)
            assert o["extensions"][TLP2_EXT]["tlp_2_0"] == "red", (user, o)


def test_one_object_over_1_mib_is_a_failure(mod):
    t = mod
    big = indicator(description="x" * (1024 * 1024 + 16))
    good = indicator()
    st = ok(t.post_envelope(OP, [big, good]), 202)
    check_status(st, 2, [good["id"]], [big["id"]])
    taxii_error(t.object(OP, big["id"]), 404)
    assert ids_of(ok(t.object(OP, good["id"]))) == [good["id"]]


def test_match_values_are_values_not_patterns(mod):
    """Wildcards and quotes in match[...] values match nothing (or are
    refused): never every object."""
    t = mod
    o = indicator()
    t.add(OP, [o])
    probes = [("match[type]", v) for v in (
        "indicator' OR '1'='1", "%", "*", "indic%", "_ndicator",
        "indicator%", "indicator\\", ".*")]
    probes += [("match[id]", v) for v in (
        "%", "*", "indicator--%", o["id"][:-1] + "%", o["id"][:-1] + "_",
        o["id"].upper(), f"{o['id']}' OR '1'='1", o["id"] + " ")]
    probes += [("match[spec_version]", "2.1' OR '1'='1"),
               ("match[spec_version]", "%")]
    for k, v in probes:
        for what in ("objects", "manifest"):
            r = getattr(t, what)(OP, **{k: v})
            if r.status_code == 400:
                taxii_error(r, 400)
                continue
            env = ok(r)
            assert env.get("objects", []) == [], (k, v, what, env)
            assert not more(env), (k, v)


def test_a_page_scans_a_bounded_number_of_hidden_objects(fresh):
    """20,005 objects a Green reader may not read between two it may: it
    pages to both, each once, whether the hub skips the hidden ones in
    its query or stops a page at its scan limit with `more`."""
    t = fresh
    g1, g2 = indicator("green"), indicator("green")
    t.add(OP, [g1])
    for k in range(2):
        t.add(OP, [ipv4("red", value=f"10.{k}.{i // 256}.{i % 256}")
                   for i in range(10000)])
    t.add(OP, [ipv4("amber") for _ in range(5)])
    t.add(OP, [g2])
    got, nxt, pages = [], None, 0
    while True:
        params = {"limit": 100}
        if nxt:
            params["next"] = nxt
        env = ok(t.objects("op-gas-0001", **params))
        pages += 1
        assert len(env.get("objects", [])) <= 100
        got += ids_of(env)
        if not more(env):
            assert "next" not in env
            break
        nxt = env["next"]
        assert pages < 10, pages
    assert got == [g1["id"], g2["id"]]
    items, _ = t.all_pages(OP, "manifest", limit=1000)
    assert len(items) == 20007
    assert items[0]["id"] == g1["id"] and items[-1]["id"] == g2["id"]


def test_the_range_follows_the_poster(mod):
    """A CEPTOAR secretariat's TLP:AMBER+STRICT object is read by its
    members; NISC's TLP:RED by NISC alone; an agency's TLP:AMBER by the
    organisations with an agreement."""
    t = mod
    sec_amber = indicator("amber", name="from the secretariat")
    t.add("ceptoar-banking-secretariat", [sec_amber])
    nisc_red = indicator("red", name="from NISC")
    t.add("nisc-analyst", [nisc_red])
    ipa_yellow = indicator("yellow", name="from IPA")
    t.add("ipa-desk", [ipa_yellow])
    cases = {
        sec_amber["id"]: {"ceptoar-banking-secretariat": True, OP: True,
                          "op-banking-0002": True, "nisc-analyst": True,
                          "op-gas-0001": False, "ipa-desk": False,
                          "ceptoar-gas-secretariat": False},
        nisc_red["id"]: {"nisc-analyst": True, OP: False, "fsa-desk": False,
                         "ipa-desk": False, "op-gas-0001": False},
        ipa_yellow["id"]: {"ipa-desk": True, "jpcert-desk": True,
                           "nisc-analyst": True, "op-gas-0001": False,
                           "mod-desk": False, OP: False},
    }
    for oid, readers in cases.items():
        for user, may in readers.items():
            r = t.object(user, oid)
            if may:
                assert ids_of(ok(r)) == [oid], (user, oid)
            else:
                taxii_error(r, 404)
                env = ok(t.manifest(user, **{"match[id]": oid}))
                assert env.get("objects", []) == [], (user, oid)


def test_yellow_follows_the_agreement_from_the_next_request(fresh):
    """An observer without an agreement reads no TLP:AMBER object; after
    its organisation signs the handling rules it does; after withdrawal, on
    the very next request, it does not, even with a `next` token it got
    while it could."""
    t = fresh
    pw = t.hub.dir / "mod-admin.pw"
    pw.write_text("mod-admin-password-1\n")
    t.hub.cli("user", "add", "mod-admin", "--org", "mod", "--roles",
              "reader,org_admin", "--password-file", pw)
    y1, g, y2 = indicator("yellow"), indicator("green"), indicator("yellow")
    t.add(OP, [y1, g, y2])
    reader = "mod-desk"
    assert ids_of(ok(t.objects(reader))) == [g["id"]]
    s = t.hub.api("POST", "/api/v1/orgs/mod/agreements",
                  token=t.tok("mod-admin"), json={"rules_version": "2026.1"})
    assert s.status_code == 201, s.text
    assert ids_of(ok(t.objects(reader))) == [y1["id"], g["id"], y2["id"]]
    p1 = ok(t.objects(reader, limit=1))
    assert ids_of(p1) == [y1["id"]] and p1["more"] is True
    w = t.hub.api("POST", f"/api/v1/orgs/mod/agreements/{s.json()['id']}"
                  "/withdraw", token=t.tok("mod-admin"))
    assert w.status_code == 200, w.text
    taxii_error(t.object(reader, y1["id"]), 404)
    rest = []
    nxt = p1["next"]
    while nxt:
        env = ok(t.objects(reader, limit=1, next=nxt))
        rest += ids_of(env)
        nxt = env.get("next") if more(env) else None
    assert rest == [g["id"]]
    assert ids_of(ok(t.objects(reader))) == [g["id"]]


def test_concurrent_posts_of_one_version_store_it_once(mod):
    import concurrent.futures
    t = mod
    o = indicator()
    for u in (OP, "op-banking-0002", "op-gas-0001"):
        t.tok(u)
    users = [OP, "op-banking-0002", "op-gas-0001"] * 4
    with concurrent.futures.ThreadPoolExecutor(12) as ex:
        sts = list(ex.map(lambda u: t.post_envelope(u, [o]), users))
    for r in sts:
        st = ok(r, 202)
        assert st["total_count"] == 1 and st["failure_count"] + \
            st["success_count"] == 1, st
    # once: whoever posted it first, the others may read that copy, so
    # theirs is "held already" (docs/taxii.md "Versions")
    man = ok(t.manifest("nisc-analyst", **{"match[id]": o["id"],
                                           "match[version]": "all"}))
    assert len(man["objects"]) == 1, man
    assert ok(t.object(OP, o["id"]))["objects"] == [o]
    db = hubdb.connect(t.hub.db, timeout=30)
    try:
        (n,) = db.execute("SELECT count(*) FROM taxii_objects WHERE "
                          "stix_id = ?", (o["id"],)).fetchone()
    finally:
        db.close()
    assert n == 1

# ---- 6. versions ----

def test_versions_within_one_microsecond_are_one(mod):
    """Versions are told apart to the microsecond, as stored
    (docs/taxii.md): a second modified time within the same microsecond
    is the version already held, a success that adds nothing."""
    t = mod
    oid = f"indicator--{uuid.uuid4()}"
    t.add(OP, [indicator(oid=oid, modified="2024-04-01T00:00:05.0000001Z",
                         name="first")])
    t.add(OP, [indicator(oid=oid, modified="2024-04-01T00:00:05.0000002Z",
                         name="second")])
    vs = ok(t.versions(OP, oid))
    assert len(vs["versions"]) == 1, vs
    got = ok(t.object(OP, oid))["objects"]
    assert [o["name"] for o in got] == ["first"], got
    # a microsecond later is a version of its own
    t.add(OP, [indicator(oid=oid, modified="2024-04-01T00:00:05.000001Z",
                         name="third")])
    assert len(ok(t.versions(OP, oid))["versions"]) == 2


def test_versions_of_one_object(mod):
    t = mod
    oid = f"indicator--{uuid.uuid4()}"
    v = [ts(1), ts(2), ts(3)]
    for i, m in enumerate(v):
        t.add(OP, [indicator(oid=oid, modified=m, name=f"version {i}")])
    # default: the last
    got = ok(t.object(OP, oid))["objects"]
    assert [(o["modified"], o["name"]) for o in got] == [(v[2], "version 2")]
    got = ok(t.objects(OP, **{"match[id]": oid}))["objects"]
    assert [o["modified"] for o in got] == [v[2]]
    for q, want in (("last", [v[2]]), ("first", [v[0]]), ("all", v),
                    (v[1], [v[1]]), (f"{v[0]},{v[2]}", [v[0], v[2]]),
                    ("first,last", [v[0], v[2]]),
                    ("2030-01-01T00:00:00.000Z", [])):
        r = t.object(OP, oid, **{"match[version]": q})
        if not want and r.status_code == 404:
            taxii_error(r, 404)   # no such version of it: either answer
        else:
            got = ok(r)
            assert [o["modified"] for o in got.get("objects", [])] == \
                want, q
        got = ok(t.objects(OP, **{"match[id]": oid, "match[version]": q}))
        assert [o["modified"] for o in got.get("objects", [])] == want, q
        man = ok(t.manifest(OP, **{"match[id]": oid, "match[version]": q}))
        assert instants(x["version"] for x in man.get("objects", [])) == \
            instants(want), q
    vs = ok(t.versions(OP, oid))
    assert instants(vs["versions"]) == instants(v) and not more(vs)
    # pages of versions
    p1 = ok(t.versions(OP, oid, limit=2))
    assert instants(p1["versions"]) == instants(v[:2]) and p1["more"] is True
    p2 = ok(t.versions(OP, oid, limit=2, next=p1["next"]))
    assert instants(p2["versions"]) == instants(v[2:]) and not more(p2)


def test_a_new_object_several_times_in_one_envelope(mod):
    """An id the collection does not hold, three versions of it in one
    envelope, out of order, and one of them twice: each version stored
    once, the repeat "held already", first and last by `modified`
    (docs/taxii.md: objects whose id the envelope repeats are looked up one
    by one, so a later one sees an earlier one)."""
    t = mod
    oid = f"indicator--{uuid.uuid4()}"
    v = [ts(11), ts(12), ts(13)]
    objs = [indicator(oid=oid, modified=v[1], name="b"),
            indicator(oid=oid, modified=v[0], name="a"),
            indicator(oid=oid, modified=v[2], name="c"),
            indicator(oid=oid, modified=v[1], name="b again"),
            indicator(name="another, new and alone")]
    st = ok(t.post_envelope(OP, objs), 202)
    assert st["success_count"] == 5 and st["failure_count"] == 0, st
    msgs = [x.get("message") for x in st["successes"]]
    assert msgs.count("this version is held already") == 1, st
    assert "message" not in st["successes"][4], st
    for q, want in (("last", [(v[2], "c")]), ("first", [(v[0], "a")]),
                    ("all", [(v[0], "a"), (v[1], "b"), (v[2], "c")])):
        got = ok(t.object(OP, oid, **{"match[version]": q}))["objects"]
        assert sorted((o["modified"], o["name"]) for o in got) == want, q
    # listed in the order of adding (one instant, then as sent)
    assert instants(ok(t.versions(OP, oid))["versions"]) == \
        instants([v[1], v[0], v[2]])
    got = ok(t.objects(OP, **{"match[id]": oid}))["objects"]
    assert [o["name"] for o in got] == ["c"]


def test_last_is_the_latest_modified_not_the_latest_added(mod):
    t = mod
    oid = f"malware--{uuid.uuid4()}"
    t.add(OP, [malware(id=oid, modified=ts(30), name="newest")])
    t.add(OP, [malware(id=oid, modified=ts(10), name="oldest")])
    t.add(OP, [malware(id=oid, modified=ts(20), name="middle")])
    assert [o["name"] for o in ok(t.object(OP, oid))["objects"]] == ["newest"]
    first = ok(t.object(OP, oid, **{"match[version]": "first"}))["objects"]
    assert [o["name"] for o in first] == ["oldest"]
    assert sorted(instants(ok(t.versions(OP, oid))["versions"])) == \
        instants([ts(10), ts(20), ts(30)])


def test_versions_keep_the_range_of_each_version(mod):
    """A later version marked TLP:RED is not shown to a Green reader, who
    reads the earlier Green version as the last it may read (or nothing);
    it never sees the Red one."""
    t = mod
    oid = f"indicator--{uuid.uuid4()}"
    t.add(OP, [indicator("green", oid=oid, modified=ts(1), name="green v")])
    t.add(OP, [indicator("red", oid=oid, modified=ts(2), name="red v")])
    for user in ("op-gas-0001", "op-banking-0002"):
        for r in (t.object(user, oid, **{"match[version]": "all"}),
                  t.objects(user, **{"match[id]": oid,
                                     "match[version]": "all"}),
                  t.versions(user, oid),
                  t.manifest(user, **{"match[id]": oid,
                                      "match[version]": "all"})):
            assert "red v" not in r.text and "T00:00:02" not in r.text, \
                (user, r.status_code, r.text)
    assert len(ok(t.versions(OP, oid))["versions"]) == 2


# ---- 7. filters ----

def test_added_after(mod):
    t = mod
    a = [indicator(), indicator()]
    t.add(OP, a)
    q = {"match[id]": a[0]["id"]}
    r = t.manifest(OP, **q)
    ok(r)
    when = r.headers["X-TAXII-Date-Added-Last"]
    # the same instant, written otherwise, for the same query
    b = [indicator(), malware()]
    wait_for(lambda: datetime.now(timezone.utc) > parse_ts(when),
             what="the clock to pass the first envelope")
    t.add(OP, b)
    every = ",".join(o["id"] for o in a + b)
    for what in ("objects", "manifest"):
        env = ok(getattr(t, what)(OP, **{"match[id]": every,
                                         "added_after": when}))
        assert [x["id"] for x in env["objects"]] == [o["id"] for o in b]
        env = ok(getattr(t, what)(OP, **{"match[id]": every,
                                         "added_after": "2000-01-01T00:00:00Z"}))
        assert [x["id"] for x in env["objects"]] == \
            [o["id"] for o in a + b]
    future = rfc3339(datetime.now(timezone.utc) + timedelta(days=1))
    for bad in (future, "2999-01-01T00:00:00Z", "yesterday", "2024-01-01",
                "2024-13-01T00:00:00Z", "2024-01-01T00:00:00", "",
                "1700000000"):
        for what in ("objects", "manifest"):
            e = taxii_error(getattr(t, what)(OP, added_after=bad), 400)
            assert e.get("http_status") == "400"


def test_match_type_id_and_spec_version(mod):
    t = mod
    objs = [indicator(), malware(), ipv4(), indicator()]
    t.add(OP, objs)
    ids = [o["id"] for o in objs]
    every = ",".join(ids)
    env = ok(t.objects(OP, **{"match[id]": every, "match[type]": "malware"}))
    assert ids_of(env) == [ids[1]]
    env = ok(t.objects(OP, **{"match[id]": every,
                              "match[type]": "indicator,ipv4-addr"}))
    assert ids_of(env) == [ids[0], ids[2], ids[3]]
    env = ok(t.objects(OP, **{"match[id]": f"{ids[3]},{ids[1]}"}))
    assert ids_of(env) == [ids[1], ids[3]]          # in the order added
    env = ok(t.objects(OP, **{"match[id]": every,
                              "match[type]": "attack-pattern"}))
    assert env.get("objects", []) == [] and not more(env)
    for sv, want in (("2.1", ids), ("2.0", []), ("2.0,2.1", ids)):
        for what in ("objects", "manifest"):
            env = ok(getattr(t, what)(OP, **{"match[id]": every,
                                             "match[spec_version]": sv}))
            assert [x["id"] for x in env.get("objects", [])] == want, sv
    # written with literal brackets, as some clients send them
    r = t.get(f"{API_ROOT}collections/shared/objects/?match[id]={every}"
              f"&match[type]=malware", OP)
    assert ids_of(ok(r)) == [ids[1]]


def test_bad_filters_are_400(mod):
    t = mod
    bad = [{"match[foo]": "x"}, {"match[created]": T0},
           {"match[version]": "newest"}, {"match[version]": "2024-99-01"},
           {"limit": "0"}, {"limit": "000"}, {"limit": "x"},
           {"limit": "-1"}, {"limit": "1.5"}, {"limit": ""},
           {"limit": "+5"}, {"limit": " 5"},
           {"match[id]": ",".join(f"indicator--{uuid.uuid4()}"
                                  for _ in range(101))},
           {"next": "not-a-token"}]
    for q in bad:
        for what in ("objects", "manifest"):
            taxii_error(getattr(t, what)(OP, **q), 400)
    o = indicator()
    t.add(OP, [o])
    # one object's endpoints take no match[id] or match[type] (TAXII 2.1
    # 5.6, 5.7: the object is named in the path; they were ignored)
    for q in ({"limit": "0"}, {"match[foo]": "x"}, {"limit": "x"},
              {"match[id]": o["id"]}, {"match[type]": "indicator"}):
        taxii_error(t.object(OP, o["id"], **q), 400)
        taxii_error(t.versions(OP, o["id"], **q), 400)
    # the edges that are allowed: a limit above the page size (1000) is
    # the page size (TAXII 2.1: the server returns at most its own, and
    # the client pages on), however large
    for q in ({"limit": "1"}, {"limit": "1000"}, {"limit": "1001"},
              {"limit": "0007"}, {"limit": "99999999999999999999"},
              {"match[id]": ",".join([o["id"]] + [
                  f"indicator--{uuid.uuid4()}" for _ in range(99)])}):
        ok(t.objects(OP, **q))


# ---- 8. pagination ----

def check_headers(r, env_objects_count):
    first = r.headers.get("X-TAXII-Date-Added-First")
    last = r.headers.get("X-TAXII-Date-Added-Last")
    if env_objects_count == 0:
        return None, None
    assert first and last, dict(r.headers)
    assert RFC3339_US.match(first), first
    assert RFC3339_US.match(last), last
    assert parse_ts(first) <= parse_ts(last)
    return first, last


def test_10000_objects_of_one_instant_page_exactly_once(fresh):
    """The headline: an envelope of 10,000 objects (one date_added), paged
    by 29 (a prime: no page ends at a round count; 345 pages, where 7 made
    1,429 and a tenth of this file's time) following `next`: each exactly once, in order; objects added while
    paging come after them; `more` false only on the last page; the date
    headers present and consistent."""
    t = fresh
    n, PAGE = 10000, 29
    objs = [ipv4("green", value=f"10.{i // 65536}.{i // 256 % 256}."
                 f"{i % 256}") for i in range(n)]
    t0 = time.monotonic()
    st = ok(t.post_envelope(OP, objs), 202)
    assert st["success_count"] == n and st["failure_count"] == 0, \
        {k: v for k, v in st.items() if k not in ("successes",)}
    post_s = time.monotonic() - t0
    posted = [o["id"] for o in objs]
    late = [indicator("green") for _ in range(5)]

    reader = "op-gas-0001"          # a Green reader, not the poster
    got, nxt, pages, instants = [], None, 0, set()
    prev_last = None
    while True:
        params = {"limit": PAGE}
        if nxt:
            params["next"] = nxt
        r = t.objects(reader, **params)
        env = ok(r)
        pages += 1
        page = ids_of(env)
        assert 1 <= len(page) <= PAGE, (pages, env)
        got += page
        first, last = check_headers(r, len(page))
        if prev_last:
            assert parse_ts(prev_last) <= parse_ts(first), (prev_last, first)
        prev_last = last
        if len(got) <= n:
            instants.update((first, last))
        if pages == 100:
            t.add(OP, late)          # while paging
        if not more(env):
            assert "next" not in env
            break
        assert len(page) == PAGE, (pages, len(page))
        nxt = env["next"]
    assert got == posted + [o["id"] for o in late], (len(got), len(set(got)))
    assert pages == -(-len(got) // PAGE)
    # the 10,000 share one instant (one envelope): one header value
    assert len({parse_ts(x) for x in instants}) == 1, instants
    # the manifest by 1000: the same order and the same instant, the
    # headers those of each page's first and last object
    items, nxt, mpages = [], None, 0
    while True:
        params = {"limit": 1000}
        if nxt:
            params["next"] = nxt
        r = t.manifest(reader, **params)
        env = ok(r)
        mpages += 1
        page = env["objects"]
        first, last = check_headers(r, len(page))
        assert parse_ts(first) == parse_ts(page[0]["date_added"])
        assert parse_ts(last) == parse_ts(page[-1]["date_added"])
        items += page
        if not more(env):
            break
        nxt = env["next"]
    assert [x["id"] for x in items] == got
    assert mpages == 11
    assert {x["date_added"] for x in items[:n]} and \
        len({parse_ts(x["date_added"]) for x in items[:n]}) == 1
    assert parse_ts(items[n]["date_added"]) >= parse_ts(items[n - 1][
        "date_added"])
    assert {parse_ts(x["date_added"]) for x in items[:n]} == \
        {parse_ts(x) for x in instants}
    print(f"posted 10,000 in {post_s:.2f} s, {pages} pages in "
          f"{time.monotonic() - t0:.2f} s")


def test_a_last_full_page_says_no_more(mod):
    t = mod
    objs = [indicator() for _ in range(14)]
    t.add(OP, objs)
    items, pages = t.all_pages(OP, limit=7, **{
        "match[id]": ",".join(o["id"] for o in objs)})
    assert [o["id"] for o in items] == [o["id"] for o in objs]
    assert len(pages) == 2 and more(pages[0]) and not more(pages[1])


def test_next_tokens_are_bound_to_their_query(fresh):
    t = fresh
    objs = [indicator("green") for _ in range(6)] + \
        [malware("green") for _ in range(6)]
    t.add(OP, objs)
    page = ok(t.objects(OP, limit=2, **{"match[type]": "indicator"}))
    nxt = page["next"]
    assert page["more"] is True
    # the same query goes on
    p2 = ok(t.objects(OP, limit=2, next=nxt, **{"match[type]": "indicator"}))
    assert ids_of(p2) == [o["id"] for o in objs[2:4]]
    # another user of the same organisation may go on too (bound to the
    # organisation)
    pw = t.hub.dir / "second.pw"
    pw.write_text("second-user-password-1\n")
    t.hub.cli("user", "add", "banking-second", "--org", OP, "--roles",
              "reader", "--password-file", pw)
    p2b = ok(t.objects("banking-second", limit=2, next=nxt,
                       **{"match[type]": "indicator"}))
    assert ids_of(p2b) == ids_of(p2)
    mnext = ok(t.manifest(OP, limit=2))["next"]
    tampered = nxt[:-1] + ("A" if nxt[-1] != "A" else "B")
    mid = nxt[:len(nxt) // 2] + ("x" if nxt[len(nxt) // 2] != "x" else "y") \
        + nxt[len(nxt) // 2 + 1:]
    refusals = [
        ("other filters", OP, "shared",
         {"match[type]": "malware", "next": nxt}),
        ("no filters", OP, "shared", {"next": nxt}),
        ("added_after", OP, "shared",
         {"match[type]": "indicator", "next": nxt,
          "added_after": "2020-01-01T00:00:00Z"}),
        ("match[version]", OP, "shared",
         {"match[type]": "indicator", "next": nxt,
          "match[version]": "all"}),
        ("the other collection", OP, "advisories",
         {"match[type]": "indicator", "next": nxt}),
        ("another organisation, same CEPTOAR", "op-banking-0002", "shared",
         {"match[type]": "indicator", "next": nxt}),
        ("NISC", "nisc-analyst", "shared",
         {"match[type]": "indicator", "next": nxt}),
        ("another organisation", "op-gas-0001", "shared",
         {"match[type]": "indicator", "next": nxt}),
        ("tampered end", OP, "shared",
         {"match[type]": "indicator", "next": tampered}),
        ("tampered middle", OP, "shared",
         {"match[type]": "indicator", "next": mid}),
        ("truncated", OP, "shared",
         {"match[type]": "indicator", "next": nxt[:-4]}),
        ("extended", OP, "shared",
         {"match[type]": "indicator", "next": nxt + "AAAA"}),
        ("forged", OP, "shared",
         {"match[type]": "indicator",
          "next": base64.urlsafe_b64encode(b"12345").decode()}),
        ("empty", OP, "shared", {"match[type]": "indicator", "next": ""}),
        ("a manifest token of other filters", OP, "shared",
         {"match[type]": "indicator", "next": mnext}),
    ]
    for what, user, coll, q in refusals:
        r = t.objects(user, coll, limit=2, **q)
        e = taxii_error(r, 400)
        assert e["title"], what
    # the manifest refuses a token of other filters too
    taxii_error(t.manifest(OP, limit=2, next=nxt), 400)
    # and the refusals changed nothing: the token still goes on
    p2c = ok(t.objects(OP, limit=2, next=nxt, **{"match[type]": "indicator"}))
    assert ids_of(p2c) == ids_of(p2)


def test_tokens_never_skip_objects_added_at_the_same_time(fresh):
    """Two envelopes posted at once by two organisations while a client
    pages: every object is returned once."""
    import concurrent.futures
    t = fresh
    first = [indicator("green") for _ in range(30)]
    t.add(OP, first)
    seen = []
    p = ok(t.objects(OP, limit=4))
    seen += ids_of(p)
    a = [indicator("green") for _ in range(40)]
    b = [indicator("green") for _ in range(40)]
    t.tok("op-gas-0001")
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        fa = ex.submit(Taxii.add, t, OP, a)
        fb = ex.submit(Taxii.add, t, "op-gas-0001", b)
        nxt = p["next"]
        while True:
            p = ok(t.objects(OP, limit=4, next=nxt))
            seen += ids_of(p)
            if not more(p):
                break
            nxt = p["next"]
        fa.result()
        fb.result()
    # what was added after the last page: go on from a fresh query, by
    # added_after of the last seen
    rest, _ = t.all_pages(OP, limit=50)
    all_ids = [o["id"] for o in rest]
    assert len(all_ids) == len(set(all_ids)) == 110
    assert seen == all_ids[:len(seen)], "pages skipped or repeated objects"
    assert all_ids[:30] == [o["id"] for o in first]
    assert [i for i in all_ids if i in {o["id"] for o in a}] == \
        [o["id"] for o in a]


# ---- 9. the advisories collection ----

def issue_advisory(t, rng, **over):
    body = {"kind": "warning", "range": rng, "severity": 2,
            "title_ja": f"ガス分野への注意喚起（{rng}）",
            "title_en": f"Warning to the gas sector ({rng})",
            "body_ja": "不審な通信を確認してください。",
            "body_en": "Check for suspicious traffic.",
            "audience": {"scopes": ["gas"]}}
    body.update(over)
    r = t.hub.api("POST", "/api/v1/advisories", token=t.tok("nisc-analyst"),
                  json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def advisory_reports(t, user):
    """The advisory ids of the reports the user reads in `advisories`."""
    items, _ = t.all_pages(user, coll="advisories", limit=1000)
    out = {}
    for o in items:
        if o["type"] == "report":
            for ref in o.get("external_references", []):
                if ref.get("source_name") == "infrashare":
                    out[ref["external_id"]] = o
    return out, items


def test_advisories_collection_follows_each_advisorys_range(fresh):
    t = fresh
    advs = {"amber": issue_advisory(t, "amber"),
            "green": issue_advisory(t, "green"),
            "white": issue_advisory(t, "white"),
            "red": issue_advisory(t, "red",
                                  audience={"orgs": ["op-gas-0001"]})}
    readers = ["nisc-analyst", "op-gas-0001", "op-water-0001", "meti-desk",
               "ceptoar-gas-secretariat", "ipa-desk", "op-banking-0001"]

    def oracle(user):
        """What the REST API lets the user read (GET /api/v1/advisories/
        {id}, the same range decision)."""
        return {a for a in advs.values()
                if t.hub.api("GET", f"/api/v1/advisories/{a}",
                             token=t.tok(user)).status_code == 200}

    # the worker materialises them: wait until the collection agrees with
    # the API for every reader
    def agree():
        for user in readers:
            got, _ = advisory_reports(t, user)
            if set(got) != oracle(user):
                return False
        return True
    wait_for(lambda: set(advisory_reports(t, "nisc-analyst")[0]) ==
             set(advs.values()), timeout=30, what="advisories in TAXII")
    wait_for(agree, timeout=30, what="the collection to follow the ranges")
    # the oracle itself says what the ranges say
    assert oracle("nisc-analyst") == set(advs.values())
    water = oracle("op-water-0001")
    assert advs["amber"] not in water and advs["red"] not in water
    assert advs["green"] in water and advs["white"] in water

    ns = namespace(t.hub)
    for user in readers:
        got, items = advisory_reports(t, user)
        # valid STIX 2.1, every reference resolved among what the user
        # reads, one version of each
        bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}",
                  "objects": items}
        objs = valid(bundle)
        for aid, rep in got.items():
            assert rep["id"] == \
                f"report--{uuid.uuid5(ns, 'report:advisory:' + aid)}"
            rng = next(k for k, v in advs.items() if v == aid)
            assert rep["object_marking_refs"] == [TLP[rng]], (user, rep)
            assert rep["created_by_ref"] in objs
        # the report of an advisory the user may not read: 404 everywhere
        for rng, aid in advs.items():
            if aid in got:
                continue
            rid = f"report--{uuid.uuid5(ns, 'report:advisory:' + aid)}"
            taxii_error(t.object(user, rid, coll="advisories"), 404)
            taxii_error(t.versions(user, rid, coll="advisories"), 404)
            env = ok(t.manifest(user, "advisories", **{"match[id]": rid}))
            assert env.get("objects", []) == []
    # the same as the STIX export of the advisory, for its report
    aid = advs["green"]
    exp = t.hub.api("GET", f"/api/v1/advisories/{aid}/stix",
                    token=t.tok("op-water-0001")).json()
    rid = f"report--{uuid.uuid5(ns, 'report:advisory:' + aid)}"
    mine = ok(t.object("op-water-0001", rid, coll="advisories"))["objects"]
    assert mine == [o for o in exp["objects"] if o["id"] == rid]
    # no reader gets an object marked for a range it does not stand in:
    # every object it reads carries the marking of an advisory it may read
    # (the author's identity and its language content are in every
    # advisory's bundle, each time with that advisory's marking)
    wider = []
    for user in readers:
        got, items = advisory_reports(t, user)
        allowed = {TLP[k] for k, v in advs.items() if v in got}
        for o in items:
            if o["type"] != "marking-definition" and \
                    not set(o["object_marking_refs"]) <= allowed:
                wider.append((user, o["type"], o["id"],
                              o["object_marking_refs"]))
    assert not wider, wider


def relay_until_readable(t, aid, reader):
    """Relays the advisory's waiting hops, one at a time, until the reader
    may read it over the API."""
    for _ in range(6):
        if t.hub.api("GET", f"/api/v1/advisories/{aid}",
                     token=t.tok(reader)).status_code == 200:
            return
        view = t.hub.api("GET", f"/api/v1/advisories/{aid}",
                         token=t.tok("nisc-analyst")).json()
        hop = next(h["org"] for h in view["chain"]
                   if h["state"] == "waiting")
        user = "meti-desk" if hop == "meti" else f"{hop}-secretariat"
        r = t.hub.api("POST", f"/api/v1/advisories/{aid}/relay",
                      token=t.tok(user), json={})
        assert r.status_code == 200, r.text
    raise AssertionError("the relays never reached " + reader)


def test_a_relayed_advisory_reaches_a_poller_past_its_watermark(fresh):
    """Found by an outside review: an Amber advisory reaches a member only
    when its hops relay it, but its objects kept the date_added of its
    issue, before the date the member's poller (added_after, and a peer
    hub's pull) had reached: it never got it. A relay now adds the
    objects again at a new date_added."""
    t = fresh
    gas = "op-gas-0001"
    amber = issue_advisory(t, "amber")
    wait_for(lambda: amber in advisory_reports(t, "nisc-analyst")[0],
             timeout=30, what="the Amber advisory in TAXII")
    ns = namespace(t.hub)
    rid = f"report--{uuid.uuid5(ns, 'report:advisory:' + amber)}"
    white = issue_advisory(t, "white")
    wait_for(lambda: white in advisory_reports(t, gas)[0], timeout=30,
             what="the White advisory in TAXII")
    r = t.manifest(gas, "advisories")
    mark = r.headers["X-TAXII-Date-Added-Last"]
    assert rid not in [o["id"] for o in ok(r)["objects"]]
    relay_until_readable(t, amber, gas)

    def caught_up():
        """The worker has added the objects again after every relay so
        far (a pass between two relays adds them once per pass: the
        reader may already read the first re-add, and the second comes
        after it; found when a faster sanitizer build ran the worker
        between the relays)."""
        con = hubdb.connect(t.hub.db, timeout=30, readonly=True)
        try:
            have, relayed = con.execute(
                "SELECT a.taxii_hops, (SELECT count(*) FROM advisory_hops h "
                "WHERE h.advisory_id = a.id AND h.step > 0 AND "
                "h.state = 'relayed') FROM advisories a WHERE a.id = ?",
                (amber,)).fetchone()
        finally:
            con.close()
        return relayed > 0 and have == relayed
    wait_for(caught_up, timeout=30, what="the worker past every relay")

    def polled():
        env = ok(t.manifest(gas, "advisories", added_after=mark))
        return [o["id"] for o in env.get("objects", [])]
    wait_for(lambda: rid in polled(), timeout=30,
             what="the relayed advisory past the poller's watermark")
    got = ok(t.objects(gas, "advisories", added_after=mark))["objects"]
    assert rid in [o["id"] for o in got]
    # once: a later pass adds it no more
    r = t.manifest(gas, "advisories", added_after=mark)
    ok(r)
    mark2 = r.headers["X-TAXII-Date-Added-Last"]
    issue_advisory(t, "white", title_en="a later one")
    wait_for(lambda: ok(t.manifest(gas, "advisories", added_after=mark2))
             .get("objects"), timeout=30, what="the later advisory")
    later = [o["id"] for o in ok(t.manifest(gas, "advisories",
                                            added_after=mark2))["objects"]]
    assert rid not in later, later


def test_a_hidden_red_advisory_shows_no_identity(fresh):
    """Found by an outside review: the author's identity came into the
    collection with its first advisory, read by everyone (TLP:CLEAR), so
    an organisation outside a Red advisory saw the banking CEPTOAR's
    identity appear at the advisory's instant, and its
    X-TAXII-Date-Added-Last move: that it issued one, and when. The
    national bodies' identities are in the collection before any
    advisory."""
    t = fresh
    gas = "op-gas-0001"

    def seeded():
        """The banking CEPTOAR's identity, before any advisory."""
        con = hubdb.connect(t.hub.db, timeout=30)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = "
                              "'stix_namespace'").fetchone()
        finally:
            con.close()
        if not row:
            return False
        ns = uuid.UUID(row[0])
        csec = f"identity--{uuid.uuid5(ns, 'identity:org:ceptoar-banking')}"
        return t.object(gas, csec, coll="advisories").status_code == 200
    wait_for(seeded, timeout=30, what="the identities seeded")
    before = t.manifest(gas, "advisories")
    ok(before)
    r = t.hub.api("POST", "/api/v1/advisories",
                  token=t.tok("ceptoar-banking-secretariat"),
                  json={"kind": "warning", "range": "red", "severity": 3,
                        "title_ja": "赤の注意喚起", "title_en": "A Red one",
                        "body_ja": "本文", "body_en": "Body",
                        "audience": {"orgs": ["op-banking-0002"]}})
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    wait_for(lambda: aid in advisory_reports(t, "op-banking-0002")[0],
             timeout=30, what="the Red advisory in TAXII")
    after = t.manifest(gas, "advisories")
    assert ok(after) == before.json()
    assert after.headers["X-TAXII-Date-Added-Last"] == \
        before.headers["X-TAXII-Date-Added-Last"]


def test_a_narrowed_advisory_narrows_in_the_collection(fresh):
    """A hop that relays a Green advisory as Amber narrows it everywhere
    (docs/rules.md): the Green reader that read it in the collection no
    longer does, and its readers get it marked as the export marks it."""
    t = fresh
    aid = issue_advisory(t, "green")
    water = "op-water-0001"
    wait_for(lambda: aid in advisory_reports(t, water)[0], timeout=30,
             what="the Green advisory in TAXII")
    view = t.hub.api("GET", f"/api/v1/advisories/{aid}",
                     token=t.tok("nisc-analyst")).json()
    hop = next(h["org"] for h in view["chain"] if h["state"] == "waiting")
    user = "meti-desk" if hop == "meti" else f"{hop}-secretariat"
    r = t.hub.api("POST", f"/api/v1/advisories/{aid}/relay",
                  token=t.tok(user), json={"range": "amber"})
    assert r.status_code == 200, r.text
    assert t.hub.api("GET", f"/api/v1/advisories/{aid}",
                     token=t.tok(water)).status_code == 404
    ns = namespace(t.hub)
    rid = f"report--{uuid.uuid5(ns, 'report:advisory:' + aid)}"
    # from the next request on, as the API
    taxii_error(t.object(water, rid, coll="advisories"), 404)
    assert aid not in advisory_reports(t, water)[0]
    exp = t.hub.api("GET", f"/api/v1/advisories/{aid}/stix",
                    token=t.tok("nisc-analyst")).json()
    rep = [o for o in exp["objects"] if o["id"] == rid][0]
    assert rep["object_marking_refs"] == [TLP["amber"]]
    # a new version (modified: when it was narrowed), which replaces the
    # Green one in the collection at the worker's next pass
    assert rep["modified"] > rep["created"]
    wait_for(lambda: [o["object_marking_refs"] for o in ok(t.object(
        "nisc-analyst", rid, coll="advisories"))["objects"]]
        == [[TLP["amber"]]], timeout=30, what="the narrowed version")
    got = ok(t.object("nisc-analyst", rid, coll="advisories",
                      **{"match[version]": "all"}))["objects"]
    assert [o["modified"] for o in got] == [rep["modified"]], got
