"""Severity (深刻度, DOMAIN.md §5) through the API: POST
/api/v1/severity/evaluate at the boundaries of the service maintenance
levels, the 10x rule, and declared severity on filed reports."""
from datetime import datetime, timezone

import pytest

from conftest import assert_error


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tok(hub, user):
    cache = hub.__dict__.setdefault("_rep_tokens", {})
    if user not in cache:
        cache[user] = hub.token(user, name="rep-severity")
    return cache[user]


def evaluate(hub, facts, user="nisc-analyst"):
    return hub.api("POST", "/api/v1/severity/evaluate", token=tok(hub, user),
                   json=facts)


def level(hub, scope, **impact):
    r = evaluate(hub, {"scope": scope, "impact": impact})
    assert r.status_code == 200, r.text
    return r.json()


# (scope, impact below the level, impact at the level)
BOUNDARIES = [
    ("telecom", {"users_affected": 29999, "duration_min": 120},
     {"users_affected": 30000, "duration_min": 120}),
    ("telecom", {"users_affected": 30000, "duration_min": 119},
     {"users_affected": 30000, "duration_min": 120}),
    ("cable_tv", {"users_affected": 29999, "duration_min": 120},
     {"users_affected": 30000, "duration_min": 120}),
    ("electricity", {"kw_lost": 99999, "duration_min": 10},
     {"kw_lost": 100000, "duration_min": 10}),
    ("electricity", {"kw_lost": 100000, "duration_min": 9},
     {"kw_lost": 100000, "duration_min": 10}),
    ("broadcasting", {"broadcast_stop_min": 14},
     {"broadcast_stop_min": 15}),
    ("broadcasting", {"broadcast_stop_min": 119, "relay_station": True},
     {"broadcast_stop_min": 120, "relay_station": True}),
    ("gas", {"households": 29}, {"households": 30}),
    ("credit", {}, {"card_auth_affected": True}),
    ("banking", {"users_affected": 10 ** 7}, {"service_stopped": True}),
]


@pytest.mark.parametrize("scope,below,at", BOUNDARIES,
                         ids=[f"{b[0]}-{sorted(b[2])[0]}" for b in BOUNDARIES])
def test_maintenance_level_boundaries(demo_hub, scope, below, at):
    lo = level(demo_hub, scope, **below)
    hi = level(demo_hub, scope, **at)
    assert lo["exceeded"] is False, lo
    assert lo["level"] == 0 and lo["rule"] == "L0-info", lo
    assert hi["exceeded"] is True, hi
    assert hi["level"] == 3 and hi["rule"] == "L3-exceeded", hi


def test_response_names_the_rule_and_explains_in_both_languages(demo_hub):
    v = level(demo_hub, "telecom", users_affected=30000, duration_min=120)
    assert set(v) >= {"level", "rule", "explanation"}
    assert isinstance(v["explanation"]["ja"], str) and v["explanation"]["ja"]
    assert isinstance(v["explanation"]["en"], str) and v["explanation"]["en"]
    assert "3" in v["explanation"]["en"] and "3" in v["explanation"]["ja"]
    assert v["maintenance_level"]["scope"] == "telecom"


def test_ten_times_the_threshold_is_level_4(demo_hub):
    v = level(demo_hub, "telecom", users_affected=300000, duration_min=120)
    assert v["level"] == 4 and v["rule"] == "L4-severe", v
    assert v["impact_ratio"] == pytest.approx(10.0)
    v = level(demo_hub, "telecom", users_affected=299999, duration_min=120)
    assert v["level"] == 3, v
    v = level(demo_hub, "electricity", kw_lost=1000000, duration_min=10)
    assert v["level"] == 4, v
    # 10x the users but under 2 hours: not exceeded at all
    v = level(demo_hub, "telecom", users_affected=300000, duration_min=60)
    assert v["level"] == 0 and v["exceeded"] is False, v


def test_other_rules(demo_hub):
    ev = lambda **f: evaluate(demo_hub, f).json()  # noqa: E731
    assert ev(scope="banking", kind="precursor")["level"] == 1
    assert ev(scope="banking", impact={"attack_blocked": True})["level"] == 1
    assert ev(scope="banking", impact={"service_degraded": True})["level"] == 2
    assert ev(scope="banking", kind="info")["level"] == 0
    assert ev(scope="banking", impact={"service_stopped": True,
                                       "operators_affected": 2})["level"] == 4
    assert ev(scope="banking", impact={"service_stopped": True,
                                       "emergency_systems": True})["level"] == 4
    assert ev(scope="gas", sectors_exceeded=2)["level"] == 5
    assert ev(scope="gas", impact={
        "imminent_multi_sector_threat": True})["level"] == 5


