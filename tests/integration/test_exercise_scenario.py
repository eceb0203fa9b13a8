"""Cross-sector exercises (issue 14, under way): the scenario file format
(docs/rules.md "Cross-sector exercises: the scenario format") and the
shipped FY2015 scenario, checked by `infrashare exercise check`. Every bad
scenario of the issue is refused with the problem and the field named:
inject times out of order, unknown participants (organisations, sectors,
groups), unknown actions, cycles in the branching."""
import copy
import json

import pytest

from conftest import ROOT, Hub, assert_error

FY2015 = ROOT / "data" / "exercises" / "fy2015.json"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    h = Hub(tmp_path_factory.mktemp("exercise"))
    h.init()
    return h


def check(hub, tmp_path, scenario, registry=True):
    f = tmp_path / "scenario.json"
    f.write_text(json.dumps(scenario, ensure_ascii=False))
    args = ["exercise", "check", f] + (["--registry"] if registry else [])
    return hub.cli(*args, check=False)


def test_the_fy2015_scenario_is_sound(hub):
    r = hub.cli("exercise", "check", FY2015, "--registry")
    assert r.returncode == 0, r.stderr
    assert "11 injects over 225 minutes" in r.stdout
    assert "1 branch(es)" in r.stdout
    s = json.loads(FY2015.read_text())
    # Part 1 at 12:45, Part 2 at 15:00 (minute 135), NISC's two
    # provisions; 2-a, 2-b and 2-c by sector
    assert s["start_local"] == "12:45"
    at = {i["id"]: i["at_min"] for i in s["injects"]}
    assert at["p1-early-warning"] == 0 and at["p1-nisc-provision"] == 60
    assert at["p2a-ddos"] == at["p2b-os-vuln"] == at["p2c-ics-malware"] == 135
    assert at["p2-nisc-provision"] == 180
    assert set(s["groups"]) == {"2-a", "2-b", "2-c"}


def bad(mutate):
    s = json.loads(FY2015.read_text())
    mutate(s)
    return s


CASES = [
    ("out_of_order", "injects[2].at_min",
     lambda s: s["injects"][2].update(at_min=5)),
    ("unknown_participants", "injects[0].from",
     lambda s: s["injects"][0].update({"from": "no-such-org"})),
    ("unknown_participants", "injects[0].to.orgs",
     lambda s: s["injects"][0].update(to={"orgs": ["op-nowhere-9999"]})),
    ("unknown_participants", "groups.2-a.sectors",
     lambda s: s["groups"]["2-a"]["sectors"].append("atlantis")),
    ("unknown_group", "injects[5].to.groups",
     lambda s: s["injects"][5].update(to={"groups": ["2-z"]})),
    ("unknown_action", "injects[0].expect[0].action",
     lambda s: s["injects"][0]["expect"][0].update(action="dance")),
    ("unknown_action", "injects[3].when.action",
     lambda s: s["injects"][3].update(when={"if_not": "nothing",
                                            "by_min": 60})),
    ("cycle", "injects[2].when.action",
     lambda s: s["injects"][2].update(when={"if": "p1-report",
                                            "by_min": 25})),
    ("depends_on_later", "injects[3].when.action",
     lambda s: s["injects"][3].update(when={"if": "p2-ack-provision",
                                            "by_min": 60})),
    ("condition_after_inject", "injects[3].when.by_min",
     lambda s: s["injects"][3].update(when={"if_not": "p1-report",
                                            "by_min": 61})),
    ("duplicate_id", "injects[4].id",
     lambda s: s["injects"][4].update(id="p1-early-warning")),
    ("unknown_field", "injects[0].colour",
     lambda s: s["injects"][0].update(colour="red")),
    ("missing_field", "injects[1].title_en",
     lambda s: s["injects"][1].pop("title_en")),
    ("invalid_value", "format", lambda s: s.update(format="v2")),
    ("invalid_value", "injects[3].expect[0].action",
     lambda s: s["injects"][3]["expect"][0].update(action="relay")),
]


@pytest.mark.parametrize("code,field,mutate", CASES,
                         ids=[c[0] + ":" + c[1] for c in CASES])
def test_each_bad_scenario_is_named(hub, tmp_path, code, field, mutate):
    r = check(hub, tmp_path, bad(mutate))
    assert r.returncode == 1, r.stdout
    assert f"({code})" in r.stderr, r.stderr
    assert field in r.stderr, r.stderr


def test_not_json_and_usage(hub, tmp_path):
    f = tmp_path / "broken.json"
    f.write_text('{"format": ')
    r = hub.cli("exercise", "check", f, check=False)
    assert r.returncode == 1 and "broken.json:1" in r.stderr
    r = hub.cli("exercise", "run", f, check=False)
    assert r.returncode == 2 and "exercise check FILE" in r.stderr
    # without the registry, names are not looked up (the file alone)
    s = bad(lambda s: s["injects"][0].update({"from": "no-such-org"}))
    assert check(hub, tmp_path, s, registry=False).returncode == 0


def test_a_long_unknown_key_is_named_not_fatal(hub, tmp_path):
    """fuzz/fuzz_scenario.c found it: an unknown key longer than the error's
    field aborted the checker (and the daemon, through POST
    /api/v1/exercises). Now the field is cut at a character's boundary."""
    crash = ROOT / "fuzz/corpus/scenario/crash-long-unknown-key.json"
    r = hub.cli("exercise", "check", crash, check=False)
    assert r.returncode == 1 and "unknown_field" in r.stderr, r.stderr
    key = "鍵" * 300
    sc = json.loads(FY2015.read_text())
    sc["injects"][0][key] = 1
    tok = hub.token("admin")
    hub.start()
    try:
        r = hub.api("POST", "/api/v1/exercises", token=tok, json={
            "title_ja": "t", "title_en": "t", "scenario": sc})
        err = assert_error(r, 400, "unknown_field")
        assert err["field"].startswith("scenario.injects[0].鍵")
        assert err["field"].endswith("...")
        assert len(err["field"].encode()) < 128
        assert hub.api("GET", "/healthz").status_code == 200
    finally:
        hub.stop()


def test_text_limits_count_characters(hub, tmp_path):
    """A title of 200 Japanese characters (600 bytes) is within the limit
    of 200 characters, as in the API's field tables; 201 is not."""
    sc = json.loads(FY2015.read_text())
    sc["injects"][0]["title_ja"] = "演" * 200
    r = check(hub, tmp_path, sc)
    assert r.returncode == 0, r.stderr
    sc["injects"][0]["title_ja"] = "演" * 201
    r = check(hub, tmp_path, sc)
    assert r.returncode == 1 and "too_long" in r.stderr
    assert "injects[0].title_ja" in r.stderr
