"""Integration harness: the real infrashared on an ephemeral port.

Every test talks HTTP to a real daemon started from the build directory
(INFRASHARE_BUILD, default build/) with a temporary SQLite database. The
daemon's stderr is kept; a sanitizer report in it fails the test, and the
daemon must exit 0 on SIGTERM.

Every HTTP exchange with a running hub made through requests (requests.get,
Session.request, ...) is checked against docs/openapi.json by
openapi_check.Validator (status, Content-Type, JSON body; the request body
when the hub accepted it): a mismatch raises openapi_check.Mismatch at the
call and, in case the call ran in a thread that swallowed it, fails the test
at teardown. Raw-socket tests are not checked.
"""
import atexit
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

import hubdb  # noqa: F401 - the tests' look into a hub's database (either engine)
from openapi_check import Mismatch, Validator

# The CLI prints the hub's Japanese error sentences when the locale's
# language is Japanese (cli_error_text): the suite runs in one known
# locale, and a test that wants another sets it for its own call.
for _var in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("INFRASHARE_BUILD", ROOT / "build")).resolve()
DATA = ROOT / "data"
ADMIN_PASSWORD = "admin-password-for-tests"
DEMO_PASSWORD = "infrashare-demo"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:",
                   "ERROR: LeakSanitizer")
OPENAPI = ROOT / "docs" / "openapi.json"

# ---- LeakSanitizer's check of the CLI, per kind of call ----
# Under the sanitizer build, LeakSanitizer's scan at a process's exit is
# some 40 % of a CLI call's cost (0.05 of 0.12 s of CPU), and the suite
# makes ~4,800 CLI calls, most of them the same set-up calls (token
# create, user add, org add, org contact: ~4,000). Each kind of call (its
# command words, the names of its options, whether it is expected to
# fail) is leak-checked its first LEAK_CHECKS times in each test process
# and then runs with detect_leaks=0; AddressSanitizer and UBSan check
# every call. A command's leak depends on its code path, which the kind
# names, not on its argument values.
LEAK_CHECKS = 3
_LEAK_CHECKED = {}

# INFRASHARE_SETUP_BUILD=DIR (scripts/test.sh sets it to the normal build
# for the run on the sanitizer build): the four set-up calls a fixture
# makes by the thousand (user add, token create, org add, org contact:
# 3,066 of the suite's 3,673 CLI calls), expected to succeed, run DIR's
# CLI once their kind has been checked LEAK_CHECKS times in the process
# under the sanitizers. A sanitizer CLI call costs ~0.07 s of CPU without
# the leak scan against 0.025 s for the normal build's (mostly the start
# of a process with 50 libraries, instrumented), and the run on the
# sanitizer build is CPU bound. Every other call, every call expected to
# fail (bad input) and every daemon still runs the sanitizer build.
# cli_binary reads the counts cli_env keeps: Hub.cli calls cli_env first.
SETUP_BUILD = os.environ.get("INFRASHARE_SETUP_BUILD")
SETUP_KINDS = {("user", "add"), ("token", "create"), ("org", "add"),
               ("org", "contact"), ("batch",)}

# ---- set-up calls run together: `infrashare batch` ----
# The suite's fixtures add operators, users and e-mail contacts by the
# thousand, one CLI process each: a process of 50 libraries and, on
# PostgreSQL, a server backend of its own (0.07 s a call there with the
# tests' cheap password hash against 1.4 ms a line in one batch,
# bench/README.md "Set-up calls"). Hub.cli keeps such a call
# (deferrable) and runs the kept calls as one `batch` before anything can
# see their effect: before any process starts (another CLI call, a
# daemon, a client command), any use of the hub's database (Hub.db), and
# any HTTP request to a hub (_checked_send). The call's answer
# (DeferredResult) has no output to read: a caller that wants one says
# alone=True.
# INFRASHARE_TEST_NO_BATCH=1 runs every call on its own.
BATCH = not os.environ.get("INFRASHARE_TEST_NO_BATCH")
_BATCHING = set()  # hubs with calls kept
_BATCH_LOCK = threading.RLock()  # one flush at a time (race tests' threads)


