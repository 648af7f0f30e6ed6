"""The plan listens: missed sessions, hold weeks, retention checks, pain (review.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from stridebeat.cli.app import cli
from stridebeat.errors import InputError
from stridebeat.runner.records import PainRecord, RetentionRecord, SessionRecord
from stridebeat.training.plan import Plan, PlannedSession, make_plan
from stridebeat.training.planfile import parse_plan, plan_to_toml
from stridebeat.training.progression import PlanSettings
from stridebeat.training.review import review

START = dt.date(2026, 1, 5)  # a Monday
CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def made() -> Plan:
    return make_plan(PlanSettings(baseline_spm=160, start=START))  # 165, 170, 172, 172


def week(plan: Plan, number: int) -> list[PlannedSession]:
    return [s for s in plan.sessions if s.week == number]


def runs(plan: Plan, number: int) -> list[PlannedSession]:
    return [s for s in week(plan, number) if s.kind == "run"]


def done(planned: PlannedSession, day: dt.date | None = None) -> SessionRecord:
    return SessionRecord(
        id=0, created=CREATED, day=day or planned.date, started=None, ended=None,
        planned_minutes=planned.minutes, completed_minutes=planned.minutes, cadence_spm=None,
        underruns=0, finished=True, week=planned.week, number=planned.number, source="play",
    )  # fmt: skip


def after(plan: Plan, number: int) -> dt.date:
    """The first day week ``number`` is over."""
    return week(plan, number)[-1].date + dt.timedelta(3)


def pain(day: dt.date, level: int) -> PainRecord:
    return PainRecord(id=0, created=CREATED, day=day, level=level, where="shin")


def retention(day: dt.date, spm: float) -> RetentionRecord:
    return RetentionRecord(id=0, created=CREATED, day=day, cadence_spm=spm, counted_steps=None)


def no_two_runs_a_day(plan: Plan) -> bool:
    days = [s.date for s in plan.sessions if s.kind == "run"]
    return len(days) == len(set(days))


def test_a_week_with_one_run_of_three_done_is_held() -> None:
    plan = made()
    records = [done(runs(plan, 1)[0])]
    found = review(plan, records, [], [], after(plan, 1))
    new = found.plan
    assert new.week_cadences == (165, 165, 170, 172, 172)
    assert found.held_weeks == (1,) and new.held_weeks == (2,) and new.reviewed_weeks == (1,)
    assert week(new, 1) == week(plan, 1)
    assert [s.date for s in week(new, 2)] == [s.date for s in week(plan, 2)]
    assert {s.cadence_spm for s in runs(new, 2)} == {165}
    later = [s for s in new.sessions if s.week > 2]
    for old, moved in zip(plan.sessions[len(week(plan, 1)) :], later, strict=True):
        assert moved.date == old.date + dt.timedelta(7)
        assert (moved.week, moved.cadence_spm) == (old.week + 1, old.cadence_spm)
    assert no_two_runs_a_day(new)
    assert (1, runs(plan, 1)[1].number) in found.missed
    assert found.messages == (
        "Week 1: 1 of 3 runs done, so week 2 repeats 165 spm and the plan moves a week later.",
    )
    again = parse_plan(plan_to_toml(new), "plan.toml")
    assert (again.week_cadences, again.reviewed_weeks, again.held_weeks) == (
        new.week_cadences, new.reviewed_weeks, new.held_weeks,
    )  # fmt: skip
    assert [(s.week, s.date, s.cadence_spm) for s in again.sessions] == [
        (s.week, s.date, s.cadence_spm) for s in new.sessions
    ]


def test_all_runs_done_leaves_the_plan() -> None:
    plan = made()
    records = [done(s) for s in runs(plan, 1)]
    found = review(plan, records, [], [], after(plan, 1))
    assert found.plan.sessions == plan.sessions
    assert found.plan.week_cadences == plan.week_cadences
    assert found.plan.reviewed_weeks == (1,) and found.plan.held_weeks == ()
    assert found.held_weeks == () and found.messages == ()
    strength = [(1, s.number) for s in week(plan, 1) if s.kind == "strength"]
    assert found.missed == tuple(strength)  # missed, but only runs count for a hold


def test_nothing_over_nothing_changes() -> None:
    plan = made()
    found = review(plan, [], [], [], START)
    assert found.plan is plan and found.missed == ()


def test_two_of_three_runs_are_enough() -> None:
    plan = made()
    found = review(plan, [done(s) for s in runs(plan, 1)[:2]], [], [], after(plan, 1))
    assert found.plan.week_cadences == plan.week_cadences


def test_a_retention_check_4_percent_low_holds() -> None:
    plan = made()
    records = [done(s) for s in runs(plan, 1)]
    day = runs(plan, 1)[-1].date
    low = review(plan, records, [retention(day, 165 * 0.96)], [], after(plan, 1))
    assert low.plan.week_cadences == (165, 165, 170, 172, 172)
    assert "more than 3% below 165 spm" in low.messages[0]
    near = review(plan, records, [retention(day, 165 * 0.98)], [], after(plan, 1))
    assert near.plan.week_cadences == plan.week_cadences


def test_pain_holds_and_steps_back() -> None:
    plan = made()
    records = [done(s) for s in runs(plan, 1) + runs(plan, 2)]
    day = runs(plan, 2)[1].date
    found = review(plan, records, [], [pain(day, 5)], after(plan, 2))
    new = found.plan
    assert new.week_cadences == (165, 170, 165, 170, 172, 172)
    assert new.held_weeks == (3, 4) and found.held_weeks == (2,)
    assert {s.cadence_spm for s in runs(new, 3)} == {165}
    assert no_two_runs_a_day(new)
    (message,) = found.messages
    assert "Pain of 5/10" in message and "steps back to 165 spm" in message
    assert "see a physiotherapist if the pain persists" in message
    mild = review(plan, records, [], [pain(day, 3)], after(plan, 2))
    assert mild.plan.week_cadences == plan.week_cadences


def test_pain_in_week_one_steps_back_to_the_baseline() -> None:
    plan = made()
    records = [done(s) for s in runs(plan, 1)]
    found = review(plan, records, [], [pain(START, 4)], after(plan, 1))
    assert found.plan.week_cadences[:3] == (165, 160, 165)


def test_review_is_idempotent() -> None:
    plan = made()
    records = [done(runs(plan, 1)[0])]
    pains = [pain(runs(plan, 1)[0].date, 6)]
    today = after(plan, 1)
    first = review(plan, records, [], pains, today)
    second = review(first.plan, records, [], pains, today)
    assert second.plan is first.plan and second.messages == ()
    assert second.missed == first.missed
    reread = parse_plan(plan_to_toml(first.plan), "plan.toml")
    third = review(reread, records, [], pains, today)
    assert third.plan is reread and third.messages == ()


def test_missed_after_exactly_two_days() -> None:
    plan = made()
    first = plan.sessions[0]
    on_time = review(plan, [], [], [], first.date + dt.timedelta(2))
    assert (first.week, first.number) not in on_time.missed
    late = review(plan, [], [], [], first.date + dt.timedelta(3))
    assert (first.week, first.number) in late.missed
    two_days_late = [done(first, first.date + dt.timedelta(2))]
    kept = review(plan, two_days_late, [], [], first.date + dt.timedelta(3))
    assert (first.week, first.number) not in kept.missed
    three_days_late = [done(first, first.date + dt.timedelta(3))]
    lost = review(plan, three_days_late, [], [], first.date + dt.timedelta(4))
    assert (first.week, first.number) in lost.missed


def test_plan_show_marks_held_weeks_and_missed_sessions(runner: CliRunner, _app_home: Path) -> None:
    start = (dt.date.today() - dt.timedelta(14)).isoformat()
    result = runner.invoke(cli, ["plan", "init", "--baseline", "160", "--start", start])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(cli, ["plan", "show"])
    assert shown.exit_code == 0, shown.output
    assert "Week 1: 0 of 3 runs done, so week 2 repeats 165 spm" in shown.stderr
    assert "(missed)" in shown.stdout and "(held" in shown.stdout
    assert "reviewed_weeks = [1]" in (_app_home / "plan.toml").read_text(encoding="utf-8")
    records = json.loads(runner.invoke(cli, ["plan", "show", "--json"]).stdout)
    assert records[0]["missed"] is True and records[0]["held"] is False
    assert any(r["held"] for r in records if r["week"] == 2)
    assert all(not r["held"] for r in records if r["week"] != 2)


def test_hand_edited_weeks_are_checked() -> None:
    text = plan_to_toml(made())
    bad = text.replace("week_cadences = ", "held_weeks = [2, 9]\nweek_cadences = ")
    try:
        parse_plan(bad, "plan.toml")
    except InputError as exc:
        assert "plan.toml:" in str(exc) and "week 9" in str(exc)
    else:
        raise AssertionError("held_weeks = [2, 9] was accepted")
