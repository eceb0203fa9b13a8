"""docs/openapi.json against the route table of src/http/routes.c.

The OpenAPI document is written by hand; these tests keep it honest:
every route of the table is documented with the same method, path, auth
and request-body field table, nothing stale is documented, and the daemon
serves the very file of the source tree (it is embedded at build time).
"""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUTES_C = ROOT / "src" / "http" / "routes.c"
# field tables of the routes: routes.c's own (BODY(table)), the reporting
# service's reporting_<name>_spec arrays (SBODY(name)), the provision
# service's provision_<name>_spec arrays (PBODY(name), in provision.c and
# drills.c) and the other services' (ABODY ... XBODY: exercises.c's
# exercise_<name>_spec, issue 14; SVBODY: surveys.c's survey_<name>_spec,
# issue 15), or a service's table named directly
# (`.body = dependencies_put_spec, .nbody = JV_UNTIL_NULL`, issue 15; the
# risk register's risks_<name>_spec of risks.c likewise); the
# service tables end with a NULL-name sentinel entry instead of carrying
# their length
SERVICE_DIR = ROOT / "src" / "service"
PROVISION_SOURCES = ("provision.c", "drills.c", "lists.c")
# the table name of a service body macro: SBODY(name), PBODY(name)
BODY_PREFIX = {"S": "reporting_", "P": "provision_", "A": "agreements_",
               "L": "lists_", "D": "declaration_", "R": "rollcall_",
               "O": "sites_", "C": "c4tap_", "X": "exercise_",
               "SV": "survey_"}
OPENAPI = ROOT / "docs" / "openapi.json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch",
                "trace")

# Rows are designated initialisers; members left out are zero:
# {.method = "GET", .pattern = "/api/v1/orgs/{id}", .auth = HTTP_AUTHED,
#  .fn = h_org},
# {.method = "POST", .pattern = "/api/v1/reports", .auth = HTTP_AUTHED,
#  .roles = ROLE_REPORTER, SBODY(file), .fn = h_reports_file, ...},
# BODY(t), SBODY(name), PBODY(name) set .body and .nbody.
# ABODY, LBODY, DBODY, RBODY, OBODY, CBODY, XBODY(name) likewise
# (agreements, lists, declarations, roll calls, sites, C4TAP, exercises).
# Or written out: {.method = "PUT", .pattern = "/api/v1/dependencies", ...,
#  .body = dependencies_put_spec, .nbody = JV_UNTIL_NULL, .fn = ...}
# (.nbody JV_UNTIL_NULL, or IS_ARRAY_LEN(t) for a table of routes.c).
BODY_RE = re.compile(r'(SV|[SPALDROCX]?)BODY\(\s*(\w+)\s*\)')
FIELD_TABLE_RE = re.compile(
    r'(?:static\s+)?const\s+struct\s+jv_field\s+(\w+)\s*\[\]\s*=\s*'
    r'\{(.*?)\n\};', re.S)
# static const char *const kinds[] = {"incident", ..., NULL};
ENUM_ARRAY_RE = re.compile(
    r'static\s+const\s+char\s*\*\s*const\s+(\w+)\s*\[\]\s*=\s*\{(.*?)\};',
    re.S)
# #define IMPACT {.name = "impact", .type = JV_OBJECT, ...}  (continued with
# backslashes)
MACRO_RE = re.compile(r'^#define\s+(\w+)[ \t]+((?:[^\n]*\\\n)*[^\n]*)$', re.M)
# {.name = "name", .type = JV_STRING, .required = true, .max_len = 100,
#  .enum_values = kinds | (const char *const[]){...}, .min = 1, .max = 9,
#  .sub = sub_spec, .nsub = ..., .item_len = 4}
SENTINEL_RE = re.compile(r'\{\s*\.name\s*=\s*NULL\s*\}\s*,?\s*$')