def deferrable(args, check, input, env):
    """Whether Hub.cli may keep this call for a batch: an `org add`, a
    `user add` with a password file or an e-mail `org contact`, expected
    to succeed, whose output no one reads (they print only what was
    added)."""
    words = [str(a) for a in args]
    if not BATCH or not check or input is not None or env:
        return False
    head = tuple(words[:2])
    if head == ("org", "add"):
        return True
    if head == ("user", "add"):
        return "--password-file" in words
    if head == ("org", "contact") and "--channel" in words:
        i = words.index("--channel")
        return i + 1 < len(words) and words[i + 1] == "email"
    return False


class DeferredResult:
    """Hub.cli's answer to a kept call: it succeeded when the batch ran
    (Hub.flush asserts it); its output is not kept."""
    returncode = 0

    @property
    def stdout(self):
        raise AssertionError("a set-up call kept for a batch has no output "
                             "(conftest.deferrable)")

    stderr = stdout


def flush_batches():
    for h in list(_BATCHING):
        h.flush()


# any process a test starts may read a hub (a CLI client command, the
# prober, a daemon): the kept calls run before it
_popen_init = subprocess.Popen.__init__


def _popen_after_batches(self, *args, **kw):
    if _BATCHING:
        flush_batches()
    _popen_init(self, *args, **kw)


subprocess.Popen.__init__ = _popen_after_batches


def _kind(args, check):
    words = [str(a) for a in args]
    return (tuple(w for w in words[:2] if not w.startswith("-")),
            tuple(sorted(w for w in words if w.startswith("--"))),
            bool(check))


def cli_binary(args, check):
    """The CLI a call runs: INFRASHARE_SETUP_BUILD's for a set-up call
    whose kind was checked under the sanitizers LEAK_CHECKS times already
    (cli_env counts them), else the build under test's."""
    kind = _kind(args, check)
    if (SETUP_BUILD and check and kind[0] in SETUP_KINDS
            and _LEAK_CHECKED.get(kind, 0) > LEAK_CHECKS):
        return Path(SETUP_BUILD) / "infrashare"
    return BUILD / "infrashare"


def cli_env(args, check):
    """The environment of a CLI call (cli_env: leak checks per kind)."""
    e = dict(os.environ)
    asan = e.get("ASAN_OPTIONS")
    if asan and "detect_leaks=1" in asan:
        kind = _kind(args, check)
        n = _LEAK_CHECKED.get(kind, 0)
        _LEAK_CHECKED[kind] = n + 1
        if n >= LEAK_CHECKS:
            e["ASAN_OPTIONS"] = asan + ":detect_leaks=0"
    return e


# ---- every response from a hub is checked against docs/openapi.json ----
# the validator in force (tests of the check itself swap it), the
# "host:port"s of the running hubs, and the mismatches found so far
OPENAPI_CHECK = {"validator": Validator.from_file(OPENAPI)}
HUB_ADDRS = set()
OPENAPI_MISMATCHES = []
# INFRASHARE_OPENAPI_COLLECT=<file>: append every mismatch to <file> and let
# the test go on (it still fails at its end), to list all of them in one run
OPENAPI_COLLECT = os.environ.get("INFRASHARE_OPENAPI_COLLECT")
# fuzz/api_fuzz.py's seeds: the JSON bodies the hub accepted (2xx), one
# line {"method", "template", "body"} each, appended to this file (off
# unless set; fuzz/README.md)
RECORD_BODIES = os.environ.get("INFRASHARE_RECORD_BODIES")
_requests_send = requests.Session.send


def _record_body(request, resp):
    if not (200 <= resp.status_code < 300 and request.body):
        return
    if not (request.headers.get("Content-Type") or "").startswith(
            "application/json"):
        return
    v = OPENAPI_CHECK["validator"]
    path = requests.utils.urlparse(request.url).path
    template = v.find(request.method, path)[0]
    body = request.body
    if template is None or len(body) > 65536:
        return
    try:
        body = json.loads(body)
    except ValueError:
        return
    with open(RECORD_BODIES, "a", encoding="utf-8") as f:
        f.write(json.dumps({"method": request.method, "template": template,
                            "body": body}, ensure_ascii=False) + "\n")


