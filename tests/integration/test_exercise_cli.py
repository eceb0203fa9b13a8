"""Cross-sector exercises (issue 14) from the command line: `infrashare
exercise create|list|show|start|pause|resume|shift|advance|fire|end|board|
debrief` against a demo hub, with an admin's token (a controller). The
human board agrees with the API's JSON board; an API error names its code
and field on stderr and exits 1; bad usage exits 2; the CSV debrief has
one row per expected action of the JSON debrief.

The CLI talks to the hub with libcurl, so these exchanges are not seen by
the docs/openapi.json check of conftest.py; the test makes no requests of
its own."""
import csv
import json
import os
import re
import subprocess

from conftest import BUILD, ROOT


FY2015 = ROOT / "data" / "exercises" / "fy2015.json"
CSV_HEAD = ["org", "name_ja", "name_en", "sector", "inject", "action_id",
            "action", "outcome", "within_min", "minutes", "fired_at",
            "done_at"]
OUTCOMES = ("on_time", "late", "missed", "pending")


def board_counts(stdout):
    """The human board's participant lines: {org: {outcome: n}}."""
    rows = {}
    for line in stdout.splitlines():
        m = re.match(r"(\S+)\s+(\S+)\s+on_time (\d+)\s+late (\d+)\s+"
                     r"missed (\d+)\s+pending (\d+)\s", line)
        if m:
            rows[m.group(1)] = dict(zip(OUTCOMES, map(int, m.groups()[2:])))
    return rows


def json_counts(board):
    out = {}
    for p in board["participants"]:
        c = dict.fromkeys(OUTCOMES, 0)
        for a in p["actions"]:
            c[a["outcome"]] += 1
        out[p["org"]] = c
    return out


def test_exercise_cli_lifecycle(fresh_demo_hub, tmp_path):
    hub = fresh_demo_hub
    env = {"INFRASHARE_URL": hub.url, "INFRASHARE_TOKEN": hub.token("admin")}

    def cli(*args, check=True):
        return hub.cli("exercise", *args, env=env, check=check)

    def cli_json(*args):
        return json.loads(cli(*args, "--json").stdout)

    # create: the gas and water operators take part
    r = cli("create", "--scenario", FY2015, "--title-ja", "平成27年度 演習",
            "--title-en", "FY2015 exercise", "--sectors", "gas,water",
            "--planned-for", "2015-12-08", "--scale", "1")
    assert "created" in r.stdout and "平成27年度 演習" in r.stdout
    m = re.search(r"^(X[0-9a-f]+)\s+planning\s+2015-12-08\s+(\d+) "
                  r"participant", r.stdout, re.M)
    assert m, r.stdout
    xid, nparts = m.group(1), int(m.group(2))
    assert nparts > 0

    # list (human and JSON)
    r = cli("list")
    assert xid in r.stdout and "FY2015 exercise" in r.stdout
    listed = cli_json("list")["exercises"]
    # newest first: this one, then the demo's planned exercise
    assert [x["id"] for x in listed] == [xid, "Xdemo000000000001"]
    assert listed[0]["state"] == "planning"

    # show: the participant list with Japanese names
    x = cli_json("show", xid)
    assert x["title"] == {"ja": "平成27年度 演習", "en": "FY2015 exercise"}
    assert x["scenario_id"] == "fy2015" and x["participants"] == nparts
    sectors = {p["org"]: p["sector"] for p in x["participant_list"]}
    assert set(sectors.values()) == {"gas", "water"}
    gas = sorted(o for o, s in sectors.items() if s == "gas")
    assert gas
    r = cli("show", xid)
    assert "scenario: fy2015" in r.stdout and "not started" in r.stdout
    for org in gas:
        assert org in r.stdout
    ja_name = next(p["name"]["ja"] for p in x["participant_list"]
                   if p["org"] == gas[0])
    assert ja_name in r.stdout

    # start paused, then advance 30 minutes
    r = cli("start", xid, "--paused")
    assert "started" in r.stdout and "running" in r.stdout
    assert "paused" in r.stdout
    x = cli_json("show", xid)
    assert x["state"] == "running" and x["clock"]["paused"] is True
    r = cli("advance", xid, "30")
    assert "minute 30" in r.stdout and "advanced 30 min" in r.stdout
    x = cli_json("show", xid)
    assert x["clock"]["minute"] == 30 and x["clock"]["advanced_min"] == 30

    # the board: every gas operator on a line, counts as in the JSON board
    board = cli_json("board", xid)
    assert board["exercise"] == xid and board["state"] == "running"
    want = json_counts(board)
    r = cli("board", xid)
    got = board_counts(r.stdout)
    assert got == want, r.stdout
    for org in gas:
        assert org in got
        assert got[org]["pending"] + got[org]["missed"] > 0, (org, got[org])
    t = board["totals"]
    assert f"pending {t['pending']}" in r.stdout
    assert f"missed {t['missed']}" in r.stdout
    assert t["asked"] == sum(sum(c.values()) for c in want.values())

    # an inject the scenario does not have: the API's error, field named
    r = cli("fire", xid, "no-such-inject", check=False)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "unknown_inject" in r.stderr and "inject" in r.stderr
    assert "field inject" in r.stderr
    assert r.stdout == ""
    # a known one fires
    r = cli("fire", xid, "p1-nisc-provision")
    assert "p1-nisc-provision" in r.stdout

    # pausing a paused exercise: 409 paused; resume, pause again
    r = cli("pause", xid, check=False)
    assert r.returncode == 1 and "paused" in r.stderr
    assert "resumed" in cli("resume", xid).stdout
    assert "paused" in cli("pause", xid).stdout

    # shift the timeline 15 minutes earlier (a negative MINUTES)
    r = cli("shift", xid, "-15")
    assert "shift -15 min" in r.stdout
    assert cli_json("show", xid)["clock"]["shift_min"] == -15

    # end
    r = cli("end", xid)
    assert "ended" in r.stdout
    assert cli_json("show", xid)["state"] == "ended"

    # the debrief: JSON, a human summary, CSV into a file
    debrief = json.loads(cli("debrief", xid, "--format", "json").stdout)
    assert debrief["exercise"]["id"] == xid
    nactions = sum(len(p["actions"]) for p in debrief["participants"])
    assert nactions > 0 and nactions == debrief["totals"]["asked"]
    r = cli("debrief", xid)
    assert "平成27年度 演習" in r.stdout and f"asked {nactions}" in r.stdout
    out = tmp_path / "debrief.csv"
    r = cli("debrief", xid, "--format", "csv", "--out", out)
    assert str(out) in r.stdout
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == CSV_HEAD
    assert len(rows) - 1 == nactions
    assert {row[0] for row in rows[1:]} >= set(gas)
    r = cli("debrief", xid, "--format", "html", "--view", "summary")
    assert r.stdout.lstrip().lower().startswith("<!doctype html")

    # an exercise that does not exist: 404, exit 1
    r = cli("show", "X0000000000000000", check=False)
    assert r.returncode == 1 and "not_found" in r.stderr


