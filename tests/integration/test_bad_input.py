"""Bad input: every refusal is a 4xx with the JSON error object naming the
field, and nothing changes. Also bad data and bad databases at start-up."""
import hashlib
import json
import os
import re
import subprocess

import pytest
import requests

import hubdb
from conftest import BUILD, DATA, TEST_PG, Hub, assert_error

COOKIE = "infrashare_session"


def audit_entries(hub, session):
    out, after = [], 0
    while True:
        r = hub.api("GET", "/api/v1/audit", session=session,
                    params={"after": after, "limit": 1000})
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        out.extend(items)
        if r.json()["next_after"] is None:
            return out
        after = r.json()["next_after"]


def token_list(hub, session):
    r = hub.api("GET", "/api/v1/tokens", session=session)
    assert r.status_code == 200, r.text
    return r.json()["items"]


class State:
    """Snapshot of what a refused request must not change."""

    def __init__(self, hub, admin):
        self.hub, self.admin = hub, admin
        self.before = self.take()

    def take(self):
        return (len(audit_entries(self.hub, self.admin)),
                token_list(self.hub, self.admin))

    def unchanged(self):
        assert self.take() == self.before


@pytest.fixture
def admin(hub):
    return hub.login("admin")


@pytest.fixture
def state(hub, admin):
    return State(hub, admin)


def raw_post(hub, path, data, session=None, headers=None, **kw):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    if session is not None:
        return session.post(hub.url + path, data=data, headers=h, timeout=30, **kw)
    return requests.post(hub.url + path, data=data, headers=h, timeout=30, **kw)


# ---- body syntax and validation ----

@pytest.mark.parametrize("body", [b'{"name": "x"', b"{name: 'x'}", b"not json",
                                  b'{"name": "x"} trailing',
                                  b'{"name": "a", "name": "b"}',
                                  b"\xff\xfe{}"])
def test_malformed_json(hub, admin, state, body):
    r = raw_post(hub, "/api/v1/tokens", body, session=admin)
    assert_error(r, 400, "malformed_json", "body")
    state.unchanged()


def test_malformed_json_at_login_records_nothing(hub, admin, state):
    r = raw_post(hub, "/api/v1/session", b'{"username": "admin", "password": ')
    assert_error(r, 400, "malformed_json", "body")
    assert "Set-Cookie" not in r.headers
    state.unchanged()


@pytest.mark.parametrize("body,field", [
    ({"username": 5, "password": "admin-password-for-tests"}, "username"),
    ({"username": "admin", "password": ["x"]}, "password"),
    ({"username": None, "password": "admin-password-for-tests"}, "username"),
    ({"username": True, "password": {"a": 1}}, "username"),
])
def test_wrong_types_at_login(hub, admin, state, body, field):
    r = requests.post(hub.url + "/api/v1/session", json=body, timeout=30)
    code = "missing_field" if body[field] is None else "invalid_type"
    assert_error(r, 400, code, field)
    assert "Set-Cookie" not in r.headers
    state.unchanged()


@pytest.mark.parametrize("body,code,field", [
    ({"name": 5}, "invalid_type", "name"),
    ({"name": "x", "expires_in_days": "7"}, "invalid_type", "expires_in_days"),
    ({"name": "x", "expires_in_days": 7.5}, "invalid_type", "expires_in_days"),
    ({"name": "x", "expires_in_days": True}, "invalid_type", "expires_in_days"),
    ({}, "missing_field", "name"),
    ({"name": "x", "colour": "red"}, "unknown_field", "colour"),
    ({"name": "x", "Name": "y"}, "unknown_field", "Name"),
    ({"name": "x" * 101}, "too_long", "name"),
    ({"name": "日" * 101}, "too_long", "name"),
    ({"name": "a\u0007b"}, "invalid_text", "name"),
    ({"name": "x", "expires_in_days": 0}, "out_of_range", "expires_in_days"),
    ({"name": "x", "expires_in_days": 99999}, "out_of_range", "expires_in_days"),
    ({"name": "x", "expires_in_days": -1}, "out_of_range", "expires_in_days"),
    ({"name": "x", "username": 7}, "invalid_type", "username"),
])
def test_token_body_validation(hub, admin, state, body, code, field):
    r = admin.post(hub.url + "/api/v1/tokens", json=body, timeout=30)
    err = assert_error(r, 400, code, field)
    assert field in err["message"]
    state.unchanged()


