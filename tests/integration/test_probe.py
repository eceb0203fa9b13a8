"""infrashare-probe against the test bed (tests/integration/testbed.py).

The real prober resolves names through real dnsmasq servers and measures
real connections to the test bed's server on 127.0.0.0/8; assertions about
rates, concurrency and spreading count the server's or the prober's own
records, not our clocks. Phase times are bounded below by the latency the
bed injects (physically guaranteed); the upper bounds that tell a fast site
from a slow one are coarse (seconds), so a stall of a loaded machine does
not break them.
"""
import base64
import json
import os
import stat
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import BUILD, SANITIZER_MARKS
from testbed import TestBed

PROBE = BUILD / "infrashare-probe"
OUTCOMES = {"ok", "dns", "refused", "timeout", "tls", "http5xx", "status",
            "content", "error"}


def run_probe(*args, timeout=120, check=True):
    p = subprocess.run([str(PROBE), *map(str, args)], capture_output=True,
                       text=True, timeout=timeout)
    for mark in SANITIZER_MARKS:
        assert mark not in p.stderr, p.stderr
    if check:
        assert p.returncode == 0, p.stderr
    return p


def probe_sites(bed, tmp_path, sites=None, interval_s=1, rounds=1, extra=()):
    """Runs the prober standalone on the bed; its results by site id."""
    path = bed.write_sites(tmp_path / "sites.jsonl", sites, interval_s)
    p = run_probe("--sites", path, "--out", "-", "--rounds", rounds,
                  "--resolver", bed.resolver, *extra)
    results = [json.loads(line) for line in p.stdout.splitlines()]
    by_site = {}
    for r in results:
        assert r["outcome"] in OUTCOMES
        by_site.setdefault(r["site"], []).append(r)
    return by_site


@pytest.fixture
def bed(tmp_path):
    b = TestBed(tmp_path, providers=("a", "b"))
    yield b
    b.close()


# the latency a slow site or vantage is given, in seconds: large enough
# that a fast one stays well under it on a loaded machine (a stall of a few
# hundred ms in the bed or the prober is common under ASan in CI)
SLOW_S = 1.5
SLOW_MS = SLOW_S * 1000


def test_phases_measured(bed, tmp_path):
    fast = bed.add_site(provider="a")
    slow = bed.add_site(provider="b")
    bed.start()
    bed.set(slow, latency=SLOW_S)
    res = probe_sites(bed, tmp_path, interval_s=2, rounds=2)
    for site in (fast, slow):
        assert len(res[site.id]) == 2
        for r in res[site.id]:
            assert r["outcome"] == "ok", r
            assert r["status"] == 200
            # the DNS phase is ours, through the real dnsmasq: the address
            # and provider come from its records
            assert r["dns_ms"] > 0
            assert r["addr"] == site.addr
            assert r["ns"] == bed.ns_of(site)
            assert r["connect_ms"] >= 0
            assert r["tls_ms"] == -1  # http
            assert r["ttfb_ms"] >= 0
            assert r["total_ms"] >= r["dns_ms"] + r["connect_ms"] + \
                r["ttfb_ms"] - 0.01
    # the injected latency shows in first byte and total, not elsewhere
    for r in res[slow.id]:
        assert r["ttfb_ms"] >= SLOW_MS
        assert r["total_ms"] >= SLOW_MS
        assert r["connect_ms"] < SLOW_MS, r
    for r in res[fast.id]:
        assert r["ttfb_ms"] < SLOW_MS, r
    assert max(r["ttfb_ms"] for r in res[fast.id]) < \
        min(r["ttfb_ms"] for r in res[slow.id])
    assert len(bed.requests(slow)) == 2 and len(bed.requests(fast)) == 2


