"""HTTP protocol and bad input (docs/rules.md, "HTTP protocol").

Requests the requests library cannot express (no Host, a huge head, an
absurd Content-Length, hundreds of query parameters) are sent on raw
sockets, and the raw answer is parsed strictly: one status line, one header
block, a body exactly Content-Length long that is the JSON error object.
"""
import gzip
import http.client
import json
import socket
import subprocess
import time
import zlib

import pytest
import requests

import hubdb
from conftest import BUILD, Hub, assert_error, assert_message_ja, wait_for

OP = "op-banking-0001"
# The soonest the hub gives up on a connection whose request it never
# took in: libmicrohttpd's idle timeout (MHD_OPTION_CONNECTION_TIMEOUT,
# src/http/server.c: 30 s), or the request head's deadline where the
# build has one (HTTP_HEAD_TIMEOUT_S, src/http/http.h: 20 s from the
# connection's start). Such a connection ends then, unanswered.
HUB_GIVES_UP_S = 20


# ---- raw HTTP ----

def raw(port, data, host="127.0.0.1", timeout=10):
    """Sends data, reads until the server closes (or timeout: a failure,
    the hub must answer bad requests at once)."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the hub may answer and close before reading everything
    out = b""
    start = time.monotonic()
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        raise AssertionError(f"no complete answer within {timeout} s "
                             f"({time.monotonic() - start:.1f} s): {out!r}")
    except ConnectionResetError:
        pass
    finally:
        s.close()
    return out


def parse(answer):
    """(status, headers lower-cased, body) of exactly one HTTP response."""
    head, sep, body = answer.partition(b"\r\n\r\n")
    assert sep, answer
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 "), lines[0]
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        assert k and not k.startswith("HTTP/"), lines
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    n = int(headers["content-length"][0])
    assert len(body) == n, (n, body)   # no second header block, no extra
    return status, headers, body


def json_error(answer, status, code=None, field=None):
    st, headers, body = parse(answer)
    assert st == status, answer[:300]
    assert headers["content-type"][0].startswith("application/json"), headers
    err = json.loads(body)["error"]
    assert err["message"]
    if code:
        assert err["code"] == code, err
    if field:
        assert err.get("field") == field, err
    assert_message_ja(err, status)
    return err


def req(method, target, headers=(), body=b"", version="HTTP/1.1",
        host=True):
    lines = [f"{method} {target} {version}"]
    if host:
        lines.append("Host: 127.0.0.1")
    lines += list(headers)
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.fixture(scope="module")
def phub(tmp_path_factory):
    h = Hub(tmp_path_factory.mktemp("httpproto"), demo=True)
    h.init_fixture()
    h.start()
    yield h
    h.stop()


# ---- 8: many query parameters, long targets ----

@pytest.mark.parametrize("path", ["/healthz", "/api/v1/sectors",
                                  "/api/v1/reports"])
def test_hundreds_of_query_parameters_are_answered_at_once(phub, path):
    q = "&".join(f"a{i}=b" for i in range(950))        # about 7 KB
    assert 6000 < len(q) < 8192
    # "at once": not left hanging until the hub gives up on the
    # connection (an exhausted connection pool did that, see on_uri).
    # Those timeouts count from after t0, so an answer well within them
    # (10 s of 20: a margin for how they are counted) was not theirs; a
    # loaded machine needs no race to be under it.
    limit = HUB_GIVES_UP_S - 10
    t0 = time.monotonic()
    ans = raw(phub.port, req("GET", f"{path}?{q}"), timeout=limit)
    assert time.monotonic() - t0 < limit
    json_error(ans, 400, "too_many_parameters", "query")


def test_query_parameters_up_to_the_limit_are_fine(phub):
    q = "&".join(f"a{i}=b" for i in range(64))
    r = phub.get(f"/healthz?{q}")
    assert r.status_code == 200, r.text
    r = phub.get("/healthz?" + q + "&one=more")
    assert_error(r, 400, "too_many_parameters", "query")


@pytest.mark.parametrize("n", [8200, 60000, 400000])
def test_long_request_target_is_414_json(phub, n):
    ans = raw(phub.port, req("GET", "/healthz?x=" + "a" * n))
    json_error(ans, 414, "uri_too_long", "url")


@pytest.mark.parametrize("n", [1100, 8000])
def test_a_long_path_within_the_limit_reaches_its_route(phub, n):
    """Found by fuzz/api_fuzz.py: a path of 1,024 to 8,192 bytes matched no
    route, so a roll call's answer link (whose 404 is a page) answered
    the API's JSON 404 and a path under /api/v1 a 404 instead of its
    route's own refusal. Every target within the limit is routed."""
    page = phub.get("/ack/" + "a" * n)
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html"), page.text
    tok = phub.token("admin")
    r = phub.api("GET", "/api/v1/orgs/" + "b" * n, token=tok)
    assert_error(r, 404)
    assert "no such path" not in r.text  # the route's answer, not the router's
    # one byte past the limit is still 414
    ans = raw(phub.port, req("GET", "/ack/" + "a" * 8188))
    json_error(ans, 414, "uri_too_long", "url")