def test_token_name_limits_count_characters_not_bytes(hub, admin):
    # 100 Japanese characters are 300 bytes and still allowed
    r = admin.post(hub.url + "/api/v1/tokens", json={"name": "日" * 100},
                   timeout=30)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "日" * 100
    for days in (1, 3650):
        r = admin.post(hub.url + "/api/v1/tokens",
                       json={"name": "x", "expires_in_days": days}, timeout=30)
        assert r.status_code == 201, r.text


def test_non_object_bodies(hub, admin, state):
    r = raw_post(hub, "/api/v1/session", b"[]")
    assert_error(r, 400, "invalid_type", "body")
    # a JSON scalar at the top level: refused as not an object (or as not
    # JSON text, which jansson's strict mode calls it)
    for scalar in (b'"name"', b"42", b"null", b"true"):
        r = raw_post(hub, "/api/v1/tokens", scalar, session=admin)
        err = assert_error(r, 400, field="body")
        assert err["code"] in ("invalid_type", "malformed_json"), err
    state.unchanged()


def test_body_on_a_route_without_one(hub, admin, state):
    r = requests.get(hub.url + "/api/v1/sectors", data=b'{"a": 1}', timeout=30)
    assert_error(r, 400, "unexpected_body", "body")
    r = admin.delete(hub.url + "/api/v1/session", data=b"{}", timeout=30)
    assert_error(r, 400, "unexpected_body", "body")
    # still signed in
    assert admin.get(hub.url + "/api/v1/session", timeout=30).status_code == 200
    state.unchanged()


def test_lang_enum(hub, admin, state):
    r = admin.post(hub.url + "/api/v1/session/lang", json={"lang": "fr"},
                   timeout=30)
    assert_error(r, 400, "invalid_value", "lang")
    r = admin.post(hub.url + "/api/v1/session/lang", json={"lang": "english"},
                   timeout=30)
    assert_error(r, 400, "too_long", "lang")
    assert admin.get(hub.url + "/api/v1/session", timeout=30).json()["user"]["lang"] == "ja"
    state.unchanged()


# ---- body size ----

def test_two_mib_token_body_is_413(hub, admin, state):
    body = b'{"name": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    r = raw_post(hub, "/api/v1/tokens", body, session=admin)
    assert_error(r, 413, "body_too_large", "body")
    state.unchanged()


def test_chunked_login_body_over_cap_is_413(hub, admin, state):
    def chunks():
        yield b'{"username": "admin", "password": "'
        for _ in range(12):
            yield b"x" * 1024          # 12 KiB, over the 8 KiB log-in cap
        yield b'"}'
    r = requests.post(hub.url + "/api/v1/session", data=chunks(),
                      headers={"Content-Type": "application/json"}, timeout=30)
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in r.request.headers
    assert_error(r, 413, "body_too_large", "body")
    assert "Set-Cookie" not in r.headers
    state.unchanged()