def test_each_outcome_class(bed, tmp_path):
    ok = bed.add_site()
    nxdomain = bed.add_site(resolve=False)
    refused = bed.add_site(listen=False)
    hang = bed.add_site()
    five = bed.add_site()
    notfound = bed.add_site()
    moved = bed.add_site(expected_status=301)
    content = bed.add_site(content_match="Welcome to the plant")
    content_ok = bed.add_site(content_match="infrashare test site")
    tls_bad = bed.add_site(https=True)
    closing = bed.add_site()
    bed.start()
    bed.set(hang, mode="hang")
    bed.set(five, status=502)
    bed.set(notfound, status=404)
    bed.set(closing, mode="close")
    res = probe_sites(bed, tmp_path, rounds=1,
                      extra=("--timeout-ms", "1500"))
    got = {s.id: res[s.id][0]["outcome"] for s in bed.sites}
    assert got == {ok.id: "ok", nxdomain.id: "dns", refused.id: "refused",
                   hang.id: "timeout", five.id: "http5xx",
                   notfound.id: "status", moved.id: "status",
                   content.id: "content", content_ok.id: "ok",
                   tls_bad.id: "tls", closing.id: "error"}
    assert res[five.id][0]["status"] == 502
    assert res[nxdomain.id][0]["detail"] == "resolver answered NXDOMAIN"
    # it waited out the timeout (not an early failure): libcurl checks its
    # timeout on its own clock and its total time starts a moment later,
    # so a timed-out transfer can report a fraction of a millisecond less
    # than the timeout (1499.794 ms was seen in a CI run)
    assert res[hang.id][0]["total_ms"] >= 1490
    assert "certificate" in res[tls_bad.id][0]["detail"]


def test_tls_phase_with_trusted_ca(bed, tmp_path):
    site = bed.add_site(https=True)
    bed.start()
    res = probe_sites(bed, tmp_path, extra=("--cacert", bed.cacert))
    r = res[site.id][0]
    assert r["outcome"] == "ok", r
    assert r["tls_ms"] > 0
    assert r["total_ms"] >= r["connect_ms"] + r["tls_ms"]


def test_dns_provider_failure(bed, tmp_path):
    on_a = [bed.add_site(provider="a") for _ in range(3)]
    on_b = [bed.add_site(provider="b") for _ in range(3)]
    bed.start()
    bed.stop_provider("b")
    res = probe_sites(bed, tmp_path, extra=("--dns-timeout-ms", "300"))
    for s in on_a:
        assert res[s.id][0]["outcome"] == "ok"
    for s in on_b:
        r = res[s.id][0]
        assert r["outcome"] == "dns", r
        assert r["dns_ms"] >= 300  # waited for the answer that never came
    assert not any(bed.requests(s) for s in on_b)
    bed.start_provider("b")
    res = probe_sites(bed, tmp_path)
    assert all(res[s.id][0]["outcome"] == "ok" for s in on_a + on_b)


def test_per_host_concurrency_limit(bed, tmp_path):
    first = bed.add_site(path="/p0")
    same = [first] + [bed.add_site(host=first.host, path=f"/p{i}")
                      for i in range(1, 8)]
    bed.start()
    bed.set_many(same, latency=0.3)
    probe_sites(bed, tmp_path, rounds=2)
    assert len(bed.requests()) == 16
    # the server's count of connections open at once to that host
    assert bed.max_concurrency(first.host) == 2
    bed.reset_log()
    probe_sites(bed, tmp_path, rounds=1, extra=("--per-host", "3"))
    assert bed.max_concurrency(first.host) == 3


def _max_in_window(times, width):
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - width:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_jitter_spreads_starts(bed, tmp_path):
    sites = [bed.add_site() for _ in range(60)]
    bed.start()
    res = probe_sites(bed, tmp_path, interval_s=3, rounds=1)
    assert len(bed.requests()) == len(sites)
    rows = [r for rs in res.values() for r in rs]
    assert len(rows) == len(sites)
    # The schedule is judged by the prober's planned starts (its actual
    # start less its lag, the time a due probe waited for a CPU, a token or
    # a slot), not by the receiver's arrival times: a stall of a loaded
    # machine sends the starts that fell due meanwhile out together (40 of
    # 60 in one second was seen in CI, beside the browser tests), which
    # says nothing of the schedule.
    assert all(r["lag_ms"] >= 0 for r in rows), rows
    planned = [(r["at_ms"] - r["lag_ms"]) / 1000.0 for r in rows]
    # all at once would be 60 in 100 ms; spread over 3 s, ~2 per 100 ms
    assert _max_in_window(planned, 0.1) <= 0.3 * len(sites)
    assert _max_in_window(planned, 1.0) <= 0.6 * len(sites)
    assert max(planned) - min(planned) >= 1.5  # across the interval