def split_top(text, sep=","):
    """Splits text at sep outside strings, parentheses and braces."""
    parts, depth, cur, quoted = [], 0, "", False
    for i, ch in enumerate(text):
        if quoted:
            quoted = not (ch == '"' and text[i - 1] != "\\")
        elif ch == '"':
            quoted = True
        elif ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def rows(text):
    """The contents of the top-level {...} rows of an initialiser list."""
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return [p[1:-1] for p in split_top(text) if p.startswith("{")]


def designated(row):
    """{member: value} of a row of designated initialisers, and the items
    that are not "member = value" (macros such as SBODY(name))."""
    members, other = {}, []
    for item in split_top(row):
        m = re.fullmatch(r'\.(\w+)\s*=\s*(.*)', item, re.S)
        if m:
            members[m.group(1)] = " ".join(m.group(2).split())
        else:
            other.append(item)
    return members, other


def load_doc():
    return json.loads(OPENAPI.read_text(encoding="utf-8"))


def route_bodies():
    """[(method, path, auth, roles, body table name or None, whether the
    table is counted to its NULL-name sentinel)] of routes.c."""
    text = ROUTES_C.read_text(encoding="utf-8")
    start = text.index("http_routes[] = {") + len("http_routes[] = {")
    end = text.index("\n};", start)
    routes = []
    for row in rows(text[start:end]):
        members, other = designated(row)
        # every entry of the table is understood (a new body macro would
        # otherwise make a route silently disappear from these checks)
        assert {"method", "pattern", "auth", "fn"} <= set(members), row
        assert len(other) <= 1, row
        body, until_null = None, False
        if other:
            assert "body" not in members and "nbody" not in members, row
            m = BODY_RE.fullmatch(other[0])
            assert m, row
            body = m.group(2)
            if m.group(1):
                body = f"{BODY_PREFIX[m.group(1)]}{body}_spec"
                until_null = True
        elif "body" in members or "nbody" in members:
            # written out: .body = <table>, .nbody = JV_UNTIL_NULL (a
            # service's table) or IS_ARRAY_LEN(<table>)
            body = members.get("body", "")
            assert re.fullmatch(r"\w+", body), row
            nbody = members.get("nbody", "")
            assert nbody in ("JV_UNTIL_NULL", f"IS_ARRAY_LEN({body})"), row
            until_null = nbody == "JV_UNTIL_NULL"
        routes.append((members["method"].strip('"'),
                       members["pattern"].strip('"'), members["auth"],
                       members.get("roles", "0"), body, until_null))
    assert routes, "no route found in the route table of routes.c"
    return routes


def route_table():
    """[(method, path, auth, roles, body table name or None)] of routes.c.

    BODY(t) names the table t of routes.c; SBODY(name) the reporting
    service's reporting_<name>_spec, PBODY(name) the provision service's
    provision_<name>_spec; `.body = t` written out names t."""
    return [r[:5] for r in route_bodies()]


def form_routes():
    """{(method, path)} of the routes that accept an HTML form's body
    (`.form = true`, the answer page of a roll call's link)."""
    return flagged_routes("form")


def flagged_routes(flag):
    """{(method, path)} of the routes whose entry sets `.<flag> = true`."""
    text = ROUTES_C.read_text(encoding="utf-8")
    start = text.index("http_routes[] = {") + len("http_routes[] = {")
    end = text.index("\n};", start)
    out = set()
    for row in rows(text[start:end]):
        members, _ = designated(row)
        if members.get(flag) == "true":
            out.add((members["method"].strip('"'),
                     members["pattern"].strip('"')))
    return out


def raw_json_routes():
    """The routes whose JSON body the handler checks itself (`.raw_json`,
    issue 12: a vantage point's signed batch, whose errors name each
    result by its index)."""
    return flagged_routes("raw_json")


def taxii_routes():
    """The TAXII 2.1 routes (`.taxii`, issue 16, docs/taxii.md): errors are
    the TAXII error object in the TAXII media type, Basic credentials with
    an API token are taken besides Bearer, and a body is an envelope in
    the TAXII media type."""
    return flagged_routes("taxii")


TAXII_MEDIA = "application/taxii+json;version=2.1"


