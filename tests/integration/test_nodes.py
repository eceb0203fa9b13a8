"""Several hub nodes on one PostgreSQL database, and the database's
failover (issue 17, docs/postgresql.md "Several nodes", "Failover").

Real parts only: PostgreSQL 15 servers from Debian's packages in temporary
folders (tests/integration/pgserver.py), a primary with a streaming standby
in synchronous replication, two `infrashared` processes with their own
--node-id on the same database, and a real webhook receiver.

- A node killed (SIGKILL) in the middle of a 5,000-organisation fan-out,
  after a second node joined it: the other node delivers every
  organisation; duplicates only of the
  deliveries the dead node had in flight (the same Idempotency-Key), never
  of the live node's own.
- The log-in limit is one limit across the nodes.
- A node id names one running node: a second node with an id in use is
  refused; a node killed with SIGKILL frees its id at once.
- A TAXII peer's run is one at a time across the nodes ("sync now" on any
  node waits for a run elsewhere).
- An exercise started on one node runs on both: the other node serves it,
  follows its clock, fires an inject once across the two, and closes it
  when it ends.
- The primary killed during filing and the standby promoted: no report that
  got a 201 is lost, no request got a 2xx while no primary existed, and the
  nodes serve again without a restart.
"""
import collections
import os
import threading
import time
from datetime import datetime, timezone

import requests

import pgserver
from conftest import wait_for
from test_postgresql import pg  # noqa: F401 (the module's server)
from test_postgresql import pytestmark as test_postgresql_marks
from receivers import WebhookReceiver
from test_provision_crash import N_ORGS, poll, seed_operators
from test_provision_features import (USER_PASSWORD, ProvHub, base_flags,
                                     staff)

# the same marks as test_postgresql.py's: skipped without PostgreSQL 15,
# and in the suite's PostgreSQL run (these tests start their own servers)
pytestmark = test_postgresql_marks

USER_FAILS = 5  # AUTH_USER_FAILS


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def nodes(tmp_path, db, flags=(), n=2):
    """n ProvHub objects on database db (the first one initialises it);
    node i runs with --node-id node-<letter>. Not started."""
    hubs = []
    for i in range(n):
        name = "node-" + "abc"[i]
        h = ProvHub(tmp_path / name, flags=[*flags, "--node-id", name])
        h.dir.mkdir(parents=True, exist_ok=True)
        h.db = db
        hubs.append(h)
    hubs[0].init()
    hubs[0].tokens["admin"] = hubs[0].token("admin", name="nodes")
    for h in hubs[1:]:
        h.tokens = hubs[0].tokens  # tokens are rows: valid on every node
    return hubs


def stop_all(hubs):
    for h in hubs:
        if h.proc and h.proc.poll() is None:
            h.stop(expect_clean=False)


