from __future__ import annotations

import dataclasses
import datetime
import math
import re
from pathlib import Path

import pytest
import soundfile as sf
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.cli.app import cli
from stridebeat.cues.schedule import Cue, assemble, schedule_cues
from stridebeat.cues.script import find_script, load_cue_scripts, load_script
from stridebeat.engine.session import (
    BLOCK_KINDS,
    METRONOME_OFF,
    Block,
    BlockKind,
    Metronome,
    Ramp,
    Rhythm,
    Session,
    Steady,
    parse_session,
    session_to_toml,
)
from stridebeat.engine.timeline import Timeline
from stridebeat.errors import FileInputError, InputError
from stridebeat.training.explain import EXPLANATION
from stridebeat.training.plan import (
    RUN_DAYS,
    Plan,
    PlannedSession,
    find_session,
    make_plan,
    next_session,
    session_on,
)
from stridebeat.training.planfile import load_plan, parse_plan, plan_path, plan_to_toml, save_plan
from stridebeat.training.progression import (
    HOLD_WEEKS,
    RUN_DAYS_RANGE,
    WEEKLY_CAP,
    PlanSettings,
    holding,
    max_target,
    minimum_weeks,
    weekly_cadences,
)
from stridebeat.training.workouts import (
    ACTIVATION_SECONDS,
    EXERCISES,
    RUN_MINUTES,
    STANCE_CHECK_SECONDS,
    STRENGTH_MINUTES,
    strength_minutes,
)
from tests.test_cues import RATE, words

MONDAY = datetime.date(2026, 12, 7)


def default_plan(baseline: float = 160, **kwargs: object) -> Plan:
    return make_plan(PlanSettings(baseline, start=MONDAY, **kwargs))  # type: ignore[arg-type]


def runs(plan: Plan) -> list[PlannedSession]:
    return [s for s in plan.sessions if s.kind == "run"]


def block(planned: PlannedSession, name: str) -> Block | None:
    return next((b for b in planned.session.blocks if b.name == name), None)


def cadence_work(planned: PlannedSession) -> float:
    return sum(b.duration for b in planned.session.blocks if b.name.startswith("Part "))


# --- the numbers, written out ------------------------------------------------------------------


def test_default_plan_for_160_spm() -> None:
    plan = default_plan(160)
    # +7.5%: 160 x 1.075 = 172. 3% of 160 is 4.8, so each week rises 4 (whole spm, rounded
    # down): 164, 168, then 172 (the target); then one hold week.
    assert plan.target_spm == 172
    assert plan.week_cadences == (164, 168, 172, 172)
    assert minimum_weeks(160, 172) == 4
    assert plan.notes == (
        "Target: 172 spm, +7.5% on 160 spm (the default).",
        "4 weeks: 3 of rising (at most 3% of your baseline a week), then 1 holding 172 spm "
        "(the fewest the weekly cap allows).",
    )
    week1 = [(s.number, s.date.strftime("%a"), s.kind) for s in plan.sessions if s.week == 1]
    assert week1 == [
        (1, "Mon", "run"),
        (2, "Tue", "strength"),
        (3, "Wed", "run"),
        (4, "Fri", "run"),
        (5, "Sat", "strength"),
    ]
    # 12 runs: continuous in runs 1-4 and run 7 (first after the step to 172); the 7 faded
    # runs go through the four stages a quarter at a time: 4 * j // 7 = 0,0,1,1,2,2,3.
    shares = [r.metronome_share for r in runs(plan)]
    assert shares == [1, 1, 1, 1, 0.75, 0.75, 1, 0.5, 0.5, 0.25, 0.25, 0.1]
    # cadence work: 15 + round(15 * i / 11) minutes
    assert [cadence_work(r) / 60 for r in runs(plan)] == [
        15,
        16,
        18,
        19,
        20,
        22,
        23,
        25,
        26,
        27,
        29,
        30,
    ]
    first = plan.sessions[0]
    # 1:40 stance check + 7:34 activation + 5 easy + 15 cadence work + 5 cool-down
    assert first.minutes == pytest.approx((100 + 454 + 300 + 900 + 300) / 60)
    # strength: 2 sets of each exercise in week 1, then 3
    two, three = strength_minutes(2), strength_minutes(3)
    assert [s.minutes for s in plan.sessions if s.kind == "strength"] == [two] * 2 + [three] * 6


