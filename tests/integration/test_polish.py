"""Names, not codes, where people read the API's answers (issue 11 items 7
and 10): the signed-in user's display name in the session, and the
severity explanation's matched conditions in words of each language."""
import re

SEV_CODES = re.compile(r"\b(users_affected|duration_min|kw_lost|households|"
                       r"broadcast_stop_min|records_leaked|operators_affected|"
                       r"sectors_exceeded|impact_ratio|service_stopped|"
                       r"service_degraded|compromise_confirmed|emergency_systems|"
                       r"safety_affected|card_auth_affected|relay_station|"
                       r"attack_blocked|imminent_multi_sector_threat|kind_\w+)\b")


def test_session_user_has_display_name(demo_hub):
    s = demo_hub.login("nisc-analyst")
    assert s.me["display_name"] == "NISC analyst (demo)"
    r = demo_hub.api("GET", "/api/v1/session", session=s)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["display_name"] == "NISC analyst (demo)"
    assert r.json()["user"]["username"] == "nisc-analyst"
    # an API token answers the same user
    tok = demo_hub.token("nisc-analyst", name="polish")
    r = demo_hub.api("GET", "/api/v1/session", token=tok)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["display_name"] == "NISC analyst (demo)"


def test_severity_explanation_in_words(demo_hub):
    tok = demo_hub.token("nisc-analyst", name="polish-sev")
    cases = [
        ({"scope": "telecom", "impact": {"users_affected": 300000, "duration_min": 180}},
         "影響の基準比（倍） 10（10以上）", "impact against the threshold (times) 10 (at least 10)"),
        ({"scope": "gas", "impact": {"service_stopped": True}},
         "該当する条件: サービスが停止", "Matched: service stopped"),
        ({"scope": "credit", "kind": "precursor", "impact": {}},
         "種別が予兆・ヒヤリハット", "kind: precursor or near miss"),
    ]
    for body, ja, en in cases:
        r = demo_hub.api("POST", "/api/v1/severity/evaluate", token=tok, json=body)
        assert r.status_code == 200, r.text
        ex = r.json()["explanation"]
        assert ja in ex["ja"], ex["ja"]
        assert en in ex["en"], ex["en"]
        assert not SEV_CODES.search(ex["ja"]), ex["ja"]
        assert not SEV_CODES.search(ex["en"]), ex["en"]
        assert "Matched: exceeded" not in ex["en"] and "exceeded" not in ex["ja"]