def test_chunked_body_under_cap_is_accepted(hub):
    def chunks():
        yield b'{"username": "admin", '
        yield b'"password": "admin-password-for-tests"}'
    r = requests.post(hub.url + "/api/v1/session", data=chunks(),
                      headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 201, r.text


def test_body_just_over_the_token_cap(hub, admin, state):
    body = json.dumps({"name": "x" * 8200}).encode()
    assert len(body) > 8192
    r = raw_post(hub, "/api/v1/tokens", body, session=admin)
    assert_error(r, 413, "body_too_large", "body")
    state.unchanged()


# ---- authentication ----

@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/v1/session", None),
    ("GET", "/api/v1/orgs", None),
    ("GET", "/api/v1/orgs/nisc", None),
    ("GET", "/api/v1/tokens", None),
    ("POST", "/api/v1/tokens", {"name": "x"}),
    ("DELETE", "/api/v1/tokens/" + "0" * 32, None),
    ("GET", "/api/v1/audit", None),
])
def test_missing_credentials(hub, admin, state, method, path, body):
    r = requests.request(method, hub.url + path, json=body, timeout=30)
    assert_error(r, 401, "unauthenticated")
    state.unchanged()


@pytest.mark.parametrize("authz", [
    "Bearer nonsense",
    "Bearer ",
    "Bearer ist_" + "0" * 32 + "_" + "A" * 43,
    "Bearer ist_" + "g" * 32 + "_" + "A" * 43,
    "Basic x",
    "Basic YWRtaW46YWRtaW4tcGFzc3dvcmQtZm9yLXRlc3Rz",
    "bearer ist_" + "0" * 32 + "_" + "A" * 43,
    "Token abc",
])
def test_bad_authorization_header(hub, admin, state, authz):
    r = requests.get(hub.url + "/api/v1/session",
                     headers={"Authorization": authz}, timeout=30)
    assert_error(r, 401, "unauthenticated")
    r = requests.post(hub.url + "/api/v1/tokens", json={"name": "x"},
                      headers={"Authorization": authz}, timeout=30)
    assert_error(r, 401, "unauthenticated")
    state.unchanged()


def test_the_bearer_scheme_is_case_insensitive(hub):
    # RFC 9110 §11.1: an integrator's client may send "bearer" or "BEARER";
    # the token itself is compared exactly
    tok = hub.token("admin", name="scheme")
    for scheme in ("Bearer", "bearer", "BEARER", "bEaReR"):
        r = requests.get(hub.url + "/api/v1/session", timeout=30,
                         headers={"Authorization": f"{scheme} {tok}"})
        assert r.status_code == 200, (scheme, r.text)
        assert r.json()["user"]["username"] == "admin", r.text
    swapped = tok[:-1] + ("A" if tok[-1] != "A" else "B")
    r = requests.get(hub.url + "/api/v1/session", timeout=30,
                     headers={"Authorization": f"bearer {swapped}"})
    assert_error(r, 401, "unauthenticated")
    r = requests.get(hub.url + "/api/v1/session", timeout=30,
                     headers={"Authorization": f"Bearer{tok}"})
    assert_error(r, 401, "unauthenticated", "Authorization")


def test_bad_bearer_does_not_fall_back_to_the_cookie(hub, admin, state):
    # a valid session cookie plus a bad bearer token: the token decides
    r = admin.get(hub.url + "/api/v1/session",
                  headers={"Authorization": "Bearer nonsense"}, timeout=30)
    assert_error(r, 401, "unauthenticated")
    state.unchanged()


def test_wrong_csrf(hub, admin, state):
    r = admin.post(hub.url + "/api/v1/tokens", json={"name": "x"},
                   headers={"X-CSRF-Token": "wrong"}, timeout=30)
    assert_error(r, 403, "csrf_failed", "X-CSRF-Token")
    tid = hub.cli("token", "create", "admin").stdout.split()[2]
    state.before = state.take()
    r = admin.delete(hub.url + f"/api/v1/tokens/{tid}",
                     headers={"X-CSRF-Token": ""}, timeout=30)
    assert_error(r, 403, "csrf_failed", "X-CSRF-Token")
    r = admin.post(hub.url + "/api/v1/session/lang", json={"lang": "en"},
                   headers={"X-CSRF-Token": "x" * 43}, timeout=30)
    assert_error(r, 403, "csrf_failed", "X-CSRF-Token")
    assert admin.get(hub.url + "/api/v1/session", timeout=30).json()["user"]["lang"] == "ja"
    state.unchanged()