def _checked_send(self, request, **kw):
    """requests.Session.send, then the check of the exchange when the
    server is one of the running hubs."""
    __tracebackhide__ = True
    flush_batches()
    resp = _requests_send(self, request, **kw)
    # after redirects, resp answers the last request (checked by the inner
    # send of the redirect); this send's own answer is the first of history
    first = resp.history[0] if resp.history else resp
    if requests.utils.urlparse(request.url).netloc in HUB_ADDRS:
        if RECORD_BODIES:
            _record_body(request, first)
        problems = OPENAPI_CHECK["validator"].check_exchange(request, first)
        if problems:
            text = ("the exchange does not match docs/openapi.json:\n  "
                    + "\n  ".join(problems))
            OPENAPI_MISMATCHES.append(text)
            if OPENAPI_COLLECT:
                with open(OPENAPI_COLLECT, "a", encoding="utf-8") as f:
                    f.write("\n".join(problems) + "\n")
            else:
                raise Mismatch(text)
    return resp


requests.Session.send = _checked_send


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if call.when == "call":
        item.openapi_call_failed = rep.failed
    if rep.failed and call.excinfo is not None and \
            call.excinfo.errisinstance(Mismatch):
        # the mismatch and the test's line, without the frames of requests
        where = [f"{e.path}:{e.lineno + 1}: {e.statement}".rstrip()
                 for e in call.excinfo.traceback
                 if str(e.path) == str(item.path)]
        rep.longrepr = "\n".join(
            [f"openapi_check.Mismatch: {call.excinfo.value}", *where[-1:]])


@pytest.fixture(autouse=True)
def _openapi_mismatches_fail_the_test(request):
    """A mismatch raised in a thread that the test did not join (or
    collected, see INFRASHARE_OPENAPI_COLLECT) still fails the test."""
    OPENAPI_MISMATCHES.clear()
    yield
    found = list(OPENAPI_MISMATCHES)
    OPENAPI_MISMATCHES.clear()
    if found and not getattr(request.node, "openapi_call_failed", False):
        raise Mismatch("\n".join(found))