def int_defines():
    """Integer #defines of src/ (for AUTH_PW_MAX and the like), also those
    written as a constant expression of others (`(2 << 20)`)."""
    out, exprs = {}, {}
    for p in (ROOT / "src").rglob("*.[ch]"):
        text = p.read_text(encoding="utf-8")
        for m in re.finditer(r'^#define\s+(\w+)\s+\(?\s*(\d+)(?:[uU]?[lL]{0,2})'
                             r'\s*\)?\s*(?:/\*.*)?$', text, re.M):
            out[m.group(1)] = int(m.group(2))
        for m in re.finditer(r'^#define\s+(\w+)\s+(\([\w\s+*/<-]+\))'
                             r'\s*(?:/\*.*)?$', text, re.M):
            exprs.setdefault(m.group(1), m.group(2))
    for _ in range(5):
        for name, expr in exprs.items():
            if name not in out:
                value = const_expr(expr, out)
                if value is not None:
                    out[name] = value
    return out


def const_expr(expr, defines):
    """The value of an integer constant expression of C (+ - * / << and
    parentheses over decimal integers and integer #defines), as the
    compiler computes it for the positive values of the field tables;
    None when it is not one."""
    try:
        text = re.sub(r'\b[A-Za-z_]\w*\b',
                      lambda m: str(defines[m.group(0)]), expr)
    except KeyError:
        return None
    if not re.fullmatch(r'[\d\s()+*/<-]+', text):
        return None
    return eval(text.replace("/", "//"), {"__builtins__": {}})  # noqa: S307


def table_sources():
    """The C files holding request field tables."""
    return [ROUTES_C, *sorted(SERVICE_DIR.glob("reporting*.c")),
            *(SERVICE_DIR / name for name in PROVISION_SOURCES),
            SERVICE_DIR / "agreements.c", SERVICE_DIR / "declarations.c",
            SERVICE_DIR / "rollcall.c", SERVICE_DIR / "sites.c",
            SERVICE_DIR / "c4tap.c", SERVICE_DIR / "c4tap_items.c",
            SERVICE_DIR / "exercises.c", SERVICE_DIR / "dependencies.c",
            SERVICE_DIR / "surveys.c", SERVICE_DIR / "risks.c",
            SERVICE_DIR / "taxii_sync.c"]


def parse_field_tables():
    """({table name: [field dict]}, {names of tables ending with the
    NULL-name sentinel}) parsed from routes.c and the reporting and
    provision services."""
    defines = int_defines()

    def num(tok, where):
        # 1000000000000LL: an integer constant with its suffix
        m = re.fullmatch(r'(-?\d+)(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU])', tok)
        if m:
            return int(m.group(1))
        if tok in defines:
            return defines[tok]
        # SURVEY_ATTACHMENT_MAX / 3 * 4 + 4: a constant expression
        value = const_expr(tok, defines)
        assert value is not None, f"cannot resolve {tok} in {where}"
        return value

    tables, terminated = {}, set()
    for path in table_sources():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        enums = {m.group(1): re.findall(r'"([^"]*)"', m.group(2))
                 for m in ENUM_ARRAY_RE.finditer(text)}
        # entry macros (IMPACT, CONTENT_FIELDS, ...): bodies with entries
        macros = {m.group(1): m.group(2).replace("\\\n", " ")
                  for m in MACRO_RE.finditer(text)}
        macros = {k: v for k, v in macros.items()
                  if re.search(r'\{\s*\.name', v)}
        for m in FIELD_TABLE_RE.finditer(text):
            name, entries = m.group(1), m.group(2)
            for _ in range(10):
                expanded = entries
                for mac, rep in macros.items():
                    expanded = re.sub(r'\b%s\b' % mac, lambda _m: rep,
                                      expanded)
                if expanded == entries:
                    break
                entries = expanded
            fields = []
            for row in rows(entries):
                f, other = designated(row)
                assert not other and "name" in f, (where, name, row)
                if f["name"] == "NULL":
                    continue
                assert "type" in f, (where, name, row)
                enum = None
                tok = f.get("enum_values", "NULL")
                if tok.startswith("("):
                    enum = re.findall(r'"([^"]*)"', tok)
                elif tok != "NULL":
                    assert tok in enums, f"{where}: enum {tok} not found"
                    enum = enums[tok]
                sub = f.get("sub", "NULL")
                fields.append({"name": f["name"].strip('"'),
                               "type": f["type"],
                               "required": f.get("required") == "true",
                               "max_len": num(f.get("max_len", "0"), where),
                               "enum": enum,
                               "min": num(f.get("min", "0"), where),
                               "max": num(f.get("max", "0"), where),
                               "sub": None if sub == "NULL" else sub,
                               "item_len": num(f.get("item_len", "0"),
                                               where),
                               "nonblank": f.get("nonblank") == "true",
                               "one_line": f.get("one_line") == "true"})
            assert fields, f"field table {name} of {where} not understood"
            assert name not in tables, f"field table {name} defined twice"
            tables[name] = fields
            if SENTINEL_RE.search(entries):
                terminated.add(name)
    return tables, terminated