def test_node_killed_during_fanout_the_other_delivers_all(pg, tmp_path):
    recv = WebhookReceiver().start()
    db = pg.create_db("fanout")
    a, b = nodes(tmp_path, db, base_flags(None, http_timeout_s=2))
    try:
        staff(a)
        for u in ("nisc-a", "meti-a", "gas-sec"):
            b.tokens[u] = a.tok(u)
        contacts = seed_operators(db, recv, N_ORGS)
        # node a sends 8 at a time: the fan-out lasts until b has joined
        a.flags += ["--max-inflight", "8"]
        a.start()
        a.set_policy("meti", "auto")
        a.set_policy("ceptoar-gas", "auto")
        adv = a.issue("nisc-a", title_ja="全事業者への周知（複数ノード）",
                      title_en="Notice to every operator (nodes)")
        assert adv["recipients"] == N_ORGS
        aid = adv["id"]

        def arrived(n):
            deadline = time.monotonic() + 120
            while recv.count("/hooks/") < n:
                assert time.monotonic() < deadline, f"{n} deliveries"
                time.sleep(0.001)
        # node b starts while node a is sending: its start-up takes back
        # only its own deliveries in flight (none), not a's
        arrived(N_ORGS // 20)
        b.start()

        def claimers():
            return {r["claimed_by"] for r in a.db_rows(
                "SELECT DISTINCT claimed_by FROM deliveries WHERE "
                "advisory_id = ? AND attempts > 0", aid)}
        # both nodes take part before a dies
        wait_for(lambda: {"node-a", "node-b"} <= claimers(), timeout=120,
                 what="node b to claim deliveries")
        a.kill()
        seen_at_kill = recv.count("/hooks/")
        assert seen_at_kill < N_ORGS, seen_at_kill
        # what node a held when it died: those rows wait for their lease
        held = {r["claimed_by"]: r["n"] for r in a.db_rows(
            "SELECT claimed_by, count(*) AS n FROM deliveries WHERE "
            "advisory_id = ? AND state = 'sending' GROUP BY claimed_by", aid)}
        left_by_a = held.get("node-a", 0)

        def done():
            d = b.deliveries(aid, "nisc-a")
            m = d["messages"]
            return (m["queued"] == 0 and m["sending"] == 0 and
                    m["delivered"] == N_ORGS and d)
        # node a's leases (2 x http timeout + 30 s) run out, b takes them
        d = poll(done, 240, 0.5, "every organisation delivered by node b")
        assert d["messages"]["failed"] == 0
        hits = recv.seen("/hooks/", answered_ok=True)
        by_key = collections.defaultdict(list)
        for hit in hits:
            by_key[hit.headers["idempotency-key"]].append(hit)
        assert {h.path[len("/hooks/"):] for h in hits} == set(contacts)
        assert len(by_key) == N_ORGS
        for key, ks in by_key.items():
            org = ks[0].path[len("/hooks/"):]
            assert key == f"{aid}.{org}.{contacts[org][0]}"
        # duplicates: only deliveries node a had in flight when it died,
        # and attempts a node gave up on (its 2 s timeout, on a loaded
        # machine) that the receiver still answered: each such attempt is
        # a "delivery retry" line in that node's log, sent again with the
        # same idempotency key, as the key allows
        retried = sum(1 for h in (a, b) for e in h.log_lines()
                      if e.get("msg") == "delivery retry"
                      and e.get("job") == "advisory")
        duplicates = len(hits) - len(by_key)
        assert duplicates <= left_by_a + retried, \
            (duplicates, left_by_a, retried)
        rows = {r["claimed_by"]: r["n"] for r in a.db_rows(
            "SELECT claimed_by, count(*) AS n FROM deliveries WHERE "
            "advisory_id = ? AND state = 'delivered' GROUP BY claimed_by",
            aid)}
        assert sum(rows.values()) == N_ORGS
        print("\nNODES-FANOUT", {"seen_at_kill": seen_at_kill,
                                 "left_by_a": left_by_a,
                                 "duplicates": duplicates,
                                 "retried": retried,
                                 "recorded_by": rows})
    finally:
        stop_all([a, b])
        recv.stop()


def test_login_limit_is_one_limit_across_nodes(pg, tmp_path):
    a, b = nodes(tmp_path, pg.create_db("limits"))
    try:
        a.add_user("desk", "nisc", "reader")
        a.start()
        b.start()
        # failures spread over both nodes count together
        for i in range(USER_FAILS):
            h = (a, b)[i % 2]
            r = h.post("/api/v1/session",
                       json={"username": "desk", "password": "wrong-" + str(i)})
            assert r.status_code == 401, r.text
        # the right password on either node: limited now
        for h in (a, b):
            r = h.post("/api/v1/session",
                       json={"username": "desk", "password": USER_PASSWORD})
            assert r.status_code == 429, r.text
            assert r.json()["error"]["code"] == "rate_limited", r.text
        n = a.db_rows("SELECT failures FROM login_limits WHERE kind = 'user'")
        assert [r["failures"] for r in n] == [USER_FAILS]
        # the limit's row holds a digest, not the name or the address
        keys = " ".join(r["key"] for r in a.db_rows(
            "SELECT key FROM login_limits"))
        assert "desk" not in keys and "127.0.0.1" not in keys
    finally:
        stop_all([a, b])


def test_node_id_is_one_running_node(pg, tmp_path):
    """A second node started with an id in use is refused, and changes
    nothing; a node killed with SIGKILL frees its id at once (the server
    ends its session), so it starts again without waiting."""
    import subprocess
    from conftest import BUILD
    db = pg.create_db("node_ids")
    a, b = nodes(tmp_path, db)
    try:
        a.start()
        b.start()
        before = a.db_rows("SELECT count(*) AS n FROM audit")[0]["n"]
        r = subprocess.run([str(BUILD / "infrashared"), "--db", db,
                            "--port", "0", "--node-id", "node-b"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 1, r.stdout + r.stderr
        assert 'node id "node-b" is in use by another running node' in \
            r.stderr, r.stderr
        assert a.db_rows("SELECT count(*) AS n FROM audit")[0]["n"] == before
        for h in (a, b):
            assert h.get("/readyz").status_code == 200
        # SIGKILL: no clean-up ran, and the id is free at once
        b.kill()
        b.start()
        assert b.get("/readyz").json() == {"status": "ready", "node": "node-b"}
        locks = pg.psql("SELECT count(*) FROM pg_locks WHERE locktype = "
                        "'advisory' AND classid = 7305322 AND granted")
        assert locks == "2"
    finally:
        stop_all([a, b])


def test_taxii_sync_now_waits_for_another_nodes_run(pg, tmp_path):
    """A TAXII peer's run (the duty holder's schedule, or an
    administrator's "sync now" on any node) is one at a time across the
    nodes: while the run lock is held elsewhere (here by the test, as a
    node's run would hold it), "sync now" on node b waits for it, records
    nothing meanwhile, and runs once it is let go."""
    import psycopg2
    db = pg.create_db("taxii_runs")
    a, b = nodes(tmp_path, db)
    holder = None
    try:
        a.start()
        b.start()
        admin = a.tokens["admin"]
        r = a.api("POST", "/api/v1/taxii/peers", token=admin, json={
            "name": "feed", "org": "jpcert", "direction": "pull",
            "api_root": "http://127.0.0.1:1/taxii2/api1/",
            "collection": "indicators", "interval_s": 3600,
            "token": "ist_remote_" + "0" * 32})
        assert r.status_code == 201, r.text
        pid = r.json()["id"]

        def runs():
            return a.db_rows("SELECT count(*) AS n FROM taxii_runs WHERE "
                             "peer = ?", pid)[0]["n"]
        wait_for(lambda: runs() == 1, what="the scheduled first run")
        holder = psycopg2.connect(db)
        holder.autocommit = True
        cur = holder.cursor()
        cur.execute("SELECT pg_advisory_lock(7305323, 1)")
        answer = {}
        t = threading.Thread(target=lambda: answer.setdefault(
            "r", b.api("POST", f"/api/v1/taxii/peers/{pid}/sync",
                       token=admin)))
        t.start()

        def waiting():
            cur.execute("SELECT count(*) FROM pg_locks WHERE locktype = "
                        "'advisory' AND classid = 7305323 AND NOT granted")
            return cur.fetchone()[0] == 1
        wait_for(waiting, what="node b's sync to wait for the run lock")
        assert runs() == 1 and "r" not in answer
        cur.execute("SELECT pg_advisory_unlock(7305323, 1)")
        t.join(timeout=120)
        assert answer["r"].status_code == 200, answer["r"].text
        assert runs() == 2
    finally:
        if holder:
            holder.close()
        stop_all([a, b])


def test_concurrent_failures_on_both_nodes_count_once(pg, tmp_path):
    """The shared counter's read-modify-write (store_limit) runs in the
    write transaction: of 24 wrong passwords for one account sent at once,
    half to each node, exactly USER_FAILS are let through to the password
    check (401); the others are limited (429); the row counts USER_FAILS."""
    from concurrent.futures import ThreadPoolExecutor
    a, b = nodes(tmp_path, pg.create_db("limits_race"))
    try:
        a.add_user("desk", "nisc", "reader")
        a.start()
        b.start()

        def attempt(i):
            h = (a, b)[i % 2]
            return h.post("/api/v1/session",
                          json={"username": "desk",
                                "password": f"wrong-{i}"}).status_code
        with ThreadPoolExecutor(max_workers=12) as pool:
            codes = list(pool.map(attempt, range(24)))
        assert sorted(codes) == [401] * USER_FAILS + [429] * (24 - USER_FAILS)
        rows = a.db_rows("SELECT failures FROM login_limits WHERE "
                         "kind = 'user'")
        assert [r["failures"] for r in rows] == [USER_FAILS]
    finally:
        stop_all([a, b])


def server_processes(pg):
    """Pids of PostgreSQL server pg's processes: the postmaster and each
    process it started (backends, the WAL sender, ...) works in pg's data
    folder, and goes on working there when the postmaster is killed
    (children outlive their parent for a moment)."""
    data = os.path.realpath(pg.data)
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.readlink(f"/proc/{d}/cwd") == data:
                    pids.append(int(d))
            except OSError:     # gone meanwhile, a zombie, not ours
                pass
    return pids


def primary_standby():
    primary = pgserver.PgServer().start()
    standby = pgserver.PgServer.standby_of(primary, "standby1").start()
    primary.require_sync("standby1")
    wait_for(lambda: primary.sync_standbys() == ["standby1"], timeout=60,
             what="the standby to replicate synchronously")
    return primary, standby


def test_primary_killed_during_filing_standby_promoted(tmp_path):
    primary, standby = primary_standby()
    hubs = []
    try:
        primary.create_db("hub")
        wait_for(lambda: standby.psql(
            "SELECT count(*) FROM pg_database WHERE datname = 'hub'") == "1",
            timeout=60, what="the database on the standby")
        uri = (f"postgresql://postgres@127.0.0.1:{primary.port},"
               f"127.0.0.1:{standby.port}/hub"
               "?target_session_attrs=read-write&connect_timeout=2")
        hubs = nodes(tmp_path, uri)
        hubs[0].add_operator("op-filer")
        hubs[0].add_user("op-filer-desk", "op-filer", "reader,reporter")
        tok = hubs[0].tok("op-filer-desk")
        for h in hubs:
            h.start()
        outcomes = []  # (sent_at, answered_at, status, id)
        lock = threading.Lock()
        stop = threading.Event()

        def filer(h, n):
            s = requests.Session()
            i = 0
            while not stop.is_set():
                i += 1
                body = {"title": f"フェイルオーバー試験 {n}-{i}",
                        "kind": "incident", "detected_at": now_iso(),
                        "range": "green", "route": "direct"}
                t0 = time.monotonic()
                try:
                    r = s.post(h.url + "/api/v1/reports", json=body,
                               headers={"Authorization": "Bearer " + tok},
                               timeout=30)
                    st = r.status_code
                    rid = r.json().get("id") if st == 201 else None
                    if st == 503:
                        assert int(r.headers["Retry-After"]) >= 1
                        assert r.json()["error"]["code"] == "store_unavailable"
                except requests.RequestException:
                    st, rid = None, None
                with lock:
                    outcomes.append((t0, time.monotonic(), st, rid))

        threads = [threading.Thread(target=filer, args=(h, k))
                   for k, h in enumerate(hubs * 2)]
        for t in threads:
            t.start()
        wait_for(lambda: sum(o[2] == 201 for o in outcomes) >= 40,
                 timeout=120, what="reports filed before the failover")
        # the look below sees the running primary's processes (so that
        # seeing none later means they are gone, not that it is blind)
        assert primary.pid in server_processes(primary), primary.pid
        # SIGKILL of the postmaster (stop returns once it is gone); its
        # backends and WAL sender notice and exit a moment later, and a
        # request sent meanwhile may still commit through them (a real
        # commit, replicated: checked with every 201 below). No primary
        # exists once every process of it has gone: judged from then.
        primary.stop(kill=True)
        wait_for(lambda: not server_processes(primary), timeout=60,
                 what="every process of the killed primary gone")
        gone_at = time.monotonic()
        # no primary: every node says so, and refuses writes
        for h in hubs:
            wait_for(lambda h=h: h.get("/readyz").status_code == 503,
                     timeout=60, what="/readyz 503 without a primary")
        r = hubs[0].api("POST", "/api/v1/reports", token=tok,
                        json={"title": "no primary", "kind": "incident",
                              "detected_at": now_iso(), "range": "green",
                              "route": "direct"})
        assert r.status_code == 503, r.text
        wait_for(lambda: sum(o[0] > gone_at and o[2] == 503
                             for o in outcomes) >= 8, timeout=60,
                 what="503s while no primary exists")
        promote_at = time.monotonic()
        standby.promote()
        for h in hubs:
            wait_for(lambda h=h: h.get("/readyz").status_code == 200,
                     timeout=60, what="/readyz 200 after the promotion")
        wait_for(lambda: sum(o[0] > promote_at and o[2] == 201
                             for o in outcomes) >= 20, timeout=120,
                 what="reports filed after the promotion")
        stop.set()
        for t in threads:
            t.join(timeout=60)
        # no 2xx for a request sent after the primary was gone and
        # answered before the promotion began (the 503s waited for above
        # are such requests: the window is not empty)
        false_ok = [o for o in outcomes if o[0] > gone_at and
                    o[1] < promote_at and o[2] and 200 <= o[2] < 300]
        assert not false_ok, false_ok[:5]
        # every 201 is in the promoted database
        got = set(standby.psql("SELECT id FROM reports", db="hub").split())
        acked = {o[3] for o in outcomes if o[2] == 201}
        assert acked and acked <= got, sorted(acked - got)[:5]
        # nothing unanswered was stored twice, nothing stored unasked:
        # the rows are the 201s and at most the requests that got no
        # definite answer (a commit the connection's loss hid)
        unknown = sum(o[2] in (None, 500, 502, 503, 504) for o in outcomes)
        assert len(acked) <= len(got) <= len(acked) + unknown
        # the nodes never restarted
        assert all(h.proc.poll() is None for h in hubs)
        for h in hubs:
            assert "store reconnected" in h.log_path.read_text(
                errors="replace")
        # each node holds its id again, on the new primary
        wait_for(lambda: standby.psql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND classid = 7305322 AND granted") == str(len(hubs)),
            timeout=30, what="both nodes' ids held on the promoted primary")
        print("\nFAILOVER", {"201": len(acked), "rows": len(got),
                             "503_no_primary": sum(
                                 o[0] > gone_at and o[1] < promote_at and
                                 o[2] == 503 for o in outcomes)})
    finally:
        stop_all(hubs)
        standby.remove()
        primary.remove()


def test_a_lost_synchronous_standby_is_not_ready_and_503(tmp_path):
    """The synchronous standby gone: every COMMIT waits for it, holding
    the writer lock, so no write can be taken. /readyz says so (it
    answered 200 while every filing hung: found by an outside review); a
    filing that waited past the lock timeout is 503 store_unavailable with
    Retry-After (it was 500); the one that waited is committed and
    answered 201 once the standby is back, and the node is ready again,
    without a restart."""
    primary, standby = primary_standby()
    hubs = []
    try:
        primary.create_db("hub")
        hubs = nodes(tmp_path, primary.uri("hub"), n=1)
        h = hubs[0]
        h.add_operator("op-filer")
        h.add_user("op-filer-desk", "op-filer", "reader,reporter")
        tok = h.tok("op-filer-desk")
        h.start()

        def file(title, timeout=120):
            return requests.post(h.url + "/api/v1/reports", json={
                "title": title, "kind": "incident", "detected_at": now_iso(),
                "range": "green", "route": "direct"},
                headers={"Authorization": "Bearer " + tok}, timeout=timeout)
        assert file("before").status_code == 201
        assert h.get("/readyz").status_code == 200
        standby.stop()
        held = {}
        first = threading.Thread(target=lambda: held.update(r=file("held")))
        first.start()
        wait_for(lambda: h.get("/readyz").status_code == 503, timeout=60,
                 what="/readyz 503 while COMMIT waits for the standby")
        r = file("second")
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "store_unavailable"
        assert int(r.headers["Retry-After"]) >= 1
        # no answer while the standby is gone (the first either waits in
        # its COMMIT, or — when a worker's write, a lease's renewal, was
        # the COMMIT that waited first — in the queue behind it, until the
        # queue's deadline: then 503, never a 2xx)
        assert first.is_alive() or held["r"].status_code == 503, held
        standby.start()
        first.join(timeout=120)
        wait_for(lambda: h.get("/readyz").status_code == 200, timeout=60,
                 what="/readyz 200 with the standby back")
        code = held["r"].status_code
        assert code in (201, 503), held["r"].text
        # a 201 is committed; a 503 stored nothing
        assert primary.psql("SELECT count(*) FROM reports WHERE "
                            "title = 'held'", db="hub") == \
            ("1" if code == 201 else "0")
        assert file("after").status_code == 201
        assert h.proc.poll() is None
    finally:
        stop_all(hubs)
        standby.remove()
        primary.remove()


def duty_lines(h, duty):
    return [e["msg"] for e in h.log_lines()
            if e.get("duty") == duty and "performs a duty" in e.get("msg", "")]


def duty_held(h, duty):
    """infrashare_duty_held{duty=...} of node h's /metrics: 1 or 0."""
    want = f'infrashare_duty_held{{duty="{duty}"}} '
    for line in h.metrics().text.splitlines():
        if line.startswith(want):
            return int(line[len(want):])
    raise AssertionError(f"no {want} in /metrics")


def test_one_node_probes_and_another_takes_over(pg, tmp_path):
    """The hub's own prober is one node's duty (service/lead.h): of two
    nodes with --probe, one holds the duty and probes; killed, the other
    takes the duty over once its lease has run out, and the results go
    on."""
    from obs_bed import ObsHub
    from testbed import TestBed
    bed = TestBed(tmp_path / "bed", providers=("a",))
    site = bed.add_site(sector="gas", provider="a")
    bed.start()
    db = pg.create_db("prober")
    hubs = []
    try:
        for name in ("node-a", "node-b"):
            h = ObsHub(tmp_path / name, probe=["--probe", "--probe-resolver",
                                               bed.resolver,
                                               "--node-id", name])
            h.dir.mkdir()
            h.db = db
            hubs.append(h)
        a, b = hubs
        a.init()
        a.add_operator("op-a")
        a.participate("ceptoar-gas")
        a.add_sites([{"id": 1, "org": "op-a", "host": site.host,
                      "url": site.url, "interval": 1}])
        a.start()
        wait_for(lambda: a.db_rows("SELECT 1 FROM obs_results"), timeout=60,
                 what="node a's first results")
        b.start()
        started = int(time.time())
        # b's prober thread has run (it looked at the duty at its start)
        # and the results go on
        wait_for(lambda: b.db_rows("SELECT 1 FROM obs_results WHERE "
                                   "at > ?", started + 1),
                 timeout=60, what="results after node b started")
        holder = a.db_rows("SELECT node FROM node_duties WHERE "
                           "duty = 'prober'")
        assert [r["node"] for r in holder] == ["node-a"]
        assert duty_lines(a, "prober") == ["this node performs a duty"]
        assert duty_lines(b, "prober") == []
        assert (duty_held(a, "prober"), duty_held(b, "prober")) == (1, 0)
        a.kill()
        wait_for(lambda: duty_lines(b, "prober"), timeout=90,
                 what="node b to take the prober's duty over")
        assert [r["node"] for r in b.db_rows(
            "SELECT node FROM node_duties WHERE duty = 'prober'")] == \
            ["node-b"]
        assert duty_held(b, "prober") == 1
        taken = int(time.time())
        wait_for(lambda: b.db_rows("SELECT 1 FROM obs_results WHERE "
                                   "at > ?", taken), timeout=60,
                 what="node b's results")
    finally:
        stop_all(hubs)
        bed.close()


def test_exercise_across_nodes(pg, tmp_path):
    """An exercise started on one node runs on every node (its world is a
    schema of the shared database): the other node serves its board and
    its participants, takes the clock the console moved on the first, fires
    a scenario inject once across both, and closes it when the first ends
    it (docs/postgresql.md "Exercises")."""
    import json
    import hubdb
    from conftest import ROOT
    db = pg.create_db("exercise")
    hubs = []
    for name in ("node-a", "node-b"):
        h = ProvHub(tmp_path / name, demo=True,
                    flags=[*base_flags(None), "--node-id", name])
        h.dir.mkdir(parents=True, exist_ok=True)
        h.db = db
        hubs.append(h)
    a, b = hubs
    a.init()
    try:
        a.start()
        b.start()
        nisc = a.token("nisc-analyst", name="console")
        op = a.db_rows(
            "SELECT o.id FROM orgs o JOIN scopes s ON s.id = o.scope_id "
            "WHERE o.kind = 'operator' AND s.sector_id = 'water' "
            "ORDER BY o.id LIMIT 1")[0]["id"]
        op_tok = a.token(op, name="participant")
        scenario = json.loads(
            (ROOT / "data/exercises/fy2015.json").read_text())
        r = a.api("POST", "/api/v1/exercises", token=nisc, json={
            "title_ja": "断水演習（複数ノード）",
            "title_en": "Water outage exercise (nodes)",
            "scenario": scenario, "participants": {"sectors": ["water"]}})
        assert r.status_code == 201, r.text
        x = r.json()["id"]

        def control(h, action, status=200, **kw):
            r = h.api("POST", f"/api/v1/exercises/{x}/control", token=nisc,
                      json={"action": action, **kw})
            assert r.status_code == status, (action, r.text)
            return r.json()
        control(a, "start", paused=True)
        started = a.api("GET", f"/api/v1/exercises/{x}", token=nisc).json()
        # node b, which did not start it, serves its board and participants
        r = b.api("GET", f"/api/v1/exercises/{x}/board", token=nisc)
        assert r.status_code == 200, r.text
        assert op in {p["org"] for p in r.json()["participants"]}, r.text[:300]
        # a scenario inject fired on node b is fired: node a refuses it
        control(b, "fire", inject="p1-suspicious-mail")
        r = a.api("POST", f"/api/v1/exercises/{x}/control", token=nisc,
                  json={"action": "fire", "inject": "p1-suspicious-mail"})
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "already_fired", r.text
        # the clock moved on node a is node b's: paused, 90 minutes on
        control(a, "advance", minutes=90)
        moved = a.api("GET", f"/api/v1/exercises/{x}", token=nisc).json()
        r = b.api("POST", f"/api/v1/exercises/{x}/bcp", token=op_tok,
                  json={"note": "発動（ノードB）"})
        assert r.status_code == 201, r.text

        def ts(s):
            return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=timezone.utc).timestamp()
        at = ts(r.json()["declared_at"])
        assert at == ts(moved["clock"]["exercise_time"]), (r.json(), moved)
        assert at - ts(started["clock"]["exercise_time"]) == 90 * 60, \
            (r.json(), started["clock"])
        con = hubdb.connect(hubdb.world(db, x), readonly=True)
        try:
            assert con.execute(
                "SELECT count(*) FROM ex_injects WHERE inject_id = "
                "'p1-suspicious-mail'").fetchone() == (1,)
            assert con.execute("SELECT count(*) FROM ex_bcp").fetchone() == \
                (1,)
            # the inject's advisory is the world's ...
            assert con.execute(
                "SELECT count(*) FROM advisories WHERE title_en = ?",
                ("(Situation) the suspicious e-mail identified",)
            ).fetchone() == (1,)
        finally:
            con.close()
        # ... and nothing of it is in the hub's own tables
        assert a.db_rows(
            "SELECT count(*) AS n FROM advisories WHERE title_en = ?",
            "(Situation) the suspicious e-mail identified")[0]["n"] == 0
        # ended on node b: node a no longer runs it
        control(b, "end")
        r = a.api("POST", f"/api/v1/exercises/{x}/bcp", token=op_tok,
                  json={"note": "終了後"})
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] == "not_running", r.text
        r = a.api("GET", f"/api/v1/exercises/{x}", token=nisc)
        assert r.json()["state"] == "ended", r.text[:300]
    finally:
        stop_all(hubs)