def test_exercise_cli_usage(hub):
    env = {"INFRASHARE_URL": hub.url, "INFRASHARE_TOKEN": hub.token("admin")}
    bad = [
        [],
        ["nonsense"],
        ["list", "extra"],
        ["show"],
        ["show", "a/b"],
        ["board"],
        ["start"],
        ["start", "X1", "--scale", "0"],
        ["pause", "X1", "now"],
        ["shift", "X1"],
        ["shift", "X1", "soon"],
        ["shift", "X1", "0"],
        ["advance", "X1", "-5"],
        ["fire", "X1"],
        ["create", "--title-ja", "t", "--title-en", "t"],
        ["create", "--scenario", str(FY2015), "--title-ja", "t"],
        ["create", "--scenario", str(FY2015), "--title-ja", "t",
         "--title-en", "t", "--scale", "9999"],
        ["debrief", "X1", "--format", "pdf"],
        ["debrief", "X1", "--view", "wide"],
        ["list", "--no-such-option"],
        ["show", "X1", "--title-ja"],
    ]
    for args in bad:
        r = hub.cli("exercise", *args, env=env, check=False)
        assert r.returncode == 2, (args, r.returncode, r.stdout, r.stderr)
        assert r.stdout == "", (args, r.stdout)
        assert r.stderr.startswith("infrashare:"), (args, r.stderr)
    # the usage names the commands
    r = hub.cli("exercise", env=env, check=False)
    for word in ("create", "advance", "fire", "board", "debrief", "check"):
        assert f"exercise {word}" in r.stderr, r.stderr
    # no token: exit 2 with the way to get one
    noenv = {k: v for k, v in os.environ.items() if k != "INFRASHARE_TOKEN"}
    r = subprocess.run([str(BUILD / "infrashare"), "exercise", "list",
                        "--url", hub.url], capture_output=True, text=True,
                       env=noenv, timeout=60)
    assert r.returncode == 2 and "no token" in r.stderr, r.stderr
    # the offline scenario check still works beside the client commands
    r = hub.cli("exercise", "check", FY2015, "--registry")
    assert "11 injects over 225 minutes" in r.stdout
    r = hub.cli("exercise", "check", check=False)
    assert r.returncode == 2