def test_bad_facts_are_refused_naming_the_field(demo_hub):
    assert_error(evaluate(demo_hub, {"scope": "atlantis"}), 400,
                 "invalid_value", "scope")
    assert_error(evaluate(demo_hub, {"impact": {"households": 3}}), 400,
                 "missing_field", "scope")
    assert_error(evaluate(demo_hub, {"scope": "telecom",
                                     "impact": {"users_affected": -1}}),
                 400, "out_of_range", "impact.users_affected")
    assert_error(evaluate(demo_hub, {"scope": "telecom",
                                     "impact": {"users": 5}}),
                 400, "unknown_field", "impact.users")
    assert_error(evaluate(demo_hub, {"scope": "gas", "kind": "outage"}),
                 400, "invalid_value", "kind")
    assert_error(evaluate(demo_hub, {"scope": "gas",
                                     "impact": {"households": "40"}}),
                 400, "invalid_type", "impact.households")


def test_evaluate_stores_nothing(demo_hub):
    def counts(user):
        r = demo_hub.api("GET", "/api/v1/reports/counts",
                         token=tok(demo_hub, user))
        assert r.status_code == 200
        return r.json()
    before = {u: counts(u) for u in ("nisc-analyst", "op-telecom-0001")}
    for users in (1, 30000, 300000):
        r = evaluate(demo_hub, {"scope": "telecom", "impact": {
            "users_affected": users, "duration_min": 120}},
            user="op-telecom-0001")
        assert r.status_code == 200
    after = {u: counts(u) for u in ("nisc-analyst", "op-telecom-0001")}
    assert after == before
    lst = demo_hub.api("GET", "/api/v1/reports",
                       token=tok(demo_hub, "op-telecom-0001")).json()
    assert lst["items"] == [] or all(
        i["reporter"].get("org") != "op-telecom-0001" for i in lst["items"])


def file(hub, body, user="op-gas-0001"):
    full = {"title": "declared", "kind": "incident", "detected_at": now_iso(),
            "range": "green", "route": "direct"}
    full.update(body)
    return hub.api("POST", "/api/v1/reports", token=tok(hub, user), json=full)


def test_declared_severity_is_kept_beside_the_computed_one(fresh_demo_hub):
    hub = fresh_demo_hub
    r = file(hub, {"impact": {"households": 5}, "declared_severity": 4,
                   "declared_reason": "the attacker has our SCADA creds"})
    assert r.status_code == 201, r.text
    v = r.json()
    assert v["severity"]["computed"] == 0
    assert v["severity"]["declared"] == 4
    assert v["severity"]["effective"] == 4
    assert v["declared_reason"] == "the attacker has our SCADA creds"
    got = hub.api("GET", f"/api/v1/reports/{v['id']}",
                  token=tok(hub, "meti-desk")).json()
    assert got["severity"] == v["severity"]
    assert got["declared_reason"] == "the attacker has our SCADA creds"
    # a declared level below the computed one: both kept, the higher counts
    r = file(hub, {"impact": {"households": 40}, "declared_severity": 1,
                   "declared_reason": "only a test line"})
    assert r.status_code == 201, r.text
    s = r.json()["severity"]
    assert (s["computed"], s["declared"], s["effective"]) == (3, 1, 3)
    assert s["rule"] == "L3-exceeded"


def test_declared_without_reason_is_refused(fresh_demo_hub):
    hub = fresh_demo_hub
    before = hub.api("GET", "/api/v1/reports/counts",
                     token=tok(hub, "op-gas-0001")).json()["total"]
    assert_error(file(hub, {"declared_severity": 4}), 400, None,
                 "declared_reason")
    assert_error(file(hub, {"declared_severity": 6,
                            "declared_reason": "x"}), 400, "out_of_range",
                 "declared_severity")
    after = hub.api("GET", "/api/v1/reports/counts",
                    token=tok(hub, "op-gas-0001")).json()["total"]
    assert after == before