def test_rate_limit_holds(bed, tmp_path):
    sites = [bed.add_site() for _ in range(40)]
    bed.start()
    res = probe_sites(bed, tmp_path, interval_s=1, rounds=1,
                      extra=("--rate", 20))
    assert len(bed.requests()) == len(sites)
    starts = [r["at_ms"] for rs in res.values() for r in rs]
    assert len(starts) == len(sites)
    # Judged by the prober's own start times (at_ms, its wall clock at each
    # start), not by the server's arrival times: a stall of the loaded
    # machine's test bed accepts the connections that arrived meanwhile
    # together, which says nothing of the rate (as in the jitter test).
    # Never more than the limit in any second (+1: at_ms is in whole ms,
    # read a moment after the start the limit counted on its monotonic
    # clock, so starts exactly 1 s apart can be 999 ms apart here).
    assert _max_in_window(starts, 1000) <= 21
    # and without the limit the same sites start faster (the check can fail)
    bed.reset_log()
    res = probe_sites(bed, tmp_path, interval_s=1, rounds=1,
                      extra=("--rate", 1000))
    assert len(bed.requests()) == len(sites)
    assert _max_in_window([r["at_ms"] for rs in res.values() for r in rs],
                          1000) > 21


def test_schedule_lag_reported(bed, tmp_path):
    for _ in range(20):
        bed.add_site()
    bed.start()
    path = bed.write_sites(tmp_path / "sites.jsonl", None, 1)
    p = run_probe("--sites", path, "--out", "-", "--rounds", 2,
                  "--resolver", bed.resolver, "--stats")
    stats = json.loads(p.stderr.strip().splitlines()[-1])
    assert stats["started"] == stats["finished"] == 40
    assert 0 <= stats["lag_p50_ms"] <= stats["lag_p99_ms"]
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert {x["round"] for x in lines} == {1, 2}
    assert all(x["lag_ms"] >= 0 for x in lines)


@pytest.mark.parametrize("args,message", [
    ([], "give --sites FILE --out -"),
    (["--sites", "x"], "needs both --sites FILE and --out -"),
    (["--sites", "x", "--out", "-", "--hub", "http://h"], "two modes"),
    (["--hub", "http://h", "--vantage", "v"], "needs --hub, --vantage"),
    (["--bogus"], "unknown option '--bogus'"),
    (["--sites"], "needs a value"),
    (["--sites", "x", "--out", "-", "--rounds", "0"], "--rounds must be"),
    (["--sites", "x", "--out", "-", "--rate", "fast"], "--rate must be"),
    (["--sites", "x", "--out", "-", "--resolver", "nowhere:99"],
     "--resolver 'nowhere:99'"),
    (["--sites", "x", "--out", "-", "--resolver", "127.0.0.1:70000"],
     "--resolver"),
    (["--sites", "/nonexistent/sites", "--out", "-",
      "--resolver", "127.0.0.1:53"], "cannot open --sites"),
    (["--sites", "x", "--out", "file.json"], "--out supports only '-'"),
    (["--hub", "ftp://h", "--vantage", "v", "--key", "k", "--token", "t"],
     "--hub must be an http(s) URL"),
    (["--keygen"], "needs a value"),
])
def test_bad_arguments(args, message):
    p = run_probe(*args, check=False)
    assert p.returncode == 2
    assert message in p.stderr, p.stderr
    assert p.stdout == ""


