"""Log-in limits hold against traffic for other names and from other
addresses (docs/rules.md "Log-in limits"; service/ratelimit.h, auth.c).

The clients connect from many loopback source addresses (127.0.x.y: Linux
routes all of 127.0.0.0/8 to lo), so that the daemon sees many different
socket addresses, the only address it counts.
"""
import http.client
import json
from concurrent.futures import ThreadPoolExecutor

from conftest import ADMIN_PASSWORD, assert_error

USER_FAILS = 5    # AUTH_USER_FAILS
ADDR_FAILS = 20   # AUTH_ADDR_FAILS
OLD_SLOTS = 4096  # the fixed table of the former limiter


class Resp:
    def __init__(self, status, headers, body):
        self.status_code = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.text)


def login_from(hub, source, username, password, headers=None):
    """POST /api/v1/session from the loopback address `source`."""
    conn = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=60,
                                      source_address=(source, 0))
    try:
        body = json.dumps({"username": username, "password": password})
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        conn.request("POST", "/api/v1/session", body=body, headers=h)
        r = conn.getresponse()
        return Resp(r.status, dict(r.getheaders()), r.read())
    finally:
        conn.close()


def fnv1a(s):
    h = 2166136261
    for b in s.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def colliding_names(target, n):
    """n names whose slot in the former limiter's table (FNV-1a mod 4096,
    eight probes) is the target's: eight such failures evicted the
    target's lock."""
    home = fnv1a(target) % OLD_SLOTS
    out, i = [], 0
    while len(out) < n:
        name = f"x{i}"
        if fnv1a(name) % OLD_SLOTS == home:
            out.append(name)
        i += 1
    return out


def lock_admin(hub):
    for k in range(USER_FAILS):
        assert_error(login_from(hub, f"127.0.1.{k + 1}", "admin",
                                "wrong-password-123"), 401)
    assert_error(login_from(hub, "127.0.1.99", "admin", ADMIN_PASSWORD),
                 429, "rate_limited")


def test_colliding_names_do_not_lift_a_lock(hub):
    lock_admin(hub)
    # failures for names that share the locked user's neighbourhood, each
    # from its own address
    for k, name in enumerate(colliding_names("admin", 16)):
        assert_error(login_from(hub, f"127.0.2.{k + 1}", name,
                                "wrong-password-123"), 401)
    r = login_from(hub, "127.0.2.200", "admin", ADMIN_PASSWORD)
    assert_error(r, 429, "rate_limited")
    assert "Set-Cookie" not in r.headers


def test_flood_from_many_addresses_does_not_lift_a_lock(hub):
    lock_admin(hub)
    # other names (some real-looking, some random) from 40 addresses,
    # each address staying under its own limit
    for a in range(40):
        for k in range(3):
            name = f"flood-{a}-{k}" if k else f"admin{a}"
            assert_error(login_from(hub, f"127.0.3.{a + 1}", name,
                                    "wrong-password-123"), 401)
    assert_error(login_from(hub, "127.0.4.1", "admin", ADMIN_PASSWORD), 429,
                 "rate_limited")
    # the lock is per account, not per address: no address gets in
    assert_error(login_from(hub, "127.0.0.1", "admin", ADMIN_PASSWORD), 429,
                 "rate_limited")
    # the attempts of the flood are audited like any other
    tok = hub.token("admin")
    r = hub.api("GET", "/api/v1/audit?limit=1000", token=tok)
    assert r.status_code == 200
    failed = [e for e in r.json()["items"] if e["action"] == "login.failed"]
    assert len(failed) >= USER_FAILS + 40 * 3


def test_address_is_the_socket_address_not_x_forwarded_for(hub):
    """X-Forwarded-For is not trusted: one client cannot pose as many."""
    for k in range(ADDR_FAILS):
        r = login_from(hub, "127.0.5.1", f"nobody-{k}", "wrong-password-123",
                       headers={"X-Forwarded-For": f"198.51.100.{k + 1}",
                                "X-Real-IP": f"203.0.113.{k + 1}"})
        assert_error(r, 401)
    r = login_from(hub, "127.0.5.1", "nobody-x", "wrong-password-123",
                   headers={"X-Forwarded-For": "192.0.2.77"})
    assert_error(r, 429, "rate_limited")
    # a real user at that address is refused too (the address is blocked),
    # while the same user from another address signs in
    assert_error(login_from(hub, "127.0.5.1", "admin", ADMIN_PASSWORD), 429,
                 "rate_limited")
    assert login_from(hub, "127.0.5.2", "admin", ADMIN_PASSWORD) \
        .status_code == 201


