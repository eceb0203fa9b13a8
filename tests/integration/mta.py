"""A private Postfix instance for the C4TAP mail-intake tests (issue 13):
Debian's postfix package, its own configuration, queue and log in a
temporary directory, listening on 127.0.0.1 only, with the c4tap
transport of contrib/postfix/ (the same lines docs/c4tap-mail.md tells an
operator to add). Nothing leaves the machine: every other destination is
the error transport.

Postfix's master runs as root and its daemons as the postfix user (the
package's), as in production; the tests that use it skip when not root.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRIB = ROOT / "contrib" / "postfix"

# the services Postfix itself needs, from Debian's master.cf, without
# pickup/local delivery: mail comes in by SMTP and goes out by the pipe
MASTER_BASE = """\
{listen} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available():
    """Why the private Postfix cannot run here, or None."""
    if os.geteuid() != 0:
        return "Postfix's master runs as root (run the suite as root)"
    if not shutil.which("postfix"):
        return "postfix is not installed (scripts/deps.sh test)"
    return None


class Postfix:
    def __init__(self, domain, hub_url, token_file, infrashare):
        # its own directory under /tmp, traversable by the postfix user and
        # by the pipe's user (a test's tmp_path is private to root)
        workdir = Path(tempfile.mkdtemp(prefix="infrashare-postfix-"))
        workdir.chmod(0o755)
        self.dir = workdir
        self.etc = workdir / "etc"
        self.spool = workdir / "spool"
        self.data = workdir / "data"
        self.log = workdir / "maillog"
        self.port = free_port()
        self.domain = domain
        for d in (self.etc, self.spool, self.data):
            d.mkdir(parents=True, exist_ok=True)
        # the pipe runs as nobody: it reads the token and runs infrashare
        tok = workdir / "intake.token"
        tok.write_bytes(Path(token_file).read_bytes())
        tok.chmod(0o644)
        token_file = tok
        subst = {"@C4TAP_DOMAIN@": domain, "@C4TAP_USER@": "nobody",
                 "@INFRASHARE@": str(infrashare), "@HUB_URL@": hub_url,
                 "@TOKEN_FILE@": str(token_file)}

        def fill(text):
            for k, v in subst.items():
                text = text.replace(k, v)
            return text
        main = f"""\
compatibility_level = 3.6
config_directory = {self.etc}
queue_directory = {self.spool}
data_directory = {self.data}
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = {self.log}
maillog_file_prefixes = {self.dir}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.{domain}
mydomain = {domain}
mydestination =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = yes
# nothing leaves the machine: every other destination is an error
default_transport = error:no outbound mail from this test
relay_transport = error:no outbound mail from this test
"""
        main += fill((CONTRIB / "main.cf.c4tap").read_text())
        (self.etc / "main.cf").write_text(main)
        master = MASTER_BASE.format(listen=f"127.0.0.1:{self.port}")
        master += fill((CONTRIB / "master.cf.c4tap").read_text())
        (self.etc / "master.cf").write_text(master)
        (self.etc / "dynamicmaps.cf").write_text(
            Path("/etc/postfix/dynamicmaps.cf").read_text())

    def postfix(self, *args, check=True):
        r = subprocess.run(["postfix", "-c", str(self.etc), *args],
                           capture_output=True, text=True, timeout=60)
        if check:
            assert r.returncode == 0, (args, r.stdout, r.stderr,
                                       self.log_text())
        return r

    def start(self):
        self.postfix("set-permissions", check=False)
        self.postfix("check")
        self.postfix("start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("postfix did not listen\n" + self.log_text())

    def stop(self):
        self.postfix("stop", check=False)
        self.final_log = self.log_text()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        if self.log.exists():
            return self.log.read_text(errors="replace")
        return getattr(self, "final_log", "")