def test_more_weeks_add_hold_weeks() -> None:
    assert default_plan(160, weeks=6).week_cadences == (164, 168, 172, 172, 172, 172)
    # 170 x 1.075 = 182.75, but a default never goes above 180; 3% of 170 is 5.1: 175, 180
    assert default_plan(170).week_cadences == (175, 180, 180)
    assert default_plan(170).target_spm == 180
    # +10%: 165 x 1.10 = 181.5 -> 182 (a warning starts above +10%)
    plan = default_plan(165, target_percent=10.0)
    assert plan.target_spm == 182 and not any("Warning" in n for n in plan.notes)


def test_fast_runner_gets_a_holding_plan() -> None:
    plan = default_plan(178)
    assert plan.target_spm == 178 and plan.week_cadences == (178,) * HOLD_WEEKS
    assert "holding plan" in plan.notes[0]
    asked = default_plan(178, target_spm=178)  # the target is the baseline: accepted, holding
    assert asked.week_cadences == plan.week_cadences
    assert default_plan(175.4).week_cadences == (175,) * HOLD_WEEKS
    assert default_plan(200).week_cadences == (200,) * HOLD_WEEKS  # no refusal: hold it
    assert default_plan(162, target_spm=162).week_cadences == (162,) * HOLD_WEEKS
    # The same warm-ups, strength days, fading metronome and retention checks.
    assert [r.metronome_share for r in runs(plan)][:5] == [1, 1, 1, 1, 0.75]
    assert sum(r.retention_check for r in runs(plan)) == HOLD_WEEKS
    assert sum(s.kind == "strength" for s in plan.sessions) == 2 * HOLD_WEEKS
    assert all(r.session.cues[r.stance_check] == "activation" for r in runs(plan))
    assert [r.week for r in runs(plan) if r.stance_check] == list(range(1, HOLD_WEEKS + 1))
    # A rise is still there for the asking: at most +5%, never above 185.
    assert max_target(176) == 185 and max_target(175) == 184  # 175 x 1.05 = 183.75
    assert default_plan(178, target_spm=181).week_cadences == (181, 181)


@pytest.mark.parametrize("baseline", [150.0, 167.5, 168.0, 172.3, 174.9, 175.0, 178.0, 200.0])
def test_a_default_target_is_never_above_180(baseline: float) -> None:
    plan = default_plan(baseline)
    assert max(plan.week_cadences) <= max(180, round(baseline))