@pytest.mark.parametrize("line,message", [
    ("not json", "line 1: not a JSON object"),
    ('{"id": 1}', "needs an integer id and a string url"),
    ('{"id": 1, "url": "ftp://x/"}', "not an http(s) URL"),
    ('{"id": 1, "url": "http://x/", "interval_s": 0}', "interval_s"),
    ('{"id": 1, "url": "http://x/", "expected_status": 99}',
     "expected_status"),
    ('{"id": 1, "url": "http://x/", "interval_s": "60"}', "integers"),
    ('{"id": 1, "url": "http://x/"}\n{"id": 1, "url": "http://y/"}',
     "site 2 of --sites (id 1)"),
])
def test_bad_sites_file(tmp_path, line, message):
    f = tmp_path / "sites.jsonl"
    f.write_text(line + "\n")
    p = run_probe("--sites", f, "--out", "-", "--resolver", "127.0.0.1:53",
                  check=False)
    assert p.returncode == 2
    assert message in p.stderr, p.stderr


def test_keygen_and_verify(tmp_path):
    key = tmp_path / "vantage.key"
    p = run_probe("--keygen", key)
    pub = p.stdout.strip()
    assert len(base64.b64decode(pub)) == 32
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    # refuses to overwrite a key
    assert run_probe("--keygen", key, check=False).returncode == 1
    from nacl.signing import SigningKey
    sk = SigningKey(base64.b64decode(key.read_text())[:32])
    assert base64.b64encode(bytes(sk.verify_key)).decode() == pub
    body = tmp_path / "body.json"
    body.write_bytes(b'{"vantage":"v1","seq":1}')
    sig = base64.b64encode(sk.sign(body.read_bytes()).signature).decode()
    assert run_probe("--verify", pub, "--sig", sig, "--body",
                     body).stdout.strip() == "valid"
    body.write_bytes(b'{"vantage":"v1","seq":2}')
    p = run_probe("--verify", pub, "--sig", sig, "--body", body, check=False)
    assert p.returncode == 1 and p.stdout.strip() == "invalid"


class Receiver:
    """A stand-in hub: the assignments, and every pushed batch checked
    against the vantage's Ed25519 public key (PyNaCl)."""

    def __init__(self, public_key, token, items, fail_posts=0):
        from nacl.signing import VerifyKey
        self.key = VerifyKey(base64.b64decode(public_key))
        self.token = token
        self.items = items      # a list, or f(n) for the n-th GET (0, 1 …)
        self.gets = 0
        self.fail_posts = fail_posts  # the first ones answer 503
        self.posts = 0
        self.batches = []
        self.bad = []
        rec = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, status, obj):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.headers.get("Authorization") != f"Bearer {rec.token}":
                    return self.reply(401, {"error": {"code": "auth"}})
                if self.path != "/api/v1/observation/assignments":
                    return self.reply(404, {})
                items = rec.items(rec.gets) if callable(rec.items) \
                    else rec.items
                rec.gets += 1
                self.reply(200, {"items": items})

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                from nacl.exceptions import BadSignatureError
                try:
                    rec.key.verify(body, base64.b64decode(
                        self.headers["X-Infrashare-Signature"]))
                except (BadSignatureError, TypeError, ValueError) as e:
                    rec.bad.append(repr(e))
                    return self.reply(401, {"error": {"code": "signature"}})
                rec.posts += 1
                if rec.posts <= rec.fail_posts:
                    return self.reply(503, {"error": {"code": "busy"}})
                rec.batches.append({
                    "path": self.path,
                    "vantage": self.headers.get("X-Infrashare-Vantage"),
                    "auth": self.headers.get("Authorization"),
                    "type": self.headers.get("Content-Type"),
                    "body": json.loads(body)})
                self.reply(202, {"accepted": len(
                    rec.batches[-1]["body"]["results"])})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_push_mode_signed_batches(bed, tmp_path):
    sites = [bed.add_site() for _ in range(5)]
    down = bed.add_site(listen=False)
    bed.start()
    key = tmp_path / "v.key"
    pub = run_probe("--keygen", key).stdout.strip()
    items = [bed.site_json(s, 1) for s in sites + [down]]
    rec = Receiver(pub, "tok-123", items)
    try:
        run_probe("--hub", rec.url + "/", "--vantage", "osaka-1", "--key",
                  key, "--token", "tok-123", "--resolver", bed.resolver,
                  "--rounds", 2, "--batch-s", 1)
    finally:
        rec.close()
    assert rec.bad == []
    assert rec.batches, "no batch pushed"
    seqs = []
    results = []
    for b in rec.batches:
        assert b["path"] == "/api/v1/observations"
        assert b["vantage"] == "osaka-1"
        assert b["auth"] == "Bearer tok-123"
        assert b["type"] == "application/json"
        body = b["body"]
        assert set(body) == {"vantage", "seq", "sent_at", "results"}
        assert body["vantage"] == "osaka-1"
        seqs.append(body["seq"])
        results += body["results"]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert len(results) == 12
    for r in results:
        assert set(r) == {"site", "at", "outcome", "status", "dns_ms",
                          "connect_ms", "tls_ms", "ttfb_ms", "total_ms",
                          "addr", "ns"}
        assert r["at"].endswith("Z") and "." in r["at"]
    by = {}
    for r in results:
        by.setdefault(r["site"], []).append(r["outcome"])
    assert by[down.id] == ["refused", "refused"]
    assert all(by[s.id] == ["ok", "ok"] for s in sites)


