"""The writer pool (docs/architecture.md, "Threads and connections"): a
state-changing request runs on a writer thread, not on the library thread
that read it, so reads are answered while writes wait for the database.

Another process (this test, as the CLI would) holds SQLite's write lock
(on PostgreSQL: an EXCLUSIVE lock of the reports table); ten reports are
filed at once: four writer threads wait on the lock (one in SQLite's busy
handler, three on the hub's writer mutex) and six are queued, which
/metrics shows. Reads on new and kept-alive connections are answered
meanwhile, and no filing is answered before the lock is released; then
every filing is answered 201 and is in the database exactly once. Before
the pool, the library threads (4) were the writers, and a read on a
connection of a waiting thread waited with it.
"""
import contextlib
import json
import socket
import sqlite3
import threading
import time
from datetime import datetime, timezone

import requests

import hubdb
from conftest import wait_for

REPORTER = "op-banking-0001"
FILINGS = 10   # more than the hub's 4 library threads and 4 writers
WRITERS = 4    # conftest starts the daemon with --threads 4
# How long a writer of the hub waits for a lock this test holds before it
# gives up (and the filing fails): SQLite's busy timeout (STORE_BUSY_MS,
# src/store/store.c) or PostgreSQL's lock_timeout (src/store/db_pg.c),
# both 10 s. Every wait of the hub's starts after this test took the
# lock, so a hold shorter than this cannot have made a writer give up.
HUB_LOCK_WAIT_S = 10


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def writes_gauge(hub):
    vals = {}
    for line in hub.metrics().text.splitlines():
        if line.startswith("infrashare_http_writes{"):
            state = line.split('state="', 1)[1].split('"', 1)[0]
            vals[state] = int(line.rsplit(" ", 1)[1])
    return vals.get("queued"), vals.get("running")


def file_all(hub, token, titles):
    answers = [None] * len(titles)

    def one(i):
        answers[i] = requests.post(
            hub.url + "/api/v1/reports", timeout=60,
            headers={"Authorization": f"Bearer {token}"},
            json={"title": titles[i], "kind": "incident",
                  "detected_at": now_iso(), "range": "green",
                  "route": "via_ceptoar"})

    threads = [threading.Thread(target=one, args=(i,))
               for i in range(len(titles))]
    for t in threads:
        t.start()
    return answers, threads


class Hold:
    """When this process took the write lock (time.monotonic()), and how
    long it held it once released."""

    def __init__(self):
        self.taken = time.monotonic()
        self.held = None

    def so_far(self):
        return time.monotonic() - self.taken

    def check(self):
        """Fails, saying why, when the lock was held as long as a writer
        of the hub waits for it: a failed filing would then be this
        test's slowness, not the hub's."""
        held = self.so_far() if self.held is None else self.held
        assert held < HUB_LOCK_WAIT_S, (
            f"this test held the database's write lock for {held:.1f} s, "
            f"not under the {HUB_LOCK_WAIT_S} s after which a writer of the "
            "hub gives up waiting for it (STORE_BUSY_MS / lock_timeout): "
            "the machine was too slow for the test to prove anything")