def test_the_connection_still_serves_after_limits(phub):
    # the hub is not left in a bad state by the refusals above
    assert phub.get("/healthz").status_code == 200


# ---- 9: Content-Type of request bodies ----

LOGIN = json.dumps({"username": "admin",
                    "password": "admin-password-for-tests"}).encode()


@pytest.mark.parametrize("ctype", [
    None, "text/plain", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz", "application/json; charset=shift_jis",
    "application/json; charset=iso-8859-1", "application/jsonx",
    "application/merge-patch+json", "text/json"])
def test_body_that_is_not_application_json_is_415(phub, ctype):
    headers = {} if ctype is None else {"Content-Type": ctype}
    s = requests.Session()
    r = s.post(phub.url + "/api/v1/session", data=LOGIN, headers=headers,
               timeout=30)
    if ctype is None:
        assert "Content-Type" not in r.request.headers
    assert_error(r, 415, "unsupported_media_type", "Content-Type")
    assert "Set-Cookie" not in r.headers    # nothing happened


@pytest.mark.parametrize("ctype", [
    "application/json", "application/json; charset=utf-8",
    "Application/JSON; Charset=UTF-8", 'application/json;charset="utf-8"',
    "application/json ; charset=utf-8"])
def test_application_json_in_any_case_is_accepted(phub, ctype):
    r = requests.post(phub.url + "/api/v1/session", data=LOGIN,
                      headers={"Content-Type": ctype}, timeout=30)
    assert r.status_code == 201, (ctype, r.text)


def test_415_on_an_authenticated_write_changes_nothing(phub):
    s = phub.login("admin")
    r = s.post(phub.url + "/api/v1/tokens", data=b'{"name":"x"}',
               headers={"Content-Type": "text/plain"}, timeout=30)
    assert_error(r, 415, "unsupported_media_type", "Content-Type")
    names = [t["name"] for t in s.get(phub.url + "/api/v1/tokens",
                                      timeout=30).json()["items"]]
    assert "x" not in names


def test_utf8_bom_is_ignored(phub):
    r = requests.post(phub.url + "/api/v1/session", data=b"\xef\xbb\xbf" +
                      LOGIN, headers={"Content-Type": "application/json"},
                      timeout=30)
    assert r.status_code == 201, r.text
    # only at the start: a BOM elsewhere is not JSON
    r = requests.post(phub.url + "/api/v1/session",
                      data=b" \xef\xbb\xbf" + LOGIN,
                      headers={"Content-Type": "application/json"},
                      timeout=30)
    assert_error(r, 400, "malformed_json", "body")