@pytest.mark.parametrize(
    ("target_spm", "note"),
    [(178, "Warning: a target of 178 spm is +11.3%"), (166, "+3.8%, less than the +5 to +10%")],
)
def test_targets_outside_the_studied_range_get_a_note(target_spm: int, note: str) -> None:
    assert any(note in n for n in default_plan(160, target_spm=target_spm).notes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"baseline_spm": 119.9}, "119.9 spm is outside 120-220 spm"),
        ({"baseline_spm": 221}, "outside 120-220 spm"),
        ({"baseline_spm": math.nan}, "outside 120-220 spm"),
        ({"target_spm": 159}, "159 spm is below your baseline of 160 spm"),
        ({"target_spm": 150}, "or 160 to hold your cadence"),
        ({"target_spm": 185}, "too high: the most is 184 spm"),
        ({"target_percent": 16.0}, r"\+16% \(186 spm\) is too high"),
        ({"target_percent": -5.0}, "-5% (152 spm) is below"),
        ({"target_spm": 170, "target_percent": 5.0}, "not both"),
        ({"baseline_spm": 180, "target_spm": 186}, "the most is 185 spm"),
        ({"baseline_spm": 180, "target_percent": 7.5}, "the most is 185 spm"),
        ({"weeks": 0}, "a plan needs at least 4 weeks"),
        ({"weeks": -2}, "at least 4 weeks"),
        ({"weeks": 3}, "needs at least 4 weeks"),
        ({"weeks": 27}, "more than 26"),
        ({"run_days": 0}, "0 run days a week: give 1 to 6"),
        ({"run_days": 7}, "give 1 to 6"),
        ({"strength_days": -1}, "give 0 to 3"),
        ({"strength_days": 4}, "give 0 to 3"),
        ({"run_days": 5, "strength_days": 3}, "give at most 2 strength days"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    fields = {"baseline_spm": 160.0, **kwargs}
    with pytest.raises(InputError, match=re.escape(message) if "\\" not in message else message):
        make_plan(PlanSettings(start=MONDAY, **fields))  # type: ignore[arg-type]


def test_every_allowed_number_of_run_days_has_a_layout() -> None:
    low, high = RUN_DAYS_RANGE
    assert sorted(RUN_DAYS) == list(range(low, high + 1))
    assert all(len(days) == n and max(days) < 7 for n, days in RUN_DAYS.items())


# --- properties over many settings -------------------------------------------------------------


@st.composite
def plan_settings(draw: st.DrawFn) -> PlanSettings:
    baseline = draw(st.integers(1200, 2200)) / 10  # 175+ holds by default
    most = max_target(baseline)
    way = draw(st.sampled_from(["default", "spm", "percent"]))
    target_spm = target_percent = None
    if way == "spm":
        target_spm = draw(st.integers(round(baseline), most))
    elif way == "percent":
        top = 5.0 if baseline >= 175 else 15.0
        target_percent = draw(st.integers(5, int(top * 10))) / 10
        if not baseline < round(baseline * (1 + target_percent / 100)) <= most:
            target_percent = None
    run_days = draw(st.integers(1, 6))
    strength_days = draw(st.integers(0, min(3, 7 - run_days)))
    start = draw(st.dates(datetime.date(2024, 1, 1), datetime.date(2032, 12, 31)))
    chosen = PlanSettings(
        baseline, target_spm, target_percent, None, run_days, strength_days, start=start
    )
    extra = draw(st.none() | st.integers(0, 3))
    if extra is None:
        return chosen
    weeks = len(make_plan(chosen).week_cadences) + extra
    return dataclasses.replace(chosen, weeks=weeks)


@settings(max_examples=120, deadline=None)
@given(plan_settings())
def test_cadence_rises_within_the_cap_reaches_the_target_and_holds(chosen: PlanSettings) -> None:
    plan = make_plan(chosen)
    baseline, target, weekly = chosen.baseline_spm, plan.target_spm, plan.week_cadences
    # No week rises more than the plan states: 3% of the baseline (rounding never adds).
    for before, after in zip((baseline, *weekly), weekly, strict=False):
        assert after - before <= WEEKLY_CAP * baseline + 1e-9
        assert after >= before or after == round(baseline)  # never falls (a hold may round)
    assert weekly[-1] == target and weekly.index(target) < len(weekly) - 1  # a hold week
    assert all(c == target for c in weekly[weekly.index(target) :])
    default = HOLD_WEEKS if holding(baseline, target) else minimum_weeks(baseline, target)
    assert len(weekly) == (chosen.weeks or default)
    assert target == (chosen.target_spm or target)
    assert target <= max_target(baseline)


@settings(max_examples=400, deadline=None)
@given(
    st.floats(120, 220, allow_nan=False),
    st.floats(0, 1),
    st.integers(0, 4),
)
def test_no_week_rises_more_than_3_percent_of_the_baseline(
    baseline: float, where: float, extra: int
) -> None:
    low, high = round(baseline), max_target(baseline)
    target = low + round(where * (high - low))
    weeks = minimum_weeks(baseline, target) + extra
    weekly = weekly_cadences(baseline, target, weeks)
    assert len(weekly) == weeks and weekly[-1] == target
    for before, after in zip((baseline, *weekly), weekly, strict=False):
        assert after - before <= WEEKLY_CAP * baseline + 1e-9, (before, after)
    if not holding(baseline, target):
        assert weekly[-2] == target  # reached, then held a week


@settings(max_examples=120, deadline=None)
@given(plan_settings())
def test_sessions_are_dated_numbered_and_sized(chosen: PlanSettings) -> None:
    plan = make_plan(chosen)
    dates = [s.date for s in plan.sessions]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)  # one session a day
    for week in range(1, len(plan.week_cadences) + 1):
        in_week = [s for s in plan.sessions if s.week == week]
        assert [s.number for s in in_week] == list(range(1, len(in_week) + 1))
        first_day = chosen.start + datetime.timedelta(7 * (week - 1))
        assert all(0 <= (s.date - first_day).days <= 6 for s in in_week)
        kinds = [s.kind for s in in_week]
        assert kinds.count("run") == chosen.run_days
        assert kinds.count("strength") == chosen.strength_days
        week_runs = [s for s in in_week if s.kind == "run"]
        assert [s.retention_check for s in week_runs] == [False] * (len(week_runs) - 1) + [True]
        assert all(s.cadence_spm == plan.week_cadences[week - 1] for s in week_runs)
    for planned in plan.sessions:
        low, high = RUN_MINUTES if planned.kind == "run" else STRENGTH_MINUTES
        assert low <= planned.minutes <= high
        routines = ACTIVATION_SECONDS if planned.kind == "run" else 0
        routines += STANCE_CHECK_SECONDS if planned.stance_check else 0
        assert planned.minutes == pytest.approx((planned.session.duration + routines) / 60)
    # The stance check: once a week, before the week's first run.
    checks = [(s.week, s.number, s.kind) for s in plan.sessions if s.stance_check]
    assert checks == [(w, 1, "run") for w in range(1, len(plan.week_cadences) + 1)]


