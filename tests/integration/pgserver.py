"""A throwaway PostgreSQL 15 server for the tests (issue 17).

PgServer().start() runs initdb (C locale, UTF-8, trust on loopback) in a
new temporary folder of /tmp and starts the server on a free port of
127.0.0.1, its socket inside that folder; as root the server runs as the
`postgres` system user (PostgreSQL refuses root) and the folder is handed
to it (pytest's own folders are root's alone). stop() stops it
(kill=True: SIGKILL, as a crash); remove() deletes the folder. Nothing
else is touched; the server listens on loopback only.

PgServer.standby_of(primary, name) makes a streaming standby of a running
primary (pg_basebackup -R: a copy of its data that follows its WAL), and
primary.require_sync(name) makes every commit on the primary wait until
that standby has flushed it (synchronous replication): a client told
"committed" by the primary finds the row on the standby. promote() turns
a standby into a primary (pg_ctl promote) and waits until it accepts
writes.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def available():
    return (BIN / "initdb").exists() and shutil.which("psql") is not None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, settings=()):
        self.dir = Path(tempfile.mkdtemp(prefix="infrashare-pg-"))
        self.standby_from = None  # (primary, application name)
        self.data = self.dir / "pgdata"
        self.port = None
        self.settings = list(settings)
        self.as_owner = []
        self.pid = None

    def _run(self, argv, **kw):
        return subprocess.run(self.as_owner + [str(a) for a in argv],
                              capture_output=True, text=True, timeout=120, **kw)

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self.as_owner = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres")
        if not self.data.exists() and self.standby_from:
            primary, name = self.standby_from
            r = self._run([BIN / "pg_basebackup", "-D", self.data, "-R",
                           "-X", "stream", "-c", "fast", "-d",
                           primary.uri() + "?application_name=" + name])
            assert r.returncode == 0, r.stdout + r.stderr
        elif not self.data.exists():
            r = self._run([BIN / "initdb", "-D", self.data, "-U", "postgres",
                           "--locale=C", "--encoding=UTF8", "-A", "trust"])
            assert r.returncode == 0, r.stdout + r.stderr
        self.port = self.port or free_port()
        opts = ["-p", str(self.port), "-k", str(self.dir),
                "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"]
        for s in self.settings:
            opts += ["-c", s]
        r = self._run([BIN / "pg_ctl", "-D", self.data, "-w", "-t", "60",
                       "-l", self.dir / "server.log", "-o", " ".join(opts),
                       "start"])
        assert r.returncode == 0, r.stdout + r.stderr + self.log()
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])
        return self

    @classmethod
    def standby_of(cls, primary, name="standby1"):
        """A streaming standby of the running primary (not started)."""
        sb = cls(settings=primary.settings)
        sb.standby_from = (primary, name)
        return sb

    def require_sync(self, name="standby1"):
        """Every commit waits for standby `name` to flush it."""
        self.psql(f"ALTER SYSTEM SET synchronous_standby_names = '{name}'")
        self.psql("SELECT pg_reload_conf()")

    def sync_standbys(self):
        """Application names of the standbys replicating synchronously."""
        out = self.psql("SELECT application_name FROM pg_stat_replication "
                        "WHERE sync_state = 'sync'")
        return out.split() if out else []

    def promote(self):
        r = self._run([BIN / "pg_ctl", "-D", self.data, "-w", "-t", "60",
                       "promote"])
        assert r.returncode == 0, r.stdout + r.stderr + self.log()
        deadline = time.monotonic() + 60
        while self.psql("SELECT pg_is_in_recovery()") != "f":
            assert time.monotonic() < deadline, "the standby was not promoted"
            time.sleep(0.05)

    def log(self):
        p = self.dir / "server.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def uri(self, db="postgres", password=None):
        user = "postgres" + (":" + password if password else "")
        return f"postgresql://{user}@127.0.0.1:{self.port}/{db}"

    def psql(self, sql, db="postgres"):
        r = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v",
                            "ON_ERROR_STOP=1", "-d", self.uri(db), "-c", sql],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    def create_db(self, name):
        self.psql(f"CREATE DATABASE {name}")
        return self.uri(name)

    def stop(self, kill=False):
        if self.pid is None:
            return
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.02)
        else:
            self._run([BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w",
                       "stop"])
        self.pid = None

    def remove(self):
        self.stop(kill=True)
        shutil.rmtree(self.dir, ignore_errors=True)