def wait_for(predicate, timeout=20.0, what="condition"):
    """Polls predicate until true; fails after timeout. Not a sleep-and-hope:
    it returns as soon as the condition holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


# INFRASHARE_TEST_PG=postgresql://USER@HOST:PORT (a server the tests may
# create databases on): each hub gets a database of its own there instead
# of an SQLite file (issue 17: the suite on both engines). Tests read and
# write hub.db (a path or a postgresql:// URI) with hubdb.connect(hub.db).
# INFRASHARE_TEST_ENGINE=postgresql without a server named: each test
# process (each xdist worker) starts a throwaway PostgreSQL 15 of its own
# (pgserver.py), removed when the process ends.
TEST_PG = os.environ.get("INFRASHARE_TEST_PG")
if not TEST_PG and os.environ.get("INFRASHARE_TEST_ENGINE") == "postgresql":
    import pgserver

    # fsync=off: this server lives as long as the test process and never
    # has to survive the machine's crash (a process killed still leaves
    # its writes to the kernel); commits still wait for the WAL write.
    # The failover and crash tests start servers of their own, with fsync
    # (test_nodes.py, test_postgresql.py).
    _server = pgserver.PgServer(settings=["fsync=off"]).start()
    atexit.register(_server.remove)
    TEST_PG = _server.uri().rsplit("/", 1)[0]
    os.environ["INFRASHARE_TEST_PG"] = TEST_PG


_PG_ADMIN = None  # this process's connection to TEST_PG's "postgres"


def pg_database(template=None):
    """A new PostgreSQL database on TEST_PG, empty or a copy of template
    (copied file by file: STRATEGY FILE_COPY takes half the time of the
    default for the demo database): its URI. Made over one connection
    kept by the process: a psql per database cost 0.25 s against 0.06 to
    0.12 s, some 1,000 times a run."""
    global _PG_ADMIN
    import psycopg2

    name = "hub_" + os.urandom(8).hex()
    sql = f"CREATE DATABASE {name}" + (
        f" TEMPLATE {template} STRATEGY FILE_COPY" if template else "")
    if _PG_ADMIN is None or _PG_ADMIN.closed:
        _PG_ADMIN = psycopg2.connect(TEST_PG + "/postgres", connect_timeout=30)
        _PG_ADMIN.autocommit = True  # CREATE DATABASE runs outside a transaction
        atexit.register(_PG_ADMIN.close)  # before the server's removal
    with _PG_ADMIN.cursor() as cur:
        cur.execute(sql)
    return TEST_PG + "/" + name


# The fixtures' hubs are copies of a database this worker initialised once
# the same way: on PostgreSQL a CREATE DATABASE ... TEMPLATE, on SQLite a
# copy of the file. A demo init on PostgreSQL is some 200,000 round trips
# to the server (15 s), on SQLite under the sanitizers several seconds,
# and the suite starts some 200 demo hubs. The copy is the same database
# an init gives (init writes nothing else); `init` itself is still run by
# every test that calls hub.init() (those about init, its options and its
# data) and by the template's own creation. The harnesses that build a
# bed of their own on a plain hub (ProvHub's make_hub, ObsHub's beds, the
# sites and C4TAP beds) start from init_fixture() too: a non-demo init on
# PostgreSQL is 0.6 s against 0.1 to 0.2 s for the copy.
_TEMPLATES = {}


def _template(demo):
    """The worker's initialised database: a PostgreSQL database name, or
    an SQLite file's path."""
    if demo not in _TEMPLATES:
        tmp = Path(tempfile.mkdtemp(prefix="infrashare-template-"))
        atexit.register(shutil.rmtree, tmp, True)
        db = pg_database() if TEST_PG else str(tmp / "hub.db")
        pw = tmp / "admin.pw"
        pw.write_text(ADMIN_PASSWORD + "\n")
        args = ["init", "--data", DATA, "--admin-password-file", pw]
        if demo:
            args.append("--demo")
        # the sanitizer run makes its templates with the normal build
        # (INFRASHARE_SETUP_BUILD): `init` is checked under the sanitizers
        # by the tests that call hub.init(), and a demo init there cost
        # several seconds of CPU per worker
        cli = Path(SETUP_BUILD or BUILD) / "infrashare"
        r = subprocess.run([str(cli), "--db", db, *map(str, args)],
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
        for mark in SANITIZER_MARKS:
            assert mark not in r.stderr, r.stderr
        # an SQLite file whose log was not checkpointed is not copied alone
        assert TEST_PG or not list(tmp.glob("hub.db-*")), list(tmp.iterdir())
        _TEMPLATES[demo] = db.rsplit("/", 1)[1] if TEST_PG else db
    return _TEMPLATES[demo]


def epoch_of(iso):
    """Seconds since the epoch of an API time ("2026-04-01T09:30:00Z")."""
    import datetime
    return int(datetime.datetime.fromisoformat(
        iso.replace("Z", "+00:00")).timestamp())


def assert_id_counts_nothing(ids, made_at):
    """docs/rules.md "Ids that count nothing": ids, of rows of one owner in
    the order made, are each the second it was made times 2^20 plus
    random bits (or one above the owner's last when that second's number
    was not above it: at most a second later), and grow. A row counter
    (1, 2, 3, ...) fails every one of these."""
    for i, t in zip(ids, made_at):
        assert t <= i >> 20 <= t + len(ids), (ids, made_at)
    assert ids == sorted(ids) and len(set(ids)) == len(ids), ids


class Hub:
    def __init__(self, workdir: Path, demo=False, data=DATA):
        self._deferred = []  # CLI calls kept for a batch (Hub.cli)
        self.dir = workdir
        # on PostgreSQL the database is made when first asked for (db):
        # a fixture's hub becomes a copy of the template instead, and a
        # test may name a database of its own
        self._db = None if TEST_PG else workdir / "hub.db"
        self.data = data
        self.demo = demo
        self.proc = None
        self.port = None
        self.log_path = workdir / "infrashared.log"
        # the bearer token GET /metrics needs (--metrics-token-file)
        self.metrics_token = "metrics-" + os.urandom(16).hex()
        # extra infrashared flags (e.g. ["--test-mode"])
        self.daemon_args = []

    @property
    def db(self):
        """The hub's database: an SQLite file's path or a postgresql://
        URI (an empty database, made on first use). Calls kept for a
        batch run first: whoever asks for it may read it."""
        if self._db is None:
            self._db = pg_database()
        if self._deferred:
            self.flush()
        return self._db

    @db.setter
    def db(self, value):
        self._db = value

    # ---- command line ----
    def cli(self, *args, check=True, input=None, env=None, alone=False):
        """infrashare --db DB ARGS; alone: never kept for a batch (a test
        of the call's own output)."""
        if not alone and deferrable(args, check, input, env):
            with _BATCH_LOCK:
                self._deferred.append([str(a) for a in args])
                _BATCHING.add(self)
            return DeferredResult()
        e = cli_env(args, check)
        cmd = [str(cli_binary(args, check)), "--db", str(self.db),
               *map(str, args)]
        if env:
            e.update(env)
        # 300 s: `init --demo` writes 5,000 organisations; on PostgreSQL it
        # takes 25 s on a quiet machine and more than 120 s under ASan
        # beside the browser tests; a hung command still fails
        r = subprocess.run(cmd, capture_output=True, text=True, input=input,
                           env=e, timeout=300)
        for mark in SANITIZER_MARKS:
            assert mark not in r.stderr, r.stderr
        if check:
            assert r.returncode == 0, f"{cmd}: {r.returncode}\n{r.stdout}\n{r.stderr}"
        return r

    def flush(self):
        """Runs the calls kept for a batch (deferrable), in the order made,
        in one `infrashare batch`."""
        with _BATCH_LOCK:
            kept = self._deferred
            _BATCHING.discard(self)
            if not kept:
                return
            self._deferred = []
            text = "".join(" ".join(shlex.quote(w) for w in words) + "\n"
                           for words in kept)
            self.cli("batch", input=text)

    def init(self, extra=(), check=True):
        pw = self.dir / "admin.pw"
        pw.write_text(ADMIN_PASSWORD + "\n")
        args = ["init", "--data", self.data, "--admin-password-file", pw]
        if self.demo:
            args.append("--demo")
        return self.cli(*args, *extra, check=check)

    def init_fixture(self):
        """The fixtures' init: with the registry as shipped, this hub's
        database becomes a copy of the worker's template (_template)."""
        if self.data != DATA:
            return self.init()
        (self.dir / "admin.pw").write_text(ADMIN_PASSWORD + "\n")
        if TEST_PG:
            self.db = pg_database(_template(self.demo))
        else:
            shutil.copyfile(_template(self.demo), self.db)

    # ---- daemon ----
    @property
    def url(self):
        return self._url

    @url.setter
    def url(self, value):
        """Setting the URL (start(), or a subclass's own start) registers
        the hub's address: what requests exchange with it is checked
        against docs/openapi.json."""
        self._url = value
        HUB_ADDRS.add(requests.utils.urlparse(value).netloc)

    def _unregister(self):
        if getattr(self, "_url", None):
            HUB_ADDRS.discard(requests.utils.urlparse(self._url).netloc)

    def metrics_flags(self):
        """infrashared flags that set this hub's metrics token."""
        path = self.dir / "metrics.token"
        path.write_text(self.metrics_token + "\n")
        return ["--metrics-token-file", str(path)]

    def start(self):
        port_file = self.dir / "port"
        if port_file.exists():
            port_file.unlink()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(BUILD / "infrashared"), "--db", str(self.db), "--port", "0",
             "--port-file", str(port_file), "--threads", "4",
             "--tick-ms", "100", *self.metrics_flags(), *self.daemon_args],
            stdout=self.log, stderr=self.log)
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"infrashared exited {self.proc.returncode}:\n"
                    + self.log_path.read_text(errors="replace"))
            return port_file.exists() and port_file.read_text().strip()
        self.port = int(wait_for(ready, what="infrashared to listen"))
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def spread_over_two_nodes(self):
        """On PostgreSQL (issue 17): starts a second node on this hub's
        database (`--node-id test-node-2`, the same flags, a log of its
        own) and from then on api() sends requests to the two nodes in
        turn, and `urls` lists both (the race tests send the two requests
        of a pair to different nodes). On SQLite, where one file has one
        hub process, it does nothing. stop() stops both; log_lines() reads
        both logs. Returns the second node (a Hub) or None."""
        self.urls = [self.url]
        if not TEST_PG:
            return None
        peer = Hub(self.dir / "node-2", data=self.data)
        peer.dir.mkdir(exist_ok=True)
        peer.db = self.db
        peer.metrics_token = self.metrics_token
        peer.daemon_args = [*self.daemon_args, "--node-id", "test-node-2"]
        peer.start()
        self.peer = peer
        self.urls = [self.url, peer.url]
        self._turn = 0
        self._turn_lock = threading.Lock()
        return peer

    def requests_served_per_node(self):
        """How many requests each node logged: [this node's, the second
        node's] while spread over two nodes (to check that both served)."""
        def served(h):
            n = 0
            for line in h.log_path.read_text(errors="replace").splitlines():
                if '"msg":"request"' in line:
                    n += 1
            return n
        peer = getattr(self, "peer", None)
        return [served(self)] + ([served(peer)] if peer else [])

    def _next_url(self):
        """The node the next api() request goes to (in turn when spread)."""
        urls = getattr(self, "urls", None)
        if not urls or len(urls) == 1:
            return self.url
        with self._turn_lock:
            self._turn += 1
            return urls[self._turn % len(urls)]

    def stop(self, expect_clean=True):
        peer = getattr(self, "peer", None)
        if peer is not None:
            self.peer = None
            self.urls = [self.url]
            peer.stop(expect_clean)
        if not self.proc:
            return
        self._unregister()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("infrashared did not stop on SIGTERM")
        self.log.close()
        text = self.log_path.read_text(errors="replace")
        for mark in SANITIZER_MARKS:
            assert mark not in text, text[-4000:]
        if expect_clean:
            assert self.proc.returncode == 0, (
                f"infrashared exit {self.proc.returncode}\n" + text[-4000:])
        self.proc = None

    def kill(self):
        """SIGKILL: a crash, for durability tests."""
        self._unregister()
        self.proc.kill()
        self.proc.wait()
        self.log.close()
        self.proc = None

    def metrics(self):
        """GET /metrics with the metrics token (a requests.Response)."""
        return self.get("/metrics", headers={
            "Authorization": f"Bearer {self.metrics_token}"})

    def metric(self, sample, default=None):
        """The value of one sample of GET /metrics, named with its labels
        as written there (infrashare_x_total{a="b"}), as an int; default
        when the hub has no such sample, or an AssertionError when default
        is None."""
        want = sample + " "
        for line in self.metrics().text.splitlines():
            if line.startswith(want):
                return int(line[len(want):])
        if default is None:
            raise AssertionError(f"no {sample} in /metrics")
        return default

    def worker_ticks(self):
        return self.metric("infrashare_worker_ticks_total")

    def wait_ticks(self, n=2):
        """Returns after the background worker has completed n more passes
        (so anything it would do has been done)."""
        start = self.worker_ticks()
        wait_for(lambda: self.worker_ticks() >= start + n,
                 what=f"{n} worker passes")

    def log_lines(self):
        """The daemon's JSON log lines (a second node's too, after them,
        while spread_over_two_nodes holds one)."""
        out = []
        peer = getattr(self, "peer", None)
        text = self.log_path.read_text(errors="replace")
        if peer is not None:
            text += "\n" + peer.log_path.read_text(errors="replace")
        for line in text.splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    # ---- HTTP ----
    def get(self, path, **kw):
        return requests.get(self.url + path, timeout=30, **kw)

    def post(self, path, **kw):
        return requests.post(self.url + path, timeout=30, **kw)

    def login(self, username, password=None):
        """A requests.Session signed in, with its CSRF header set."""
        s = requests.Session()
        r = s.post(self.url + "/api/v1/session", timeout=30,
                   json={"username": username,
                         "password": password or (ADMIN_PASSWORD if username == "admin" else DEMO_PASSWORD)})
        assert r.status_code == 201, r.text
        s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        s.base = self.url
        s.me = r.json()["user"]
        return s

    def running(self):
        return (self.proc is not None and self.proc.poll() is None
                and getattr(self, "_url", None) is not None)

    def token(self, username, name="test"):
        """A new API token of username. While the hub runs, a hub admin's
        token asks it for one (POST /api/v1/tokens naming the user: one
        request instead of a CLI process, which costs 0.1 s of CPU under
        the sanitizers; the suite makes ~2,000 tokens); else, or when the
        hub refuses, `infrashare token create`."""
        if self.running() and username != "admin":
            admin = self._admin_token()
            if admin:
                r = self.api("POST", "/api/v1/tokens", token=admin,
                             json={"name": name, "username": username})
                if r.status_code == 201:
                    return r.json()["token"]
        return self.cli_token(username, name)

    def cli_token(self, username, name="test"):
        """A new API token of username made by `infrashare token create`."""
        r = self.cli("token", "create", username, "--name", name)
        lines = [l for l in r.stdout.splitlines() if l.startswith("ist_")]
        assert len(lines) == 1, r.stdout
        return lines[0]

    def _admin_token(self):
        """The token of the hub admin "admin" that token() uses (made once
        by the CLI), or None when there is no such user."""
        if "_admin_tok" not in self.__dict__:
            r = self.cli("token", "create", "admin", "--name", "test-tokens",
                         check=False)
            lines = [l for l in r.stdout.splitlines() if l.startswith("ist_")]
            self._admin_tok = lines[0] if r.returncode == 0 and lines else None
        return self._admin_tok

    def api(self, method, path, token=None, session=None, **kw):
        if session is not None:
            return session.request(method, self.url + path, timeout=30, **kw)
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self._next_url() + path,
                                headers=headers, timeout=30, **kw)