def test_nul_and_huge_integers_are_refused_at_their_field(phub):
    """Valid JSON that C strings and 64-bit integers cannot hold:
    \\u0000 in a string and an integer of 2^63 or more were a
    malformed_json on the whole body (naming the decoder's flag); they are
    a 400 naming their field, and nothing is stored (found by an outside
    review)."""
    s = phub.login("admin")
    before = s.get(phub.url + "/api/v1/tokens", timeout=30).json()["items"]
    cases = [
        ('{"name":"a\\u0000b"}', "invalid_text", "name"),
        ('{"name":"x","expires_days":9223372036854775808}', "out_of_range",
         "expires_days"),
        ('{"name":"x","expires_days":-99999999999999999999}',
         "out_of_range", "expires_days"),
        ('{"name":"x","a":{"b":[1,{"c":"\\u0000"}]}}', "invalid_text",
         "a.b[1].c"),
        ('{"name":"x","a":[7,123456789012345678901234567890]}',
         "out_of_range", "a[1]"),
    ]
    for body, code, field in cases:
        r = s.post(phub.url + "/api/v1/tokens", data=body.encode(),
                   headers={"Content-Type": "application/json"}, timeout=30)
        err = assert_error(r, 400, code, field)
        assert "JSON_" not in err["message"], err
        assert err["detail_ja"].startswith(field + ": "), err
    # the largest 64-bit integer is a number like any other: the field's
    # own range decides
    r = s.post(phub.url + "/api/v1/tokens",
               data=b'{"name":"x","expires_days":9223372036854775807}',
               headers={"Content-Type": "application/json"}, timeout=30)
    assert_error(r, 400, field="expires_days")
    after = s.get(phub.url + "/api/v1/tokens", timeout=30).json()["items"]
    assert after == before


def test_an_empty_body_needs_no_content_type(phub):
    s = phub.login("admin")
    r = s.delete(phub.url + "/api/v1/session",
                 headers={"Content-Type": "text/plain"}, timeout=30)
    assert r.status_code == 200, r.text


# ---- 10: every error is the JSON error object ----

def test_large_head_is_431_json(phub):
    # within the connection memory: the hub's own check
    ans = raw(phub.port, req("GET", "/healthz",
                             ["X-Big: " + "a" * 40000]))
    json_error(ans, 431, "headers_too_large", "headers")
    ans = raw(phub.port, req("GET", "/healthz",
                             [f"X-H{i}: v" for i in range(101)]))
    json_error(ans, 431, "headers_too_large", "headers")


def test_head_beyond_the_connection_memory_is_431_json(phub):
    # refused by the HTTP library itself: still the JSON error object
    ans = raw(phub.port, req("GET", "/healthz",
                             ["X-Big: " + "a" * 400000]))
    json_error(ans, 431, "headers_too_large", "headers")
    ans = raw(phub.port, req("GET", "/healthz",
                             [f"a{i}:" for i in range(20000)]))
    json_error(ans, 431, "headers_too_large", "headers")


def test_absurd_content_length_is_413_json_with_one_header_block(phub):
    ans = raw(phub.port, req("POST", "/api/v1/session",
                             ["Content-Type: application/json",
                              "Content-Length: 99999999999999999999999"]))
    assert ans.startswith(b"HTTP/1.1 ") and b"\nHTTP/1.1 " not in ans, ans
    json_error(ans, 413, "body_too_large", "Content-Length")
    # large but representable: refused before reading (the hub's check)
    ans = raw(phub.port, req("POST", "/api/v1/session",
                             ["Content-Type: application/json",
                              "Content-Length: 999999999999"]))
    json_error(ans, 413, "body_too_large", "body")


def test_malformed_content_length_and_version_are_json(phub):
    ans = raw(phub.port, req("POST", "/api/v1/session",
                             ["Content-Length: 12abc"]))
    assert ans.startswith(b"HTTP/1.1 ") and b"\nHTTP/1.1 " not in ans, ans
    json_error(ans, 400, "bad_request")
    ans = raw(phub.port, req("GET", "/healthz", version="HTTP/2.0"))
    json_error(ans, 505, "http_version_not_supported")


# ---- errors in Japanese and English (docs/rules.md) ----