def test_push_mode_bad_token_fails(bed, tmp_path):
    bed.add_site()
    bed.start()
    key = tmp_path / "v.key"
    pub = run_probe("--keygen", key).stdout.strip()
    rec = Receiver(pub, "right", [])
    try:
        p = run_probe("--hub", rec.url, "--vantage", "v", "--key", key,
                      "--token", "wrong", "--resolver", bed.resolver,
                      "--rounds", 1, check=False)
    finally:
        rec.close()
    assert p.returncode == 1
    assert "assignments: status 401" in p.stderr


def test_push_mode_bad_key_file(tmp_path):
    key = tmp_path / "k"
    key.write_text("not a key\n")
    p = run_probe("--hub", "http://127.0.0.1:9", "--vantage", "v", "--key",
                  key, "--token", "t", "--resolver", "127.0.0.1:53",
                  check=False)
    assert p.returncode == 2
    assert "is not a key made by --keygen" in p.stderr


def test_push_mode_keeps_results_the_hub_did_not_take(bed, tmp_path):
    """A 503 from the hub: the batch's results go with the next push."""
    sites = [bed.add_site() for _ in range(3)]
    bed.start()
    key = tmp_path / "v.key"
    pub = run_probe("--keygen", key).stdout.strip()
    rec = Receiver(pub, "t", [bed.site_json(s, 1) for s in sites],
                   fail_posts=1)
    try:
        run_probe("--hub", rec.url, "--vantage", "v", "--key", key,
                  "--token", "t", "--resolver", bed.resolver, "--rounds", 2,
                  "--batch-s", 1, check=False)
    finally:
        rec.close()
    assert rec.posts >= 2 and rec.bad == []
    results = [r for b in rec.batches for r in b["body"]["results"]]
    # every probe reported exactly once, none lost with the refused batch
    assert sorted((r["site"], r["at"]) for r in results) == sorted(
        {(r["site"], r["at"]) for r in results})
    assert len(results) == 6