# ---- other organisations' data ----

def test_other_organisations_users_and_contacts_are_404(fresh_demo_hub):
    hub = fresh_demo_hub
    op = hub.login("op-banking-0001")
    assert "org_admin" in op.me["roles"].split(",")
    for path in ("/api/v1/orgs/op-banking-0002/users",
                 "/api/v1/orgs/op-banking-0002/contacts",
                 "/api/v1/orgs/ceptoar-banking/users",
                 "/api/v1/orgs/ceptoar-banking/contacts",
                 "/api/v1/orgs/nisc/users",
                 "/api/v1/orgs/op-gas-0001/contacts",
                 "/api/v1/orgs/no-such-org/users"):
        assert_error(op.get(hub.url + path, timeout=30), 404, "not_found")
    # its own organisation: visible to its org admin
    r = op.get(hub.url + "/api/v1/orgs/op-banking-0001/users", timeout=30)
    assert r.status_code == 200
    assert [u["username"] for u in r.json()["items"]] == ["op-banking-0001"]
    assert "pw_hash" not in r.text and "$argon2" not in r.text
    r = op.get(hub.url + "/api/v1/orgs/op-banking-0001/contacts", timeout=30)
    assert r.status_code == 200
    addrs = [c["address"] for c in r.json()["items"]]
    assert "op-banking-0001@demo.example.jp" in addrs
    assert all("secret" not in c for c in r.json()["items"])
    # the CEPTOAR secretariat sees its members but not their staff lists
    sec = hub.login("ceptoar-banking-secretariat")
    assert sec.get(hub.url + "/api/v1/orgs/op-banking-0002", timeout=30).status_code == 200
    assert_error(sec.get(hub.url + "/api/v1/orgs/op-banking-0002/users", timeout=30), 404)
    r = sec.get(hub.url + "/api/v1/orgs/ceptoar-banking/contacts", timeout=30)
    assert r.status_code == 200 and len(r.json()["items"]) == 2


def test_roles_limited_route_as_operator(fresh_demo_hub):
    hub = fresh_demo_hub
    op = hub.login("op-banking-0001")
    assert_error(op.get(hub.url + "/api/v1/audit", timeout=30), 403, "forbidden")
    assert_error(op.get(hub.url + "/api/v1/audit/verify", timeout=30), 403, "forbidden")
    tok = hub.token("nisc-analyst")
    assert_error(hub.api("GET", "/api/v1/audit", token=tok), 403, "forbidden")
    tok = hub.token("auditor")
    assert hub.api("GET", "/api/v1/audit", token=tok).status_code == 200


# ---- paths and methods ----

@pytest.mark.parametrize("path", ["/nope", "/api/v1", "/api/v1/", "/api/v2/sectors",
                                  "/api/v1/sectors/", "/api/v1/orgs/nisc/x",
                                  "/api/v1/tokens/abc/def", "/" + "a" * 2000])
def test_unknown_path_is_404_json(hub, path):
    r = hub.get(path)
    assert_error(r, 404, "not_found")


@pytest.mark.parametrize("method,path", [
    ("DELETE", "/api/v1/sectors"), ("POST", "/healthz"),
    ("PUT", "/api/v1/session"), ("PATCH", "/api/v1/tokens"),
    ("POST", "/api/v1/orgs/nisc"), ("GET", "/api/v1/session/lang"),
])
def test_wrong_method_is_405(hub, admin, state, method, path):
    r = admin.request(method, hub.url + path, timeout=30)
    assert_error(r, 405, "method_not_allowed")
    state.unchanged()