def test_every_kind_of_error_says_it_in_japanese_too(phub):
    """message_ja beside message: the library's refusals (raw), the
    head's checks, authentication, routing, the body's validation, each
    with its Japanese sentence, after the field when there is one."""
    ja = {}
    ans = raw(phub.port, req("GET", "/healthz", version="HTTP/2.0"))
    ja["505"] = json_error(ans, 505)["message_ja"]
    ans = raw(phub.port, req("GET", "/healthz", host=False))
    ja["host"] = json_error(ans, 400, "bad_host", "Host")["message_ja"]
    ans = raw(phub.port, req("GET", "/api/v1/orgs",
                             [f"X-Pad: {'a' * 40000}"]))
    ja["431"] = json_error(ans, 431, "headers_too_large")["message_ja"]
    r = phub.get("/api/v1/reports")
    ja["401"] = assert_error(r, 401, "unauthenticated")["message_ja"]
    tok = phub.token("op-banking-0001")
    r = phub.api("GET", "/api/v1/no-such-path", token=tok)
    ja["404"] = assert_error(r, 404, "not_found")["message_ja"]
    r = phub.api("POST", "/api/v1/reports", token=tok, data=b"{}",
                 headers={"Content-Type": "text/plain"})
    ja["415"] = assert_error(r, 415, "unsupported_media_type")["message_ja"]
    r = phub.api("POST", "/api/v1/reports", token=tok, data=b"{",
                 headers={"Content-Type": "application/json"})
    ja["json"] = assert_error(r, 400, "malformed_json")["message_ja"]
    r = phub.api("GET", "/api/v1/reports?limit=abc", token=tok)
    ja["limit"] = assert_error(r, 400, "invalid_type", "limit")["message_ja"]
    r = phub.api("GET", "/api/v1/reports?limit=0", token=tok)
    ja["limit0"] = assert_error(r, 400, "out_of_range", "limit")["message_ja"]
    assert ja == {
        "505": "HTTP/1.0 と HTTP/1.1 のみ受け付けます。",
        "host": "Host: Host ヘッダーはちょうど 1 つ必要です。",
        "431": "headers: ヘッダーが大きすぎます。",
        "401": "ログイン、または有効な API トークンが必要です。",
        "404": "見つかりません（または閲覧できません）。",
        "415": "Content-Type: 本文の形式（Content-Type）を受け付けられ"
               "ません。JSON API には application/json（UTF-8）、TAXII には "
               "application/taxii+json;version=2.1 で送ってください。",
        "json": "body: JSON として読めません。",
        "limit": "limit: 値の型が正しくありません。",
        "limit0": "limit: 値が範囲外です。",
    }, ja


def test_the_reason_itself_in_japanese(phub):
    """detail_ja: the message's own reason in Japanese, with the values
    it quotes, after the field as in message (src/http/error_detail_rows.c);
    the page and the CLI show it in Japanese instead of the English."""
    tok = phub.token("op-banking-0001")
    got = {}
    r = phub.api("GET", "/api/v1/reports?limit=0", token=tok)
    got["limit"] = assert_error(r, 400, "out_of_range", "limit")
    r = phub.api("GET", "/api/v1/reports?state=maybe", token=tok)
    got["state"] = assert_error(r, 400, "invalid_value", "state")
    r = phub.api("POST", "/api/v1/reports", token=tok,
                 json={"kind": "incident", "title": 7})
    got["title"] = assert_error(r, 400, "invalid_type", "title")
    r = phub.api("POST", "/api/v1/reports", token=tok,
                 json={"kind": "incident", "title": "t", "colour": "red"})
    got["colour"] = assert_error(r, 400, "unknown_field", "colour")
    want = {
        "limit": ("limit: must be an integer from 1 to 500",
                  "limit: 1〜500 の整数で指定してください。"),
        "state": ("state: open or closed",
                  "state: open または closed を指定してください。"),
        "title": ("title: must be a string", "title: 文字列で指定してください。"),
        "colour": ("colour: is not a field of this request",
                   "colour: このリクエストの項目ではありません。"),
    }
    assert {k: (e["message"], e.get("detail_ja")) for k, e in got.items()} \
        == want, got
    # a message the table has no words for has no detail_ja (the English
    # message and the code's sentence are all there is)
    r = phub.api("GET", "/api/v1/audit", token=tok)
    e = assert_error(r, 403, "forbidden")
    assert e["message"] == "your roles do not allow this", e
    assert "detail_ja" not in e, e


# ---- 11: Host ----

def test_http11_without_host_is_400(phub):
    json_error(raw(phub.port, req("GET", "/healthz", host=False)), 400,
               "bad_host", "Host")
    json_error(raw(phub.port, req("GET", "/healthz", ["Host: other"])),
               400, "bad_host", "Host")


def test_http10_without_host_is_fine(phub):
    st, _, body = parse(raw(phub.port, req("GET", "/healthz", host=False,
                                           version="HTTP/1.0")))
    assert st == 200 and json.loads(body)["status"] == "ok"


