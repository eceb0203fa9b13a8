"""Checks HTTP exchanges with the hub against docs/openapi.json.

The integration harness (conftest.py) passes every response it receives
from a hub through `Validator.check_exchange`, so the document and the
daemon cannot drift apart: a mismatch fails the test that made the call.

What is checked, for each request the hub answered:

* the operation: the path must be one of the document (else the answer
  must be the documented `404 not_found`), with the method (else the
  documented `405 method_not_allowed` with an `Allow` header); under
  `/taxii2` those are the TAXII error object (`TaxiiNotFound`,
  `TaxiiMethodNotAllowed`). HEAD is
  checked as the GET of the same path, without a body;
* the status code must be listed under the operation (`default` is
  honoured when present); an undocumented status is a failure;
* the Content-Type must be one of the documented media types of that
  status (parameters written in the document, e.g. `version=0.0.4`, must
  be present with the same value); a status documented without content
  must have an empty body;
* a JSON body must be strict JSON (UTF-8, no NaN, no duplicate keys) and
  valid against the documented schema; documented headers must match
  their schemas when present;
* the request, when the hub accepted it (2xx): the body must be JSON
  valid against the operation's requestBody schema (a body on an
  operation without requestBody, or none where one is required, fails);
  the documented query and path parameters must be valid against their
  schemas (after reading integers and booleans from their text); query
  parameters the operation does not list are ignored by the hub, as the
  document says, and are not checked. Rejected requests (4xx) are not
  checked: tests send invalid ones on purpose;
* a request under `/x/{exercise}/` (issue 14: a route run inside a
  running cross-sector exercise, http/server.c `exercise_prefix`) is
  checked as the route without the prefix, which is how the document
  describes the exercise context (tag `exercises`), except for the
  context's own refusals, `404 not_running` / `404 not_in_exercise` and
  `403 not_a_participant`, which any route may answer there (schema
  `Error`).

The document is OpenAPI 3.1, whose schemas are JSON Schema (2020-12):
a field that may be null says so in its `type` (`["string", "null"]`,
`null` in its `enum` too) or, for a `$ref`'d schema, as `anyOf` of it and
`{"type": "null"}`. The subset the document uses means the same in JSON
Schema draft 4, which python3-jsonschema checks here; `$ref`s are
inlined with a marker naming the component, so that a failure names it.

Strictness: an object schema that has `properties` but does not say
`additionalProperties` is treated as closed, in responses and requests.
The published document stays open (clients must tolerate fields added
later), but the hub must not send a field the document does not describe:
an undocumented field is exactly the drift this check exists to catch.
`allOf` compositions are closed over the union of their members'
properties. A schema that says `additionalProperties: true` (free-form
details) stays open.

In request bodies `null` for an optional field is accepted, as the
document's convention (3) says (it is the same as leaving it out).
"""
import copy
import json
import re
from datetime import datetime
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch",
                "trace")
REF_MARK = "x-component"
# RFC 3339 date-time (section 5.6), as the document's `format: date-time`
# /x/{exercise}/<path>: <path> inside a running exercise (the id's shape of
# http/server.c exercise_prefix: letters and digits, fewer than 40)
EXERCISE_RE = re.compile(r'^/x/([A-Za-z0-9]{1,39})(/.*)?$')
# status: (the component response, the exercise context's error codes)
EXERCISE_REFUSALS = {404: ("NotFound", ("not_running", "not_in_exercise")),
                     403: ("Forbidden", ("not_a_participant",))}
RFC3339_RE = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?'
    r'([Zz]|[+-](\d{2}):(\d{2}))$')


class Mismatch(AssertionError):
    """The daemon and docs/openapi.json disagree."""


def _check_date_time(value):
    if not isinstance(value, str):
        return True
    m = RFC3339_RE.match(value)
    if not m:
        return False
    year, month, day, hour, minute, second = (int(m.group(i))
                                              for i in range(1, 7))
    try:
        # leap seconds (60) are valid RFC 3339; the calendar check is not
        datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        return False
    if second > 60:
        return False
    if m.group(9) is not None:
        if int(m.group(9)) > 23 or int(m.group(10)) > 59:
            return False
    return True


