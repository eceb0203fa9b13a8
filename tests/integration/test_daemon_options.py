"""infrashared's command line: each bad option is refused with exit status 2
and its own message before anything is opened; --help prints the usage.

These pin the messages so that the option parser can change underneath
(src/infrashared.c is built on the table-driven parser of src/cli/args.c).
"""
import re
import subprocess

import pytest

from conftest import BUILD

USAGE = "usage: infrashared [--db PATH]"


def run(*args, tmp_path=None):
    return subprocess.run([str(BUILD / "infrashared"), *args],
                          capture_output=True, text=True, timeout=30,
                          cwd=tmp_path)


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_prints_usage_and_exits_0(flag):
    r = run(flag)
    assert r.returncode == 0
    assert r.stderr.startswith(USAGE)
    assert "--listen takes an IPv4 or IPv6 address" in r.stderr


@pytest.mark.parametrize("args, message", [
    (["--port", "65536"], "--port: 0 to 65535"),
    (["--port", "x"], "--port: 0 to 65535"),
    (["--threads", "0"], "--threads: 1 to 256"),
    (["--threads", "257"], "--threads: 1 to 256"),
    (["--tick-ms", "9"], "--tick-ms: 10 to 3600000"),
    (["--delivery-attempts", "0"], "--delivery-attempts: 1 to 100000"),
    (["--retry-base-s", "100001"], "--retry-base-s: 1 to 100000"),
    (["--retry-cap-s", "-1"], "--retry-cap-s: 1 to 100000"),
    (["--http-timeout-s", "0"], "--http-timeout-s: 1 to 100000"),
    (["--max-inflight", "0"], "--max-inflight: 1 to 100000"),
    (["--ack-deadlines", "1,2"], "--ack-deadlines: three seconds values "
     "HIGH,MID,LOW (severity 4-5, 3, 0-2)"),
    (["--ack-deadlines", "1,2,0"], "--ack-deadlines: three seconds values "
     "HIGH,MID,LOW (severity 4-5, 3, 0-2)"),
    (["--log-level", "loud"], "--log-level: debug, info, warn or error"),
    (["--stop-timeout-s", "0"], "--stop-timeout-s: 1 to 3600"),
    (["--stop-timeout-s", "3601"], "--stop-timeout-s: 1 to 3600"),
    # the first bad option in the order given is the one reported
    (["--threads", "0", "--port", "65536"], "--threads: 1 to 256"),
    (["--cookie-secure", "--port", "-1"], "--port: 0 to 65535"),
])
def test_bad_value_exits_2_with_its_message(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert r.stderr == f"infrashared: {message}\n"


def test_unknown_option_names_it_and_prints_usage():
    r = run("--bogus", "1")
    assert r.returncode == 2
    assert r.stderr.startswith("infrashared: unknown option --bogus\n" + USAGE)


@pytest.mark.parametrize("opt", ["--db", "--port", "--listen",
                                 "--metrics-token-file"])
def test_missing_value_prints_usage(opt):
    r = run("--log-level", "warn", opt)
    assert r.returncode == 2
    assert r.stderr.startswith(USAGE)


def test_unreadable_metrics_token_file(tmp_path):
    missing = tmp_path / "no-such-file"
    r = run("--metrics-token-file", str(missing), tmp_path=tmp_path)
    assert r.returncode == 2
    assert r.stderr == (
        "infrashared: --metrics-token-file: cannot read a token of 32 to "
        "256 printable characters (no spaces) from the first line of "
        f"{missing}\n")
    assert not (tmp_path / "var").exists()


def test_usage_and_readme_name_every_option():
    """Every option of infrashared's table (src/infrashared.c options[])
    is in --help and in README's daemon synopsis."""
    from conftest import ROOT
    src = (ROOT / "src" / "infrashared.c").read_text("utf-8")
    table = src.split("options[] = {", 1)[1].split("\n};", 1)[0]
    names = re.findall(r'\.name = "([a-z0-9-]+)"', table)
    names += re.findall(r'DELIVERY\("([a-z0-9-]+)"', table)
    assert "metrics-token-file" in names and "retry-cap-s" in names
    readme = (ROOT / "README.md").read_text("utf-8")
    start = readme.index("\ninfrashared [--db PATH]")
    synopsis = readme[start:].split("```", 1)[0]
    r = run("--help")
    assert r.returncode == 0
    for name in names:
        assert re.search(rf"--{name}\b(?!-)", r.stderr), name
        assert re.search(rf"--{name}\b(?!-)", synopsis), name