# a GET route answers HEAD too, so Allow names both
ALLOWED = [
    ("DELETE", "/api/v1/sectors", {"GET", "HEAD"}),
    ("POST", "/healthz", {"GET", "HEAD"}),
    ("PUT", "/metrics", {"GET", "HEAD"}),
    ("DELETE", "/api/v1/orgs/nisc", {"GET", "HEAD"}),
    ("PUT", "/api/v1/session", {"GET", "HEAD", "POST", "DELETE"}),
    ("PUT", "/api/v1/tokens", {"GET", "HEAD", "POST"}),
    ("PUT", "/api/v1/tokens/" + "0" * 32, {"GET", "HEAD", "DELETE"}),
]


def test_405_allow_header_names_the_methods_of_the_path(hub):
    wrong = []
    for method, path, allowed in ALLOWED:
        r = requests.request(method, hub.url + path, timeout=30)
        assert_error(r, 405, "method_not_allowed")
        got = {m.strip() for m in r.headers["Allow"].split(",")}
        if got != allowed:
            wrong.append(f"{method} {path}: Allow: {r.headers['Allow']} "
                         f"(expected {', '.join(sorted(allowed))})")
    assert not wrong, "\n".join(wrong)


def test_unknown_token_id_forms_are_404(hub, admin, state):
    for tid in ("abc", "0" * 31, "0" * 33, "Z" * 32, "0" * 32):
        r = admin.delete(hub.url + f"/api/v1/tokens/{tid}", timeout=30)
        assert_error(r, 404, "not_found")
    state.unchanged()


@pytest.mark.parametrize("params,field", [
    ({"limit": "0"}, "limit"), ({"limit": "1001"}, "limit"),
    ({"after": "-1"}, "after"), ({"after": "x"}, "after"),
    ({"before": "0"}, "before"), ({"before": "x"}, "before"),
])
def test_audit_query_validation(hub, admin, params, field):
    r = admin.get(hub.url + "/api/v1/audit", params=params, timeout=30)
    assert_error(r, 400, field=field)


def test_org_query_text_validation(hub, admin):
    r = admin.get(hub.url + "/api/v1/orgs", params={"scope": "x" * 64}, timeout=30)
    assert_error(r, 400, "too_long", "scope")
    r = admin.get(hub.url + "/api/v1/orgs", params={"ceptoar": "a\x01b"}, timeout=30)
    assert_error(r, 400, "invalid_text", "ceptoar")
    r = admin.get(hub.url + "/api/v1/orgs/" + "x" * 100, timeout=30)
    assert_error(r, 404, "not_found")


BLANKS = ["", "   ", "\u3000", " \t\r\n\u3000 ", "\u00a0", "\u200b\u3000",
          # what an outside review sent: the braille blank, VS17, tag
          # characters, a Mongolian variation selector, a mark alone
          "\u2800", "\U000E0100", "\U000E0020\U000E0041", "\u180b",
          "\u0300", "\u3099\u3000"]


def advisory(**fields):
    b = {"kind": "security_info", "range": "green", "severity": 1,
         "title_ja": "制御系の脆弱性", "title_en": "Control system flaw",
         "body_ja": "対策は以下のとおり。", "body_en": "Countermeasures follow.",
         "audience": {"scopes": ["gas"]}}
    b.update(fields)
    return b


def advisory_ids(hub, tok):
    r = hub.api("GET", "/api/v1/advisories", token=tok,
                params={"limit": 200})
    assert r.status_code == 200, r.text
    return [a["id"] for a in r.json()["items"]]


ADVISORY_TEXTS = ["title_ja", "title_en", "body_ja", "body_en"]


def test_advisory_text_of_only_white_space_is_refused(fresh_demo_hub):
    """An advisory's titles and bodies are required: empty, or nothing but
    white space (the ideographic space U+3000 included), is 400 naming the
    field, and nothing is issued. Spaces around a text are kept."""
    hub = fresh_demo_hub
    tok = hub.token("nisc-analyst")
    before = advisory_ids(hub, tok)
    for field in ADVISORY_TEXTS:
        for blank in BLANKS:
            assert_error(hub.api("POST", "/api/v1/advisories", token=tok,
                                 json=advisory(**{field: blank})),
                         400, "invalid_value", field)
    assert advisory_ids(hub, tok) == before
    texts = {f: f"\u3000 {f} 注意 (see below) " for f in ADVISORY_TEXTS}
    r = hub.api("POST", "/api/v1/advisories", token=tok,
                json=advisory(**texts))
    assert r.status_code == 201, r.text
    got = hub.api("GET", f"/api/v1/advisories/{r.json()['id']}", token=tok)
    assert got.status_code == 200, got.text
    shown = json.dumps(got.json(), ensure_ascii=False)
    assert all(json.dumps(t, ensure_ascii=False) in shown
               for t in texts.values()), shown


def test_required_titles_and_reasons_of_only_white_space_are_refused(
        fresh_demo_hub):
    """Events, large-scale outage declarations and exercises: their titles
    (and a declaration's reason) are required, and empty or nothing but
    white space (U+3000 included) is 400 naming the field; nothing is
    made."""
    hub = fresh_demo_hub
    tok = hub.token("nisc-analyst")
    scenario = json.loads((DATA / "exercises/fy2015.json").read_text())
    made = {
        "/api/v1/events": ({"title_ja": "事象", "title_en": "Event",
                            "reports": []}, ["title_ja", "title_en"]),
        "/api/v1/declarations": ({"title_ja": "大規模IT障害",
                                  "title_en": "Large-scale outage",
                                  "reason": "制御系が停止 / control down"},
                                 ["title_ja", "title_en", "reason"]),
        "/api/v1/exercises": ({"title_ja": "停電演習",
                               "title_en": "Blackout exercise",
                               "scenario": scenario,
                               "participants": {"sectors": ["electricity"]}},
                              ["title_ja", "title_en"]),
    }

    def count(path):
        r = hub.api("GET", path, token=tok)
        assert r.status_code == 200, r.text
        return len(json.dumps(r.json()))
    before = {path: count(path) for path in made}
    for path, (body, fields) in made.items():
        for field in fields:
            for blank in BLANKS:
                assert_error(hub.api("POST", path, token=tok,
                                     json={**body, field: blank}),
                             400, "invalid_value", field)
    assert {path: count(path) for path in made} == before


# ---- bad data at init ----

def init_cmd(db, data, *extra):
    return [str(BUILD / "infrashare"), "--db", str(db), "init", "--data",
            str(data), *map(str, extra)]


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def sha256(db):
    """The hash of what the database holds (the SQLite file's bytes, or a
    PostgreSQL database's dump)."""
    return hashlib.sha256(hubdb.contents(db)).hexdigest()


def truncate_ceptoars(data):
    p = data / "registry" / "20-ceptoars.json"
    text = p.read_bytes()
    p.write_bytes(text[: len(text) // 2])
    return p


def unknown_key_in_sector(data):
    p = data / "registry" / "10-national.json"
    reg = json.loads(p.read_text(encoding="utf-8"))
    reg["sectors"][5]["colour"] = "blue"            # the gas sector
    assert reg["sectors"][5]["id"] == "gas"
    text = json.dumps(reg, ensure_ascii=False, indent=2)
    p.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    # the lines the gas sector's object spans (1-based)
    start = next(i for i, l in enumerate(lines, 1) if '"id": "gas"' in l)
    end = next(i for i, l in enumerate(lines, 1) if i > start and l.strip().startswith("}"))
    return p, start - 1, end


def test_init_with_truncated_data_file(tmp_path, data_copy):
    truncate_ceptoars(data_copy)
    db = tmp_path / "new.db"
    r = run(init_cmd(db, data_copy))
    assert r.returncode != 0
    assert re.search(r"20-ceptoars\.json:\d+", r.stderr), r.stderr
    assert not db.exists()
    assert not list(tmp_path.glob("new.db*"))


def test_init_with_unknown_key_in_a_sector(tmp_path, data_copy):
    _, first, last = unknown_key_in_sector(data_copy)
    db = tmp_path / "new.db"
    r = run(init_cmd(db, data_copy))
    assert r.returncode != 0
    m = re.search(r"10-national\.json:(\d+)", r.stderr)
    assert m, r.stderr
    assert first <= int(m.group(1)) <= last, (first, last, r.stderr)
    assert "colour" in r.stderr
    assert not db.exists()
    assert not list(tmp_path.glob("new.db*"))


@pytest.mark.parametrize("lang,hint", [
    ("C.UTF-8", "give --data DIR"),
    ("ja_JP.UTF-8", "--data DIR を指定してください"),
])
def test_init_outside_the_project_says_how_to_name_the_data(tmp_path, lang, hint):
    """A new user's first init from another folder: the registry is read
    from ./data by default, so the message says so and names --data."""
    db = tmp_path / "new.db"
    r = subprocess.run([str(BUILD / "infrashare"), "--db", str(db), "init",
                        "--demo"], capture_output=True, text=True, timeout=120,
                       cwd=tmp_path, env={"LC_ALL": lang, "LANG": lang})
    assert r.returncode != 0
    assert "data/registry" in r.stderr and hint in r.stderr, r.stderr
    assert not list(tmp_path.glob("new.db*"))
    # with --data it works from the same folder
    (tmp_path / "pw").write_text("a-long-enough-admin-password-1\n")
    r = subprocess.run([str(BUILD / "infrashare"), "--db", str(db), "init",
                        "--data", str(DATA), "--admin-password-file",
                        str(tmp_path / "pw")], capture_output=True, text=True,
                       timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert db.exists()


@pytest.mark.parametrize("corrupt", ["truncate", "unknown_key"])
def test_init_force_with_bad_data_keeps_the_database(tmp_path, data_copy, corrupt):
    h = Hub(tmp_path)
    h.init()
    before = sha256(h.db)
    if corrupt == "truncate":
        truncate_ceptoars(data_copy)
    else:
        unknown_key_in_sector(data_copy)
    pw = tmp_path / "admin.pw"
    r = run(init_cmd(h.db, data_copy, "--force", "--admin-password-file", pw))
    assert r.returncode != 0
    assert re.search(r"(20-ceptoars|10-national)\.json:\d+", r.stderr), r.stderr
    assert sha256(h.db) == before
    # and it still works
    h.start()
    try:
        assert h.login("admin").me["username"] == "admin"
    finally:
        h.stop()


def test_init_without_demo_prints_no_demo_line(tmp_path):
    """init without --demo writes no demo data: its output names none and
    no demo password (it once printed "demo data: 0 operators, 0 users,
    0 contacts (demo password: ...)")."""
    h = Hub(tmp_path)
    r = h.init()
    assert "initialised " in r.stdout, r.stdout
    assert "first admin: user admin" in r.stdout, r.stdout
    assert "demo data" not in r.stdout + r.stderr, r.stdout
    assert "demo password" not in r.stdout + r.stderr, r.stdout
    assert "infrashare-demo" not in r.stdout + r.stderr, r.stdout


def test_init_refuses_an_existing_database_without_force(tmp_path):
    h = Hub(tmp_path)
    h.init()
    before = sha256(h.db)
    r = h.cli("init", "--data", DATA, check=False)
    assert r.returncode != 0
    assert "exists" in r.stderr
    assert sha256(h.db) == before


@pytest.mark.parametrize("name", ["nisc-analyst", "auditor", "op-banking-0001",
                                  "fsa-desk", "ceptoar-banking-secretariat",
                                  "c4tap-secretariat"])
def test_init_admin_name_taken_by_a_demo_user(tmp_path, name):
    """A first admin named like a demo user is refused before anything is
    generated or written (exit 2, the message in the locale's language)."""
    h = Hub(tmp_path, demo=True)
    pw = tmp_path / "admin.pw"
    pw.write_text("admin-password-for-tests\n")
    for lang, text in (("C", f"{name} exists in the demo data"),
                       ("ja_JP.UTF-8", f"{name} はデモデータにあります")):
        r = h.cli("init", "--data", DATA, "--demo", "--admin", name,
                  "--admin-password-file", pw, check=False,
                  env={"LC_ALL": lang})
        assert r.returncode == 2, r.stderr
        assert text in r.stderr, r.stderr
    if TEST_PG:
        con = hubdb.connect(h.db, readonly=True)
        try:
            have = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE "
                "table_schema = current_schema() AND table_name = 'users'"
            ).fetchone()[0]
            assert have == 0 or con.execute(
                "SELECT count(*) FROM users").fetchone()[0] == 0
        finally:
            con.close()
    else:
        assert not hubdb.exists(h.db)
    assert not list(tmp_path.glob("hub.db*"))


def test_init_admin_named_like_a_demo_user_without_the_demo(tmp_path):
    """Without --demo no demo user exists: the name is the admin's."""
    h = Hub(tmp_path)
    pw = tmp_path / "admin.pw"
    pw.write_text("admin-password-for-tests\n")
    h.cli("init", "--data", DATA, "--admin", "auditor",
          "--admin-password-file", pw)
    con = hubdb.connect(h.db, readonly=True)
    try:
        rows = con.execute("SELECT org_id, demo FROM users WHERE "
                           "username = 'auditor'").fetchall()
        assert [tuple(x) for x in rows] == [("nisc", 0)]
    finally:
        con.close()


def test_init_admin_password_too_short(tmp_path):
    h = Hub(tmp_path)
    pw = tmp_path / "short.pw"
    pw.write_text("short\n")
    r = h.cli("init", "--data", DATA, "--admin-password-file", pw, check=False)
    assert r.returncode != 0
    assert "password" in r.stderr
    assert not hubdb.exists(h.db)


# ---- bad databases at start ----

def start_daemon(db, tmp_path):
    port_file = tmp_path / "port"
    return subprocess.Popen(
        [str(BUILD / "infrashared"), "--db", str(db), "--port", "0",
         "--port-file", str(port_file), "--threads", "4"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), port_file


def expect_refusal(db, tmp_path):
    proc, port_file = start_daemon(db, tmp_path)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("infrashared kept running on a bad database")
    assert proc.returncode != 0
    assert not port_file.exists()
    return out + err


def test_not_an_sqlite_database(tmp_path):
    db = tmp_path / "hub.db"
    db.write_bytes(os.urandom(8192))
    before = sha256(db)
    msg = expect_refusal(db, tmp_path)
    assert "not an SQLite database" in msg
    assert sha256(db) == before
    # the CLI refuses too and leaves it alone
    r = run([str(BUILD / "infrashare"), "--db", str(db), "user", "list"])
    assert r.returncode != 0
    assert "not an SQLite database" in r.stderr
    assert sha256(db) == before


def test_text_file_as_database(tmp_path):
    db = tmp_path / "hub.db"
    db.write_text("this is my diary, not a database\n" * 200)
    before = sha256(db)
    msg = expect_refusal(db, tmp_path)
    assert "not an SQLite database" in msg
    assert sha256(db) == before


def test_missing_database(tmp_path):
    db = tmp_path / "absent.db"
    msg = expect_refusal(db, tmp_path)
    assert "init" in msg
    assert not db.exists()


def test_database_from_a_newer_schema(tmp_path):
    h = Hub(tmp_path)
    h.init()
    con = hubdb.connect(h.db)
    with con:
        con.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    con.close()
    before = sha256(h.db)
    msg = expect_refusal(h.db, tmp_path)
    assert "newer" in msg
    assert "999" in msg
    assert sha256(h.db) == before
    con = hubdb.connect(h.db)
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'"
                       ).fetchone() == ("999",)
    con.close()