# ---- 12: time ranges after the offset ----

@pytest.mark.parametrize("when", ["1970-01-01T00:00:00+23:59",
                                  "1970-01-01T08:59:59+09:00",
                                  "9999-12-31T23:59:59-00:01"])
def test_time_before_the_epoch_after_its_offset_is_refused(phub, when):
    tok = phub.token(OP, "time")
    h = {"Authorization": f"Bearer {tok}"}
    before = phub.get("/api/v1/reports?limit=200", headers=h).json()["items"]
    r = requests.post(phub.url + "/api/v1/reports", headers=h, timeout=30,
                      json={"title": "epoch probe", "kind": "incident",
                            "detected_at": when, "range": "green",
                            "route": "direct"})
    assert_error(r, 400, field="detected_at")
    after = phub.get("/api/v1/reports?limit=200", headers=h).json()["items"]
    assert len(after) == len(before)


# ---- 13: IPv6 ----

def ipv6_available():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


class ListenHub(Hub):
    """A hub started with extra daemon options (--listen, --public-url)."""

    def start_with(self, *extra, host="127.0.0.1"):
        port_file = self.dir / "port"
        if port_file.exists():
            port_file.unlink()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(BUILD / "infrashared"), "--db", str(self.db), "--port", "0",
             "--port-file", str(port_file), "--threads", "4",
             "--tick-ms", "100", *extra],
            stdout=self.log, stderr=self.log)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"infrashared exited {self.proc.returncode}:\n"
                    + self.log_path.read_text(errors="replace"))
            return port_file.exists() and port_file.read_text().strip()
        self.port = int(wait_for(ready, what="infrashared to listen"))
        self.url = (f"http://[{host}]:{self.port}" if ":" in host
                    else f"http://{host}:{self.port}")
        return self


@pytest.fixture
def lhub(tmp_path):
    h = ListenHub(tmp_path, demo=True)
    h.init_fixture()
    yield h
    h.stop()


