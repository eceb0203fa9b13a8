"""Engine-neutral access to a hub's database, for the integration tests.

Why this exists: the hub's store runs on SQLite (hub.db is a file path) or
on PostgreSQL (hub.db is a postgresql:// URI: conftest's INFRASHARE_TEST_PG
gives each Hub a database of its own). Tests that look into the database,
or change it behind the daemon's back, go through connect() so that they
run on both engines:

    con = hubdb.connect(hub.db, timeout=10)    # readonly=True to only read
    n = con.execute("SELECT count(*) FROM audit WHERE seq > ?", (3,)
                    ).fetchone()[0]
    with con:                                  # commits (rolls back on an
        con.execute("UPDATE ...", params)      # exception); does not close
    con.close()

The connection mirrors what the tests used of sqlite3 (Python's legacy
transaction rule): execute(sql, params=()) and executemany() return a
cursor with fetchone(), fetchall(), iteration, rowcount and description;
commit(), rollback(), close(); `with con:` commits or rolls back and leaves
the connection open. Rows are tuples; rows="named" gives rows read by index
and by column name (sqlite3.Row, psycopg2's DictRow). con.engine is
"sqlite" or "postgresql", for the rare statement that must differ.

SQLite: an sqlite3 connection (a subclass that only adds `engine`),
opened exactly as before: timeout is the busy timeout, readonly opens
file:...?mode=ro.

PostgreSQL (psycopg2): the placeholders `?` and `?N` become `%s` (the
parameters reordered to match; SQLite's rule: a bare `?` is one more than
the largest number so far) and a literal `%` becomes `%%`; nothing between
quotes or in a comment is taken for a placeholder. As in sqlite3, a
transaction opens implicitly before INSERT, UPDATE, DELETE and REPLACE and
lasts until commit() or rollback(); any other statement outside one runs
on its own (autocommit), so a reader never holds a snapshot or a lock. A
failed statement aborts its transaction (PostgreSQL's rule): when it was
the transaction's first, the transaction is rolled back at once and the
connection goes on as sqlite3's would; otherwise the following statements
fail until rollback(). timeout becomes lock_timeout; readonly, a read-only
session. BYTEA comes back as bytes, NUMERIC (sum() of integers, avg()) as
int or float and BOOLEAN as 0/1, the values sqlite3 gives.

Write SQL both engines accept: no PRAGMA, sqlite_master, rowid (on
PostgreSQL only scopes and c4tap_indicators have a rowid column), x'..' or
zeroblob() (pass bytes as a parameter), INSERT OR IGNORE (ON CONFLICT DO
NOTHING), json_extract(), lastrowid (INSERT ... RETURNING id).
write(db, fn) runs fn(con) in a transaction and runs it again when a live
daemon's writers deadlocked it. drop_trigger() drops a trigger on either
engine; exists() tells whether
init made the database; contents() gives what a database holds as bytes
(to hash it, or to search it for a secret).
"""
import re
import sqlite3
import subprocess
from pathlib import Path

try:
    import psycopg2
    import psycopg2.extensions
    import psycopg2.extras
except ImportError:  # SQLite runs need no psycopg2
    psycopg2 = None

# catch these where sqlite3.Error / sqlite3.DatabaseError was caught
Error = (sqlite3.Error,) + ((psycopg2.Error,) if psycopg2 else ())
DatabaseError = (sqlite3.DatabaseError,) + (
    (psycopg2.DatabaseError,) if psycopg2 else ())


def is_pg(db):
    """True when db (hub.db) names a PostgreSQL database."""
    return str(db).startswith(("postgresql://", "postgres://"))


def world(db, exercise):
    """The database of exercise's world (store_ex_world_path): on SQLite
    the file beside the hub's, on PostgreSQL the hub's database with the
    world's schema ("ex_" and the id in lower case) first on the search
    path. Give it to connect()."""
    if not is_pg(db):
        return f"{db}.exercise-{exercise}.db"
    schema = "ex_" + re.sub(r"[^a-z0-9]", "_", exercise.lower())
    return f"{db}{'&' if '?' in str(db) else '?'}options=-c%20search_path%3D{schema}"


def connect(db, timeout=5.0, readonly=False, rows=None):
    """A connection to the hub database db (a path or a postgresql:// URI).
    timeout: seconds to wait for a lock (sqlite3's default 5); readonly:
    open for reading only; rows="named": rows by index and by name."""
    if rows not in (None, "named"):
        raise ValueError(f"rows={rows!r}")
    if is_pg(db):
        return _PgConnection(str(db), timeout, readonly, rows)
    if readonly:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True,
                              timeout=timeout, factory=_SqliteConnection)
    else:
        con = sqlite3.connect(db, timeout=timeout,
                              factory=_SqliteConnection)
    if rows == "named":
        con.row_factory = sqlite3.Row
    return con


def _transient(e):
    """A failure the daemon's own writers can cause a test's transaction
    (and a retry of the whole transaction mends): PostgreSQL's deadlock
    and serialization failures, and a lock not had within the timeout."""
    if psycopg2 and isinstance(e, psycopg2.Error):
        return e.pgcode in ("40P01", "40001", "55P03")
    return (isinstance(e, sqlite3.OperationalError) and
            "locked" in str(e))


def write(db, fn, timeout=10.0, attempts=20):
    """Runs fn(con) in one transaction on the hub database db and commits;
    the whole transaction again when the running daemon's writers made it
    fail (_transient), up to attempts times. For tests that change rows a
    live daemon also writes (moving a drill's times into the past: the
    test's UPDATEs take the rows in another order than the daemon's
    delivery worker, and PostgreSQL then aborts one of the two)."""
    for i in range(attempts):
        con = connect(db, timeout=timeout)
        try:
            with con:
                return fn(con)
        except Error as e:
            if not _transient(e) or i == attempts - 1:
                raise
        finally:
            con.close()