def error_ja_table():
    """code -> Japanese sentence, read from src/http/error_ja.c (the table
    the hub answers message_ja from)."""
    if not hasattr(error_ja_table, "rows"):
        text = (ROOT / "src" / "http" / "error_ja.c").read_text("utf-8")
        body = text.split("rows[] = {", 1)[1].split("\n};", 1)[0]
        # a row may be wrapped by clang-format: join its string pieces
        rows = re.findall(r'\{"([a-z_]+)",\s*((?:"[^"]*"\s*)+)\}', body)
        error_ja_table.rows = {
            c: "".join(re.findall(r'"([^"]*)"', pieces)) for c, pieces in rows}
        assert len(error_ja_table.rows) > 100
    return error_ja_table.rows


def assert_message_ja(err, status):
    """message_ja of error object err: the code's sentence of
    src/http/error_ja.c, after "field: " when there is a field (a code
    without a row: a sentence of its status class, in Japanese)."""
    ja = err.get("message_ja")
    assert isinstance(ja, str) and ja, err
    assert any(ord(ch) > 0x3000 for ch in ja), err
    field = err.get("field")
    want = error_ja_table().get(err.get("code"))
    if want is not None:
        assert ja == (f"{field}: {want}" if field else want), err
    elif field:
        assert ja.startswith(f"{field}: "), err
    return ja


