"""The check of every exchange against docs/openapi.json, checked itself.

conftest.py passes every response of a hub through openapi_check; these
tests make sure that check cannot silently pass: deliberately wrong
responses and accepted wrong requests must be flagged, with the operation,
the status and the JSON path, and the hook must be installed on every
requests call. They also check the document on its own: every schema is
valid JSON Schema and every example is valid against its schema.
"""
import copy
import json

import jsonschema
import pytest
import requests
from requests.structures import CaseInsensitiveDict

import conftest
from conftest import OPENAPI, wait_for  # noqa: F401
from openapi_check import Mismatch, Validator

JSON = CaseInsensitiveDict({"Content-Type": "application/json; charset=utf-8"})


def load():
    return json.loads(OPENAPI.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def real():
    return Validator(load())


def body(obj):
    return json.dumps(obj).encode()


def error(code="not_found"):
    return body({"error": {"code": code, "message": "m", "message_ja": "m"}})


def tiny(schema, request_schema=None, status="200"):
    """A validator of a one-operation document: GET/POST /x."""
    op = {"responses": {status: {"description": "d", "content": {
        "application/json": {"schema": schema}}}}}
    doc = {"openapi": "3.1.0", "paths": {"/x": {"get": op}},
           "components": {"schemas": {
               "Thing": {"type": "object", "required": ["a"],
                         "properties": {"a": {"type": "string"}}}},
               "responses": {}}}
    if request_schema is not None:
        doc["paths"]["/x"]["post"] = {
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": request_schema}}},
            "responses": {"201": {"description": "d"}}}
    return Validator(doc)


# ---- responses ----

def test_a_valid_response_passes(real):
    assert real.check_response("GET", "/healthz", 200, JSON,
                               body({"status": "ok", "schema_version": 1})) == []


def test_a_wrongly_typed_field_is_flagged_with_its_json_path(real):
    problems = real.check_response("GET", "/healthz", 200, JSON,
                                   body({"status": "ok",
                                         "schema_version": "1"}))
    assert len(problems) == 1, problems
    assert problems[0].startswith("GET /healthz -> 200: $.schema_version: ")
    assert "is not of type 'integer'" in problems[0]
    assert "(schema Health)" in problems[0]


def test_the_original_range_mismatch_would_be_flagged():
    """The class of the reported mismatch: an integer documented, a
    range name sent, deep inside an array of a composed schema."""
    v = tiny({"type": "object", "properties": {"updates": {
        "type": "array", "items": {"type": "object", "properties": {
            "range": {"type": "integer"}}}}}})
    problems = v.check_response("GET", "/x", 200, JSON,
                                body({"updates": [{"range": 1},
                                                  {"range": "amber"}]}))
    assert problems == ["GET /x -> 200: $.updates[1].range: 'amber' is not "
                        "of type 'integer'"], problems


def test_null_is_flagged_unless_a_type():
    schema = {"type": "object", "required": ["messages"], "properties": {
        "messages": {"$ref": "#/components/schemas/Thing"}}}
    v = tiny(schema)
    problems = v.check_response("GET", "/x", 200, JSON,
                                body({"messages": None}))
    assert problems and "$.messages: None is not of type 'object'" \
        in problems[0] and "(schema Thing)" in problems[0], problems
    # OpenAPI 3.1: null is a type, among a field's types or anyOf a $ref
    nullable = {"type": "object", "properties": {
        "messages": {"anyOf": [{"$ref": "#/components/schemas/Thing"},
                               {"type": "null"}]},
        "range": {"type": ["string", "null"], "enum": ["red", None]}}}
    v = tiny(nullable)
    assert v.check_response("GET", "/x", 200, JSON,
                            body({"messages": None, "range": None})) == []
    assert v.check_response("GET", "/x", 200, JSON,
                            body({"messages": {"a": "x"},
                                  "range": "red"})) == []
    assert v.check_response("GET", "/x", 200, JSON,
                            body({"messages": {"a": 1}}))


def test_a_missing_required_field_is_flagged(real):
    problems = real.check_response("GET", "/healthz", 200, JSON,
                                   body({"status": "ok"}))
    assert problems and "$: 'schema_version' is a required property" \
        in problems[0], problems


def test_an_undocumented_field_is_flagged(real):
    problems = real.check_response("GET", "/healthz", 200, JSON,
                                   body({"status": "ok", "schema_version": 1,
                                         "secret": "x"}))
    assert problems and "Additional properties are not allowed ('secret'" \
        in problems[0], problems


def test_all_of_is_closed_over_the_union_of_its_members():
    v = tiny({"allOf": [{"$ref": "#/components/schemas/Thing"},
                        {"type": "object", "properties": {
                            "b": {"type": "integer"}}}]})
    assert v.check_response("GET", "/x", 200, JSON,
                            body({"a": "x", "b": 1})) == []
    problems = v.check_response("GET", "/x", 200, JSON,
                                body({"a": "x", "b": 1, "c": 2}))
    assert problems and "('c' was unexpected)" in problems[0], problems


def test_an_undocumented_status_is_flagged(real):
    problems = real.check_response("GET", "/healthz", 418, JSON, error())
    assert len(problems) == 1
    assert problems[0].startswith("GET /healthz -> 418: status not "
                                  "documented for this operation")


def test_an_error_body_is_checked_against_the_error_schema(real):
    problems = real.check_response("GET", "/api/v1/reports/R1", 404, JSON,
                                   body({"error": "not found"}))
    assert problems and "GET /api/v1/reports/{id} -> 404: $.error: " \
        in problems[0], problems


def test_a_wrong_content_type_is_flagged(real):
    problems = real.check_response(
        "GET", "/healthz", 200,
        CaseInsensitiveDict({"Content-Type": "text/html; charset=utf-8"}),
        body({"status": "ok", "schema_version": 1}))
    assert problems == ["GET /healthz -> 200: Content-Type 'text/html; "
                        "charset=utf-8' not documented (documented: "
                        "application/json)"], problems
    problems = real.check_response(
        "GET", "/metrics", 200,
        CaseInsensitiveDict({"Content-Type": "text/plain; charset=utf-8"}),
        b"x 1\n")
    assert problems and "not documented" in problems[0]


def test_a_body_that_is_not_strict_json_is_flagged(real):
    for raw in (b'{"status": "ok", "status": "ok", "schema_version": 1}',
                b'{"status": "ok", "schema_version": NaN}',
                b'\xef\xbb\xbf{"status": "ok", "schema_version": 1}',
                b'{"status": "ok"'):
        problems = real.check_response("GET", "/healthz", 200, JSON, raw)
        assert problems and "body is not strict JSON" in problems[0], raw


def test_a_bad_date_time_is_flagged():
    v = tiny({"type": "object", "properties": {
        "at": {"type": "string", "format": "date-time"}}})
    assert v.check_response("GET", "/x", 200, JSON,
                            body({"at": "2026-04-01T09:30:00Z"})) == []
    for bad in ("2026-04-01 09:30:00", "2026-02-30T00:00:00Z",
                "2026-04-01T09:30:00+24:00", "1775035800"):
        assert v.check_response("GET", "/x", 200, JSON, body({"at": bad})), bad


def test_unknown_paths_and_methods_must_be_the_documented_errors(real):
    assert real.check_response("GET", "/no/such/path", 404, JSON,
                               error()) == []
    problems = real.check_response("GET", "/no/such/path", 200, JSON,
                                   body({}))
    assert problems and "only 404 is documented" in problems[0]
    allow = CaseInsensitiveDict(JSON)
    allow["Allow"] = "GET"
    assert real.check_response("PUT", "/healthz", 405, allow,
                               error("method_not_allowed")) == []
    problems = real.check_response("PUT", "/healthz", 405, JSON,
                                   error("method_not_allowed"))
    assert problems == ["PUT /healthz -> 405: no Allow header"]
    problems = real.check_response("PUT", "/healthz", 200, JSON, body({}))
    assert problems and "only 405 is documented" in problems[0]


def test_head_is_checked_as_get_without_a_body(real):
    assert real.check_response("HEAD", "/healthz", 200, JSON, b"") == []
    assert real.check_response("HEAD", "/healthz", 418, JSON, b"")


def test_literal_paths_win_over_templates(real):
    assert real.find("GET", "/api/v1/reports/counts")[0] == \
        "/api/v1/reports/counts"
    assert real.find("GET", "/api/v1/reports/R1")[0] == \
        "/api/v1/reports/{id}"


# ---- requests the hub accepted ----

def test_an_accepted_invalid_request_body_is_flagged():
    v = tiny({}, request_schema={"type": "object", "required": ["a"],
                                 "properties": {"a": {"type": "string"},
                                                "b": {"type": "integer"}}})
    assert v.check_request("POST", "/x", JSON, body({"a": "x"})) == []
    # convention (3): null for an optional field is leaving it out
    assert v.check_request("POST", "/x", JSON, body({"a": "x",
                                                     "b": None})) == []
    for bad, what in (({"a": None}, "$.a: None is not of type 'string'"),
                      ({"a": "x", "b": "1"}, "$.b: '1' is not of type"),
                      ({"a": "x", "c": 1}, "Additional properties"),
                      ({}, "'a' is a required property")):
        problems = v.check_request("POST", "/x", JSON, body(bad))
        assert problems and problems[0].startswith(
            "POST /x request body: ") and what in problems[0], (bad, problems)
    assert v.check_request("POST", "/x", JSON, b"") == [
        "POST /x request body: the hub accepted no body where one is "
        "required"]
    assert v.check_request(
        "POST", "/x", CaseInsensitiveDict({"Content-Type": "text/plain"}),
        b'{"a": "x"}')
    assert v.check_request("GET", "/x", JSON, b"{}") == [
        "GET /x request body: the hub accepted a body on an operation "
        "documented without one"]


def test_accepted_parameters_must_be_documented_and_valid(real):
    assert real.check_parameters("GET", "/api/v1/reports",
                                 "limit=10&state=open&overdue=true&q=") == []
    assert real.check_parameters("GET", "/api/v1/orgs/gas-op-1", "") == []
    # a query parameter the operation does not list is ignored (documented)
    assert real.check_parameters("GET", "/api/v1/reports", "colour=red") == []
    for path, query, what in (
            ("/api/v1/reports", "limit=0",
             "GET /api/v1/reports query parameter limit='0': $: 0 is less "
             "than the minimum of 1"),
            ("/api/v1/reports", "limit=ten",
             "GET /api/v1/reports query parameter limit='ten': $: 'ten' is "
             "not of type 'integer'"),
            ("/api/v1/reports", "overdue=yes",
             "'yes' is not of type 'boolean'"),
            ("/api/v1/reports", "state=shut",
             "'shut' is not one of ['open', 'closed']"),
            ("/api/v1/reports/R1/attachments/0", "",
             "GET /api/v1/reports/{id}/attachments/{att} path parameter "
             "att='0': $: 0 is less than the minimum of 1")):
        problems = real.check_parameters("GET", path, query)
        assert problems and what in problems[0], (query, problems)


# ---- the hook on every requests call ----

def test_every_requests_call_to_a_hub_is_checked(hub, monkeypatch):
    """A deliberately wrong document makes a correct daemon fail: the
    check runs on requests.get, on sessions and on Hub.api alike, and the
    failure names the operation, the status and the JSON path."""
    assert requests.Session.send is conftest._checked_send
    assert hub.get("/healthz").status_code == 200  # the true document
    doc = load()
    health = doc["components"]["schemas"]["Health"]
    health["properties"]["schema_version"] = {"type": "string"}
    monkeypatch.setitem(conftest.OPENAPI_CHECK, "validator", Validator(doc))
    monkeypatch.setattr(conftest, "OPENAPI_COLLECT", None)
    calls = (lambda: hub.get("/healthz"),
             lambda: requests.Session().get(hub.url + "/healthz"),
             lambda: hub.api("GET", "/healthz"))
    for call in calls:
        with pytest.raises(Mismatch) as exc:
            call()
        assert "GET /healthz -> 200: $.schema_version: " in str(exc.value)
        assert "is not of type 'string' (schema Health)" in str(exc.value)
    # recorded too, so a call in a thread that swallowed it still fails the
    # test at its end; this test expected them
    assert len(conftest.OPENAPI_MISMATCHES) == len(calls)
    conftest.OPENAPI_MISMATCHES.clear()


def test_a_mismatch_in_a_thread_fails_the_test_at_its_end(hub, monkeypatch,
                                                          request):
    import threading
    doc = load()
    del doc["paths"]["/healthz"]["get"]["responses"]["200"]
    monkeypatch.setitem(conftest.OPENAPI_CHECK, "validator", Validator(doc))
    monkeypatch.setattr(conftest, "OPENAPI_COLLECT", None)
    t = threading.Thread(target=lambda: pytest.raises(Mismatch, hub.get,
                                                      "/healthz"))
    t.start()
    t.join()
    assert len(conftest.OPENAPI_MISMATCHES) == 1
    assert "GET /healthz -> 200: status not documented" in \
        conftest.OPENAPI_MISMATCHES[0]
    conftest.OPENAPI_MISMATCHES.clear()


def test_a_hub_subclass_with_its_own_start_is_registered(tmp_path):
    """Harnesses that start the daemon themselves (ProvHub) set url like
    Hub.start does; that alone registers the address, and stop() drops
    it (the port may be reused by a receiver later)."""
    class OwnStart(conftest.Hub):
        def start(self):
            self.url = "http://127.0.0.1:1"
            self.proc = None
            return self
    h = OwnStart(tmp_path).start()
    assert "127.0.0.1:1" in conftest.HUB_ADDRS
    h.proc = type("P", (), {"poll": lambda self: 0, "returncode": 0})()
    h.log = open(tmp_path / "log", "w")
    h.log_path = tmp_path / "log"
    h.stop()
    assert "127.0.0.1:1" not in conftest.HUB_ADDRS


def test_other_servers_are_not_checked(hub, monkeypatch):
    doc = load()
    doc["paths"] = {}
    monkeypatch.setitem(conftest.OPENAPI_CHECK, "validator", Validator(doc))
    url = hub.url
    monkeypatch.setattr(conftest, "HUB_ADDRS", set())
    monkeypatch.setattr(conftest, "OPENAPI_COLLECT", None)
    assert requests.get(url + "/healthz", timeout=30).status_code == 200


# ---- the document on its own ----

def schemas_of(doc):
    """(where, schema node, example or None, request?) of the document's
    response and request schemas and of its components."""
    v = Validator(doc)
    for template, item in doc["paths"].items():
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            rb = op.get("requestBody")
            if rb:
                for name, media in v._resolve(rb)["content"].items():
                    if "schema" in media:
                        yield (f"{method.upper()} {template} request {name}",
                               media["schema"], media.get("example"), True)
            for status, resp in op["responses"].items():
                resp = v._resolve(resp)
                for name, media in (resp.get("content") or {}).items():
                    if "schema" in media and "json" in name:
                        yield (f"{method.upper()} {template} {status} {name}",
                               media["schema"], media.get("example"), False)
    for name, schema in doc["components"]["schemas"].items():
        yield (f"components/schemas/{name}",
               {"$ref": f"#/components/schemas/{name}"},
               schema.get("example"), name.endswith("Request"))


def test_every_schema_of_the_document_is_valid_json_schema():
    doc = load()
    v = Validator(doc)
    for where, schema, _, request in schemas_of(doc):
        converted = v._convert(copy.deepcopy(schema), request)
        try:
            jsonschema.Draft4Validator.check_schema(converted)
        except jsonschema.SchemaError as e:
            raise AssertionError(f"{where}: {e.message}") from None


def test_every_example_of_the_document_is_valid():
    """The examples are part of the document an integrator reads: they
    must be true too (checked as strictly as the daemon's answers)."""
    doc = load()
    v = Validator(doc)
    bad = []
    for where, schema, example, request in schemas_of(doc):
        if example is None:
            continue
        validator = v._validator(("example", where), schema, request)
        bad += [f"{where} example: {e}"
                for e in v._schema_errors(validator, example)]
    assert not bad, "\n".join(bad)