def _check_int64(value):
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    return -2**63 <= value < 2**63


def _check_int32(value):
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    return -2**31 <= value < 2**31


FORMATS = jsonschema.FormatChecker(())
FORMATS.checks("date-time")(_check_date_time)
FORMATS.checks("int64")(_check_int64)
FORMATS.checks("int32")(_check_int32)


def _strict_json(data):
    """Parses bytes as strict JSON: UTF-8 (no BOM), no NaN/Infinity, no
    duplicate object keys. Raises ValueError with the reason."""
    text = data.decode("utf-8")  # UnicodeDecodeError is a ValueError

    def no_constant(name):
        raise ValueError(f"{name} is not JSON")

    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                raise ValueError(f"duplicate key {k!r}")
            out[k] = v
        return out
    return json.loads(text, parse_constant=no_constant,
                      object_pairs_hook=pairs)


def _media_type(value):
    """('type/subtype', {param: value}) of a Content-Type, lower-cased
    (parameter values too: charset and version are case-insensitive
    enough for this purpose)."""
    parts = [p.strip() for p in (value or "").split(";")]
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"').lower()
    return parts[0].lower(), params


def json_path(parts):
    """'$.updates[0].range' for a deque of jsonschema path parts."""
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


class Validator:
    def __init__(self, doc):
        self.doc = doc
        self._compiled = {}
        self._paths = []
        for template, item in doc.get("paths", {}).items():
            names = []

            def group(m):
                names.append(m.group(1))
                return "([^/]+)"
            rx = re.compile("^" + re.sub(r"\\\{(\w+)\\\}", group,
                                         re.escape(template)) + "$")
            # literal paths win over templated ones (/reports/counts
            # before /reports/{id})
            self._paths.append((template.count("{"), template, rx, item))
        self._paths.sort(key=lambda t: t[0])

    @classmethod
    def from_file(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    # ---- the document ----
    def _resolve(self, node):
        """Follows a $ref (local) to the object it names."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise Mismatch(f"document: external $ref {ref} not supported")
            target = self.doc
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
            seen += 1
            if seen > 50:
                raise Mismatch(f"document: $ref loop at {ref}")
        return node

    def _ref_name(self, node):
        return node["$ref"].rsplit("/", 1)[-1]

    def _convert(self, node, request, closed=True, depth=0):
        """OpenAPI 3.1 schema -> draft 4 JSON Schema, $refs inlined.

        closed: an object schema with properties and no
        additionalProperties becomes closed (members of an allOf are
        converted open and closed at the allOf)."""
        if depth > 64:
            raise Mismatch("document: schema nesting too deep (recursive $ref?)")
        if isinstance(node, dict) and "$ref" in node:
            name = self._ref_name(node)
            out = self._convert(self._resolve(node), request, closed,
                                depth + 1)
            out = dict(out)
            out.setdefault(REF_MARK, name)
            return out
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in ("example", "examples", "description", "title",
                       "externalDocs", "xml", "discriminator", "readOnly",
                       "writeOnly", "deprecated", "nullable"):
                continue
            if key == "properties":
                out[key] = {k: self._convert(v, request, True, depth + 1)
                            for k, v in value.items()}
            elif key in ("items", "not"):
                out[key] = self._convert(value, request, True, depth + 1)
            elif key == "additionalProperties" and isinstance(value, dict):
                out[key] = self._convert(value, request, True, depth + 1)
            elif key == "allOf":
                out[key] = [self._convert(v, request, False, depth + 1)
                            for v in value]
            elif key in ("oneOf", "anyOf"):
                out[key] = [self._convert(v, request, closed, depth + 1)
                            for v in value]
            else:
                out[key] = copy.deepcopy(value)
        if closed and "additionalProperties" not in out:
            if "allOf" in out:
                names, open_ = self._all_of_properties(out)
                if not open_ and names:
                    props = out.setdefault("properties", {})
                    for n in names:
                        props.setdefault(n, {})
                    out["additionalProperties"] = False
            elif "properties" in out:
                out["additionalProperties"] = False
        if request and isinstance(out.get("properties"), dict):
            # convention (3): null for an optional field = leaving it out
            required = set(out.get("required", ()))
            for name, sub in out["properties"].items():
                if name not in required:
                    out["properties"][name] = self._nullable(sub)
        if node.get("nullable") is True:
            out = self._nullable(out)
        return out

    def _all_of_properties(self, schema):
        """(property names, open?) over an allOf and its nested allOfs."""
        names, open_ = set(), False
        for member in schema.get("allOf", ()):
            if member.get("additionalProperties") not in (None, False):
                open_ = True
            names.update(member.get("properties", {}).keys())
            if "allOf" in member:
                n, o = self._all_of_properties(member)
                names |= n
                open_ = open_ or o
        return names, open_

    @staticmethod
    def _nullable(schema):
        schema = dict(schema)
        t = schema.get("type")
        if t is None:
            if schema:
                return {"anyOf": [{"type": "null"}, schema],
                        REF_MARK: schema.get(REF_MARK)} \
                    if schema.get(REF_MARK) else \
                    {"anyOf": [{"type": "null"}, schema]}
            return schema  # {} accepts null already
        types = t if isinstance(t, list) else [t]
        if "null" not in types:
            schema["type"] = [*types, "null"]
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema

    def _validator(self, key, schema_node, request):
        v = self._compiled.get(key)
        if v is None:
            schema = self._convert(schema_node, request)
            v = jsonschema.Draft4Validator(schema, format_checker=FORMATS)
            self._compiled[key] = v
        return v

    def find(self, method, path):
        """(template, operation or None, path item or None)."""
        template, op, item, _ = self._find(method, path)
        return template, op, item

    def _find(self, method, path):
        """find() and the values of the path's template parameters."""
        method = method.lower()
        for _, template, rx, item in self._paths:
            m = rx.match(path)
            if m:
                op = item.get(method)
                if op is None and method == "head":
                    op = item.get("get")
                names = re.findall(r"\{(\w+)\}", template)
                return template, op, item, dict(zip(names, m.groups()))
        return None, None, None, {}

    # ---- checks ----
    def component_errors(self, name, instance):
        """What in instance does not match the document's schema
        components/schemas/name (a message the hub sends, not an
        answer): a list of "path: message", empty when it matches."""
        v = self._validator(("component", name),
                            {"$ref": f"#/components/schemas/{name}"}, False)
        return self._schema_errors(v, instance)

    def _schema_errors(self, validator, instance):
        out = []
        for err in sorted(validator.iter_errors(instance),
                          key=lambda e: list(e.absolute_path)):
            leaf = err
            # descend into oneOf/anyOf to the most relevant cause
            if err.context:
                leaf = jsonschema.exceptions.best_match(err.context) or err
            where = json_path(leaf.absolute_path)
            component = self._component_at(validator.schema,
                                           list(leaf.absolute_schema_path))
            comp = f" (schema {component})" if component else ""
            out.append(f"{where}: {leaf.message}{comp}")
        return out

    @staticmethod
    def _component_at(schema, schema_path):
        """The innermost component ($ref) on a path through a schema."""
        name, node = schema.get(REF_MARK), schema
        for part in schema_path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, dict) and node.get(REF_MARK):
                name = node[REF_MARK]
        return name

    def check_response(self, method, path, status, headers, body):
        """Problems (list of str) of one response; [] when it matches.

        headers: a case-insensitive mapping; body: bytes."""
        method = method.upper()
        template, op, item = self.find(method, path)
        status = int(status)
        # under /taxii2 the refusals are the TAXII error object (issue 16,
        # docs/taxii.md): components TaxiiNotFound, TaxiiMethodNotAllowed
        taxii = "Taxii" if path == "/taxii2" or path.startswith("/taxii2/") \
            else ""
        if template is None:
            return self._check_fallback(
                f"{method} {path} (no such path in the document)",
                404, taxii + "NotFound", status, headers, body, method)
        if op is None:
            problems = self._check_fallback(
                f"{method} {template} (method not in the document)",
                405, taxii + "MethodNotAllowed", status, headers, body, method)
            if not problems and not headers.get("Allow"):
                problems.append(f"{method} {template} -> 405: no Allow header")
            return problems
        return self._check_documented(method, template, op, status, headers,
                                      body)

    def _check_fallback(self, what, expected, response_name, status,
                        headers, body, method):
        if status != expected:
            return [f"{what} -> {status}: only {expected} is documented "
                    f"for it"]
        response = self.doc["components"]["responses"][response_name]
        return self._check_response_object(
            f"{what} -> {status}", f"#/components/responses/{response_name}",
            response, headers, body, method)

    def _check_documented(self, method, template, op, status, headers, body):
        label = f"{method} {template}"
        responses = op.get("responses", {})
        key = str(status)
        response = responses.get(key)
        if response is None:
            response = responses.get(f"{key[0]}XX") or \
                responses.get(f"{key[0]}xx") or responses.get("default")
        if response is None:
            return [f"{label} -> {status}: status not documented for this "
                    f"operation (documented: "
                    f"{', '.join(sorted(responses))})"]
        where = f"#/paths/{template}/{method.lower()}/responses/{key}"
        if "$ref" in response:
            where = response["$ref"]
        return self._check_response_object(f"{label} -> {status}", where,
                                           self._resolve(response), headers,
                                           body, method)

    def _check_response_object(self, label, where, response, headers, body,
                               method):
        problems = []
        for name, hdr in (response.get("headers") or {}).items():
            hdr = self._resolve(hdr)
            value = headers.get(name)
            if value is None:
                if hdr.get("required"):
                    problems.append(f"{label}: required header {name} missing")
                continue
            schema = hdr.get("schema")
            if schema is not None:
                v = self._validator(("hdr", where, name), schema, False)
                for e in self._schema_errors(v, value):
                    problems.append(f"{label}: header {name}: {e}")
        content = response.get("content") or {}
        ctype = headers.get("Content-Type")
        if method == "HEAD":
            body = b""
        if not content:
            if body:
                problems.append(f"{label}: documented without a body but "
                                f"{len(body)} bytes came ({ctype})")
            return problems
        if ctype is None:
            if method == "HEAD" or not body:
                return problems
            problems.append(f"{label}: no Content-Type (documented: "
                            f"{', '.join(content)})")
            return problems
        got_type, got_params = _media_type(ctype)
        media = None
        for name, obj in content.items():
            want_type, want_params = _media_type(name)
            if want_type != got_type:
                continue
            if all(got_params.get(k) == v for k, v in want_params.items()):
                media = (name, obj)
                break
        if media is None:
            problems.append(f"{label}: Content-Type {ctype!r} not documented "
                            f"(documented: {', '.join(content)})")
            return problems
        name, obj = media
        # every JSON answer names its charset, as the hub's routes do
        if got_type == "application/json" and \
                got_params.get("charset") != "utf-8":
            problems.append(f"{label}: JSON with charset "
                            f"{got_params.get('charset')} (not utf-8)")
        if method == "HEAD":
            return problems
        if got_type == "application/json" or got_type.endswith("+json"):
            try:
                instance = _strict_json(body)
            except ValueError as e:
                problems.append(f"{label}: body is not strict JSON: {e}")
                return problems
            schema = obj.get("schema")
            if schema is not None:
                v = self._validator(("resp", where, name), schema, False)
                for e in self._schema_errors(v, instance):
                    problems.append(f"{label}: {e}")
        return problems

    @staticmethod
    def _typed(raw, schema):
        """A parameter's text read as its schema's type (left as text
        when it does not read, so that the schema check names it)."""
        t = schema.get("type")
        if t == "integer" and re.fullmatch(r"-?[0-9]+", raw):
            return int(raw)
        if t == "number":
            try:
                return float(raw)
            except ValueError:
                return raw
        if t == "boolean" and raw in ("true", "false"):
            return raw == "true"
        return raw

    def check_parameters(self, method, path, query):
        """Problems of the query and path parameters of a request the hub
        accepted (a 2xx)."""
        method = method.upper()
        template, op, item, path_values = self._find(method, path)
        if op is None:
            return []
        documented = {}
        for prm in [*item.get("parameters", ()), *op.get("parameters", ())]:
            prm = self._resolve(prm)
            documented[(prm["in"], prm["name"])] = prm
        given = [("path", k, unquote(v)) for k, v in path_values.items()]
        given += [("query", k, v)
                  for k, v in parse_qsl(query or "", keep_blank_values=True)]
        problems = []
        for where, name, raw in given:
            prm = documented.get((where, name))
            label = f"{method} {template} {where} parameter {name}"
            if prm is None:
                continue  # ignored by the hub (the document's convention 3)
            schema = prm.get("schema")
            if schema is None:
                continue
            v = self._validator(("param", template, method, where, name),
                                schema, False)
            value = self._typed(raw, self._resolve(schema))
            problems += [f"{label}={raw!r}: {e}"
                         for e in self._schema_errors(v, value)]
        for (where, name), prm in documented.items():
            if where in ("query", "path") and prm.get("required") and \
                    not any(g[0] == where and g[1] == name for g in given):
                problems.append(f"{method} {template}: the hub accepted a "
                                f"request without the required {where} "
                                f"parameter {name}")
        return problems

    def check_request(self, method, path, headers, body):
        """Problems of a request body the hub accepted (a 2xx)."""
        method = method.upper()
        template, op, _ = self.find(method, path)
        if op is None:
            return []  # the response check reports it
        label = f"{method} {template} request body"
        rb = op.get("requestBody")
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            return []  # a stream or file: not checked
        if rb is None:
            if body:
                return [f"{label}: the hub accepted a body on an operation "
                        f"documented without one"]
            return []
        rb = self._resolve(rb)
        if not body:
            if rb.get("required"):
                return [f"{label}: the hub accepted no body where one is "
                        f"required"]
            return []
        content = rb.get("content") or {}
        got_type, _ = _media_type(headers.get("Content-Type"))
        media = None
        for name, obj in content.items():
            if _media_type(name)[0] == got_type:
                media = (name, obj)
        if media is None:
            return [f"{label}: the hub accepted Content-Type "
                    f"{headers.get('Content-Type')!r} (documented: "
                    f"{', '.join(content)})"]
        name, obj = media
        if got_type != "application/json":
            return []
        # docs/rules.md, "HTTP protocol": a UTF-8 byte order mark at the
        # very start of a request body is ignored (RFC 8259 section 8.1)
        if body.startswith(b"\xef\xbb\xbf"):
            body = body[3:]
        try:
            instance = _strict_json(body)
        except ValueError as e:
            return [f"{label}: the hub accepted a body that is not strict "
                    f"JSON: {e}"]
        schema = obj.get("schema")
        if schema is None:
            return []
        v = self._validator(("req", template, method, name), schema, True)
        return [f"{label}: {e}" for e in self._schema_errors(v, instance)]

    def exercise_path(self, method, path):
        """The route's path of a request in the exercise context
        (/x/{exercise}/<path>: <path>), or None for any other request."""
        m = EXERCISE_RE.match(path)
        if not m or self.find(method, path)[0] is not None:
            return None
        return m.group(2) or "/"

    def _exercise_refusal(self, method, path, status, headers, body):
        """Problems of a refusal of the exercise context itself, or None
        when the answer is not one (the route's own answer)."""
        if status not in EXERCISE_REFUSALS:
            return None
        name, codes = EXERCISE_REFUSALS[status]
        try:
            code = _strict_json(body)["error"]["code"]
        except (ValueError, TypeError, KeyError):
            return None
        if code not in codes:
            return None
        return self._check_response_object(
            f"{method.upper()} {path} (exercise context) -> {status}",
            f"#/components/responses/{name}",
            self.doc["components"]["responses"][name], headers, body,
            method.upper())

    def check_exchange(self, request, response):
        """Problems of one requests exchange (PreparedRequest, Response)."""
        url = urlsplit(request.url)
        path = url.path
        inner = self.exercise_path(request.method, path)
        if inner is not None:
            refusal = self._exercise_refusal(request.method, path,
                                             response.status_code,
                                             response.headers,
                                             response.content)
            if refusal is not None:
                return refusal
            path = inner
        problems = self.check_response(request.method, path,
                                       response.status_code, response.headers,
                                       response.content)
        if 200 <= response.status_code < 300:
            problems += self.check_parameters(request.method, path,
                                              url.query)
            problems += self.check_request(request.method, path,
                                           request.headers, request.body)
        return problems
