"""Probe: the request target is taken as sent or refused, never cut.

An encoded NUL (%00) in the path or a query value ended the C string the
handlers saw: GET /api/v1/reports/<id>%00junk read the report <id> and
q=a%00b searched for "a". A query parameter given twice was answered
from one of its values, the others ignored (limit=1&limit=abc was 200):
a proxy checking one value and the hub using another disagree. Both are
400 before the route runs.
"""
import http.client

import pytest

from conftest import assert_error


class Raw:
    """Sends a request target byte for byte (requests would re-encode)."""

    def __init__(self, h, session):
        self.h, self.cookie = h, "; ".join(
            f"{k}={v}" for k, v in session.cookies.items())

    def get(self, target):
        c = http.client.HTTPConnection("127.0.0.1", self.h.port, timeout=30)
        c.request("GET", target, headers={"Cookie": self.cookie})
        r = c.getresponse()
        body = r.read()
        ctype = r.getheader("Content-Type")
        c.close()

        class R:
            status_code = r.status
            content = body
            text = body.decode("utf-8", "replace")
            headers = {"Content-Type": ctype}

            def json(self):
                import json
                return json.loads(body)
        return R()


@pytest.fixture(scope="module")
def raw(demo_hub):
    return Raw(demo_hub, demo_hub.login("nisc-analyst"))


@pytest.mark.parametrize("target", [
    "/api/v1/reports/R0123456789abcdef%00junk",
    "/api/v1/reports?q=a%00b",
    "/api/v1/reports?q%00x=a",
    "/healthz?x=%00",
])
def test_encoded_nul_is_refused(raw, target):
    assert_error(raw.get(target), 400, "invalid_text", "url")


@pytest.mark.parametrize("target,name", [
    ("/api/v1/reports?limit=1&limit=abc", "limit"),
    ("/api/v1/reports?sector=finance&sector=ict", "sector"),
    ("/api/v1/reports?q=a&q=a", "q"),
    ("/api/v1/reports?q=a&%71=b", "q"),
])
def test_repeated_query_parameter_is_refused(raw, target, name):
    assert_error(raw.get(target), 400, "duplicate_parameter", name)


def test_ordinary_targets_still_work(raw):
    assert raw.get("/api/v1/reports?limit=1&q=a").status_code == 200
    assert raw.get("/healthz").status_code == 200


def test_repeated_unprintable_parameter_name_gets_the_error_object(raw):
    err = assert_error(raw.get("/healthz?%ff%fe=1&%ff%fe=2"), 400,
                       "duplicate_parameter", "query")
    assert err["message"]