@settings(max_examples=120, deadline=None)
@given(plan_settings())
def test_runs_start_with_activation_and_the_metronome_fades(chosen: PlanSettings) -> None:
    plan = make_plan(chosen)
    all_runs = runs(plan)
    for i, run in enumerate(all_runs):
        # its routine plays first, after the week's stance check
        assert run.session.cues[:2] == (
            ("stance-check", "activation") if run.number == 1 else ("activation", "cadence")
        )
        step = (
            i > 0
            and run.week != all_runs[i - 1].week
            and plan.week_cadences[run.week - 1] != plan.week_cadences[run.week - 2]
        )
        # Continuous exactly in the first four runs and the first run after a step ...
        assert (run.metronome_share == 1.0) == (i < 4 or step)
        # ... and the glutes form cues thin out with the share.
        parts_with_cues = sum("glutes" in b.cues for b in run.session.blocks)
        share = run.metronome_share
        assert parts_with_cues == (2 if share >= 0.75 else 1 if share >= 0.25 else 0)
        check = block(run, "Retention check")
        assert (check is not None) == run.retention_check
        if check is not None:
            assert check.kind == "check" and check.metronome == METRONOME_OFF
            assert check.clicks == Steady(run.cadence_spm or 0) and check.cues == ("retention",)
    # ... every other run is faded, and faded shares never rise.
    faded = [r.metronome_share for r in all_runs if r.metronome_share < 1.0]
    assert faded == sorted(faded, reverse=True)
    # The cadence work grows from 15 minutes to 30, never shrinking.
    work = [cadence_work(r) for r in all_runs]
    assert work[0] == 15 * 60 and work[-1] == 30 * 60 and work == sorted(work)


@settings(max_examples=60, deadline=None)
@given(plan_settings())
def test_plan_file_round_trip(chosen: PlanSettings) -> None:
    plan = make_plan(chosen)
    assert parse_plan(plan_to_toml(plan), "plan.toml") == plan


def test_every_plan_session_writes_as_a_session_file() -> None:
    for planned in default_plan(160).sessions:
        assert parse_session(session_to_toml(planned.session)) == planned.session


names = st.text(st.characters(codec="utf-8", exclude_characters=","), min_size=1, max_size=12)
seconds = st.integers(1, 5 * 3600).map(float) | st.integers(1, 999).map(lambda n: n + 0.5)
cadences = st.integers(30, 300) | st.floats(30, 300, allow_nan=False)