def field_tables():
    """{table name: [field dict]} parsed from routes.c, the reporting
    service (src/service/reporting*.c) and the provision service
    (src/service/provision.c, drills.c)."""
    return parse_field_tables()[0]


def resolve(doc, obj):
    while isinstance(obj, dict) and "$ref" in obj:
        ref = obj["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]
        obj = node
    return obj


def documented_operations(doc):
    return {(method.upper(), path)
            for path, item in doc["paths"].items()
            for method in item if method in HTTP_METHODS}


def test_every_route_is_documented_and_nothing_stale():
    doc = load_doc()
    assert doc["openapi"] == "3.1.0"
    table = {(m, p) for m, p, *_ in route_table()}
    documented = documented_operations(doc)
    missing = sorted(table - documented)
    stale = sorted(documented - table)
    assert not missing, f"routes missing from docs/openapi.json: {missing}"
    assert not stale, f"docs/openapi.json documents no such route: {stale}"


def test_every_error_code_is_in_the_error_schema():
    """An integrator validates error bodies against the Error schema: every
    code the hub has a sentence for (src/http/error_ja.c, which
    tools/check-error-ja.py keeps equal to the codes the sources send) is
    in its enum (node_id_in_use, gone and link were not: found by an
    outside review)."""
    doc = load_doc()
    enum = set(doc["components"]["schemas"]["Error"]["properties"]["error"]
               ["properties"]["code"]["enum"])
    rows = re.findall(r'^\s*\{"([a-z_0-9]+)",',
                      (ROOT / "src" / "http" / "error_ja.c").read_text(),
                      re.M)
    assert len(rows) > 100
    assert sorted(set(rows) - enum) == []


JSON_TYPES = {"string", "number", "integer", "boolean", "object", "array",
              "null"}


def test_the_document_is_openapi_3_1():
    """OpenAPI 3.1 schemas are JSON Schema: a null is a type
    (`["string", "null"]`, or `anyOf` with `{"type": "null"}` around a
    `$ref`), never 3.0's `nullable`, which a 3.1 client ignores (it would
    refuse the nulls the hub sends); every `type` is a JSON Schema type or
    a list of distinct ones; an `enum` of a nullable type holds `null`."""
    doc = load_doc()
    assert doc["openapi"] == "3.1.0"
    bad, nulls = [], 0

    def schema(node, where):
        """One schema and the schemas inside it."""
        nonlocal nulls
        if not isinstance(node, dict):
            bad.append(f"{where}: not a schema")
            return
        if "nullable" in node:
            bad.append(f"{where}: nullable")
        t = node.get("type")
        if t is not None:
            types = t if isinstance(t, list) else [t]
            if not set(types) <= JSON_TYPES or len(set(types)) != len(types):
                bad.append(f"{where}: type {t!r}")
            if "null" in types:
                nulls += 1
                if "enum" in node and None not in node["enum"]:
                    bad.append(f"{where}: enum without null")
        for k in ("properties", "patternProperties"):
            for name, sub in node.get(k, {}).items():
                schema(sub, f"{where}.{k}.{name}")
        for k in ("allOf", "anyOf", "oneOf", "prefixItems"):
            for i, sub in enumerate(node.get(k, ())):
                schema(sub, f"{where}.{k}[{i}]")
        for k in ("items", "additionalProperties", "not"):
            if isinstance(node.get(k), dict):
                schema(node[k], f"{where}.{k}")

    def walk(node, where):
        """Every schema the document holds: components' and each `schema`
        of a parameter, a header or a media type."""
        if isinstance(node, list):
            for i, x in enumerate(node):
                walk(x, f"{where}[{i}]")
        elif isinstance(node, dict):
            for k, v in node.items():
                if k == "schema":
                    schema(v, f"{where}.schema")
                elif k not in ("example", "examples"):
                    walk(v, f"{where}.{k}")
    for name, sub in doc["components"]["schemas"].items():
        schema(sub, f"$.components.schemas.{name}")
    walk(doc["paths"], "$.paths")
    walk({k: v for k, v in doc["components"].items() if k != "schemas"},
         "$.components")
    assert not bad, bad[:20]
    assert nulls > 300  # the hub's many nullable fields are there


def html_page(doc, op):
    """True for an operation that answers an HTML page, not JSON: every
    success answer is text/html only (GET /ack/{token})."""
    success = [resolve(doc, r) for s, r in op["responses"].items()
               if s.startswith("2")]
    return all(set(r.get("content", {})) == {"text/html"} for r in success)


def test_operations_are_described():
    doc = load_doc()
    taxii = taxii_routes()
    for method, path, auth, *_ in route_table():
        op = doc["paths"][path][method.lower()]
        assert op.get("summary"), (method, path)
        assert len(op.get("description", "")) > 40, (method, path)
        success = [s for s in op["responses"] if s.startswith("2")]
        assert success, (method, path)
        for status, resp in op["responses"].items():
            resp = resolve(doc, resp)
            assert resp.get("description"), (method, path, status)
            if status == "304":
                assert "content" not in resp, (method, path)  # no body
                continue
            if not status.startswith("2"):
                content = resp["content"]
                if (method, path) in taxii:
                    # every error under /taxii2/ is the TAXII error object
                    assert set(content) == {TAXII_MEDIA}, (method, path,
                                                           status)
                    assert content[TAXII_MEDIA]["schema"] == {
                        "$ref": "#/components/schemas/TaxiiError"}, (
                        method, path, status)
                    continue
                if "application/json" not in content:
                    # only a public page answers its own refusals as pages
                    # (the signed acknowledgement link: 404, 409, 410)
                    assert auth == "HTTP_PUBLIC" and html_page(doc, op), (
                        method, path, status)
                    assert set(content) == {"text/html"}, (method, path,
                                                           status)
                    continue
                schema = content["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (
                    method, path, status)
        for name in re.findall(r"\{(\w+)\}", path):
            params = [resolve(doc, p) for p in op.get("parameters", [])]
            assert any(p["in"] == "path" and p["name"] == name
                       and p["required"] for p in params), (method, path, name)


def test_security_matches_route_auth_and_roles():
    doc = load_doc()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http"
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    cookie = schemes["cookieAuth"]
    assert (cookie["type"], cookie["in"], cookie["name"]) == (
        "apiKey", "cookie", "infrashare_session")
    for method, path, auth, roles, _ in route_table():
        op = doc["paths"][path][method.lower()]
        security = op.get("security", doc.get("security"))
        if (method, path) == ("GET", "/metrics"):
            # its own bearer token (--metrics-token-file), checked by the
            # handler: no user credentials
            assert security == [{"metricsToken": []}]
            assert schemes["metricsToken"]["scheme"] == "bearer"
            assert "401" in op["responses"]
        elif auth == "HTTP_PUBLIC":
            assert security == [], (method, path)
            # no credentials are asked for (a log-in may still fail: 401
            # bad_credentials, never the generic Unauthorized answer)
            assert op["responses"].get("401") != {
                "$ref": "#/components/responses/Unauthorized"}, (method, path)
        else:
            names = {k for req in security for k in req}
            want = {"bearerAuth", "cookieAuth"}
            if (method, path) in taxii_routes():
                # TAXII clients may send Basic with an API token
                want.add("taxiiBasic")
            assert names == want, (method, path)
            assert "401" in op["responses"], (method, path)
            if method != "GET":
                params = [resolve(doc, p) for p in op.get("parameters", [])]
                assert any(p["in"] == "header" and p["name"] == "X-CSRF-Token"
                           for p in params), (method, path)
                assert "403" in op["responses"], (method, path)
        if roles != "0":
            assert "403" in op["responses"], (method, path)


JSON_TYPE = {"JV_STRING": "string", "JV_INT": "integer",
             "JV_NUMBER": "number", "JV_BOOL": "boolean",
             "JV_STRING_ARRAY": "array", "JV_OBJECT": "object",
             "JV_TIME": "string", "JV_OBJECT_ARRAY": "array",
             "JV_INT_ARRAY": "array"}


# (text, blank?, one line?, bidi?) for the patterns of `.nonblank` and
# `.one_line` fields (common/jv.c: util_blank, util_has_bidi_control,
# util_one_line)
TEXT_SAMPLES = [("", True, True, False), (" ", True, True, False),
                ("\u3000\u3000", True, True, False),
                (" \t\r\n\u3000", True, False, False),
                ("\u00a0\u200b\ufeff", True, True, False),
                ("\u2003\u200d\u2060", True, True, False),
                ("a", False, True, False), ("\u3000 障害 (2) ", False, True, False),
                ("\u200bx\u00a0", False, True, False),
                ("a\r\nX-Evil: 1", False, False, False),
                ("a\tb", False, False, False), ("a\nb", False, False, False),
                ("a\x01", False, False, False), ("a\x7fb", False, False, False),
                ("a\x85b", False, False, False),
                ("a\u2028b", False, False, False),
                ("report\u202etxt.exe", False, True, True),
                ("a\u2066b\u2069", False, True, True)]


def check_text_pattern(prop, f, at):
    """The document states a `.nonblank` field's rule (minLength 1 and a
    pattern that refuses only white space and invisible characters,
    U+3000 and U+200B included, and any bidirectional control) and a
    `.one_line` field's (a pattern that refuses any control character and
    line separator): the pattern is tried on samples, as JSON Schema
    applies it (a search, not a whole match)."""
    pattern = prop.get("pattern")
    assert pattern, at
    if f["nonblank"]:
        assert prop.get("minLength") == 1, at
    for text, blank, one_line, bidi in TEXT_SAMPLES:
        ok = (not (f["nonblank"] and (blank or bidi))
              and not (f["one_line"] and not one_line))
        if not f["one_line"] and not one_line and not blank:
            continue  # other controls: refused by every text field anyway
        assert bool(re.search(pattern, text)) == ok, (at, pattern, text)


def check_object_schema(doc, tables, schema, fields, where):
    """schema (an object schema of the document) against a field table;
    nested tables (JV_OBJECT, JV_OBJECT_ARRAY) recursively."""
    assert schema["type"] in ("object", ["object", "null"]), where
    assert schema["additionalProperties"] is False, where
    assert set(schema["properties"]) == {f["name"] for f in fields}, where
    assert set(schema.get("required", [])) == {
        f["name"] for f in fields if f["required"]}, where
    for f in fields:
        prop = resolve(doc, schema["properties"][f["name"]])
        at = (*where, f["name"])
        # an optional field may be null (the document's convention (3))
        t = prop["type"]
        types = t if isinstance(t, list) else [t]
        assert types[0] == JSON_TYPE[f["type"]], at
        assert set(types) <= {JSON_TYPE[f["type"]], "null"}, at
        if f["type"] == "JV_STRING" and f["max_len"]:
            assert prop.get("maxLength") == f["max_len"], at
        if f["type"] == "JV_STRING" and (f["nonblank"] or f["one_line"]):
            check_text_pattern(prop, f, at)
        if f["type"] == "JV_TIME":
            assert prop.get("format") == "date-time", at
        if f["enum"] and f["type"] != "JV_STRING_ARRAY":
            assert [x for x in prop.get("enum") if x is not None] == \
                f["enum"], at
        if f["type"] in ("JV_INT", "JV_NUMBER") and (f["min"] or f["max"]):
            assert prop.get("minimum") == f["min"], at
            assert prop.get("maximum") == f["max"], at
        if f["type"] in ("JV_STRING_ARRAY", "JV_OBJECT_ARRAY",
                         "JV_INT_ARRAY") and f["max_len"]:
            assert prop.get("maxItems") == f["max_len"], at
        if f["type"] == "JV_INT_ARRAY":
            items = resolve(doc, prop["items"])
            assert items["type"] == "integer", at
            if f["min"] or f["max"]:
                assert items.get("minimum") == f["min"], at
                assert items.get("maximum") == f["max"], at
        if f["type"] == "JV_STRING_ARRAY":
            items = resolve(doc, prop["items"])
            assert items["type"] == "string", at
            if f["item_len"]:
                assert items.get("maxLength") == f["item_len"], at
            if f["enum"]:
                assert items.get("enum") == f["enum"], at
        if f["type"] == "JV_OBJECT" and f["sub"] is None:
            # no table: any object, which the service checks itself
            # (common/jv.c; an exercise's scenario file): documented as a
            # free-form object
            assert prop.get("additionalProperties") is True, at
            assert "properties" not in prop, at
        elif f["type"] in ("JV_OBJECT", "JV_OBJECT_ARRAY"):
            assert f["sub"] in tables, (at, f["sub"])
            sub = prop if f["type"] == "JV_OBJECT" else resolve(
                doc, prop["items"])
            check_object_schema(doc, tables, sub, tables[f["sub"]], at)
        # the validator treats null as absent: optional fields may be null
        # (OpenAPI 3.1: null among the types, or anyOf with it)
        if not f["required"]:
            assert "null" in types or {"type": "null"} in prop.get(
                "anyOf", []), at


def test_field_tables_are_understood():
    """The services' tables (SBODY, PBODY, ..., or `.body = t` with
    `.nbody = JV_UNTIL_NULL`) are found, end with the NULL-name sentinel the
    pipeline counts to (JV_UNTIL_NULL), and their nested tables resolve."""
    tables, terminated = parse_field_tables()
    for method, path, _, _, body, until_null in route_bodies():
        if body is None:
            continue
        assert body in tables, (method, path, body)
        if until_null or body.startswith(tuple(BODY_PREFIX.values())):
            assert body in terminated, (method, path, body)
    for name, fields in tables.items():
        for f in fields:
            if f["type"] == "JV_OBJECT" and f["sub"] is None:
                continue  # any object (common/jv.c: sub NULL)
            if f["type"] in ("JV_OBJECT", "JV_OBJECT_ARRAY"):
                assert f["sub"] in tables, (name, f["name"], f["sub"])


def test_request_bodies_match_field_tables():
    doc = load_doc()
    tables = field_tables()
    for method, path, _, _, body in route_table():
        op = doc["paths"][path][method.lower()]
        if body is None:
            if (method, path) in form_routes():
                # an HTML form's body only (http_route.form)
                rb = resolve(doc, op["requestBody"])
                assert list(rb["content"]) == [
                    "application/x-www-form-urlencoded"], (method, path)
                continue
            if (method, path) in raw_json_routes():
                # JSON checked by the handler (http_route.raw_json); a
                # TAXII envelope in the TAXII media type
                rb = resolve(doc, op["requestBody"])
                media = (TAXII_MEDIA if (method, path) in taxii_routes()
                         else "application/json")
                assert list(rb["content"]) == [media], (method, path)
                continue
            assert "requestBody" not in op, (method, path)
            continue
        rb = resolve(doc, op["requestBody"])
        assert rb["required"] is True, (method, path)
        schema = resolve(doc, rb["content"]["application/json"]["schema"])
        check_object_schema(doc, tables, schema, tables[body], (method, path))


def test_openapi_served_matches_file(hub):
    r = hub.get("/api/v1/openapi.json")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == load_doc()


# ---- the exercise context (issue 14) ----

SERVER_C = ROOT / "src" / "http" / "server.c"


def exercise_route_prefixes():
    """({writable prefixes}, {read-only prefixes}) of the routes of the
    exercise environment (http/server.c exercise_route), without a
    trailing slash."""
    text = SERVER_C.read_text(encoding="utf-8")
    start = text.index("static bool exercise_route(")
    body = text[start:text.index("\n}\n", start)]
    rows = re.findall(r'\{\s*"([^"]+)"\s*,\s*(true|false)\s*\}', body)
    assert rows, "the table of exercise_route in server.c not understood"
    return ({p.rstrip("/") for p, ro in rows if ro == "false"},
            {p.rstrip("/") for p, ro in rows if ro == "true"})


def test_exercise_context_is_described():
    """The tag `exercises` lists the routes of the exercise environment
    as server.c allows them (any method, or GET only), and the context's
    refusals are error codes of the document."""
    doc = load_doc()
    tag = next(t for t in doc["tags"] if t["name"] == "exercises")
    text = tag["description"]
    assert "/x/{id}/" in text and "/x/{id}/" in doc["info"]["description"]
    start = text.index("Routes of the exercise environment:")
    sentence = text[start:text.index("and `GET /`.", start)]
    writable, read_only = sentence.split("`GET` only for")

    def items(part):
        return {i.rstrip("…").rstrip("/")
                for i in re.findall(r"`(/[^`]*)`", part)}
    assert (items(writable), items(read_only)) == exercise_route_prefixes()
    codes = doc["components"]["schemas"]["Error"]["properties"]["error"][
        "properties"]["code"]["enum"]
    for code in ("not_in_exercise", "not_running", "not_a_participant"):
        assert code in codes and re.search(rf"`(\d{{3}} )?{code}`", text), code


def test_exercise_context_is_checked_as_its_routes():
    """openapi_check checks /x/{id}/<path> as <path>, and the context's
    own refusals against the Error schema."""
    import requests
    from requests.structures import CaseInsensitiveDict
    from openapi_check import Validator
    v = Validator(load_doc())
    assert v.exercise_path("GET", "/x/X0a1b/api/v1/reports") == \
        "/api/v1/reports"
    assert v.exercise_path("GET", "/x/X0a1b") == "/"
    assert v.exercise_path("GET", "/x/no-such-shape/api/v1/reports") is None
    assert v.exercise_path("GET", "/api/v1/reports") is None

    class Answer:
        def __init__(self, status, body):
            self.status_code = status
            self.headers = CaseInsensitiveDict(
                {"Content-Type": "application/json; charset=utf-8"})
            self.content = json.dumps(body).encode()

    def check(path, status, body):
        req = requests.Request("GET", "http://hub" + path).prepare()
        return v.check_exchange(req, Answer(status, body))
    page = {"items": [], "next_cursor": None}
    assert check("/x/X0a1b/api/v1/reports", 200, page) == []
    assert check("/x/X0a1b/api/v1/reports", 200, {"items": 1})
    refusal = {"error": {"code": "not_a_participant", "message": "m",
                          "message_ja": "m"}}
    assert check("/x/X0a1b/api/v1/sectors", 403, refusal) == []
    # another 403 is the route's own answer, not documented for this GET
    assert check("/x/X0a1b/api/v1/sectors", 403,
                 {"error": {"code": "forbidden", "message": "m",
                            "message_ja": "m"}})
    for code in ("not_running", "not_in_exercise"):
        assert check("/x/X0a1b/api/v1/tokens", 404,
                     {"error": {"code": code, "message": "m",
                                "message_ja": "m"}}) == []