def drop_trigger(con, name, table, if_exists=False):
    """DROP TRIGGER [IF EXISTS] name, which PostgreSQL wants with
    ON table."""
    sql = "DROP TRIGGER " + ("IF EXISTS " if if_exists else "") + name
    con.execute(sql + (f" ON {table}" if con.engine == "postgresql" else ""))


def exists(db):
    """Whether the database is there: the SQLite file exists, or the
    PostgreSQL database (made empty beforehand) holds a table."""
    if not is_pg(db):
        return Path(db).exists()
    con = connect(db, readonly=True)
    try:
        return con.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_schema = current_schema()"
                           ).fetchone()[0] > 0
    finally:
        con.close()


def contents(db):
    """What the database holds, as bytes: the SQLite file's, or the text of
    pg_dump (schema and rows; BYTEA in hex) of a PostgreSQL database."""
    if is_pg(db):
        out = subprocess.run(["pg_dump", "--no-owner", "-d", str(db)],
                             capture_output=True, check=True,
                             timeout=120).stdout
        # newer pg_dumps wrap the dump in \restrict KEY (a random key)
        return re.sub(rb"(?m)^\\(un)?restrict .*\n", b"", out)
    return Path(db).read_bytes()


class _SqliteConnection(sqlite3.Connection):
    engine = "sqlite"


# ---- PostgreSQL ----

_TOKEN = re.compile(r"""
    (?P<quoted> '(?:[^']|'')*' | "(?:[^"]|"")*" )
  | (?P<comment> --[^\n]* | /\*.*?\*/ )
  | (?P<param> \?(?P<num>[0-9]+)? )
  | (?P<percent> % )
""", re.X | re.S)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def translate(sql, params=()):
    """(sql in psycopg2's style, the parameters in its order)."""
    params = tuple(params)
    order, largest = [], 0

    def sub(m):
        nonlocal largest
        if m.group("param"):
            n = int(m.group("num")) if m.group("num") else largest + 1
            largest = max(largest, n)
            if not 1 <= n <= len(params):
                raise IndexError(f"no parameter {n} for {sql!r}")
            order.append(params[n - 1])
            return "%s"
        # psycopg2 formats the whole text: a % between quotes too
        return m.group(0).replace("%", "%%")

    out = _TOKEN.sub(sub, sql)
    if largest < len(params):
        raise IndexError(f"{len(params)} parameters for {largest} in {sql!r}")
    return out, tuple(order)


def _first_word(sql):
    s = re.sub(r"^(\s+|--[^\n]*\n?|/\*.*?\*/)*", "", sql, flags=re.S)
    return s.split(None, 1)[0].upper() if s.strip() else ""


def _typecasters():
    ext = psycopg2.extensions

    def as_bytes(v, cur):
        return None if v is None else bytes(psycopg2.BINARY(v, cur))

    def as_number(v, cur):
        if v is None:
            return None
        return int(v) if re.fullmatch(r"-?[0-9]+", v) else float(v)

    def as_int_bool(v, cur):
        return None if v is None else int(v == "t")

    return [ext.new_type((17,), "HUBDB_BYTEA", as_bytes),
            ext.new_type((1700,), "HUBDB_NUMERIC", as_number),
            ext.new_type((16,), "HUBDB_BOOL", as_int_bool)]


class _PgConnection:
    engine = "postgresql"

    def __init__(self, uri, timeout, readonly, rows):
        if psycopg2 is None:
            raise RuntimeError("psycopg2 is needed for a PostgreSQL hub "
                               "(Debian: python3-psycopg2)")
        self._con = psycopg2.connect(uri, connect_timeout=30)
        self._con.set_session(autocommit=True, readonly=readonly)
        for t in _typecasters():
            psycopg2.extensions.register_type(t, self._con)
        self._factory = (psycopg2.extras.DictCursor if rows == "named"
                         else None)
        # sqlite3's timeout=0 fails at once; lock_timeout 0 would wait
        ms = max(1, int(timeout * 1000))
        self._con.cursor().execute(f"SET lock_timeout = {ms}")
        self._fresh = False  # an implicit transaction with no statement yet

    def _cursor(self):
        return (self._con.cursor(cursor_factory=self._factory)
                if self._factory else self._con.cursor())

    def _idle(self):
        return (self._con.info.transaction_status ==
                psycopg2.extensions.TRANSACTION_STATUS_IDLE)

    def _run(self, sql, params, many=False):
        cur = self._cursor()
        if _first_word(sql) in _WRITES and self._idle():
            cur.execute("BEGIN")
            self._fresh = True
        try:
            if many:
                cur.executemany(sql, params)
            else:
                cur.execute(sql, params)
        except psycopg2.Error:
            if self._fresh:
                self.rollback()
            self._fresh = False
            raise
        self._fresh = False
        return cur

    def execute(self, sql, params=()):
        return self._run(*translate(sql, params))

    def executemany(self, sql, seq_of_params):
        pairs = [translate(sql, p) for p in seq_of_params]
        if not pairs:
            return self._cursor()
        return self._run(pairs[0][0], [p for _, p in pairs], many=True)

    def commit(self):
        if not self._idle():
            self._con.cursor().execute("COMMIT")

    def rollback(self):
        if not self._idle():
            self._con.cursor().execute("ROLLBACK")

    def close(self):
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
        return False