@st.composite
def session_blocks(draw: st.DrawFn) -> Block:
    kind: BlockKind = draw(st.sampled_from(BLOCK_KINDS))
    clicks: Steady | Ramp | Rhythm | None
    if kind in ("run", "check"):
        clicks = draw(st.builds(Steady, cadences) | st.builds(Ramp, cadences, cadences))
    else:
        clicks = draw(
            st.none() | st.builds(Rhythm, st.tuples(seconds) | st.tuples(seconds, seconds))
        )
    metronome = draw(
        st.sampled_from([Metronome(), METRONOME_OFF]) | st.builds(Metronome, seconds, seconds)
    )
    cues = draw(st.lists(names.filter(str.strip).map(str.strip), max_size=2).map(tuple))
    return Block(kind, draw(seconds), clicks, draw(st.text(max_size=12)), metronome, cues)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(session_blocks(), min_size=1, max_size=4),
    st.text(max_size=20),
    st.lists(names.filter(str.strip).map(str.strip), max_size=3),
)
def test_session_to_toml_round_trip(blocks: list[Block], title: str, cues: list[str]) -> None:
    session = Session(tuple(blocks), title, cues=tuple(cues))
    assert parse_session(session_to_toml(session)) == session


# --- hand edits --------------------------------------------------------------------------------


def edit(text: str, entry: int | None, key: str, value: str | None) -> tuple[str, int]:
    """Set (or add, or with None delete) ``key`` in the entry-th [[session]] (None: the top)."""
    lines = text.splitlines()
    headers = [i for i, line in enumerate(lines) if line == "[[session]]"]
    if entry is None:
        start, end = 0, headers[0]
    else:
        start = headers[entry]
        end = headers[entry + 1] if entry + 1 < len(headers) else len(lines)
    found = next((i for i in range(start, end) if lines[i].startswith(f"{key} =")), None)
    if value is None:
        assert found is not None
        del lines[found]
        return "\n".join(lines), found + 1
    if found is None:
        found = start + 1 if entry is not None else end - 1
        lines.insert(found, "")
    lines[found] = f"{key} = {value}"
    return "\n".join(lines) + "\n", found + 1


PLAN_TEXT = plan_to_toml(default_plan(160))


@pytest.mark.parametrize(
    ("entry", "key", "value", "message"),
    [
        (0, "date", "2026-02-30", "not valid TOML"),
        (0, "date", '"soon"', "'soon' is not a date: write it as YYYY-MM-DD"),
        (0, "date", "2026-12-07T08:00:00", "has a time of day"),
        (0, "cadence_spm", "400", "400 spm is out of range"),
        (0, "cadence_spm", "170.5", "170.5 is not a whole number"),
        (0, "cadence_spm", '"fast"', "write cadence_spm = 170"),
        (0, "kind", '"rnu"', "unknown kind 'rnu'; did you mean 'run'?"),
        (0, "minutes", "80", "a run lasts 25 to 55 minutes"),
        (0, "metronome", '"sometimes"', "is not a metronome setting"),
        (0, "retention_check", '"yes"', "write retention_check = true"),
        (0, "week", "9", "the plan has weeks 1-4"),
        (1, "number", "3", "this is session 2 of week 1 in date order: write number = 2"),
        (0, "cadense_spm", "170", "unknown key 'cadense_spm'; did you mean 'cadence_spm'?"),
        (1, "minutes", "25", "lasts 27.30 minutes (2 sets) or 38.67 minutes (3 sets); write one"),
        (1, "cadence_spm", "170", "a strength session has no cadence_spm"),
        (1, "retention_check", "true", "only runs end with a retention check"),
        (2, "date", "2026-12-06", "before the previous session's 2026-12-08"),
        (6, "week", "1", "week = 1 comes after a session of week 2"),
        (None, "baseline_spm", "300.0", "baseline_spm: a baseline of 300 spm is outside"),
        (None, "weeks", "3", "needs at least 4 weeks"),
        (None, "baselin_spm", "160.0", "did you mean 'baseline_spm'?"),
        (None, "week_cadences", "[165, 1000]", "out of range"),
        (None, "start", '"monday"', "'monday' is not a date"),
    ],
)
def test_hand_edits_are_checked_at_their_line(
    entry: int | None, key: str, value: str, message: str
) -> None:
    text, line = edit(PLAN_TEXT, entry, key, value)
    with pytest.raises(FileInputError, match=re.escape(message)) as caught:
        parse_plan(text, "plan.toml")
    assert caught.value.line == line
    assert str(caught.value).startswith(f"plan.toml:{line}: ")


