"""scripts/run-cluster.sh, the README's command for several nodes on
PostgreSQL (issue 17), run as a new user runs it: a primary and its
synchronous standby, two nodes, the printed URLs and admin password,
and what happens when a first run could not start its primary."""
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

import pgserver
from conftest import BUILD, ROOT, SANITIZER_MARKS, TEST_PG

pytestmark = [
    pytest.mark.skipif(not pgserver.available(),
                       reason="PostgreSQL 15 is not installed"),
    pytest.mark.skipif(bool(TEST_PG), reason="starts its own PostgreSQL "
                       "pair; runs once, in the SQLite pass"),
]


def two_free_ports():
    """A port p of 127.0.0.1 free with p + 1, below the kernel's ephemeral
    range (32768 and up): a port the kernel handed out to bind(0) may be
    given next to another process's outgoing connection (the PostgreSQL
    clients of the tests running beside) before the script's node binds
    it, and the script then rightly stops ("node-2 did not start")."""
    for _ in range(200):
        p = random.randrange(20000, 32000)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", p))
                b.bind(("127.0.0.1", p + 1))
        except OSError:
            continue
        return p
    raise AssertionError("no two free ports in a row")


def start_script(script, env):
    """Starts the script: (process, its output's lines so far, an event
    set once the banner's last line or its end came)."""
    p = subprocess.Popen([script], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    lines = []
    done = threading.Event()

    def read():
        for line in p.stdout:
            lines.append(line)
            if "demo users" in line:
                done.set()
        done.set()

    threading.Thread(target=read, daemon=True).start()
    return p, lines, done


def wait_ready(nodes, what="nodes not ready"):
    deadline = time.monotonic() + 120
    while True:
        try:
            if all(requests.get(u + "/readyz", timeout=5).status_code
                   == 200 for u in nodes):
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def run_script(script, env, timeout=300):
    """Runs the script to its end; past timeout, its whole process group
    (the nodes and servers it started) is stopped, and the test fails."""
    p = subprocess.Popen([script], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGTERM)
        out, err = p.communicate(timeout=120)
        raise AssertionError(f"{script} did not end in {timeout} s:\n"
                             f"{out}\n{err}") from None
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


@pytest.fixture
def cluster_env():
    d = Path(tempfile.mkdtemp(prefix="infrashare-cluster-"))
    os.chmod(d, 0o777)  # the postgres user writes there when run as root
    env = {**os.environ, "CLUSTER_DIR": str(d),
           "PORT": str(two_free_ports()), "PG_PORT": str(two_free_ports()),
           "INFRASHARE_BUILD": str(BUILD)}
    yield env
    shutil.rmtree(d, ignore_errors=True)


def test_two_nodes_start_and_a_broken_first_run_starts_anew(cluster_env):
    """A first run whose primary cannot start; the next, in full; a node
    whose port is taken fails the script."""
    env = cluster_env
    d, pg_port = Path(env["CLUSTER_DIR"]), int(env["PG_PORT"])
    script = str(ROOT / "scripts" / "run-cluster.sh")
    # 1. another process holds the primary's port: the first run stops
    # and names the server's log
    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        held.bind(("127.0.0.1", pg_port))
        held.listen()
        r = subprocess.run([script], env=env, capture_output=True, text=True,
                           timeout=300)
    assert r.returncode != 0, r.stdout
    assert f"PostgreSQL did not start in {d}/primary on port {pg_port}: " \
        f"see {d}/primary.log" in r.stderr, r.stderr
    assert (d / "primary").exists() and not (d / "standby").exists()

    # 2. the port free: the next run starts anew (it is not taken for a
    # promoted standby), then prints the URLs and the admin's password
    p, lines, done = start_script(script, env)
    try:
        assert done.wait(600), "".join(lines)
        out = "".join(lines)
        assert "An earlier first run did not finish: starting anew" in out
        assert "The standby was promoted" not in out
        port = int(env["PORT"])
        assert f"node-1: http://127.0.0.1:{port}/" in out, out
        assert f"node-2: http://127.0.0.1:{port + 1}/" in out, out
        password = re.search(r"first admin: user admin  password (\S+)",
                             out).group(1)
        nodes = [f"http://127.0.0.1:{port + i}" for i in (0, 1)]
        # both nodes answer once ready
        wait_ready(nodes)
        # the metrics the docs point to are readable: a token file of the
        # owner's alone, given to both nodes, and the way to use it printed
        token_file = d / "metrics.token"
        assert f"{token_file} (mode 600)" in out, out
        assert f'curl -H "Authorization: Bearer $(cat {token_file})" ' \
            f"http://127.0.0.1:{port}/metrics" in out, out
        assert token_file.stat().st_mode & 0o777 == 0o600
        bearer = {"Authorization":
                  "Bearer " + token_file.read_text().splitlines()[0]}
        for i, u in enumerate(nodes, 1):
            assert requests.get(u + "/metrics", timeout=30).status_code == 401
            m = requests.get(u + "/metrics", headers=bearer, timeout=30)
            assert m.status_code == 200, m.text
            assert f'infrashare_node_info{{node="node-{i}"}} 1' in m.text
            assert "infrashare_duty_held{" in m.text
        # a session made on node-1 holds on node-2: one database
        s = requests.Session()
        r = s.post(nodes[0] + "/api/v1/session", timeout=30,
                   json={"username": "admin", "password": password})
        assert r.status_code == 201, r.text
        r = s.get(nodes[1] + "/api/v1/session", timeout=30)
        assert r.status_code == 200 and r.json()["user"]["username"] == \
            "admin", r.text
        # the banner says what runs, as the servers say
        assert f"database: primary 127.0.0.1:{pg_port}, synchronous " \
            f"standby 127.0.0.1:{pg_port + 1} (streaming)" in out, out
        # the failover drill, by the commands printed (as root they run
        # as the postgres user: pg_ctl refuses root): the primary killed,
        # the standby promoted; the nodes move to it and take writes
        drill = re.search(r"failover drill: .*\n +(.+ -m immediate stop)\n"
                          r" +(.+ promote)\n", out)
        assert drill, out
        for cmd in drill.groups():
            r = subprocess.run(shlex.split(cmd), capture_output=True,
                               text=True, timeout=120)
            assert r.returncode == 0, (cmd, r.stdout, r.stderr)
        deadline = time.monotonic() + 120
        while True:
            r = requests.post(nodes[1] + "/api/v1/session", timeout=30,
                              json={"username": "admin",
                                    "password": password})
            if r.status_code == 201:
                break
            assert time.monotonic() < deadline, r.text
            time.sleep(0.5)
    finally:
        # 3. stopping the script stops the nodes and both servers
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout=120)
    for log in ("node-1.log", "node-2.log"):
        text = (d / log).read_text()
        for mark in SANITIZER_MARKS:
            assert mark not in text, (log, text[-3000:])
    for data in ("primary", "standby"):
        assert not (d / data / "postmaster.pid").exists(), data

    # 4. another process holds node-2's port: the script does not print
    # its banner as if node-2 ran; it stops all with an error naming
    # node-2 and its log
    port = int(env["PORT"])
    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        held.bind(("127.0.0.1", port + 1))
        held.listen()
        r = run_script(script, env, timeout=200)
    assert r.returncode != 0, r.stdout
    assert f"node-2 did not start on port {port + 1}: see {d}/node-2.log" \
        in r.stderr, r.stderr
    assert "node-1: http" not in r.stdout and "demo users" not in r.stdout, \
        r.stdout
    # node-1 and both servers were stopped with it
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    for data in ("primary", "standby"):
        assert not (d / data / "postmaster.pid").exists(), data

    # 5. the next run after the failover: the old primary stays stopped,
    # and the banner says that the promoted standby runs alone
    p, lines, done = start_script(script, env)
    try:
        assert done.wait(600), "".join(lines)
        out = "".join(lines)
        assert "The standby was promoted" in out, out
        assert f"database: primary 127.0.0.1:{pg_port + 1} (the standby, " \
            f"promoted; nothing runs on the old primary's 127.0.0.1:" \
            f"{pg_port}); no standby: nothing replicates" in out, out
        assert "synchronous standby" not in out, out
        assert "failover drill" not in out, out
        with socket.socket() as s:  # indeed nothing on the old port
            assert s.connect_ex(("127.0.0.1", pg_port)) != 0
        nodes = [f"http://127.0.0.1:{port + i}" for i in (0, 1)]
        wait_ready(nodes)
        r = requests.post(nodes[0] + "/api/v1/session", timeout=30,
                          json={"username": "admin", "password": password})
        assert r.status_code == 201, r.text
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout=120)
    for data in ("primary", "standby"):
        assert not (d / data / "postmaster.pid").exists(), data
