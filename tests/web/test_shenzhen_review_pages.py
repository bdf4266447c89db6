"""The Shenzhen review stages in the browser (资格审查, 集中答辩, 社会评价): administrators
only; the eligibility facts entered or imported are checked with every rule's evidence
(a bad row named by its number, nothing half-imported); a decision against the check is
an override that needs its reason; defence slots in Beijing time that never overlap;
social-evaluation results; every change audited, every refusal a 4xx in Chinese."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.clock import office_today
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import create_cycle
from mqa_workflow.procedure.models import DefenceSlot, EligibilityReview, SocialEvaluation
from mqa_workflow.states.engine import advance
from tests.e2e.world import World
from tests.web.test_pages import sign_in

ELIGIBILITY_RULES = {"min_years_registered": 3, "penalty_free_years": 1,
                     "accident_free_years": 3, "award_waiting_years": 3}


@pytest.fixture
def to_review() -> bool:
    return False


def shenzhen(world: World, stages: tuple[str, ...] = ("defence", "social_evaluation")) -> None:
    """The world's cycle runs the Shenzhen stages with eligibility rules."""
    with world.database.session() as session:
        cycle = session.get(AwardCycle, world.cycle_id)
        assert cycle is not None
        cycle.rules_data = {**cycle.rules_data, "optional_stages": list(stages),
                            "eligibility": ELIGIBILITY_RULES}


def to_eligibility_check(world: World) -> None:
    for who, trigger in (("applicant", "submit"), ("admin", "begin_eligibility_check")):
        with world.database.session() as session:
            advance(session, world.application_id, trigger,
                    get_user(session, world.emails[who]))


def put_in(world: World, state: ApplicationState, *ids: int) -> None:
    """Applications placed in a later stage directly (the engine's own tests walk there)."""
    with world.database.session() as session:
        for application_id in ids:
            application = session.get(Application, application_id)
            assert application is not None
            application.state = state


def audited(world: World, trigger: str) -> list[AuditRecord]:
    with world.database.session() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.trigger == trigger)))


def facts_form(csrf: str, *, penalty_on: str, authority: str = "深圳市市场监督管理局"
               ) -> dict[str, str]:
    return {"csrf_token": csrf, "registered_on": "2015-06-01", "penalties.rows": "1",
            "penalties.0.decided_on": penalty_on, "penalties.0.authority": authority,
            "penalties.0.description": "标签不规范，责令改正",
            "accidents.rows": "0", "accidents.checked": "on",
            "past_awards.rows": "0", "past_awards.checked": "on"}


def recent() -> str:
    return (office_today() - timedelta(days=30)).isoformat()


@pytest.mark.parametrize("role", ["reviewer", "applicant", "committee", "operator"])
def test_only_administrators_open_or_change_the_review_stages(
        browser: TestClient, world: World, role: str) -> None:
    shenzhen(world)
    csrf = sign_in(browser, world, role)
    base = f"/admin/cycles/{world.cycle_id}"
    for path in ("/eligibility", f"/eligibility/{world.application_id}", "/defence",
                 "/social"):
        assert browser.get(base + path).status_code == 403, path
    for path in (f"/eligibility/{world.application_id}/check",
                 f"/eligibility/{world.application_id}/decide",
                 f"/defence/{world.application_id}", f"/social/{world.application_id}"):
        assert browser.post(base + path, data={"csrf_token": csrf}).status_code == 403, path


def test_the_board_links_only_the_stages_the_cycle_runs(browser: TestClient,
                                                        world: World) -> None:
    to_eligibility_check(world)
    sign_in(browser, world, "admin")
    board = browser.get(f"/admin/cycles/{world.cycle_id}").text
    assert "资格审查" in board and 'id="link-defence"' not in board
    assert 'id="link-social"' not in board
    assert browser.get(f"/admin/cycles/{world.cycle_id}/defence").status_code == 404
    shenzhen(world, ("defence",))
    board = browser.get(f"/admin/cycles/{world.cycle_id}").text
    assert 'id="link-defence"' in board and 'id="link-social"' not in board
    case = browser.get(f"/admin/cases/{world.application_id}").text
    assert f"/admin/cycles/{world.cycle_id}/eligibility/{world.application_id}" in case


def test_the_facts_entered_are_checked_with_every_rules_evidence_and_audited(
        browser: TestClient, world: World) -> None:
    shenzhen(world)
    to_eligibility_check(world)
    csrf = sign_in(browser, world, "admin")
    base = f"/admin/cycles/{world.cycle_id}/eligibility"
    assert "待资格审查" in browser.get(base).text
    done = browser.post(f"{base}/{world.application_id}/check",
                        data=facts_form(csrf, penalty_on=recent()))
    assert done.status_code == 303, done.text
    page = browser.get(done.headers["location"]).text
    assert 'data-outcome="ineligible"' in page and "不符合资格条件" in page
    for rule in ELIGIBILITY_RULES:
        assert f'data-rule="{rule}"' in page
    assert "有 1 项行政处罚" in page and "深圳市市场监督管理局" in page
    assert "2015-06-01 在深注册" in page  # the registration rule's evidence, in Chinese
    [record] = audited(world, "eligibility_check")
    assert record.application_id == world.application_id
    assert record.data["outcome"] == "ineligible" and record.actor == world.emails["admin"]
    assert 'data-outcome="ineligible"' in browser.get(base).text
    browser.cookies.set("lang", "en")  # the English reader gets the check's own sentences
    english = browser.get(done.headers["location"]).text
    assert "Ineligible" in english and "1 administrative penalty since" in english