def test_two_runs_on_one_day_are_refused() -> None:
    text, _ = edit(PLAN_TEXT, 1, "date", "2026-12-07")  # the strength day may share a day
    parse_plan(text, "plan.toml")
    text, line = edit(text, 2, "date", "2026-12-07")
    with pytest.raises(FileInputError, match="two runs on 2026-12-07") as caught:
        parse_plan(text, "plan.toml")
    assert caught.value.line == line


@pytest.mark.parametrize(
    ("entry", "key", "message"),
    [(None, "start", "missing start"), (0, "cadence_spm", "missing cadence_spm")],
)
def test_missing_keys_are_named(entry: int | None, key: str, message: str) -> None:
    text, _ = edit(PLAN_TEXT, entry, key, None)
    with pytest.raises(FileInputError, match=message):
        parse_plan(text, "plan.toml")


def test_a_plan_without_sessions_is_refused() -> None:
    with pytest.raises(FileInputError, match="no \\[\\[session\\]\\]"):
        parse_plan(PLAN_TEXT.split("\n[[session]]\n")[0], "plan.toml")


def test_hand_edits_are_played_as_written() -> None:
    text = PLAN_TEXT
    for key, value in [
        ("date", "2026-12-08"),  # the same day as the strength session after it
        ("cadence_spm", "168"),
        ("minutes", "40"),
        ("metronome", '"2m/2m"'),
        ("retention_check", "true"),
    ]:
        text, _ = edit(text, 0, key, value)
    text, _ = edit(text, 1, "minutes", "31.08")  # 3 sets in week 1
    plan = parse_plan(text, "plan.toml")
    run, strength = plan.sessions[:2]
    assert (run.date, run.cadence_spm, run.minutes) == (datetime.date(2026, 12, 8), 168, 40.0)
    assert run.metronome == Metronome(120.0, 120.0) and run.metronome_share == 0.5
    part_one, part_two = block(run, "Part one"), block(run, "Part two")
    assert part_one is not None and part_two is not None
    assert part_one.clicks == Steady(168) and (part_one.cues, part_two.cues) == (("glutes",), ())
    # 40 minutes - 1:40 stance check - 7:34 activation - 5 easy - 2 check - 5 cool-down
    assert cadence_work(run) == 40 * 60 - 100 - 454 - 300 - 120 - 300
    assert block(run, "Retention check") is not None
    assert block(strength, "Squats, set 3") is not None
    assert session_on(plan, datetime.date(2026, 12, 8)) == run
    assert parse_plan(plan_to_toml(plan), "plan.toml") == plan


# --- finding sessions, files -------------------------------------------------------------------


def test_finding_sessions() -> None:
    plan = default_plan(160)
    thursday = MONDAY + datetime.timedelta(3)
    assert session_on(plan, MONDAY) == plan.sessions[0]
    assert session_on(plan, thursday) is None
    following = next_session(plan, thursday)
    assert following is not None and (following.week, following.number) == (1, 4)
    assert next_session(plan, plan.sessions[-1].date) is None
    assert find_session(plan, 2, 3).date == MONDAY + datetime.timedelta(9)
    with pytest.raises(InputError, match="week 2 has no session 9: it has sessions 1-5"):
        find_session(plan, 2, 9)
    with pytest.raises(InputError, match="the plan has no week 7: its weeks are 1-4"):
        find_session(plan, 7, 1)


def test_save_and_load(_app_home: Path) -> None:
    plan = default_plan(163.4, target_spm=174, weeks=5, run_days=4, strength_days=3)
    assert plan_path() == _app_home / "plan.toml"
    target = _app_home / "new" / "plan.toml"
    save_plan(plan, target)
    assert load_plan(target) == plan
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.toml"]
    with pytest.raises(FileInputError, match="no such plan file"):
        load_plan(_app_home / "missing.toml")