def refused_connection(host, port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect((host, port))
        return False
    except ConnectionRefusedError:
        return True
    finally:
        s.close()


@pytest.mark.skipif(not ipv6_available(), reason="no IPv6 loopback")
def test_listen_on_ipv6_loopback(lhub):
    lhub.start_with("--listen", "::1", host="::1")
    r = requests.get(lhub.url + "/healthz", timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "ok"
    s = lhub.login("admin")                # a whole log-in over [::1]
    assert s.get(lhub.url + "/api/v1/session", timeout=30).status_code == 200
    assert refused_connection("127.0.0.1", lhub.port)   # IPv6 only
    listening = [e for e in lhub.log_lines() if e.get("msg") == "listening"]
    assert any(f"http://[::1]:{lhub.port}/" in json.dumps(e)
               for e in listening), listening


@pytest.mark.skipif(not ipv6_available(), reason="no IPv6 loopback")
def test_listen_dual_stack(lhub):
    lhub.start_with("--listen", "::", host="::1")
    assert requests.get(lhub.url + "/healthz", timeout=30).status_code == 200
    r = requests.get(f"http://127.0.0.1:{lhub.port}/healthz", timeout=30)
    assert r.status_code == 200
    # an IPv4 client is recorded (audit) as its IPv4 address, not as
    # ::ffff:127.0.0.1; an IPv6 client as its IPv6 address
    lhub.url = f"http://127.0.0.1:{lhub.port}"
    lhub.login("admin")
    lhub.url = f"http://[::1]:{lhub.port}"
    lhub.login("admin")
    con = hubdb.connect(lhub.db, timeout=10, readonly=True)
    details = [json.loads(d) for (d,) in con.execute(
        "SELECT detail FROM audit WHERE action = 'login'")]
    con.close()
    addrs = {d.get("addr") for d in details}
    assert {"127.0.0.1", "::1"} <= addrs, details


def test_listen_on_ipv4_as_before(lhub):
    lhub.start_with("--listen", "127.0.0.1")
    assert lhub.get("/healthz").status_code == 200


# ---- 14: compression and conditional requests ----

class _RawAnswer:
    def __init__(self, resp):
        self.status_code = resp.status
        self.headers = requests.structures.CaseInsensitiveDict(
            resp.getheaders())


def raw_get(url, headers):
    """The body exactly as sent (no transparent decompression). Plain
    http.client: the OpenAPI check of the harness reads (and decodes) every
    body that requests receives, so the bytes on the wire are taken here."""
    u = requests.utils.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request("GET", u.path + (("?" + u.query) if u.query else ""),
                     headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        return _RawAnswer(resp), body
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/ui/app.js"])
def test_gzip_when_asked(phub, path):
    plain_r, plain = raw_get(phub.url + path, {"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain_r.headers
    assert len(plain) > 1024
    r, body = raw_get(phub.url + path, {"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["Vary"]
    assert plain_r.headers["Vary"] == r.headers["Vary"]
    assert int(r.headers["Content-Length"]) == len(body) < len(plain)
    assert gzip.decompress(body) == plain
    assert r.headers["Content-Type"] == plain_r.headers["Content-Type"]


@pytest.mark.parametrize("ae,compressed", [
    ("gzip;q=0", False), ("gzip; q=0.0, identity", False),
    ("*;q=0", False), ("gzip;q=0, *", False), ("br", False),
    ("*", True), ("br, GZIP;q=0.5", True), ("x-gzip", True),
    ("deflate, gzip;q=1.0", True), ("identity;q=1, *;q=0.1", True)])
def test_accept_encoding_q_values(phub, ae, compressed):
    r, body = raw_get(phub.url + "/api/v1/openapi.json",
                      {"Accept-Encoding": ae})
    assert r.status_code == 200
    assert (r.headers.get("Content-Encoding") == "gzip") == compressed, ae
    if compressed:
        body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
    assert json.loads(body)["openapi"]


def test_small_bodies_are_not_compressed(phub):
    r, body = raw_get(phub.url + "/healthz", {"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in r.headers
    assert json.loads(body)["status"] == "ok"
    assert r.headers["Vary"] == "Accept-Encoding"


def test_compressed_api_list_matches(phub):
    tok = phub.token("nisc-analyst", "gz")
    h = {"Authorization": f"Bearer {tok}"}
    plain_r, plain = raw_get(phub.url + "/api/v1/sectors",
                             dict(h, **{"Accept-Encoding": "identity"}))
    r, body = raw_get(phub.url + "/api/v1/sectors",
                      dict(h, **{"Accept-Encoding": "gzip"}))
    if len(plain) >= 1024:
        assert r.headers["Content-Encoding"] == "gzip"
        body = gzip.decompress(body)
    assert json.loads(body) == json.loads(plain)


def issue_white(h, title):
    tok = h.token("nisc-analyst", "pub-" + title)
    r = requests.post(h.url + "/api/v1/advisories", timeout=30,
                      headers={"Authorization": f"Bearer {tok}"},
                      json={"kind": "security_info", "range": "white",
                            "severity": 1, "title_ja": title + "（日本語）",
                            "title_en": title, "body_ja": "本文",
                            "body_en": "Body", "audience": {"scopes": ["gas"]}})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("path", ["/public", "/public/feed.atom",
                                  "/public?lang=en",
                                  "/public/feed.atom?lang=en"])
def test_public_pages_answer_conditional_gets(phub, path):
    issue_white(phub, "Conditional " + path)
    r = phub.get(path)
    assert r.status_code == 200
    etag, lm = r.headers["ETag"], r.headers["Last-Modified"]
    assert r.headers["Cache-Control"] == "no-cache"
    r304 = phub.get(path, headers={"If-None-Match": etag})
    assert r304.status_code == 304 and r304.content == b""
    assert r304.headers["ETag"] == etag
    # Content-Length of a 304 is that of the 200 it stands for (RFC 9110
    # 8.6), never 0
    assert r304.headers["Content-Length"] == r.headers["Content-Length"]
    assert r304.headers["Vary"] == "Accept-Encoding"
    assert phub.get(path, headers={"If-None-Match": f'"x", {etag}'}
                    ).status_code == 304
    assert phub.get(path, headers={"If-None-Match": "*"}).status_code == 304
    assert phub.get(path, headers={"If-Modified-Since": lm}
                    ).status_code == 304
    # older copies and other tags get the full answer
    assert phub.get(path, headers={"If-None-Match": '"other"'}
                    ).status_code == 200
    assert phub.get(path, headers={
        "If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}
    ).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert phub.get(path, headers={"If-None-Match": '"other"',
                                   "If-Modified-Since": lm}
                    ).status_code == 200
    # a new White advisory changes the validators
    issue_white(phub, "Newer " + path)
    r2 = phub.get(path, headers={"If-None-Match": etag})
    assert r2.status_code == 200 and r2.headers["ETag"] != etag
    assert "Newer " + path.split("?")[0] in r2.text or \
        "Newer" in r2.text


@pytest.mark.parametrize("path", ["/public", "/public/feed.atom"])
def test_public_pages_refuse_a_language_they_do_not_have(phub, path):
    """ja (the default) and en are the public pages' languages; any other
    lang is a 400 naming it, not Japanese under another name."""
    for lang, word in (("ja", "公開情報"), ("en", "ublic advisories")):
        r = phub.get(f"{path}?lang={lang}")
        assert r.status_code == 200 and word in r.text, (lang, r.text[:200])
    for bad in ("xx", "EN", "", "ja,en"):
        r = phub.get(f"{path}?lang={bad}")
        err = assert_error(r, 400, "invalid_value", "lang")
        assert err["message"] == "lang: ja or en"


def test_feed_links_are_absolute_from_public_url(lhub):
    lhub.start_with("--public-url", "https://hub.example.jp/")
    issue_white(lhub, "Absolute")
    r = lhub.get("/public/feed.atom")
    assert r.status_code == 200
    import xml.etree.ElementTree as ET
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(r.content)
    hrefs = [l.get("href") for l in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert len(hrefs) >= 3
    for href in hrefs:
        assert href.startswith("https://hub.example.jp/public"), href
    assert any(h == "https://hub.example.jp/public/feed.atom" for h in hrefs)
    assert feed.find("a:entry", ns) is not None


# ---- the API document says all of the above ----

def test_openapi_documents_the_protocol_answers():
    from pathlib import Path
    doc = json.loads((Path(__file__).resolve().parents[2] / "docs" /
                      "openapi.json").read_text())
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            rs = op["responses"]
            for status in ("400", "413", "414", "431", "505"):
                assert status in rs, (method, path, status)
            if "requestBody" in op and path.startswith("/taxii2/"):
                # TAXII (docs/taxii.md): the TAXII error object
                assert rs["415"]["content"][
                    "application/taxii+json;version=2.1"]["schema"] == {
                    "$ref": "#/components/schemas/TaxiiError"}, (method, path)
            elif "requestBody" in op:
                assert rs["415"] == {
                    "$ref": "#/components/responses/UnsupportedMediaType"}, (
                    method, path)
    for path in ("/public", "/public/feed.atom"):
        rs = doc["paths"][path]["get"]["responses"]
        assert rs["304"] == {"$ref": "#/components/responses/NotModified"}
        assert {"ETag", "Last-Modified"} <= set(rs["200"]["headers"])
    ack = doc["paths"]["/ack/{token}"]
    assert {"get", "post"} <= set(ack)


def test_long_cookie_field_is_431_json_and_the_hub_lives(phub):
    """A Cookie field of 8,000 cookies (about 70 KB) before any credential
    check: the library refuses the head (431, the JSON error object) and
    the hub goes on serving. It once crashed the daemon: the library kept
    reading the head after its own 431 while the hub's override had closed
    the connection and freed the memory under it."""
    # and exactly one answer, its body the JSON object: libmicrohttpd
    # 0.9.75 wrote this reply's header block twice, so a client read the
    # second head as the body (found by an outside review: 2,000 cookies
    # of 16.9 KB, one cookie of 60 KB)
    for ck in ("; ".join(f"c{i}=v" for i in range(8000)),
               "; ".join(f"c{i}=v" for i in range(2000)),
               "big=" + "v" * 61440):
        ans = raw(phub.port, req("GET", "/healthz", [f"Cookie: {ck}"]))
        status, headers, body = parse(ans)
        assert status == 431, ans[:300]
        assert headers["content-type"] == ["application/json; charset=utf-8"]
        err = json.loads(body)["error"]
        assert err["code"] == "headers_too_large"
        assert err["field"] == "headers"
        assert phub.get("/healthz").status_code == 200