@contextlib.contextmanager
def write_lock(hub):
    """Holds the database's write lock from this process, as a transaction
    of the CLI would: SQLite's (BEGIN IMMEDIATE on the hub's file); on
    PostgreSQL, which has no database-wide write lock, a lock of the
    reports table that lets reads through and holds every write to it.
    Taking it waits (up to 30 s) for a write of the hub's own that holds
    it at that moment, e.g. a timer's. Yields a Hold, whose held is set on
    release."""
    if hubdb.is_pg(hub.db):
        lock = hubdb.connect(hub.db)
        lock.execute("BEGIN")
        lock.execute("LOCK TABLE reports IN EXCLUSIVE MODE")
    else:
        lock = sqlite3.connect(hub.db, timeout=30, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
    hold = Hold()
    try:
        yield hold
    finally:
        lock.execute("COMMIT")
        hold.held = time.monotonic() - hold.taken
        lock.close()


@contextlib.contextmanager
def writes_waiting(hub, token, titles):
    """Holds the write lock from this process, files one report per title
    at once, and yields their answers (None until answered) once every
    writer waits and the rest are queued; on leaving, releases the lock,
    waits for the filings and checks each was answered 201. The lock is
    held no longer than the test needs (a wait for the gauge bounded by
    the hub's own lock wait), and how long it was held is checked before
    the answers (Hold.check)."""
    with write_lock(hub) as hold:
        answers, threads = file_all(hub, token, titles)
        wait_for(lambda: writes_gauge(hub) == (FILINGS - WRITERS, WRITERS),
                 timeout=HUB_LOCK_WAIT_S,
                 what="every writer waiting and the rest queued")
        yield answers, hold
    for t in threads:
        t.join(60)
    hold.check()
    assert [a.status_code for a in answers] == [201] * FILINGS, \
        [a.text for a in answers if a.status_code != 201]


def stored(hub, prefix):
    """(id, title) of the reports whose title starts with prefix (ASCII
    case ignored, as SQL's LIKE)."""
    con = hubdb.connect(hub.db, readonly=True)
    rows = con.execute("SELECT id, body FROM reports").fetchall()
    con.close()
    titles = ((i, json.loads(body).get("title")) for i, body in rows)
    return sorted((i, t) for i, t in titles if isinstance(t, str) and
                  t.lower().startswith(prefix.lower()))


def test_reads_are_answered_while_every_writer_waits(fresh_demo_hub):
    h = fresh_demo_hub
    token = h.token(REPORTER)
    assert writes_gauge(h) == (0, 0)
    titles = [f"writer pool {i}" for i in range(FILINGS)]
    with writes_waiting(h, token, titles) as (answers, hold):
        kept = requests.Session()
        for i in range(12):
            # a new connection each time (spread over the library threads);
            # client timeouts far above any answer's time: a read that
            # waited for the writers would show in the hold's length
            r = requests.get(h.url + "/api/v1/reports?limit=5", timeout=30,
                             headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.text
            r = kept.get(h.url + "/api/v1/session", timeout=30,
                         headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.text
        # the writes are still waiting: none was answered (a writer that
        # gave up would have been answered: first, was the hold shorter
        # than the hub's wait?)
        hold.check()
        assert answers == [None] * FILINGS
        assert writes_gauge(h) == (FILINGS - WRITERS, WRITERS)
    # each filing stored once, under the id its 201 gave
    ids = [a.json()["id"] for a in answers]
    assert stored(h, "writer pool ") == sorted(zip(ids, titles))
    assert writes_gauge(h) == (0, 0)


def test_stopping_runs_the_queued_writes_first(fresh_demo_hub):
    """SIGTERM while writes are queued: the writers run them to their end
    (each answered 201 and stored) before the library stops, and the
    daemon exits cleanly (no connection left suspended)."""
    h = fresh_demo_hub
    token = h.token(REPORTER)
    titles = [f"stopping {i}" for i in range(FILINGS)]
    with writes_waiting(h, token, titles):
        h.proc.terminate()
        # the daemon is stopping, but waits for its queued writes
        assert h.proc.poll() is None
    h.stop()  # asserts exit status 0 and no sanitizer report
    assert sorted(t for _, t in stored(h, "stopping ")) == sorted(titles)


def test_a_write_whose_client_left_is_committed_logged_and_counted(
        fresh_demo_hub):
    """A filing whose client closes the connection while the write waits:
    the write still runs and commits (nothing accepted is lost), and its
    request line is logged once, with 201, whether the library still
    takes the answer (and fails to send it) or drops the connection first
    (then on_completed logs it, with an "answer not sent" warning, and
    frees the answer; the sanitizer builds check no leak)."""
    h = fresh_demo_hub
    token = h.token(REPORTER)
    title = "client left while queued"
    body = json.dumps({"title": title, "kind": "incident",
                       "detected_at": now_iso(), "range": "green",
                       "route": "via_ceptoar"}).encode()
    with write_lock(h) as hold:
        s = socket.create_connection(("127.0.0.1", h.port), timeout=30)
        s.sendall(b"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Authorization: Bearer " + token.encode() + b"\r\n"
                  b"Content-Type: application/json\r\n"
                  b"Content-Length: " + str(len(body)).encode() +
                  b"\r\n\r\n" + body)
        wait_for(lambda: writes_gauge(h)[1] == 1, timeout=HUB_LOCK_WAIT_S,
                 what="the filing running, waiting for the lock")
        s.close()
    hold.check()

    def posts():
        return [e for e in h.log_lines() if e.get("msg") == "request"
                and e.get("route") == "/api/v1/reports"
                and e.get("method") == "POST"]

    wait_for(lambda: posts(), what="the filing's request line")
    wait_for(lambda: writes_gauge(h) == (0, 0), what="no write left")
    assert [t for _, t in stored(h, title)] == [title]
    assert [e["status"] for e in posts()] == [201]
    warned = [e for e in h.log_lines() if e.get("msg") == "answer not sent"]
    assert [e["status"] for e in warned] in ([], [201])