def assert_error(resp, status, code=None, field=None):
    """A 4xx/5xx with the JSON error object of API.md, its Japanese
    sentence included."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    assert resp.headers["Content-Type"].startswith("application/json")
    err = resp.json()["error"]
    assert isinstance(err["message"], str) and err["message"]
    assert_message_ja(err, status)
    if code:
        assert err["code"] == code, err
    if field:
        assert err.get("field") == field, err
    return err


@pytest.fixture
def smtp():
    """A real SMTP server (python3-aiosmtpd, receivers.SMTPReceiver) on a
    loopback port for the test, stopped after it."""
    from receivers import SMTPReceiver
    s = SMTPReceiver().start()
    yield s
    s.stop()


@pytest.fixture
def hub(tmp_path):
    """A fresh hub with the national registry and no demo data."""
    h = Hub(tmp_path)
    h.init_fixture()
    h.start()
    yield h
    h.stop()


@pytest.fixture(scope="session")
def demo_hub(tmp_path_factory):
    """One hub with the demo data set, shared by read-mostly tests."""
    h = Hub(tmp_path_factory.mktemp("demo"), demo=True)
    h.init_fixture()
    h.start()
    yield h
    h.stop()


@pytest.fixture
def fresh_demo_hub(tmp_path):
    """A private demo hub for tests that change state."""
    h = Hub(tmp_path, demo=True)
    h.init_fixture()
    h.start()
    yield h
    h.stop()


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/ that a test may edit."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst
