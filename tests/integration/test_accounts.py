"""Accounts: log-in sessions, CSRF, log-out, log-in rate limits, API
tokens, the admin CLI for users and tokens, and the CLI client."""
import base64
import re

import nacl.signing
import requests

from conftest import ADMIN_PASSWORD, DEMO_PASSWORD, assert_error

COOKIE = "infrashare_session"


def login_raw(hub, username, password):
    return requests.post(hub.url + "/api/v1/session", timeout=30,
                         json={"username": username, "password": password})


def token_ids(hub, session=None, token=None):
    r = hub.api("GET", "/api/v1/tokens", session=session, token=token)
    assert r.status_code == 200, r.text
    return [t["id"] for t in r.json()["items"]]


def with_cookie(hub, method, path, cookie, csrf=None, **kw):
    headers = {"Cookie": f"{COOKIE}={cookie}"}
    if csrf:
        headers["X-CSRF-Token"] = csrf
    return requests.request(method, hub.url + path, headers=headers,
                            timeout=30, **kw)


def pwfile(hub, name, password):
    p = hub.dir / name
    p.write_text(password + "\n")
    return p


# ---- sessions ----

def test_login_sets_a_strict_http_only_cookie(hub):
    r = login_raw(hub, "admin", ADMIN_PASSWORD)
    assert r.status_code == 201, r.text
    sc = r.headers["Set-Cookie"]
    assert sc.startswith(COOKIE + "=")
    attrs = [a.strip().lower() for a in sc.split(";")]
    assert "httponly" in attrs
    assert "samesite=strict" in attrs
    body = r.json()
    assert isinstance(body["csrf_token"], str) and len(body["csrf_token"]) >= 32
    assert body["user"]["username"] == "admin"
    assert body["user"]["org"] == "nisc"
    assert "admin" in body["user"]["roles"].split(",")
    # plain http (no --cookie-secure, no https --public-url): not Secure,
    # or the browser would drop it
    assert "secure" not in attrs
    cookie = r.cookies[COOKIE]
    # the CSRF token is not the cookie
    assert body["csrf_token"] != cookie
    assert cookie not in r.text


def test_wrong_password_and_unknown_user_look_the_same(hub):
    wrong = login_raw(hub, "admin", "not-the-admin-password")
    unknown = login_raw(hub, "nobody-here", "not-the-admin-password")
    e1 = assert_error(wrong, 401)
    e2 = assert_error(unknown, 401)
    assert e1 == e2
    assert "Set-Cookie" not in wrong.headers
    assert "Set-Cookie" not in unknown.headers


def test_session_get_with_cookie(hub):
    s = hub.login("admin")
    r = s.get(hub.url + "/api/v1/session", timeout=30)
    assert r.status_code == 200
    assert r.json()["user"]["username"] == "admin"
    assert r.json()["csrf_token"] == s.headers["X-CSRF-Token"]
    # without the cookie: 401
    assert_error(hub.get("/api/v1/session"), 401, "unauthenticated")
    # a made-up cookie: 401
    r = with_cookie(hub, "GET", "/api/v1/session", "A" * 43)
    assert_error(r, 401, "unauthenticated")


def test_session_language_is_answered_and_kept(hub):
    hub.cli("user", "add", "lang-user", "--org", "nisc", "--roles", "reader",
            "--password-file", str(pwfile(hub, "lang-pw", "lang-user-pw-123")))
    s = hub.login("lang-user", "lang-user-pw-123")
    assert s.get(hub.url + "/api/v1/session", timeout=30).json()["user"]["lang"] == "ja"
    r = s.post(hub.url + "/api/v1/session/lang", json={"lang": "en"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["lang"] == "en"
    # the same session, and a new one, see the stored choice
    assert s.get(hub.url + "/api/v1/session", timeout=30).json()["user"]["lang"] == "en"
    s2 = hub.login("lang-user", "lang-user-pw-123")
    assert s2.get(hub.url + "/api/v1/session", timeout=30).json()["user"]["lang"] == "en"
    r = s2.post(hub.url + "/api/v1/session/lang", json={"lang": "ja"}, timeout=30)
    assert r.status_code == 200 and r.json()["user"]["lang"] == "ja"
    assert s.get(hub.url + "/api/v1/session", timeout=30).json()["user"]["lang"] == "ja"


def test_csrf_is_required_for_state_changes(hub):
    s = hub.login("admin")
    csrf = s.headers.pop("X-CSRF-Token")
    before = token_ids(hub, session=s)
    r = s.post(hub.url + "/api/v1/tokens", json={"name": "no-csrf"}, timeout=30)
    assert_error(r, 403, "csrf_failed", "X-CSRF-Token")
    r = s.post(hub.url + "/api/v1/tokens", json={"name": "bad-csrf"},
               headers={"X-CSRF-Token": csrf[:-1] + ("A" if csrf[-1] != "A" else "B")},
               timeout=30)
    assert_error(r, 403, "csrf_failed", "X-CSRF-Token")
    r = s.post(hub.url + "/api/v1/tokens", json={"name": "short-csrf"},
               headers={"X-CSRF-Token": csrf[:10]}, timeout=30)
    assert_error(r, 403, "csrf_failed", "X-CSRF-Token")
    # another session's CSRF token does not fit this session
    other = hub.login("admin")
    r = s.post(hub.url + "/api/v1/tokens", json={"name": "other-csrf"},
               headers={"X-CSRF-Token": other.headers["X-CSRF-Token"]},
               timeout=30)
    assert_error(r, 403, "csrf_failed", "X-CSRF-Token")
    assert token_ids(hub, session=s) == before
    # and with the right one it works
    r = s.post(hub.url + "/api/v1/tokens", json={"name": "good-csrf"},
               headers={"X-CSRF-Token": csrf}, timeout=30)
    assert r.status_code == 201, r.text
    assert token_ids(hub, session=s) == before + [r.json()["id"]]


def test_logout_invalidates_the_session_on_the_server(hub):
    s = hub.login("admin")
    cookie = s.cookies[COOKIE]
    csrf = s.headers["X-CSRF-Token"]
    assert with_cookie(hub, "GET", "/api/v1/session", cookie).status_code == 200
    # log-out needs the CSRF token too
    r = with_cookie(hub, "DELETE", "/api/v1/session", cookie)
    assert_error(r, 403, "csrf_failed")
    assert with_cookie(hub, "GET", "/api/v1/session", cookie).status_code == 200
    r = with_cookie(hub, "DELETE", "/api/v1/session", cookie, csrf)
    assert r.status_code == 200, r.text
    assert r.json()["signed_out"] is True
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    # the browser would drop it; a replayed copy must fail as well
    r = with_cookie(hub, "GET", "/api/v1/session", cookie)
    assert_error(r, 401, "unauthenticated")
    r = with_cookie(hub, "POST", "/api/v1/tokens", cookie, csrf,
                    json={"name": "after-logout"})
    assert_error(r, 401, "unauthenticated")
    r = with_cookie(hub, "DELETE", "/api/v1/session", cookie, csrf)
    assert_error(r, 401, "unauthenticated")


def test_signing_in_again_ends_the_session_it_replaces(hub):
    pw = pwfile(hub, "second.pw", "second-user-password-1")
    hub.cli("user", "add", "second", "--org", "nisc", "--roles", "reader",
            "--password-file", pw)
    first = login_raw(hub, "admin", ADMIN_PASSWORD)
    assert first.status_code == 201, first.text
    old = first.cookies[COOKIE]
    assert with_cookie(hub, "GET", "/api/v1/session", old).status_code == 200
    # the browser signs in as someone else, sending the cookie it holds;
    # the new cookie overwrites it there, and the hub ends it too
    r = requests.post(hub.url + "/api/v1/session", timeout=30,
                      headers={"Cookie": f"{COOKIE}={old}"},
                      json={"username": "second",
                            "password": "second-user-password-1"})
    assert r.status_code == 201, r.text
    new = r.cookies[COOKIE]
    assert new != old
    assert_error(with_cookie(hub, "GET", "/api/v1/session", old), 401,
                 "unauthenticated")
    me = with_cookie(hub, "GET", "/api/v1/session", new)
    assert me.status_code == 200 and me.json()["user"]["username"] == "second"
    # audited as the replaced user's logout
    audit = hub.api("GET", "/api/v1/audit?action=logout",
                    token=hub.token("admin")).json()["items"]
    assert any(e.get("target") == "admin" for e in audit), audit
    # a cookie that is no session (or garbage) changes nothing
    r = requests.post(hub.url + "/api/v1/session", timeout=30,
                      headers={"Cookie": f"{COOKIE}=not-a-session"},
                      json={"username": "second",
                            "password": "second-user-password-1"})
    assert r.status_code == 201, r.text
    assert with_cookie(hub, "GET", "/api/v1/session", new).status_code == 200


def test_an_https_public_url_makes_the_cookie_secure(tmp_path):
    from conftest import Hub
    h = Hub(tmp_path)
    h.init_fixture()
    h.daemon_args = ["--public-url", "https://hub.example.jp"]
    h.start()
    try:
        r = login_raw(h, "admin", ADMIN_PASSWORD)
        assert r.status_code == 201, r.text
        attrs = [a.strip().lower() for a in r.headers["Set-Cookie"].split(";")]
        assert "secure" in attrs, attrs
    finally:
        h.stop()


def test_logout_with_a_token_is_refused(hub):
    tok = hub.token("admin")
    r = hub.api("DELETE", "/api/v1/session", token=tok)
    assert_error(r, 400, "not_a_session")
    assert hub.api("GET", "/api/v1/session", token=tok).status_code == 200


def test_rate_limit_after_five_failures_for_one_user(hub):
    for _ in range(5):
        assert_error(login_raw(hub, "admin", "wrong-password-123"), 401)
    r = login_raw(hub, "admin", ADMIN_PASSWORD)
    assert_error(r, 429, "rate_limited")
    assert "Set-Cookie" not in r.headers
    # other user names are not affected by that user's limit
    pw = pwfile(hub, "carol.pw", "carol-password-123")
    hub.cli("user", "add", "carol", "--org", "nisc", "--roles", "reader",
            "--password-file", pw)
    assert login_raw(hub, "carol", "carol-password-123").status_code == 201


def test_four_failures_do_not_lock_the_account(hub):
    for _ in range(4):
        assert_error(login_raw(hub, "admin", "wrong-password-123"), 401)
    assert login_raw(hub, "admin", ADMIN_PASSWORD).status_code == 201
    # a success clears the user's count: four more failures are allowed
    for _ in range(4):
        assert_error(login_raw(hub, "admin", "wrong-password-123"), 401)
    assert login_raw(hub, "admin", ADMIN_PASSWORD).status_code == 201


# ---- API tokens ----

def test_token_lifecycle(hub):
    s = hub.login("admin")
    r = s.post(hub.url + "/api/v1/tokens", json={"name": "ci", "expires_in_days": 30},
               timeout=30)
    assert r.status_code == 201, r.text
    body = r.json()
    tok, tid = body["token"], body["id"]
    assert tok.startswith("ist_")
    assert tid in tok
    assert body["name"] == "ci"
    assert body["expires_at"]
    assert r.headers["Location"] == f"/api/v1/tokens/{tid}"
    # works as a bearer token, without any cookie or CSRF header
    r = hub.api("GET", "/api/v1/session", token=tok)
    assert r.status_code == 200
    assert r.json()["user"]["username"] == "admin"
    r = hub.api("POST", "/api/v1/tokens", token=tok, json={"name": "via-bearer"})
    assert r.status_code == 201
    # listed, without the secret
    r = s.get(hub.url + "/api/v1/tokens", timeout=30)
    assert r.status_code == 200
    listed = {t["id"]: t for t in r.json()["items"]}
    assert tid in listed and listed[tid]["name"] == "ci"
    assert tok not in r.text
    assert tok.split("_", 2)[2] not in r.text
    assert "hash" not in listed[tid]
    # revoke it
    r = s.delete(hub.url + f"/api/v1/tokens/{tid}", timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == {"id": tid, "revoked": True}
    assert_error(hub.api("GET", "/api/v1/session", token=tok), 401, "unauthenticated")
    r = s.get(hub.url + "/api/v1/tokens", timeout=30)
    revoked = [t for t in r.json()["items"] if t["id"] == tid][0]
    assert revoked["revoked_at"]
    # a second revocation finds nothing
    assert_error(s.delete(hub.url + f"/api/v1/tokens/{tid}", timeout=30), 404)


def test_a_tampered_token_secret_is_refused(hub):
    tok = hub.token("admin")
    last = tok[-1]
    bad = tok[:-1] + ("A" if last != "A" else "B")
    assert_error(hub.api("GET", "/api/v1/session", token=bad), 401)
    assert hub.api("GET", "/api/v1/session", token=tok).status_code == 200


def test_revoking_someone_elses_token_is_404(fresh_demo_hub):
    hub = fresh_demo_hub
    victim = hub.login("op-banking-0002")
    r = victim.post(hub.url + "/api/v1/tokens", json={"name": "mine"}, timeout=30)
    assert r.status_code == 201
    tid, tok = r.json()["id"], r.json()["token"]
    attacker = hub.login("op-banking-0001")
    r = attacker.delete(hub.url + f"/api/v1/tokens/{tid}", timeout=30)
    assert_error(r, 404, "not_found")
    # same answer as for a token id that does not exist
    r2 = attacker.delete(hub.url + "/api/v1/tokens/" + "0" * 32, timeout=30)
    assert_error(r2, 404, "not_found")
    assert r.json() == r2.json()
    assert hub.api("GET", "/api/v1/session", token=tok).status_code == 200
    # the attacker does not see it either
    assert tid not in token_ids(hub, session=attacker)
    assert tid in token_ids(hub, session=victim)


def test_a_new_tokens_location_reads_it_for_its_owner_and_admins_only(
        fresh_demo_hub):
    """POST /api/v1/tokens answers Location /api/v1/tokens/<id>: a GET
    there is the token as the list shows it (no secret), for its owner and
    hub admins; anyone else gets the 404 of an unknown id (found by an
    integrator's review: the Location answered only DELETE)."""
    hub = fresh_demo_hub
    owner = hub.login("op-banking-0002")
    r = owner.post(hub.url + "/api/v1/tokens", json={"name": "mine"},
                   timeout=30)
    assert r.status_code == 201
    tid, secret = r.json()["id"], r.json()["token"]
    loc = r.headers["Location"]
    assert loc == f"/api/v1/tokens/{tid}"
    listed = [t for t in owner.get(hub.url + "/api/v1/tokens",
                                   timeout=30).json()["items"]
              if t["id"] == tid]
    got = owner.get(hub.url + loc, timeout=30)
    assert got.status_code == 200 and got.json() == listed[0], got.text
    assert secret not in got.text and "token" not in got.json()
    admin = hub.api("GET", loc, token=hub._admin_token())
    assert admin.status_code == 200 and admin.json() == listed[0]
    other = hub.login("op-banking-0001")
    r = other.get(hub.url + loc, timeout=30)
    r2 = other.get(hub.url + "/api/v1/tokens/" + "0" * 32, timeout=30)
    assert_error(r, 404, "not_found")
    assert r.json() == r2.json()
    assert_error(other.get(hub.url + "/api/v1/tokens/zz", timeout=30), 404,
                 "not_found")
    # revoked: still read, with the time of its revocation
    assert owner.delete(hub.url + loc, timeout=30).status_code == 200
    got = owner.get(hub.url + loc, timeout=30)
    assert got.status_code == 200 and got.json()["revoked_at"], got.text


def test_non_admin_may_not_create_tokens_for_others(fresh_demo_hub):
    hub = fresh_demo_hub
    s = hub.login("op-banking-0001")
    before = token_ids(hub, session=s)
    r = s.post(hub.url + "/api/v1/tokens",
               json={"name": "svc", "username": "op-banking-0002"}, timeout=30)
    assert_error(r, 403, "forbidden", "username")
    assert token_ids(hub, session=s) == before
    other = hub.login("op-banking-0002")
    assert token_ids(hub, session=other) == []
    # naming oneself is fine
    r = s.post(hub.url + "/api/v1/tokens",
               json={"name": "self", "username": "op-banking-0001"}, timeout=30)
    assert r.status_code == 201


def test_admin_may_create_a_token_for_another_user(fresh_demo_hub):
    hub = fresh_demo_hub
    admin = hub.login("admin")
    r = admin.post(hub.url + "/api/v1/tokens",
                   json={"name": "svc", "username": "op-gas-0001"}, timeout=30)
    assert r.status_code == 201, r.text
    who = hub.api("GET", "/api/v1/session", token=r.json()["token"])
    assert who.json()["user"]["username"] == "op-gas-0001"
    r = admin.post(hub.url + "/api/v1/tokens",
                   json={"name": "svc", "username": "no-such-user"}, timeout=30)
    assert_error(r, 400, "invalid_value", "username")


# ---- admin CLI: users ----

def test_cli_user_add_then_login(hub):
    pw = pwfile(hub, "alice.pw", "alice-password-123")
    r = hub.cli("user", "add", "alice", "--org", "nisc", "--roles",
                "reader,analyst", "--name", "Alice", "--lang", "en",
                "--password-file", pw, alone=True)
    assert "alice" in r.stdout
    assert "alice-password-123" not in r.stdout + r.stderr
    s = hub.login("alice", "alice-password-123")
    assert s.me["username"] == "alice"
    assert s.me["org"] == "nisc"
    assert s.me["lang"] == "en"
    assert set(s.me["roles"].split(",")) == {"reader", "analyst"}
    lst = hub.cli("user", "list", "--org", "nisc")
    assert re.search(r"\balice\b", lst.stdout)


def test_cli_user_add_with_generated_password(hub):
    r = hub.cli("user", "add", "gen-user", "--org", "meti", "--roles", "reader")
    m = re.search(r"password: (\S+)", r.stdout)
    assert m, r.stdout
    s = hub.login("gen-user", m.group(1))
    assert s.me["org"] == "meti"


def test_cli_user_disable_ends_everything(hub):
    pw = pwfile(hub, "bob.pw", "bob-password-1234")
    hub.cli("user", "add", "bob", "--org", "nisc", "--roles", "reader",
            "--password-file", pw)
    s = hub.login("bob", "bob-password-1234")
    tok = hub.token("bob")
    assert hub.api("GET", "/api/v1/session", token=tok).status_code == 200
    r = hub.cli("user", "disable", "bob")
    assert "disabled" in r.stdout
    assert_error(login_raw(hub, "bob", "bob-password-1234"), 401)
    assert_error(hub.api("GET", "/api/v1/session", token=tok), 401, "unauthenticated")
    assert_error(s.get(hub.url + "/api/v1/session", timeout=30), 401, "unauthenticated")
    lst = hub.cli("user", "list", "--org", "nisc")
    assert re.search(r"\bbob\b.*DISABLED", lst.stdout)
    # enable: log-in and the token work again (the old session stays ended)
    hub.cli("user", "enable", "bob")
    assert login_raw(hub, "bob", "bob-password-1234").status_code == 201
    assert hub.api("GET", "/api/v1/session", token=tok).status_code == 200
    assert_error(s.get(hub.url + "/api/v1/session", timeout=30), 401)


def test_cli_user_passwd(hub):
    old = pwfile(hub, "dave-old.pw", "dave-old-password")
    new = pwfile(hub, "dave-new.pw", "dave-new-password")
    hub.cli("user", "add", "dave", "--org", "nisc", "--roles", "reader",
            "--password-file", old)
    s = hub.login("dave", "dave-old-password")
    r = hub.cli("user", "passwd", "dave", "--password-file", new)
    assert "dave-new-password" not in r.stdout + r.stderr
    assert_error(login_raw(hub, "dave", "dave-old-password"), 401)
    assert login_raw(hub, "dave", "dave-new-password").status_code == 201
    # the sessions of the old password ended
    assert_error(s.get(hub.url + "/api/v1/session", timeout=30), 401)
    # a password that is too short is refused and the current one kept
    short = pwfile(hub, "dave-short.pw", "short")
    r = hub.cli("user", "passwd", "dave", "--password-file", short, check=False)
    assert r.returncode != 0
    assert "password" in r.stderr
    assert login_raw(hub, "dave", "dave-new-password").status_code == 201
    r = hub.cli("user", "passwd", "nobody-at-all", "--password-file", new,
                check=False)
    assert r.returncode != 0
    assert "nobody-at-all" in r.stderr


def test_cli_user_add_unknown_role(hub):
    pw = pwfile(hub, "x.pw", "some-password-123")
    r = hub.cli("user", "add", "eve", "--org", "nisc", "--roles",
                "reader,overlord", "--password-file", pw, check=False)
    assert r.returncode == 2
    assert "--roles" in r.stderr
    assert "eve" not in hub.cli("user", "list").stdout
    assert_error(login_raw(hub, "eve", "some-password-123"), 401)


def test_cli_user_add_unknown_org(hub):
    pw = pwfile(hub, "x.pw", "some-password-123")
    r = hub.cli("user", "add", "frank", "--org", "no-such-org", "--roles",
                "reader", "--password-file", pw, check=False)
    assert r.returncode != 0
    assert "no-such-org" in r.stderr
    assert_error(login_raw(hub, "frank", "some-password-123"), 401)


def test_cli_user_add_duplicate(hub):
    pw = pwfile(hub, "x.pw", "some-password-123")
    hub.cli("user", "add", "grace", "--org", "nisc", "--roles", "reader",
            "--password-file", pw)
    other = pwfile(hub, "y.pw", "other-password-456")
    r = hub.cli("user", "add", "grace", "--org", "meti", "--roles", "admin",
                "--password-file", other, check=False)
    assert r.returncode != 0
    # the first account is untouched
    s = hub.login("grace", "some-password-123")
    assert s.me["org"] == "nisc" and s.me["roles"] == "reader"
    assert_error(login_raw(hub, "grace", "other-password-456"), 401)
    r2 = hub.cli("user", "add", "admin", "--org", "nisc", "--roles", "reader",
                 "--password-file", other, check=False)
    assert r2.returncode != 0
    assert hub.login("admin").me["roles"] != "reader"
    # the message says what is wrong (not a generic database error)
    assert "grace exists already" in r.stderr, r.stderr
    assert "admin exists already" in r2.stderr, r2.stderr
    assert "database error" not in r.stderr


def test_cli_user_add_usage_errors(hub):
    r = hub.cli("user", "add", "henry", "--org", "nisc", check=False)
    assert r.returncode == 2
    assert "--roles" in r.stderr
    r = hub.cli("user", "add", "ivy", "--org", "nisc", "--roles", "reader",
                "--lang", "fr", check=False)
    assert r.returncode == 2
    assert "--lang" in r.stderr
    r = hub.cli("user", "frobnicate", check=False)
    assert r.returncode == 2


# ---- admin CLI: tokens ----

def test_cli_token_create_and_revoke(hub):
    r = hub.cli("token", "create", "admin", "--name", "cli-made",
                "--expires-days", "7")
    m = re.search(r"token id ([0-9a-f]{32}) for admin", r.stdout)
    assert m, r.stdout
    tid = m.group(1)
    (tok,) = [l for l in r.stdout.splitlines() if l.startswith("ist_")]
    assert tid in tok
    who = hub.api("GET", "/api/v1/session", token=tok)
    assert who.status_code == 200
    assert who.json()["user"]["username"] == "admin"
    listed = hub.cli("token", "list", "admin").stdout
    assert tid in listed and "cli-made" in listed
    assert tok not in listed
    r = hub.cli("token", "revoke", tid)
    assert "revoked" in r.stdout
    assert_error(hub.api("GET", "/api/v1/session", token=tok), 401)
    r = hub.cli("token", "revoke", tid, check=False)
    assert r.returncode != 0
    r = hub.cli("token", "create", "no-such-user", check=False)
    assert r.returncode != 0
    assert "no-such-user" in r.stderr
    r = hub.cli("token", "create", "admin", "--expires-days", "0", check=False)
    assert r.returncode == 2


# ---- CLI client ----

def client_env(hub, token):
    return {"INFRASHARE_URL": hub.url, "INFRASHARE_TOKEN": token}


def test_cli_client_whoami(fresh_demo_hub):
    hub = fresh_demo_hub
    tok = hub.token("op-banking-0001")
    r = hub.cli("whoami", env=client_env(hub, tok))
    assert r.stdout.startswith("op-banking-0001 @ op-banking-0001 ")
    assert "org_admin" in r.stdout
    tok = hub.token("admin")
    r = hub.cli("whoami", env=client_env(hub, tok))
    assert r.stdout.startswith("admin @ nisc (")


def test_cli_client_api_get(hub):
    tok = hub.token("admin")
    r = hub.cli("api", "GET", "/api/v1/orgs/nisc", env=client_env(hub, tok))
    import json
    body = json.loads(r.stdout)
    assert body["id"] == "nisc"
    assert body["kind"] == "nisc"
    assert body["name"]["ja"] == "内閣サイバーセキュリティセンター"
    # --url and --token on the command line work too
    r = hub.cli("api", "GET", "/api/v1/orgs/meti", "--url", hub.url,
                "--token", tok)
    assert json.loads(r.stdout)["id"] == "meti"
    # a 404 through the client: non-zero and the API's error
    r = hub.cli("api", "GET", "/api/v1/orgs/no-such-org",
                env=client_env(hub, tok), check=False)
    assert r.returncode != 0
    assert "404" in r.stderr and "not_found" in r.stderr


def test_cli_client_api_post_with_data_from_stdin(hub):
    tok = hub.token("admin")
    r = hub.cli("api", "POST", "/api/v1/tokens", "--data", "-",
                env=client_env(hub, tok), input='{"name": "from-cli"}')
    import json
    made = json.loads(r.stdout)
    assert made["name"] == "from-cli" and made["token"].startswith("ist_")
    assert hub.api("GET", "/api/v1/session", token=made["token"]).status_code == 200
    r = hub.cli("api", "POST", "/api/v1/tokens", "--data", "-",
                env=client_env(hub, tok), input='{"name": 5}', check=False)
    assert r.returncode != 0
    assert "invalid_type" in r.stderr


def test_cli_client_sectors(hub):
    r = hub.cli("sectors", env={"INFRASHARE_URL": hub.url})
    assert "banking" in r.stdout
    assert "銀行等CEPTOAR" in r.stdout


def test_cli_client_bad_token(hub):
    r = hub.cli("whoami", env=client_env(hub, "ist_" + "0" * 32 + "_" + "x" * 43),
                check=False)
    assert r.returncode != 0
    assert "401" in r.stderr
    assert "unauthenticated" in r.stderr
    assert r.stdout == ""
    r = hub.cli("api", "GET", "/api/v1/orgs/nisc",
                env=client_env(hub, "garbage"), check=False)
    assert r.returncode != 0
    assert "401" in r.stderr


def test_cli_client_unreachable_hub(hub):
    tok = hub.token("admin")
    r = hub.cli("whoami", env={"INFRASHARE_URL": "http://127.0.0.1:1",
                               "INFRASHARE_TOKEN": tok}, check=False)
    assert r.returncode != 0
    assert "cannot reach" in r.stderr


def test_demo_users_share_the_demo_password(demo_hub):
    for u in ("nisc-analyst", "auditor", "meti-desk",
              "ceptoar-banking-secretariat", "op-banking-0001"):
        s = demo_hub.login(u, DEMO_PASSWORD)
        assert s.me["username"] == u


def test_a_token_made_with_a_token_goes_with_it(fresh_demo_hub):
    """Found by an outside review: a leaked token could make itself a
    second one, and revoking the first left the second working. A token
    made with a token is revoked with it (and the ones made with those),
    lives no longer than it, and its audit entry names it; one made from
    a signed-in session is the user's own and stays."""
    hub = fresh_demo_hub
    s = hub.login("op-banking-0001")
    r = s.post(hub.url + "/api/v1/tokens",
               json={"name": "leaked", "expires_in_days": 2}, timeout=30)
    assert r.status_code == 201, r.text
    first, first_id = r.json()["token"], r.json()["id"]
    first_exp = r.json()["expires_at"]
    # the second asks for 30 days, and gets the first's expiry
    r = hub.api("POST", "/api/v1/tokens", token=first,
                json={"name": "second", "expires_in_days": 30})
    assert r.status_code == 201, r.text
    second, second_id = r.json()["token"], r.json()["id"]
    assert r.json()["expires_at"] == first_exp
    # one asking for none gets the first's expiry too
    r = hub.api("POST", "/api/v1/tokens", token=second, json={"name": "third"})
    assert r.status_code == 201, r.text
    third, third_id = r.json()["token"], r.json()["id"]
    assert r.json()["expires_at"] == first_exp
    # one the user makes signed in, and a sibling token made with it
    r = s.post(hub.url + "/api/v1/tokens", json={"name": "own"}, timeout=30)
    own = r.json()["token"]
    r = hub.api("POST", "/api/v1/tokens", token=own, json={"name": "ci"})
    assert r.status_code == 201, r.text
    ci = r.json()["token"]
    for t in (first, second, third, own, ci):
        assert hub.api("GET", "/api/v1/session", token=t).status_code == 200
    admin = hub.login("admin")
    items, after = [], 0
    while after is not None:
        r = hub.api("GET", "/api/v1/audit", session=admin,
                    params={"after": after, "limit": 1000})
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        after = r.json()["next_after"]
    entries = [e for e in items if e["action"] == "token.create"
               and e["target"] in (second_id, third_id)]
    assert {e["target"]: e["detail"].get("made_with") for e in entries} == {
        second_id: first_id, third_id: second_id}
    # revoking the first revokes what was made with it, not the rest
    r = s.delete(hub.url + f"/api/v1/tokens/{first_id}", timeout=30)
    assert r.status_code in (200, 204), r.text
    for t in (first, second, third):
        assert_error(hub.api("GET", "/api/v1/session", token=t), 401)
    for t in (own, ci):
        assert hub.api("GET", "/api/v1/session", token=t).status_code == 200
    listed = {t["id"]: t for t in hub.api(
        "GET", "/api/v1/tokens", session=s).json()["items"]}
    assert all(listed[i]["revoked_at"] for i in (first_id, second_id,
                                                 third_id))
    # revoking the second (revoked with the first) again: not found
    assert_error(s.delete(hub.url + f"/api/v1/tokens/{second_id}",
                          timeout=30), 404)


def test_a_vantage_points_account_is_listed_with_no_role(hub):
    """Found by fuzz/api_fuzz.py: a vantage point's account (made by
    POST /api/v1/observation/vantages, docs/rules.md "Vantage points") is
    listed among its organisation's users with roles "", which
    docs/openapi.json's User did not allow. The answer is checked against
    the document by the harness."""
    admin = hub.token("admin")
    pub = base64.b64encode(bytes(
        nacl.signing.SigningKey.generate().verify_key)).decode()
    r = hub.api("POST", "/api/v1/observation/vantages", token=admin,
                json={"id": "sendai-1", "name_ja": "観測点 仙台",
                      "name_en": "Vantage Sendai", "public_key": pub})
    assert r.status_code == 201, r.text
    r = hub.api("GET", "/api/v1/orgs/nisc/users", token=admin)
    assert r.status_code == 200, r.text
    by_name = {u["username"]: u for u in r.json()["items"]}
    assert by_name["vantage-sendai-1"]["roles"] == ""
    assert by_name["admin"]["roles"]
