"""The plan listens: missed sessions, hold weeks, retention checks, pain (review.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    return make_plan(PlanSettings(baseline_spm=160, start=START))  # 164, 168, 172, 172


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
    assert new.week_cadences == (164, 164, 168, 172, 172)
    assert found.held_weeks == (1,) and new.held_weeks == (2,) and new.reviewed_weeks == (1,)
    assert week(new, 1) == week(plan, 1)
    assert [s.date for s in week(new, 2)] == [s.date for s in week(plan, 2)]
    assert {s.cadence_spm for s in runs(new, 2)} == {164}
    later = [s for s in new.sessions if s.week > 2]
    for old, moved in zip(plan.sessions[len(week(plan, 1)) :], later, strict=True):
        assert moved.date == old.date + dt.timedelta(7)
        assert (moved.week, moved.cadence_spm) == (old.week + 1, old.cadence_spm)
    assert no_two_runs_a_day(new)
    assert (1, runs(plan, 1)[1].number) in found.missed
    assert found.messages == (
        "Week 1: 1 of 3 runs done, so week 2 repeats 164 spm and the plan moves a week later.",
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
    low = review(plan, records, [retention(day, 164 * 0.96)], [], after(plan, 1))
    assert low.plan.week_cadences == (164, 164, 168, 172, 172)
    assert "more than 3% below 164 spm" in low.messages[0]
    near = review(plan, records, [retention(day, 164 * 0.98)], [], after(plan, 1))
    assert near.plan.week_cadences == plan.week_cadences


def test_pain_holds_and_steps_back() -> None:
    plan = made()
    records = [done(s) for s in runs(plan, 1) + runs(plan, 2)]
    day = runs(plan, 2)[1].date
    found = review(plan, records, [], [pain(day, 5)], after(plan, 2))
    new = found.plan
    assert new.week_cadences == (164, 168, 164, 168, 172, 172)
    assert new.held_weeks == (3, 4) and found.held_weeks == (2,)
    assert {s.cadence_spm for s in runs(new, 3)} == {164}
    assert no_two_runs_a_day(new)
    (message,) = found.messages
    assert "Pain of 5/10" in message and "steps back to 164 spm" in message
    assert "see a physiotherapist if the pain persists" in message
    mild = review(plan, records, [], [pain(day, 3)], after(plan, 2))
    assert mild.plan.week_cadences == plan.week_cadences


def test_pain_in_week_one_steps_back_to_the_baseline() -> None:
    plan = made()
    records = [done(s) for s in runs(plan, 1)]
    found = review(plan, records, [], [pain(START, 4)], after(plan, 1))
    assert found.plan.week_cadences[:3] == (164, 160, 164)


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
    assert "Week 1: 0 of 3 runs done, so week 2 repeats 164 spm" in shown.stderr
    assert "(missed)" in shown.stdout and "(held" in shown.stdout
    # Today is week 3's first day: weeks 1 and 2 (the repeat, also not run) are settled.
    assert "Week 2: 0 of 3 runs done, so week 3 repeats 164 spm" in shown.stderr
    assert "reviewed_weeks = [1, 2]" in (_app_home / "plan.toml").read_text(encoding="utf-8")
    records = json.loads(runner.invoke(cli, ["plan", "show", "--json"]).stdout)
    assert records[0]["missed"] is True and records[0]["held"] is False
    assert any(r["held"] for r in records if r["week"] == 2)
    assert all(r["held"] == (r["week"] in (2, 3)) for r in records)


def test_hand_edited_weeks_are_checked() -> None:
    text = plan_to_toml(made())
    bad = text.replace("week_cadences = ", "held_weeks = [2, 9]\nweek_cadences = ")
    try:
        parse_plan(bad, "plan.toml")
    except InputError as exc:
        assert "plan.toml:" in str(exc) and "week 9" in str(exc)
    else:
        raise AssertionError("held_weeks = [2, 9] was accepted")


# --- week boundaries: a week's verdict is settled on the next week's first day ------------------


def test_the_issue_s_week_two_is_the_same_on_monday_and_tuesday() -> None:
    # plan init --baseline 162 --start 2026-11-30, done once in week 1 (Mon 30 Nov).
    plan = make_plan(PlanSettings(baseline_spm=162, start=dt.date(2026, 11, 30)))
    records = [done(runs(plan, 1)[0])]
    monday = review(plan, records, [], [], dt.date(2026, 12, 7))
    tuesday = review(plan, records, [], [], dt.date(2026, 12, 8))
    assert monday.plan.week_cadences[:2] == tuesday.plan.week_cadences[:2] == (166, 166)
    assert monday.messages == (
        "Week 1: 1 of 3 runs done, so week 2 repeats 166 spm and the plan moves a week later.",
    )
    assert 1 in monday.plan.reviewed_weeks and 2 in monday.plan.held_weeks


def test_nothing_done_for_three_weeks_is_no_step_up_today() -> None:
    today = dt.date(2026, 12, 3)
    plan = make_plan(PlanSettings(baseline_spm=162, start=today - dt.timedelta(21)))
    found = review(plan, [], [], [], today)
    (run,) = [s for s in found.plan.sessions if s.date == today]
    assert run.cadence_spm == plan.week_cadences[0] == 166


def test_a_session_done_after_its_week_ends_does_not_count() -> None:
    plan = made()
    last = runs(plan, 1)[-1]  # Friday: two days' grace would reach Sunday, the week's end
    monday = week(plan, 2)[0].date
    late = review(plan, [done(s) for s in runs(plan, 1)[:1]] + [done(last, monday)], [], [], monday)
    assert late.plan.week_cadences[1] == 164  # held: only 1 of 3 counted
    on_sunday = [done(s) for s in runs(plan, 1)[:1]] + [done(last, monday - dt.timedelta(1))]
    kept = review(plan, on_sunday, [], [], monday)
    assert kept.plan.week_cadences[1] == 168 and (1, last.number) not in kept.missed


def snapshot(plan: Plan, week_number: int) -> object:
    """What the runner was told about weeks 1 to ``week_number`` + 1."""
    last = week_number + 1
    return (
        plan.week_cadences[:last],
        [w for w in plan.held_weeks if w <= last],
        [(s.week, s.number, s.date, s.cadence_spm) for s in plan.sessions if s.week <= last],
    )


def begun(plan: Plan, today: dt.date) -> list[int]:
    """Weeks N whose next week has begun by ``today`` (its first session is not later)."""
    firsts: dict[int, dt.date] = {}
    for s in plan.sessions:
        firsts.setdefault(s.week, s.date)
    return [w for w in firsts if w + 1 in firsts and firsts[w + 1] <= today]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 3),
    st.integers(0, 2),
    st.lists(st.sampled_from([None, 0, 0, 0, -1, -2, 1, 7]), min_size=42, max_size=42),
    st.lists(st.integers(0, 41), max_size=2),
    st.lists(st.tuples(st.integers(0, 41), st.integers(155, 175)), max_size=4),
)
def test_a_week_s_verdict_never_changes_once_the_next_week_has_begun(
    run_days: int,
    strength_days: int,
    actions: list[int | None],
    pain_days: list[int],
    checks: list[tuple[int, int]],
) -> None:
    original = make_plan(
        PlanSettings(160, run_days=run_days, strength_days=strength_days, start=START)
    )
    records: list[SessionRecord] = []
    pains = [pain(START + dt.timedelta(d), 5) for d in pain_days]
    retained = [retention(START + dt.timedelta(d), spm) for d, spm in checks]
    current = original
    told: dict[int, object] = {}
    for offset, action in enumerate(actions):
        today = START + dt.timedelta(offset)
        hurt = [p for p in pains if p.day <= today]
        held = [r for r in retained if r.day <= today]
        # The runner opens stridebeat today (the plan as saved) ...
        current = review(current, records, held, hurt, today).plan
        # ... or only today, after days away: the same plan either way.
        once = review(original, records, held, hurt, today).plan
        for number in begun(once, today):
            assert snapshot(once, number) == snapshot(current, number)
            if number in told:
                assert snapshot(once, number) == told[number], (number, today)
            told[number] = snapshot(once, number)
        if action is not None:  # the runner does (or marks) a session of the plan they see
            day = today + dt.timedelta(action)
            planned = next((s for s in current.sessions if s.date == day), None)
            if planned is not None:
                records.append(done(planned, today))
