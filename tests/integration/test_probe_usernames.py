"""Probe: user names that look like other names are refused.

`infrashare user add` took any UTF-8 of 2-64 bytes: "аdmin" (Cyrillic а),
"admin\u202ex" (a right-to-left override), "Admin" next to "admin",
names with spaces. User names are shown in audit views, token lists and
the web UI, where such names pass for someone else. A name is 2 to 64 of
a-z 0-9 . _ -, starting with a letter or digit.
"""
import pytest

import hubdb
from conftest import Hub


def names(hub):
    """The user names `infrashare user list` shows (second column)."""
    return {line.split()[1] for line in hub.cli("user", "list").stdout
            .splitlines() if len(line.split()) > 1}


@pytest.mark.parametrize("name", [
    "\u0430dmin",            # Cyrillic a
    "admin\u202ex",          # right-to-left override
    "adm\u200bin",           # zero-width space
    "Admin",                 # upper case next to admin
    "ad min", "-admin", ".x", "a", "x" * 65, "ａｄｍｉｎ",
])
def test_confusable_user_names_are_refused(hub, name):
    pw = hub.dir / "u.pw"
    pw.write_text("a-password-of-enough-length\n")
    r = hub.cli("user", "add", name, "--org", "nisc", "--roles", "reader",
                "--password-file", pw, check=False)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "user name" in r.stderr
    assert name not in names(hub)


def test_ordinary_user_names_still_work(hub):
    pw = hub.dir / "u.pw"
    pw.write_text("a-password-of-enough-length\n")
    for name in ("op-gas-0001.liaison", "nisc_analyst2", "42ops"):
        hub.cli("user", "add", name, "--org", "nisc", "--roles", "reader",
                "--password-file", pw)
        assert name in names(hub)


def test_init_refuses_a_confusable_admin_name(tmp_path):
    h = Hub(tmp_path)
    pw = tmp_path / "admin.pw"
    pw.write_text("admin-password-for-tests\n")
    r = h.cli("init", "--data", h.data, "--admin-password-file", pw,
              "--admin", "\u0430dmin", check=False)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert not hubdb.exists(h.db)
