#!/usr/bin/env python3
"""Checks that the PostgreSQL schema equals the SQLite schema.

    /usr/bin/python3 tools/pg_schema_check.py [-v] [--pg-bin DIR]
        [--sqlite-migrations DIR] [--pg-migrations DIR]

Run from anywhere in the repository (root, or any user that may run the
PostgreSQL binaries). Needs PostgreSQL 15's server binaries (initdb,
pg_ctl, postgres; default /usr/lib/postgresql/15/bin, else $PG_BIN or
`pg_config --bindir`) and psql; nothing outside the standard library.

What it does:

  1. builds the SQLite schema: every src/store/migrations/NNNN_*.sql in
     number order, each in one transaction, into a fresh database (as the
     daemon does; meta.schema_version is not written);
  2. starts a throwaway PostgreSQL in a temporary directory (initdb
     --locale=C --encoding=UTF8 -A trust; as root it runs as the
     `postgres` system user through runuser and the directory is chowned
     to it), listening on a free port of 127.0.0.1 and on a Unix socket
     inside that directory;
  3. applies every src/store/migrations_pg/NNNN_*.sql in order, each in
     one transaction (psql --single-transaction);
  4. compares, and prints every difference:
       - the set of tables;
       - per table: the column names in order, each column's type
         (INTEGER -> bigint, REAL -> double precision, TEXT -> text,
         BLOB -> bytea), NOT NULL, whether it has a default and its value,
         rowid alias (INTEGER PRIMARY KEY) <-> identity BY DEFAULT, the
         primary key columns, the UNIQUE constraints, the CHECK
         constraints (by the columns and literals each names);
       - the explicit indexes by name: table, columns in order (and
         DESC), uniqueness, partial-index WHERE clause;
       - the foreign keys: table, columns -> referenced table, columns,
         ON DELETE and ON UPDATE actions;
       - the triggers by name: table, BEFORE/AFTER, event, UPDATE OF
         columns, and that each runs the function <trigger>_fn;
       - the rows the migrations insert (seed rows), table by table.
     A PostgreSQL table may end with a column rowid, an identity
     GENERATED ALWAYS: SQLite's insertion order, for the statements that
     order by rowid (no other column may be there in PostgreSQL only).

Exits 0 when there is no difference, 1 when there is (or a migration does
not apply), 2 when the check itself cannot run. The server is always
stopped and the temporary directory removed, also on an error, Ctrl-C or
SIGTERM.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SQLITE_DIR = os.path.join(ROOT, "src", "store", "migrations")
PG_DIR = os.path.join(ROOT, "src", "store", "migrations_pg")
DEFAULT_PG_BIN = "/usr/lib/postgresql/15/bin"
MIGRATION = re.compile(r"^(\d{4})_.*\.sql$")

# SQLite declared type -> PostgreSQL format_type()
TYPE_MAP = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision",
            "BLOB": "bytea"}
FK_ACTION = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE",
             "n": "SET NULL", "d": "SET DEFAULT"}
# Rows the runner writes itself, not the migrations.
SKIP_ROWS = {("meta", "schema_version")}


class CheckError(Exception):
    """The check cannot run (exit 2)."""


def migrations(folder):
    files = [f for f in sorted(os.listdir(folder)) if MIGRATION.match(f)]
    return [os.path.join(folder, f) for f in files]


# ---------------------------------------------------------------- SQLite


def build_sqlite(path, folder):
    files = migrations(folder)
    if not files:
        raise CheckError("no migrations in %s" % folder)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")
    for f in files:
        with open(f, encoding="utf-8") as fh:
            sql = fh.read()
        try:
            db.executescript("BEGIN;\n" + sql + "\nCOMMIT;")
        except sqlite3.Error as e:
            raise CheckError("SQLite: %s: %s" % (os.path.basename(f), e))
    return db, len(files)


def strip_sql_comments(sql):
    """The text without -- and /* */ comments (strings kept)."""
    out, i, n = [], 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch == "'" or ch == '"':
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1])
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def balanced(text, start):
    """The text inside the parenthesis that opens at text[start]."""
    depth, i, quote = 0, start, None
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
        i += 1
    raise CheckError("unbalanced parentheses in: %s" % text[start:start + 80])


def check_exprs(create_sql):
    """The CHECK (...) expressions of a CREATE TABLE text."""
    text = strip_sql_comments(create_sql)
    exprs = []
    for m in re.finditer(r"\bCHECK\s*\(", text, re.I):
        exprs.append(balanced(text, m.end() - 1))
    return exprs


STRING = re.compile(r"'((?:[^']|'')*)'")
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
IDENT = re.compile(r'"([^"]+)"|\b([A-Za-z_]\w*)\b')


def check_signature(expr, columns):
    """A CHECK expression as (its columns, its literals): comparable
    across the two dialects ('x IN (...)' vs '= ANY (ARRAY[...])',
    BETWEEN vs >= AND <=, casts)."""
    expr = re.sub(r"::[a-z ]+(\[\])?", "", expr)
    lits = ["s:" + s.replace("''", "'") for s in STRING.findall(expr)]
    rest = STRING.sub(" ", expr)
    lits += ["n:%g" % float(x) for x in NUMBER.findall(rest)]
    cols = set()
    for q, w in IDENT.findall(rest):
        name = q or w
        if name in columns:
            cols.add(name)
    return (tuple(sorted(cols)), tuple(sorted(lits)))


def norm_default(text):
    """A default's text without casts, outer parentheses and number
    quotes: 0, '', 'learning', -1."""
    if text is None:
        return None
    t = text.strip()
    while True:
        old = t
        t = re.sub(r"::[a-z ]+(\[\])?$", "", t).strip()
        if t.startswith("(") and t.endswith(")"):
            t = t[1:-1].strip()
        if t == old:
            break
    m = re.fullmatch(r"'(-?\d+(?:\.\d+)?)'", t)
    if m:
        t = m.group(1)
    if re.fullmatch(r"-?\d+(?:\.\d+)?", t):
        t = "%g" % float(t)
    return t


def norm_pred(text):
    if text is None:
        return None
    t = re.sub(r"::[a-z ]+", "", text)
    t = t.replace("(", " ").replace(")", " ").replace('"', " ")
    return " ".join(t.lower().split())


TRIGGER = re.compile(
    r"CREATE\s+(?:TEMP\w*\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?:\w+\.)?\"?(\w+)\"?\s+(BEFORE|AFTER|INSTEAD\s+OF)?\s*"
    r"(INSERT|DELETE|UPDATE)(?:\s+OF\s+([\w\s,\"]+?))?\s+ON\s+\"?(\w+)\"?",
    re.I | re.S)


def sqlite_value(v):
    if v is None:
        return None
    if isinstance(v, bytes):
        return "\\x" + v.hex()
    if isinstance(v, float):
        return "%.17g" % v
    return str(v)


def sqlite_model(db):
    m = {"tables": {}, "indexes": {}, "triggers": {}, "rows": {}}
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
        "LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")]
    for t in tables:
        create = db.execute("SELECT sql FROM sqlite_master WHERE type = "
                            "'table' AND name = ?", (t,)).fetchone()[0]
        info = db.execute('PRAGMA table_info("%s")' % t).fetchall()
        idx = db.execute('PRAGMA index_list("%s")' % t).fetchall()
        without_rowid = bool(re.search(r"WITHOUT\s+ROWID\s*$",
                                       strip_sql_comments(create), re.I))
        pk = [r[1] for r in sorted((r for r in info if r[5]),
                                   key=lambda r: r[5])]
        alias = None
        if (len(pk) == 1 and not without_rowid and
                [r for r in info if r[1] == pk[0]][0][2].upper() == "INTEGER"):
            alias = pk[0]
        cols = []
        for cid, name, ctype, notnull, dflt, pkpos in info:
            nn = bool(notnull) or name == alias or (pkpos and without_rowid)
            cols.append({"name": name, "type": TYPE_MAP.get(ctype.upper(),
                                                            "?" + ctype),
                         "notnull": nn, "default": norm_default(dflt),
                         "identity": name == alias})
        uniques = []
        for seq, iname, unique, origin, partial in idx:
            if origin == "u":
                xs = db.execute('PRAGMA index_info("%s")' % iname).fetchall()
                uniques.append(tuple(r[2] for r in sorted(xs)))
            elif origin == "c":
                xs = db.execute('PRAGMA index_xinfo("%s")' % iname).fetchall()
                isql = db.execute("SELECT sql FROM sqlite_master WHERE type "
                                  "= 'index' AND name = ?", (iname,)
                                  ).fetchone()[0]
                where = None
                if partial:
                    text = strip_sql_comments(isql)
                    w = re.search(r"\)\s*WHERE\s+(.*)$", text, re.I | re.S)
                    where = w.group(1).strip() if w else "?"
                m["indexes"][iname] = {
                    "table": t, "unique": bool(unique),
                    "columns": [(r[2] if r[1] >= 0 else "<expression>")
                                + (" DESC" if r[3] else "")
                                for r in xs if r[5]],
                    "where": norm_pred(where)}
        fks = {}
        for r in db.execute('PRAGMA foreign_key_list("%s")' % t):
            fid, seq, parent, frm, to, on_upd, on_del, match = r
            fk = fks.setdefault(fid, {"parent": parent, "from": [], "to": [],
                                      "on_update": on_upd,
                                      "on_delete": on_del})
            fk["from"].append(frm)
            fk["to"].append(to)
        fklist = []
        for fk in fks.values():
            if any(x is None for x in fk["to"]):  # the parent's primary key
                pinfo = db.execute('PRAGMA table_info("%s")' % fk["parent"])
                fk["to"] = [r[1] for r in sorted((r for r in pinfo if r[5]),
                                                 key=lambda r: r[5])]
            fklist.append((tuple(fk["from"]), fk["parent"], tuple(fk["to"]),
                           fk["on_delete"], fk["on_update"]))
        names = {c["name"] for c in cols}
        m["tables"][t] = {
            "columns": cols, "pk": pk, "uniques": sorted(uniques),
            "fks": sorted(fklist),
            "checks": sorted(check_signature(e, names)
                             for e in check_exprs(create))}
        rows = db.execute('SELECT * FROM "%s"' % t).fetchall()
        if rows:
            m["rows"][t] = sorted(
                tuple(sqlite_value(v) for v in r) for r in rows)
    for name, tbl, sql in db.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = "
            "'trigger'"):
        x = TRIGGER.match(strip_sql_comments(sql).strip())
        if not x:
            m["triggers"][name] = {"table": tbl, "timing": "?", "event": "?",
                                   "of": []}
            continue
        of = [c.strip().strip('"') for c in (x.group(4) or "").split(",")
              if c.strip()]
        m["triggers"][name] = {
            "table": x.group(5),
            "timing": " ".join((x.group(2) or "BEFORE").upper().split()),
            "event": x.group(3).upper(), "of": sorted(of),
            "function": name + "_fn"}
    if "meta" in m["rows"]:
        m["rows"]["meta"] = [r for r in m["rows"]["meta"]
                             if ("meta", r[0]) not in SKIP_ROWS]
        if not m["rows"]["meta"]:
            del m["rows"]["meta"]
    return m


# ------------------------------------------------------------ PostgreSQL


class Server:
    """A throwaway PostgreSQL in its own temporary directory."""

    def __init__(self, bindir, verbose):
        self.bindir = bindir
        self.verbose = verbose
        self.tmp = None
        self.started = False
        self.run_as = []
        self.port = None

    def bin(self, name):
        p = os.path.join(self.bindir, name)
        if os.path.exists(p):
            return p
        w = shutil.which(name)
        if not w:
            raise CheckError("%s not found (in %s or on PATH)"
                             % (name, self.bindir))
        return w

    def log(self, msg):
        if self.verbose:
            print("# " + msg, file=sys.stderr)

    def run(self, argv, as_owner=True):
        """Runs argv in a session of its own: a Ctrl-C at the terminal
        reaches only this script, which then ends the command's whole
        process group (runuser and what it runs) and cleans up."""
        argv = (self.run_as if as_owner else []) + argv
        self.log(" ".join(argv))
        p = subprocess.Popen(argv, cwd=self.tmp, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
        try:
            out, err = p.communicate()
        except BaseException:
            end_group(p)
            raise
        return subprocess.CompletedProcess(argv, p.returncode, out, err)

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="pg_schema_check.")
        self.data = os.path.join(self.tmp, "data")
        self.sock = os.path.join(self.tmp, "sock")
        self.logfile = os.path.join(self.tmp, "server.log")
        os.mkdir(self.sock)
        if os.geteuid() == 0:
            import pwd
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise CheckError("running as root but there is no "
                                 "'postgres' user to run the server as")
            for p in (self.tmp, self.sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]
        r = self.run([self.bin("initdb"), "-D", self.data, "-U", "postgres",
                      "-A", "trust", "--locale=C", "--encoding=UTF8",
                      "--no-sync"])
        if r.returncode != 0:
            raise CheckError("initdb failed:\n" + r.stdout + r.stderr)
        for attempt in range(5):
            self.port = free_port()
            opts = ("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off "
                    "-c full_page_writes=off -c synchronous_commit=off"
                    % (self.port, self.sock))
            # pg_ctl puts the postmaster in a session of its own: a
            # Ctrl-C at the terminal does not reach it; stop_server does
            self.started = True
            r = self.run([self.bin("pg_ctl"), "-D", self.data, "-l",
                          self.logfile, "-w", "-t", "60", "-o", opts,
                          "start"])
            if r.returncode == 0:
                return
            self.stop_server()
            if "already in use" not in self.server_log():
                break
        raise CheckError("the server did not start:\n" + r.stdout + r.stderr
                         + self.server_log())

    def server_log(self):
        try:
            with open(self.logfile, encoding="utf-8",
                      errors="replace") as fh:
                return fh.read()
        except OSError:
            return ""

    def stop_server(self):
        if not self.started:
            return
        self.started = False
        pidfile = os.path.join(self.data, "postmaster.pid")
        for _ in range(20):  # a start cut short: the postmaster may be
            if os.path.exists(pidfile):  # still writing its pid file
                break
            time.sleep(0.1)
        else:
            return
        r = self.run([self.bin("pg_ctl"), "-D", self.data, "-m", "immediate",
                      "-w", "-t", "30", "stop"])
        if r.returncode != 0 and os.path.exists(pidfile):
            # the postmaster this run started, by its id
            try:
                with open(pidfile) as fh:
                    pid = int(fh.readline())
                os.kill(pid, signal.SIGKILL)
                time.sleep(0.5)
            except (OSError, ValueError):
                pass

    def close(self):
        try:
            self.stop_server()
        finally:
            if self.tmp:
                shutil.rmtree(self.tmp, ignore_errors=True)
                self.tmp = None

    def psql(self, args):
        return self.run([self.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                         "-h", self.sock, "-p", str(self.port), "-U",
                         "postgres", "-d", "postgres"] + args,
                        as_owner=False)

    def query_json(self, sql):
        r = self.psql(["-A", "-t", "-c", sql])
        if r.returncode != 0:
            short = " ".join(sql.split())
            if len(short) > 200:
                short = short[:200] + " ..."
            raise CheckError("query failed: %s\n%s" % (short, r.stderr))
        out = r.stdout.strip()
        return json.loads(out) if out else None


def end_group(p):
    """Ends the process group of p (started with start_new_session, so
    the group's id is p's own pid): SIGTERM, then SIGKILL after 10 s."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(p.pid, sig)
        except OSError:
            pass
        try:
            p.communicate(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            pass
        except BaseException:
            pass


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


Q_COLUMNS = """
SELECT coalesce(json_agg(json_build_object(
    'table', c.relname, 'name', a.attname,
    'type', format_type(a.atttypid, a.atttypmod),
    'notnull', a.attnotnull, 'identity', a.attidentity,
    'default', pg_get_expr(d.adbin, d.adrelid)) ORDER BY c.relname, a.attnum),
    '[]')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
    AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
"""

Q_TABLES = """
SELECT coalesce(json_agg(c.relname ORDER BY c.relname), '[]')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
"""

Q_CONSTRAINTS = """
SELECT coalesce(json_agg(json_build_object(
    'table', c.relname, 'name', k.conname, 'type', k.contype,
    'cols', (SELECT json_agg(a.attname ORDER BY x.i) FROM
             unnest(k.conkey) WITH ORDINALITY x(n, i) JOIN pg_attribute a
             ON a.attrelid = k.conrelid AND a.attnum = x.n),
    'parent', p.relname,
    'pcols', (SELECT json_agg(a.attname ORDER BY x.i) FROM
              unnest(k.confkey) WITH ORDINALITY x(n, i) JOIN pg_attribute a
              ON a.attrelid = k.confrelid AND a.attnum = x.n),
    'on_delete', k.confdeltype, 'on_update', k.confupdtype,
    'deferrable', k.condeferrable,
    'def', pg_get_constraintdef(k.oid))), '[]')
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class p ON p.oid = k.confrelid
WHERE n.nspname = 'public'
"""

Q_INDEXES = """
SELECT coalesce(json_agg(json_build_object(
    'name', ic.relname, 'table', c.relname, 'unique', i.indisunique,
    'cols', (SELECT json_agg(pg_get_indexdef(i.indexrelid, k, false)
                             || CASE WHEN i.indoption[k - 1] & 1 = 1
                                THEN ' DESC' ELSE '' END ORDER BY k)
             FROM generate_series(1, i.indnkeyatts) k),
    'exprs', i.indexprs IS NOT NULL,
    'where', pg_get_expr(i.indpred, i.indrelid))), '[]')
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                  WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u'))
"""

Q_TRIGGERS = """
SELECT coalesce(json_agg(json_build_object(
    'name', t.tgname, 'table', c.relname, 'type', t.tgtype,
    'of', (SELECT json_agg(a.attname ORDER BY a.attname) FROM
           unnest(t.tgattr::int2[]) x(n) JOIN pg_attribute a
           ON a.attrelid = t.tgrelid AND a.attnum = x.n),
    'function', p.proname, 'language', l.lanname,
    'enabled', t.tgenabled)), '[]')
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = 'public' AND NOT t.tgisinternal
"""


def unquote(name):
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def pg_model(srv):
    m = {"tables": {}, "indexes": {}, "triggers": {}, "rows": {}}
    for t in srv.query_json(Q_TABLES):
        m["tables"][t] = {"columns": [], "pk": [], "uniques": [], "fks": [],
                          "checks": []}
    for c in srv.query_json(Q_COLUMNS):
        m["tables"][c["table"]]["columns"].append({
            "name": c["name"], "type": c["type"], "notnull": c["notnull"],
            "default": norm_default(c["default"]),
            "identity": c["identity"] != "", "identity_kind": c["identity"]})
    for k in srv.query_json(Q_CONSTRAINTS):
        t = m["tables"][k["table"]]
        if k["type"] == "p":
            t["pk"] = k["cols"]
        elif k["type"] == "u":
            t["uniques"].append(tuple(k["cols"]))
        elif k["type"] == "f":
            t["fks"].append((tuple(k["cols"]), k["parent"],
                             tuple(k["pcols"]), FK_ACTION[k["on_delete"]],
                             FK_ACTION[k["on_update"]]))
            if k["deferrable"]:
                t.setdefault("deferrable", []).append(k["name"])
        elif k["type"] == "c":
            names = {c["name"] for c in t["columns"]}
            expr = re.sub(r"^CHECK\s*\((.*)\)$", r"\1", k["def"], flags=re.S)
            t["checks"].append(check_signature(expr, names))
        else:
            t.setdefault("other", []).append(k["name"])
    for t in m["tables"].values():
        t["uniques"].sort()
        t["fks"].sort()
        t["checks"].sort()
    for i in srv.query_json(Q_INDEXES):
        m["indexes"][i["name"]] = {
            "table": i["table"], "unique": i["unique"],
            "columns": [unquote(c) if re.fullmatch(r'"[^"]+"|\w+(?: DESC)?',
                                                   c) else "<expression>"
                        for c in i["cols"]],
            "where": norm_pred(i["where"])}
    for t in srv.query_json(Q_TRIGGERS):
        ty = t["type"]
        timing = ("INSTEAD OF" if ty & 64 else "BEFORE" if ty & 2
                  else "AFTER")
        events = [e for bit, e in ((4, "INSERT"), (8, "DELETE"),
                                   (16, "UPDATE"), (32, "TRUNCATE"))
                  if ty & bit]
        m["triggers"][t["name"]] = {
            "table": t["table"], "timing": timing,
            "event": " OR ".join(events), "of": t["of"] or [],
            "function": t["function"],
            "row": bool(ty & 1), "language": t["language"],
            "enabled": t["enabled"]}
    # seed rows: every table's rows, as text
    counts = srv.query_json(
        "SELECT json_object_agg(t, n) FROM (%s) x" % " UNION ALL ".join(
            "SELECT '%s' AS t, count(*) AS n FROM %s" % (t, quote_ident(t))
            for t in m["tables"])) if m["tables"] else {}
    for t, n in counts.items():
        if n:
            cols = [c["name"] for c in m["tables"][t]["columns"]]
            rows = srv.query_json(
                "SELECT json_agg(json_build_array(%s)) FROM %s"
                % (", ".join("%s::text" % quote_ident(c) for c in cols),
                   quote_ident(t)))
            fixed = []
            for r in rows:
                fixed.append(tuple(
                    v if not isinstance(v, str) or not is_float_col(
                        m["tables"][t], i) else "%.17g" % float(v)
                    for i, v in enumerate(r)))
            m["rows"][t] = sorted(fixed, key=repr)
    if "meta" in m["rows"]:
        m["rows"]["meta"] = [r for r in m["rows"]["meta"]
                             if ("meta", r[0]) not in SKIP_ROWS]
        if not m["rows"]["meta"]:
            del m["rows"]["meta"]
    return m


def is_float_col(table, i):
    return table["columns"][i]["type"] == "double precision"


def quote_ident(name):
    return '"%s"' % name.replace('"', '""')


# -------------------------------------------------------------- compare


def compare(lite, pg):
    diffs = []

    def d(msg):
        diffs.append(msg)

    lt, pt = set(lite["tables"]), set(pg["tables"])
    for t in sorted(lt - pt):
        d("table %s: in SQLite only" % t)
    for t in sorted(pt - lt):
        d("table %s: in PostgreSQL only" % t)
    for t in sorted(lt & pt):
        a, b = lite["tables"][t], pg["tables"][t]
        an = [c["name"] for c in a["columns"]]
        # SQLite's rowid, made a column where a statement orders by it
        # (the end of the baseline): last, an identity GENERATED ALWAYS
        if (b["columns"] and b["columns"][-1]["name"] == "rowid"
                and "rowid" not in an):
            rid = b["columns"][-1]
            if not rid["identity"] or rid["identity_kind"] != "a":
                d("table %s: column rowid must be an identity GENERATED "
                  "ALWAYS (SQLite's insertion order)" % t)
            b = dict(b, columns=b["columns"][:-1])
        bn = [c["name"] for c in b["columns"]]
        if an != bn:
            d("table %s: columns differ:\n    SQLite:     %s\n    PostgreSQL: "
              "%s" % (t, ", ".join(an), ", ".join(bn)))
        bcols = {c["name"]: c for c in b["columns"]}
        for ca in a["columns"]:
            cb = bcols.get(ca["name"])
            if cb is None:
                continue
            where = "table %s: column %s: " % (t, ca["name"])
            if ca["type"] != cb["type"]:
                d(where + "type %s, expected %s" % (cb["type"], ca["type"]))
            if ca["notnull"] != cb["notnull"]:
                d(where + "NOT NULL in %s only"
                  % ("SQLite" if ca["notnull"] else "PostgreSQL"))
            if ca["identity"] != cb["identity"]:
                d(where + ("a rowid alias (INTEGER PRIMARY KEY) in SQLite, "
                           "not an identity column in PostgreSQL"
                           if ca["identity"] else
                           "an identity column in PostgreSQL, not a rowid "
                           "alias in SQLite"))
            elif cb["identity"] and cb["identity_kind"] != "d":
                d(where + "identity must be GENERATED BY DEFAULT")
            if (ca["default"] is None) != (cb["default"] is None):
                d(where + "has a default in %s only (%s)"
                  % (("SQLite", ca["default"]) if ca["default"] is not None
                     else ("PostgreSQL", cb["default"])))
            elif ca["default"] != cb["default"]:
                d(where + "default %s in SQLite, %s in PostgreSQL"
                  % (ca["default"], cb["default"]))
        if a["pk"] != b["pk"]:
            d("table %s: primary key (%s) in SQLite, (%s) in PostgreSQL"
              % (t, ", ".join(a["pk"]), ", ".join(b["pk"])))
        if a["uniques"] != b["uniques"]:
            d("table %s: UNIQUE constraints %s in SQLite, %s in PostgreSQL"
              % (t, a["uniques"], b["uniques"]))
        for fk in sorted(set(a["fks"]) - set(b["fks"])):
            d("table %s: foreign key (%s) -> %s(%s) ON DELETE %s ON UPDATE %s"
              " missing in PostgreSQL" % ((t, ", ".join(fk[0]), fk[1],
                                          ", ".join(fk[2])) + fk[3:]))
        for fk in sorted(set(b["fks"]) - set(a["fks"])):
            d("table %s: foreign key (%s) -> %s(%s) ON DELETE %s ON UPDATE %s"
              " in PostgreSQL only" % ((t, ", ".join(fk[0]), fk[1],
                                        ", ".join(fk[2])) + fk[3:]))
        for name in b.get("deferrable", []):
            d("table %s: foreign key %s is DEFERRABLE in PostgreSQL only"
              % (t, name))
        if a["checks"] != b["checks"]:
            for c in multiset_minus(a["checks"], b["checks"]):
                d("table %s: CHECK on (%s) with %s missing in PostgreSQL"
                  % (t, ", ".join(c[0]), ", ".join(c[1]) or "no literals"))
            for c in multiset_minus(b["checks"], a["checks"]):
                d("table %s: CHECK on (%s) with %s in PostgreSQL only"
                  % (t, ", ".join(c[0]), ", ".join(c[1]) or "no literals"))
        for name in b.get("other", []):
            d("table %s: constraint %s (exclusion/trigger) in PostgreSQL only"
              % (t, name))

    li, pi = lite["indexes"], pg["indexes"]
    for n in sorted(set(li) - set(pi)):
        d("index %s (on %s): in SQLite only" % (n, li[n]["table"]))
    for n in sorted(set(pi) - set(li)):
        d("index %s (on %s): in PostgreSQL only" % (n, pi[n]["table"]))
    for n in sorted(set(li) & set(pi)):
        a, b = li[n], pi[n]
        for key in ("table", "unique", "columns", "where"):
            if a[key] != b[key]:
                d("index %s: %s %s in SQLite, %s in PostgreSQL"
                  % (n, key, a[key], b[key]))

    lg, pgt = lite["triggers"], pg["triggers"]
    for n in sorted(set(lg) - set(pgt)):
        d("trigger %s (on %s): in SQLite only" % (n, lg[n]["table"]))
    for n in sorted(set(pgt) - set(lg)):
        d("trigger %s (on %s): in PostgreSQL only" % (n, pgt[n]["table"]))
    for n in sorted(set(lg) & set(pgt)):
        a, b = lg[n], pgt[n]
        for key in ("table", "timing", "event", "of", "function"):
            if a[key] != b[key]:
                d("trigger %s: %s %s in SQLite, %s in PostgreSQL"
                  % (n, key, a[key], b[key]))
        if not b["row"]:
            d("trigger %s: FOR EACH STATEMENT in PostgreSQL (SQLite's are "
              "FOR EACH ROW)" % n)
        if b["language"] != "plpgsql":
            d("trigger %s: function in %s, expected plpgsql"
              % (n, b["language"]))
        if b["enabled"] != "O":
            d("trigger %s: not enabled (tgenabled %s)" % (n, b["enabled"]))

    lr, pr = lite["rows"], pg["rows"]
    for t in sorted(set(lr) | set(pr)):
        a, b = lr.get(t, []), pr.get(t, [])
        a = sorted(a, key=repr)
        if a != b:
            for r in multiset_minus(a, b):
                d("rows of %s: %s in SQLite only" % (t, list(r)))
            for r in multiset_minus(b, a):
                d("rows of %s: %s in PostgreSQL only" % (t, list(r)))
    return diffs


def multiset_minus(a, b):
    rest = list(b)
    out = []
    for x in a:
        if x in rest:
            rest.remove(x)
        else:
            out.append(x)
    return out


# ----------------------------------------------------------------- main


def pg_bindir(arg):
    if arg:
        return arg
    if os.environ.get("PG_BIN"):
        return os.environ["PG_BIN"]
    if os.path.exists(os.path.join(DEFAULT_PG_BIN, "initdb")):
        return DEFAULT_PG_BIN
    try:
        return subprocess.run(["pg_config", "--bindir"], check=True,
                              stdout=subprocess.PIPE, text=True
                              ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise CheckError("no PostgreSQL binaries: use --pg-bin DIR")


def shown(path):
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith("..") else rel


def terminate(signum, frame):
    raise SystemExit(128 + signum)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pg-bin", help="PostgreSQL binaries (initdb, pg_ctl)")
    ap.add_argument("--sqlite-migrations", metavar="DIR",
                    default=SQLITE_DIR, help="default: %(default)s")
    ap.add_argument("--pg-migrations", metavar="DIR", default=PG_DIR,
                    help="default: %(default)s")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the commands run")
    args = ap.parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)

    srv = None
    try:
        with tempfile.TemporaryDirectory(prefix="pg_schema_check.lite.") as d:
            db, nlite = build_sqlite(os.path.join(d, "schema.db"),
                                     args.sqlite_migrations)
            lite = sqlite_model(db)
            db.close()
        pgdir = args.pg_migrations
        pgfiles = migrations(pgdir) if os.path.isdir(pgdir) else []
        if not pgfiles:
            print("no PostgreSQL migrations in %s" % pgdir)
            return 1
        srv = Server(pg_bindir(args.pg_bin), args.verbose)
        srv.start()
        for f in pgfiles:
            r = srv.psql(["--single-transaction", "-f", f])
            if r.returncode != 0:
                print("%s does not apply:\n%s" % (shown(f), r.stderr.rstrip()))
                return 1
        pg = pg_model(srv)
        diffs = compare(lite, pg)
        for x in diffs:
            print(x)
        print("%s: SQLite %d migrations, PostgreSQL %d; %d tables, %d "
              "indexes, %d triggers, %d tables with rows in SQLite; "
              "%d difference%s"
              % ("DIFFERENT" if diffs else "OK", nlite, len(pgfiles),
                 len(lite["tables"]), len(lite["indexes"]),
                 len(lite["triggers"]), len(lite["rows"]), len(diffs),
                 "" if len(diffs) == 1 else "s"))
        return 1 if diffs else 0
    except CheckError as e:
        print("pg_schema_check: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pg_schema_check: interrupted", file=sys.stderr)
        return 130
    except SystemExit as e:
        if e.code != 0:
            print("pg_schema_check: terminated", file=sys.stderr)
        raise
    finally:
        if srv:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            srv.close()


if __name__ == "__main__":
    sys.exit(main())