def test_explanation_cites_the_evidence_and_owns_the_ramp() -> None:
    for source in (
        "Heiderscheit", "Lenhart", "Willy", "Davis", "Bonacci", "Van Dyck", "Winstein",
        "Running from your glutes",
    ):  # fmt: skip
        assert source in EXPLANATION
    flat = " ".join(EXPLANATION.split())
    assert "That weekly ramp is stridebeat's choice, not a finding of those trials" in flat
    assert "used one fixed target from the first session; they did not ramp" in flat
    assert max(len(line) for line in EXPLANATION.splitlines()) <= 90


# --- the sessions play: cue scripts fit, and a real render -------------------------------------


def scheduled(planned: PlannedSession) -> tuple[Timeline, tuple[Cue, ...]]:
    scripts = load_cue_scripts((), planned.session)
    played, block_scripts = assemble(planned.session, (), scripts)
    timeline = Timeline(played, RATE)
    return timeline, schedule_cues(timeline, block_scripts, words)


def test_activation_routine_is_as_long_as_the_plan_counts() -> None:
    routine = load_script(find_script("activation")).routine
    assert sum(b.duration for b in routine) == ACTIVATION_SECONDS


def test_a_run_with_a_retention_check_schedules() -> None:
    run = runs(default_plan(160))[-1]
    timeline, cues = scheduled(run)
    assert timeline.spans[0].block.name == "glute bridges"  # the activation routine first
    assert timeline.length == round(run.minutes * 60 * RATE)
    check = next(s for s in timeline.spans if s.block.kind == "check")
    said = {
        c.text: (c.frame - check.start) / RATE for c in cues if check.start <= c.frame < check.end
    }
    step = 60 / 172
    assert said["Retention check. Metronome off: hold this rhythm on your own."] == 0
    assert 60 <= said["Go."] < 60 + step
    assert 90 <= said["Stop. Double your count: that is your cadence. The aim was 172."] < 90 + step


def test_every_run_of_a_plan_schedules_with_its_form_cues() -> None:
    glutes = 0
    for run in runs(default_plan(160)):  # every metronome stage and form-cue split
        timeline, cues = scheduled(run)
        parts = [i for i, s in enumerate(timeline.spans) if s.block.name.startswith("Part ")]
        spoken = [c for c in cues if c.block in parts and not c.structural]
        assert bool(spoken) == any("glutes" in timeline.spans[i].block.cues for i in parts)
        glutes += len(spoken)
    assert glutes > 50


@pytest.mark.parametrize("week", [1, 2])
def test_strength_sessions_schedule_with_every_rep_counted(week: int) -> None:
    strength = next(
        s for s in default_plan(160).sessions if s.kind == "strength" and s.week == week
    )
    timeline, cues = scheduled(strength)
    for index, span in enumerate(timeline.spans):
        in_block = [c for c in cues if c.block == index]
        if span.block.kind == "strength":
            reps = len(timeline.clicks_between(span.start, span.end)) // len(
                span.block.clicks.intervals  # type: ignore[union-attr]
            )
            assert [c.text for c in in_block] == [str(n) for n in range(1, reps + 1)]
        if span.block.name in {e.name for e in EXERCISES}:
            (how_to,) = in_block
            assert how_to.text.startswith(span.block.name) and how_to.end <= span.end


def test_a_planned_run_renders_from_its_session_file(runner: CliRunner, tmp_path: Path) -> None:
    run = default_plan(160).sessions[0]
    path = tmp_path / "w01-s1.toml"
    path.write_text(session_to_toml(run.session))
    output = tmp_path / "run.wav"
    result = runner.invoke(
        cli, ["render", str(path), "-o", str(output), "--no-speech", "--sample-rate", "8000"]
    )
    assert result.exit_code == 0, result.output
    assert sf.info(str(output)).duration == pytest.approx(run.minutes * 60)
    assert "Part one. Cadence rising to 164." in result.output
