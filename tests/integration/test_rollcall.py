"""Roll calls and survey requests (DOMAIN.md §6a; docs/rules.md "Roll calls
and survey requests"; service/rollcall.h): an advisory with an answer form,
answered by the recipients through the API and the signed link, the board
per CEPTOAR and sector with its CSV, replacement and its audit entry, bad
answers, answering for another organisation, escalation of recipients that
have not answered, and that nothing leaks to operators.
"""
import csv
import io
import re

import pytest

from conftest import assert_error, wait_for
from test_provision_features import (ack_path, base_flags, gas_members,
                                     make_hub, staff)
from receivers import WebhookReceiver, SMTPReceiver


@pytest.fixture
def hook():
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def smtp():
    s = SMTPReceiver().start()
    yield s
    s.stop()


@pytest.fixture
def rhub(tmp_path, smtp):
    """NISC, METI and the gas secretariat staffed (METI and the gas CEPTOAR
    relay automatically); members are added by each test."""
    h = make_hub(tmp_path, base_flags(smtp))
    staff(h)
    h.start()
    h.set_policy("meti", "auto")
    h.set_policy("ceptoar-gas", "auto")
    yield h
    h.stop()


def issue_rollcall(h, user="nisc-a", form=None, **fields):
    body = {"kind": "security_info", "range": "green", "severity": 2,
            "title_ja": "安否確認", "title_en": "Roll call",
            "body_ja": "被害状況を回答してください。",
            "body_en": "Please report your status.",
            "audience": {"scopes": ["gas"]},
            "form": form if form is not None else {"name": "roll_call"}}
    body.update(fields)
    r = h.call("POST", "/api/v1/advisories", user, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def answers(**kv):
    return {"answers": [{"question": k, "value": v} for k, v in kv.items()]}


def answer(h, aid, user, **kv):
    return h.call("POST", f"/api/v1/advisories/{aid}/answers", user,
                  json=answers(**kv))


def board(h, aid, user, q=""):
    return h.ok("GET", f"/api/v1/advisories/{aid}/answers{q}", user)


def rows_in_db(h, aid):
    return h.db_rows("SELECT org_id, answers, revision FROM rollcall_answers "
                     "WHERE advisory_id = ? ORDER BY org_id", aid)


def test_issue_standard_form_and_answer_by_api(rhub, hook):
    gas_members(rhub, hook, ["op-a", "op-b"])
    adv = issue_rollcall(rhub)
    aid = adv["id"]
    assert adv["recipients"] == 2
    qs = [q["id"] for q in adv["form"]["questions"]]
    assert qs == ["affected", "service_state", "details"]
    assert adv["form"]["name"] == "roll_call"
    opts = [o["id"] for o in adv["form"]["questions"][1]["options"]]
    assert opts == ["normal", "degraded", "stopped"]
    for q in adv["form"]["questions"]:
        assert q["label"]["ja"] and q["label"]["en"]
    wait_for(lambda: hook.count("/hooks/op-a", True), what="delivered")
    # a plain acknowledgement of a roll call is refused: answering is it
    assert_error(rhub.call("POST", f"/api/v1/advisories/{aid}/ack",
                           "op-a-liaison"), 409, "answer_required")
    r = answer(rhub, aid, "op-a-liaison", affected="yes",
               service_state="degraded", details="東京で一部停止")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["org"] == "op-a" and got["revision"] == 1
    assert got["replaced"] is False
    assert got["answers"] == {"affected": "yes", "service_state": "degraded",
                              "details": "東京で一部停止"}
    # answering acknowledged
    items = rhub.items(aid, "nisc-a")
    assert items["op-a"]["state"] == "acknowledged"
    assert items["op-b"]["state"] != "acknowledged"
    # the recipient sees its own answer on the advisory
    mine = rhub.advisory(aid, "op-a-liaison")
    assert mine["my_answer"]["answers"]["affected"] == "yes"
    assert rhub.advisory(aid, "op-b-liaison")["my_answer"] is None
    b = board(rhub, aid, "nisc-a")
    assert b["totals"]["recipients"] == 2
    assert b["totals"]["answered"] == 1 and b["totals"]["unanswered"] == 1
    assert b["totals"]["values"] == {"affected": {"yes": 1},
                                     "service_state": {"degraded": 1}}
    assert rhub.audit("rollcall.answer")[-1]["target"] == aid


def test_answer_twice_replaces_and_is_audited(rhub, hook):
    gas_members(rhub, hook, ["op-a"])
    aid = issue_rollcall(rhub)["id"]
    assert answer(rhub, aid, "op-a-liaison", affected="yes",
                  service_state="stopped").status_code == 200
    r = answer(rhub, aid, "op-a-liaison", affected="no",
               service_state="normal")
    assert r.status_code == 200, r.text
    assert r.json()["replaced"] is True and r.json()["revision"] == 2
    rows = rows_in_db(rhub, aid)
    assert len(rows) == 1 and rows[0]["revision"] == 2
    assert '"affected":"no"' in rows[0]["answers"]
    rep = rhub.audit("rollcall.answer.replace")
    assert len(rep) == 1 and rep[0]["target"] == aid
    assert rep[0]["detail"]["previous"] == {"affected": "yes",
                                            "service_state": "stopped"}
    assert rep[0]["detail"]["revision"] == 2
    assert len(rhub.audit("rollcall.answer")) == 1
    # the board counts the latest answer only
    t = board(rhub, aid, "nisc-a")["totals"]
    assert t["answered"] == 1
    assert t["values"] == {"affected": {"no": 1},
                           "service_state": {"normal": 1}}


def test_answer_for_another_org_changes_nothing(rhub, hook):
    gas_members(rhub, hook, ["op-a", "op-b"])
    rhub.add_operator("op-e", scope="electricity",
                      ceptoars=("ceptoar-electricity",))
    rhub.add_user("op-e-liaison", "op-e")
    aid = issue_rollcall(rhub)["id"]
    # naming another organisation
    r = rhub.call("POST", f"/api/v1/advisories/{aid}/answers", "op-a-liaison",
                  json={**answers(affected="yes", service_state="normal"),
                        "org": "op-b"})
    assert_error(r, 403, "forbidden", "org")
    # an organisation the roll call is not addressed to
    assert_error(answer(rhub, aid, "op-e-liaison", affected="yes",
                        service_state="normal"), 404, "not_found")
    # a reader without the liaison role
    rhub.add_user("op-a-reader", "op-a", "reader")
    assert_error(answer(rhub, aid, "op-a-reader", affected="yes",
                        service_state="normal"), 403)
    assert rows_in_db(rhub, aid) == []
    assert rhub.audit("rollcall.answer") == []
    assert board(rhub, aid, "nisc-a")["totals"]["answered"] == 0


@pytest.mark.parametrize("body,field", [
    (answers(affected="maybe", service_state="normal"), "answers.affected"),
    (answers(affected="yes", service_state="broken"),
     "answers.service_state"),
    (answers(affected="yes", service_state="normal", bogus="x"),
     "answers.bogus"),
    (answers(service_state="normal"), "answers.affected"),
    (answers(affected="yes", service_state="normal", details="x" * 2001),
     "answers.details"),
    ({"answers": [{"question": "affected", "value": "yes"},
                  {"question": "affected", "value": "no"},
                  {"question": "service_state", "value": "normal"}]},
     "answers.affected"),
    ({"answers": [{"question": "affected"}]}, "answers.value"),
    ({"answer": []}, "answer"),
])
def test_bad_answers_name_the_field(rhub, hook, body, field):
    gas_members(rhub, hook, ["op-a"])
    aid = issue_rollcall(rhub)["id"]
    r = rhub.call("POST", f"/api/v1/advisories/{aid}/answers",
                  "op-a-liaison", json=body)
    assert_error(r, 400, field=field)
    assert rows_in_db(rhub, aid) == []
    assert rhub.items(aid, "nisc-a")["op-a"]["acked_at"] is None


@pytest.mark.parametrize("form,field", [
    ({"name": "nonsense"}, "form.name"),
    ({"questions": []}, "form.questions"),
    ({"questions": [{"id": "Bad Id", "type": "text",
                     "label": {"ja": "a", "en": "a"}}]},
     "form.questions[0].id"),
    ({"questions": [{"id": "q", "type": "choice",
                     "label": {"ja": "a", "en": "a"},
                     "options": [{"id": "x", "label": {"ja": "x",
                                                       "en": "x"}}]}]},
     "form.questions[0].options"),
    ({"questions": [{"id": "q", "type": "rating",
                     "label": {"ja": "a", "en": "a"}}]},
     "form.questions.type"),
    ({"questions": [{"id": "q", "type": "text", "label": {"ja": "a"}}]},
     "form.questions.label.en"),
    ({"questions": [{"id": f"q{i}", "type": "text",
                     "label": {"ja": "a", "en": "a"}} for i in range(21)]},
     "form.questions"),
])
def test_bad_forms_name_the_field(rhub, hook, form, field):
    gas_members(rhub, hook, ["op-a"])
    body = {"kind": "security_info", "range": "green", "severity": 2,
            "title_ja": "t", "title_en": "t", "body_ja": "b", "body_en": "b",
            "audience": {"scopes": ["gas"]}, "form": form}
    before = rhub.ok("GET", "/api/v1/advisories", "nisc-a")["items"]
    assert_error(rhub.call("POST", "/api/v1/advisories", "nisc-a",
                           json=body), 400, field=field)
    assert rhub.ok("GET", "/api/v1/advisories", "nisc-a")["items"] == before


def test_custom_survey_form(rhub, hook):
    gas_members(rhub, hook, ["op-a"])
    form = {"name": "patch_survey", "questions": [
        {"id": "patched", "type": "yes_no_unknown", "required": True,
         "label": {"ja": "適用済みか", "en": "Patched?"}},
        {"id": "version", "type": "choice",
         "label": {"ja": "版", "en": "Version"},
         "options": [{"id": "v1", "label": {"ja": "1", "en": "1"}},
                     {"id": "v2", "label": {"ja": "2", "en": "2"}}]},
        {"id": "note", "type": "text", "max_len": 10,
         "label": {"ja": "備考", "en": "Note"}}]}
    adv = issue_rollcall(rhub, form=form)
    assert adv["form"]["name"] == "patch_survey"
    assert adv["form"]["questions"][2]["max_len"] == 10
    aid = adv["id"]
    assert_error(answer(rhub, aid, "op-a-liaison", patched="yes",
                        note="あ" * 11), 400, field="answers.note")
    r = answer(rhub, aid, "op-a-liaison", patched="yes", note="あ" * 10)
    assert r.status_code == 200, r.text
    assert board(rhub, aid, "nisc-a")["totals"]["values"] == {
        "patched": {"yes": 1}}