def test_unknown_names_are_limited_like_accounts(hub):
    """An unknown name locks after the same number of failures as an
    account (the answers do not tell which names exist)."""
    for k in range(USER_FAILS):
        assert_error(login_from(hub, f"127.0.6.{k + 1}", "no-such-user",
                                "wrong-password-123"), 401)
    assert_error(login_from(hub, "127.0.6.50", "no-such-user",
                            "wrong-password-123"), 429, "rate_limited")


def test_concurrent_attempts_do_not_exceed_the_limit(hub):
    """Attempts that run at the same time are counted before the password
    check: of 24 concurrent wrong passwords for one account (each from its
    own address), exactly 5 are checked (401), the rest get 429."""
    def attempt(k):
        return login_from(hub, f"127.0.7.{k + 1}", "admin",
                          "wrong-password-123").status_code
    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(attempt, range(24)))
    assert sorted(codes) == [401] * USER_FAILS + [429] * (24 - USER_FAILS)
    assert_error(login_from(hub, "127.0.7.100", "admin", ADMIN_PASSWORD),
                 429, "rate_limited")


def test_behind_a_trusted_proxy_each_client_is_limited_alone(tmp_path):
    """Behind the documented load balancer every request came from its
    address, so 20 bad log-ins from anyone locked every user out of
    signing in (found by an outside review). With --trusted-proxies the
    balancer's X-Forwarded-For names the client: the rightmost entry that
    is not a trusted proxy, so a client cannot pose as another by sending
    the field itself; from any other peer the field is still ignored."""
    from conftest import Hub
    h = Hub(tmp_path, demo=False)
    h.init_fixture()
    h.daemon_args = ["--trusted-proxies", "127.0.7.1,127.0.7.2"]
    h.start()
    try:
        lb, inner, other = "127.0.7.1", "127.0.7.2", "127.0.7.9"
        for k in range(ADDR_FAILS):
            # the attacker's own field first, the balancer's entry last
            r = login_from(h, lb, f"nobody-{k}", "wrong-password-123",
                           headers={"X-Forwarded-For":
                                    f"198.51.100.{k + 1}, 203.0.113.5"})
            assert_error(r, 401)
        assert_error(login_from(h, lb, "nobody-x", "wrong-password-123",
                                headers={"X-Forwarded-For": "203.0.113.5"}),
                     429, "rate_limited")
        # another client through the same balancer (and through two of
        # them) signs in
        assert login_from(h, lb, "admin", ADMIN_PASSWORD, headers={
            "X-Forwarded-For": "203.0.113.6"}).status_code == 201
        assert login_from(h, inner, "admin", ADMIN_PASSWORD, headers={
            "X-Forwarded-For": "203.0.113.7, 127.0.7.1"}).status_code == 201
        # the blocked client through the inner balancer too
        assert_error(login_from(h, inner, "admin", ADMIN_PASSWORD, headers={
            "X-Forwarded-For": "203.0.113.5, 127.0.7.1"}), 429,
            "rate_limited")
        # no field, or no address in it: the balancer's own address
        assert login_from(h, lb, "admin", ADMIN_PASSWORD).status_code == 201
        # a peer that is no trusted proxy is its own client, whatever it
        # says
        for k in range(ADDR_FAILS):
            assert_error(login_from(h, other, f"nobody-o{k}",
                                    "wrong-password-123", headers={
                                        "X-Forwarded-For":
                                        f"198.51.100.{k + 1}"}), 401)
        assert_error(login_from(h, other, "admin", ADMIN_PASSWORD, headers={
            "X-Forwarded-For": "203.0.113.8"}), 429, "rate_limited")
        # the audit names the client, not the balancer
        tok = h.token("admin")
        items = h.api("GET", "/api/v1/audit?limit=1000", token=tok).json()[
            "items"]
        addrs = {json.dumps(e) for e in items if e["action"] == "login"}
        assert any("203.0.113.6" in a for a in addrs), addrs
    finally:
        h.stop()