def test_push_mode_follows_new_assignments(bed, tmp_path):
    """The site list is read again every --refresh-s: a site no longer
    assigned stops being probed, a new one starts (the engine's
    probe_engine_set_sites on a running schedule)."""
    old = bed.add_site()
    new = bed.add_site()
    bed.start()
    key = tmp_path / "v.key"
    pub = run_probe("--keygen", key).stdout.strip()
    rec = Receiver(pub, "t", lambda n: [bed.site_json(old if n == 0 else new,
                                                      1)])
    try:
        run_probe("--hub", rec.url, "--vantage", "v", "--key", key,
                  "--token", "t", "--resolver", bed.resolver, "--rounds", 5,
                  "--batch-s", 1, "--refresh-s", 1)
    finally:
        rec.close()
    assert rec.gets >= 2
    results = [r for b in rec.batches for r in b["body"]["results"]]
    sites = [r["site"] for r in results]
    # the new site ran all its rounds; the old one stopped when replaced
    # (the refresh, due 1 s in, has until the old site's fifth round, at
    # least 4 s in, on a loaded machine)
    assert sites.count(new.id) == 5
    assert sites.count(old.id) < 5
    assert len(bed.requests(new)) == 5


def test_sites_sharing_an_address(bed, tmp_path):
    """Two sites on one address (one hosting network) behave each as set:
    the server tells them apart by the Host header."""
    one = bed.add_site(addr="127.10.200.1")
    two = bed.add_site(addr="127.10.200.1")
    bed.start()
    bed.set(two, status=500)
    res = probe_sites(bed, tmp_path)
    assert res[one.id][0]["outcome"] == "ok"
    assert res[two.id][0]["outcome"] == "http5xx"
    assert res[one.id][0]["addr"] == res[two.id][0]["addr"] == "127.10.200.1"


def test_ipv6_only_site(bed, tmp_path):
    """A name with only an IPv6 address (AAAA) is probed on it."""
    v4 = bed.add_site()
    v6 = bed.add_site(addr="::1")
    bed.start()
    bed.set(v6, latency=0.1)
    res = probe_sites(bed, tmp_path)
    assert res[v4.id][0]["outcome"] == "ok"
    r = res[v6.id][0]
    assert r["outcome"] == "ok", r
    assert r["addr"] == "::1"
    assert r["ttfb_ms"] >= 100
    assert [q.site_id for q in bed.requests(v6)] == [v6.id]


def test_source_address_and_slow_vantage(bed, tmp_path):
    """--source sets the probes' source address (DNS and HTTP); the test
    bed can slow down everything one source sees (a slow vantage point)."""
    sites = [bed.add_site() for _ in range(3)]
    bed.start()
    bed.set_client("127.0.0.3", latency=SLOW_S)
    fast = probe_sites(bed, tmp_path, extra=("--source", "127.0.0.2"))
    slow = probe_sites(bed, tmp_path, extra=("--source", "127.0.0.3"))
    for s in sites:
        assert fast[s.id][0]["outcome"] == slow[s.id][0]["outcome"] == "ok"
        assert fast[s.id][0]["ttfb_ms"] < SLOW_MS, fast[s.id]
        assert slow[s.id][0]["ttfb_ms"] >= SLOW_MS
    assert sorted(r.client for r in bed.requests()) == \
        ["127.0.0.2"] * 3 + ["127.0.0.3"] * 3
    p = run_probe("--sites", tmp_path / "sites.jsonl", "--out", "-",
                  "--resolver", bed.resolver, "--source", "example",
                  check=False)
    assert p.returncode == 2
    assert "the source is not an IP address" in p.stderr


def test_content_check_reads_the_first_64_kb(bed, tmp_path):
    """The content check reads at most the first 64 KB: text past it is
    not found (content), text inside it is, even in a larger page."""
    early = bed.add_site(content_match="MARKER-EARLY")
    late = bed.add_site(content_match="MARKER-LATE")
    bed.start()
    big = "MARKER-EARLY" + "x" * 70000 + "MARKER-LATE" + "y" * 130000
    bed.set_many([early, late], body=big)
    res = probe_sites(bed, tmp_path)
    assert res[early.id][0]["outcome"] == "ok", res[early.id]
    assert res[late.id][0]["outcome"] == "content"
    assert res[late.id][0]["status"] == 200