def test_bad_facts_are_refused_in_chinese_with_what_was_entered(browser: TestClient,
                                                               world: World) -> None:
    shenzhen(world)
    to_eligibility_check(world)
    csrf = sign_in(browser, world, "admin")
    url = f"/admin/cycles/{world.cycle_id}/eligibility/{world.application_id}/check"
    missing = browser.post(url, data=facts_form(csrf, penalty_on=recent(), authority=""))
    assert missing.status_code == 422
    assert "行政处罚第 1 项：请填写处罚机关" in missing.text
    assert "标签不规范，责令改正" in missing.text  # what was entered is still in the form
    wrong = browser.post(url, data=facts_form(csrf, penalty_on="2025-02-30"))
    assert wrong.status_code == 422 and "不是日期" in wrong.text
    with world.database.session() as session:
        assert session.get(EligibilityReview, world.application_id) is None
    assert audited(world, "eligibility_check") == []


def test_confirming_against_a_failed_check_is_an_override_that_needs_a_reason(
        browser: TestClient, world: World) -> None:
    shenzhen(world)
    to_eligibility_check(world)
    csrf = sign_in(browser, world, "admin")
    base = f"/admin/cycles/{world.cycle_id}/eligibility/{world.application_id}"
    browser.post(f"{base}/check", data=facts_form(csrf, penalty_on=recent()))
    refused = browser.post(f"{base}/decide", data={"csrf_token": csrf,
                                                   "trigger": "confirm_eligible"})
    assert refused.status_code == 422 and "属于例外处理，须填写理由" in refused.text
    with world.database.session() as session:
        assert session.get(Application, world.application_id).state == "eligibility_check"
    reason = "处罚系标签问题，已整改完毕，经审查委员会同意例外受理"
    done = browser.post(f"{base}/decide", data={"csrf_token": csrf, "reason": reason,
                                                "trigger": "confirm_eligible"})
    assert done.status_code == 303, done.text
    with world.database.session() as session:
        assert session.get(Application, world.application_id).state == "document_review"
        review = session.get(EligibilityReview, world.application_id)
        assert review is not None and review.override_reason == reason
    [moved] = audited(world, "confirm_eligible")
    assert moved.data["override"] is True and moved.reason == reason
    page = browser.get(done.headers["location"]).text
    assert "例外处理" in page and reason in page and "材料评审" in page


def test_a_decision_the_engine_refuses_comes_back_translated(browser: TestClient,
                                                             world: World) -> None:
    shenzhen(world)
    to_eligibility_check(world)
    csrf = sign_in(browser, world, "admin")
    base = f"/admin/cycles/{world.cycle_id}/eligibility/{world.application_id}"
    refused = browser.post(f"{base}/decide", data={"csrf_token": csrf,
                                                   "trigger": "return_for_correction"})
    assert refused.status_code == 409
    assert "「退回补正」须填写理由" in refused.text


CSV_HEADER = "application,kind,date,authority,description,serious,year,class\n"


def test_the_import_names_every_bad_row_and_keeps_nothing(browser: TestClient,
                                                          world: World) -> None:
    shenzhen(world)
    to_eligibility_check(world)
    csrf = sign_in(browser, world, "admin")
    url = f"/admin/cycles/{world.cycle_id}/eligibility/import"
    a = world.application_id
    bad = (CSV_HEADER + f"{a},registered,2015-06-01,,,,,\n{a},penalty,2026-13-01,,x,,,\n"
           f"999,no_accidents,,,,,,\n{a},award,,,,,,\n")
    preview = browser.post(url, data={"csrf_token": csrf},
                           files={"file": ("facts.csv", bad.encode(), "text/csv")})
    assert preview.status_code == 422
    for row in ("第 3 行", "第 4 行", "第 5 行"):
        assert row in preview.text
    assert "请填写处罚机关" in preview.text and "无此申报编号" in preview.text
    with world.database.session() as session:
        assert session.get(EligibilityReview, a) is None
    good = (CSV_HEADER + f"{a},registered,2015-06-01,,,,,\n{a},no_penalties,,,,,,\n"
            f"{a},no_accidents,,,,,,\n{a},no_past_awards,,,,,,\n").encode()
    preview = browser.post(url, data={"csrf_token": csrf},
                           files={"file": ("facts.csv", good, "text/csv")})
    assert preview.status_code == 200 and "将核查的申报数：1" in preview.text
    with world.database.session() as session:
        assert session.get(EligibilityReview, a) is None  # the preview keeps nothing
    content = preview.text.split('name="content" value="')[1].split('"')[0]
    applied = browser.post(f"{url}/apply", data={"csrf_token": csrf, "filename": "facts.csv",
                                                  "content": content})
    assert applied.status_code == 200 and "已导入并核查：1" in applied.text
    with world.database.session() as session:
        review = session.get(EligibilityReview, a)
        assert review is not None and review.passed is True
    [record] = audited(world, "eligibility_check")
    assert record.application_id == a and "facts.csv" in record.reason
    assert "符合资格条件" in record.reason


