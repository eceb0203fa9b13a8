"""Threat types (docs/rules.md "Threat types"; 003:259-351, 2285-2292):
a report of each threat type the third plan adds is accepted and read back
as filed; an unknown one is refused naming the field, and nothing is
stored."""
import datetime

import pytest

from conftest import Hub, assert_error

NEW = ["watering_hole", "supply_chain_update", "vulnerability_exploit",
       "ics_malware"]


@pytest.fixture(scope="module")
def h(tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("threats"), demo=True)
    hub.init_fixture()
    hub.start()
    hub.op = hub.token("op-electricity-0001", name="threats")
    yield hub
    hub.stop()


def body(threat):
    return {"title": f"threat {threat}", "kind": "incident",
            "detected_at": datetime.datetime.now(datetime.timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%SZ"),
            "range": "amber", "route": "direct",
            "what_happened": "synthetic", "cause": "cyberattack",
            "threat_type": threat}


def total(h):
    r = h.api("GET", "/api/v1/reports/counts", token=h.op)
    assert r.status_code == 200, r.text
    return r.json()["total"]


@pytest.mark.parametrize("threat", NEW)
def test_each_new_threat_type_is_accepted(h, threat):
    r = h.api("POST", "/api/v1/reports", token=h.op, json=body(threat))
    assert r.status_code == 201, r.text
    back = h.api("GET", f"/api/v1/reports/{r.json()['id']}", token=h.op)
    assert back.status_code == 200
    assert back.json()["threat_type"] == threat


@pytest.mark.parametrize("bad", ["watering-hole", "ics", "supply_chain",
                                 "Watering_Hole", "x" * 31])
def test_unknown_threat_type_is_refused(h, bad):
    n = total(h)
    assert_error(h.api("POST", "/api/v1/reports", token=h.op, json=body(bad)),
                 400, field="threat_type")
    assert total(h) == n


def test_the_ui_names_each_new_type_in_both_languages():
    from pathlib import Path
    i18n = (Path(__file__).resolve().parents[2] / "web" / "i18n.js").read_text()
    for threat, ja in [("watering_hole", "水飲み場型攻撃"),
                       ("supply_chain_update", "ソフトウェア更新の悪用"),
                       ("vulnerability_exploit",
                        "OS・ソフトウェアの脆弱性を悪用した攻撃"),
                       ("ics_malware", "制御系システムを狙ったマルウェア")]:
        assert f"{threat}: ['{ja}', '" in i18n, threat