def test_the_import_refuses_another_cycles_application_beside_the_other_bad_rows(
        browser: TestClient, world: World) -> None:
    shenzhen(world)
    with world.database.session() as session:
        other_id = create_cycle(session, year=2027, classes=["economic"], rules={},
                                name="另一周期").id
    csrf = sign_in(browser, world, "admin")
    rows = CSV_HEADER + f"{world.application_id},no_penalties,,,,,,\n998,no_accidents,,,,,,\n"
    refused = browser.post(f"/admin/cycles/{other_id}/eligibility/import",
                           data={"csrf_token": csrf},
                           files={"file": ("facts.csv", rows.encode(), "text/csv")})
    assert refused.status_code == 422 and "第 2 行" in refused.text
    assert "不属于本评审周期" in refused.text
    assert "第 3 行：无此申报编号" in refused.text  # the other bad rows are named too


def test_defence_slots_are_in_beijing_time_sorted_and_never_overlap(browser: TestClient,
                                                                    world: World) -> None:
    shenzhen(world)
    put_in(world, ApplicationState.DEFENCE, world.application_id, world.other_application_id)
    csrf = sign_in(browser, world, "admin")
    base = f"/admin/cycles/{world.cycle_id}/defence"
    assert "待答辩申报" in browser.get(base).text
    first = browser.post(f"{base}/{world.application_id}", data={
        "csrf_token": csrf, "day": "2026-07-01", "time": "14:00", "minutes": "30",
        "room": "第一会议室"})
    assert first.status_code == 303, first.text
    with world.database.session() as session:
        slot = session.get(DefenceSlot, world.application_id)
        assert slot is not None
        starts = slot.starts_at if slot.starts_at.tzinfo else slot.starts_at.replace(tzinfo=UTC)
        assert starts == datetime(2026, 7, 1, 6, 0, tzinfo=UTC)  # 14:00 in Beijing
    overlap = browser.post(f"{base}/{world.other_application_id}", data={
        "csrf_token": csrf, "day": "2026-07-01", "time": "14:15", "minutes": "30",
        "room": "第一会议室"})
    assert overlap.status_code == 409
    assert "重叠" in overlap.text and "北京时间 2026-07-01 14:00" in overlap.text
    assert 'value="14:15"' in overlap.text  # what was entered is kept
    short = browser.post(f"{base}/{world.other_application_id}", data={
        "csrf_token": csrf, "day": "2026-07-01", "time": "09:00", "minutes": "3"})
    assert short.status_code == 422 and "过短" in short.text
    earlier = browser.post(f"{base}/{world.other_application_id}", data={
        "csrf_token": csrf, "day": "2026-07-01", "time": "09:00", "minutes": "30",
        "room": "第一会议室"})
    assert earlier.status_code == 303
    schedule = browser.get(base).text.split('id="schedule"')[1]
    assert schedule.index("09:00") < schedule.index("14:00")
    assert schedule.index(f'data-id="{world.other_application_id}"') < schedule.index(
        f'data-id="{world.application_id}"')
    records = audited(world, "schedule_defence")
    assert {r.application_id for r in records} == {world.application_id,
                                                   world.other_application_id}


def test_social_evaluation_results_are_recorded_listed_and_audited(browser: TestClient,
                                                                   world: World) -> None:
    shenzhen(world)
    put_in(world, ApplicationState.SOCIAL_EVALUATION, world.application_id)
    csrf = sign_in(browser, world, "admin")
    base = f"/admin/cycles/{world.cycle_id}/social"
    refused = browser.post(f"{base}/{world.application_id}", data={
        "csrf_token": csrf, "satisfaction": "150", "respondents": "0", "method": "问卷"})
    assert refused.status_code == 422
    assert "满意度 150 超出范围" in refused.text and "受访人数：至少 1 人" in refused.text
    assert 'value="问卷"' in refused.text
    done = browser.post(f"{base}/{world.application_id}", data={
        "csrf_token": csrf, "satisfaction": "87.5", "respondents": "320",
        "method": "第三方机构电话调查"})
    assert done.status_code == 303, done.text
    page = browser.get(base).text
    assert "经济类" in page and "87.50" in page and "320" in page and "管理员" in page
    with world.database.session() as session:
        assert session.get(SocialEvaluation, world.application_id) is not None
    [record] = audited(world, "record_social_evaluation")
    assert record.application_id == world.application_id
    case = browser.get(f"/admin/cases/{world.application_id}").text
    assert "记录社会评价结果" in case and "record_social_evaluation" not in case.replace(
        'data-trigger="record_social_evaluation"', "")
