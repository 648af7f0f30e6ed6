"""The multi-week cadence plan: from a runner's settings to dated run and strength sessions.

Pure: ``make_plan`` asks ``progression`` for the target and each week's cadence, lays the
sessions out on the calendar, prescribes each run, and has ``workouts`` build the blocks each
session plays. ``planfile`` writes and reads the plan as a human-readable file. The rules, and
where the issue left a choice, the choice made:

- **Days.** Week w covers start + 7(w - 1) to + 6. Runs sit on fixed, evenly spread days
  (``RUN_DAYS``); strength days take the free days spread furthest apart. One session a day.
  Sessions are numbered within their week in date order, runs and strength alike.
- **Cadence work.** It grows from 15 minutes (first run) to 30 by the 18th run (Davis 2020:
  8-18 sessions growing from 15 to 30 minutes), then stays. Each week's last run ends with a
  retention check.
- **Metronome.** Continuous in the first four runs, and in the first run after each cadence
  step. Every other run is *faded*: the faded runs, in date order, go through 3m on / 1m off,
  2m/2m, 1m/3m and check-ins (30 s every 5 minutes), each stage a quarter of them. So the
  share of faded runs never rises; only the continuous runs after a step break the descent,
  because a new cadence has to be heard before it can be held.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from stridebeat.engine.session import METRONOME_ON, Metronome, Session
from stridebeat.errors import InputError
from stridebeat.training.progression import PlanSettings, check_settings, weekly_cadences
from stridebeat.training.workouts import (
    HIP_DROP_ADVICE,
    PART_NAMES,
    SET_CHOICES,
    STANCE_CHECK_CUES,
    STANCE_CHECK_SECONDS,
    metronome_share,
    minutes_of,
    run_overhead,
    run_session,
    strength_minutes,
    strength_session,
    strength_sets,
)

KINDS = ("run", "strength")

# Day offsets within a week, spread as evenly as 7 days allow.
RUN_DAYS: dict[int, tuple[int, ...]] = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 2, 4, 6),
    5: (0, 1, 3, 4, 6),
    6: (0, 1, 2, 3, 4, 5),
}

CONTINUOUS_RUNS = 4  # Davis 2020: continuous feedback in sessions 1-4
FADES = (
    Metronome(on=180.0, off=60.0),
    Metronome(on=120.0, off=120.0),
    Metronome(on=60.0, off=180.0),
    Metronome(on=30.0, off=270.0),  # check-ins
)

RETRAINING_MINUTES = (15, 30)
GROWTH_RUNS = 18  # runs over which the cadence work grows from 15 to 30 minutes


# --- the model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedSession:
    week: int  # 1-based
    number: int  # 1-based within its week, in date order, runs and strength alike
    date: datetime.date
    kind: str  # "run" or "strength"
    cadence_spm: int | None  # runs: the cadence of the cadence work; strength: None
    minutes: float  # the whole session audio, warm-up included
    metronome_share: float  # share of the cadence work with the click audible (strength: 1.0)
    retention_check: bool  # the run ends its cadence work with a retention check
    session: Session  # the blocks to play, as a hand-written session file would give them

    @property
    def stance_check(self) -> bool:
        """The session starts with the single-leg stance self-check."""
        return any(name in self.session.cues for name in STANCE_CHECK_CUES)

    @property
    def hip_drop(self) -> bool:
        """A strength day with extra glute medius work after a stance check's hip drop."""
        return any(block.name == HIP_DROP_ADVICE for block in self.session.blocks)

    @property
    def metronome(self) -> Metronome | None:
        """The metronome of the cadence work (runs), else None."""
        for block in self.session.blocks:
            if block.name == PART_NAMES[0]:
                return block.metronome
        return None


@dataclass(frozen=True)
class Plan:
    settings: PlanSettings
    target_spm: int
    week_cadences: tuple[int, ...]  # one per week
    sessions: tuple[PlannedSession, ...]  # in date order
    notes: tuple[str, ...]  # for the runner: warnings, optional increase, defaults applied
    reviewed_weeks: tuple[int, ...] = ()  # weeks the plan has looked back on (review.py)
    held_weeks: tuple[int, ...] = ()  # weeks inserted to repeat or step back a cadence


@dataclass(frozen=True)
class SessionSpec:
    """What a plan file says about one session; ``planned_session`` builds its blocks."""

    week: int
    number: int
    date: datetime.date
    kind: str
    cadence_spm: int | None
    minutes: float
    metronome: Metronome | None = None  # runs
    retention_check: bool = False
    # runs: starts with the stance check; None: the week's first session does (stance_first)
    stance_check: bool | None = None
    hip_drop: bool = False  # strength: the last stance check found a hip drop


# --- settings -> sessions --------------------------------------------------------------------


def make_plan(settings: PlanSettings) -> Plan:
    """Build the plan; bad settings raise InputError with one message saying what to change."""
    target, weeks, notes = check_settings(settings)
    cadences = weekly_cadences(settings.baseline_spm, target, weeks)
    days = _week_days(settings.run_days, settings.strength_days)
    slots = [
        (week, number, settings.start + datetime.timedelta(7 * (week - 1) + day), kind)
        for week in range(1, weeks + 1)
        for number, (day, kind) in enumerate(days, start=1)
    ]
    runs = iter(prescribe_runs([week for week, *_, kind in slots if kind == "run"], cadences))
    specs = []
    for week, number, day, kind in slots:
        if kind == "run":
            run = next(runs)
            stance = stance_first(number, kind)
            seconds = run_overhead(run.retention_check, stance) + 60 * run.work_minutes
            cadence, metronome, check = run.cadence_spm, run.metronome, run.retention_check
            spec = SessionSpec(
                week, number, day, kind, cadence, seconds / 60, metronome, check, stance
            )
        else:
            sets = strength_sets(week)
            spec = SessionSpec(week, number, day, kind, None, strength_minutes(sets))
        specs.append(spec)
    sessions = tuple(planned_session(settings.baseline_spm, spec) for spec in specs)
    return number_runs(Plan(settings, target, cadences, sessions, tuple(notes)))


def number_runs(plan: Plan) -> Plan:
    """Each run's session starts its rotating form cues (glutes) at the run's place among the
    plan's runs: one run after another opens with a different cue, and over the plan every
    phrasing is heard about as often (cues/schedule.py, ``_phrasing``)."""
    sessions = []
    count = 0
    for planned in plan.sessions:
        if planned.kind == "run":
            if planned.session.rotation != count:
                planned = replace(planned, session=replace(planned.session, rotation=count))
            count += 1
        sessions.append(planned)
    return replace(plan, sessions=tuple(sessions))


def _week_days(run_days: int, strength_days: int) -> list[tuple[int, str]]:
    """(day offset, kind) of one week's sessions, in date order."""
    runs = RUN_DAYS[run_days]
    free = [day for day in range(7) if day not in runs]
    # Spread strength days as far apart as the free days allow; ties go to the earliest days.
    strength = min(
        itertools.combinations(free, strength_days), key=lambda days: (-_min_gap(days), days)
    )
    return sorted([(day, "run") for day in runs] + [(day, "strength") for day in strength])


def _min_gap(days: tuple[int, ...]) -> int:
    """The shortest distance between days of a weekly pattern, across the week's end too."""
    if len(days) < 2:
        return 7
    return min((b - a) % 7 for a, b in zip(days, (*days[1:], days[0]), strict=True))


# --- what each run asks for ----------------------------------------------------------------------


@dataclass(frozen=True)
class RunPrescription:
    """One run of the plan: its cadence, minutes of cadence work, metronome and check."""

    cadence_spm: int
    work_minutes: int
    metronome: Metronome
    retention_check: bool


def prescribe_runs(run_weeks: Sequence[int], cadences: Sequence[int]) -> list[RunPrescription]:
    """What each run asks for, given the week of each run in date order."""
    count = len(run_weeks)
    continuous = [
        i < CONTINUOUS_RUNS or _first_after_step(run_weeks, i, cadences) for i in range(count)
    ]
    faded = [i for i in range(count) if not continuous[i]]
    stage = {i: FADES[len(FADES) * j // len(faded)] for j, i in enumerate(faded)}
    last_of_week = {week: i for i, week in enumerate(run_weeks)}
    return [
        RunPrescription(
            cadence_spm=cadences[week - 1],
            work_minutes=retraining_minutes(i, count),
            metronome=METRONOME_ON if continuous[i] else stage[i],
            retention_check=last_of_week[week] == i,
        )
        for i, week in enumerate(run_weeks)
    ]


def _first_after_step(run_weeks: Sequence[int], i: int, cadences: Sequence[int]) -> bool:
    week = run_weeks[i]
    first_of_week = i == 0 or run_weeks[i - 1] != week
    return first_of_week and week > 1 and cadences[week - 1] != cadences[week - 2]


def retraining_minutes(run_index: int, run_count: int) -> int:
    """Minutes of cadence work in run ``run_index`` (0-based) of ``run_count``: 15 growing
    evenly to 30 over the first 18 runs (or all of them, if fewer), then 30."""
    low, high = RETRAINING_MINUTES
    span = min(run_count, GROWTH_RUNS) - 1
    if span <= 0:
        return low
    return low + round((high - low) * min(run_index, span) / span)


# --- sessions from what a plan file holds ----------------------------------------------------


def stance_first(number: int, kind: str) -> bool:
    """The weekly stance check goes before the week's first session when it is a run (as
    make_plan lays weeks out, it always is): once a week, fresh, before the activation."""
    return number == 1 and kind == "run"


def add_weekly_stance_checks(specs: Sequence[SessionSpec]) -> list[SessionSpec]:
    """Sessions of a plan file written before the weekly stance check: each week's first run
    gains it, its cadence work kept as long as it was (the session grows by the check)."""
    extra = STANCE_CHECK_SECONDS / 60
    return [
        replace(s, stance_check=True, minutes=s.minutes + extra)
        if stance_first(s.number, s.kind)
        else replace(s, stance_check=False)
        for s in specs
    ]


def planned_session(baseline_spm: float, spec: SessionSpec) -> PlannedSession:
    """One session of a plan, blocks and all, from the fields a plan file holds.

    ``make_plan`` and ``parse_plan`` both build sessions here, so a hand edit of a plan
    file's date, cadence, minutes, metronome or retention check is played as written.
    Runs: ``minutes`` sets the length of the cadence work (to the second); strength: the
    number of sets (the choice in ``SET_CHOICES`` whose length is nearest).
    """
    week, number, day = spec.week, spec.number, spec.date
    if spec.kind == "strength":
        sets = min(SET_CHOICES, key=lambda n: abs(strength_minutes(n) - spec.minutes))
        title = f"Week {week}, session {number}: strength"
        session = strength_session(sets, title, spec.hip_drop)
        return PlannedSession(
            week, number, day, "strength", None, minutes_of(session), 1.0, False, session
        )
    cadence, metronome, check = spec.cadence_spm, spec.metronome, spec.retention_check
    if cadence is None or metronome is None:
        raise ValueError("a run needs a cadence and a metronome setting")
    stance = spec.stance_check
    if stance is None:
        stance = stance_first(number, spec.kind)
    work = round(spec.minutes * 60) - run_overhead(check, stance)
    title = f"Week {week}, session {number}: run at {cadence} spm"
    session = run_session(baseline_spm, cadence, work, metronome, check, title, stance)
    share = metronome_share(metronome)
    return PlannedSession(
        week, number, day, "run", cadence, minutes_of(session), share, check, session
    )


# --- finding sessions ----------------------------------------------------------------------------


def session_on(plan: Plan, day: datetime.date) -> PlannedSession | None:
    """The session dated ``day`` (the first, if a hand edit put two there), else None."""
    return next((s for s in plan.sessions if s.date == day), None)


def next_session(plan: Plan, day: datetime.date) -> PlannedSession | None:
    """The first session after ``day``, else None (the plan is done)."""
    return next((s for s in plan.sessions if s.date > day), None)


def find_session(plan: Plan, week: int, number: int) -> PlannedSession:
    """Session ``number`` of ``week``; InputError saying what exists if there is none.

    Any week and number may be asked for: a plan grows past its first length when review
    inserts hold weeks, and a hand edit may put more sessions in a week than make_plan does.
    """
    for planned in plan.sessions:
        if planned.week == week and planned.number == number:
            return planned
    in_week = [s.number for s in plan.sessions if s.week == week]
    if in_week:
        raise InputError(
            f"week {week} has no session {number}: it has sessions {min(in_week)}-{max(in_week)}"
        )
    weeks = sorted({s.week for s in plan.sessions})
    raise InputError(f"the plan has no week {week}: its weeks are {_ranges(weeks)}")


def _ranges(numbers: list[int]) -> str:
    """``1-4`` or ``1-2, 4``."""
    groups = []
    for _, run in itertools.groupby(enumerate(numbers), key=lambda p: p[1] - p[0]):
        values = [v for _, v in run]
        groups.append(f"{values[0]}-{values[-1]}" if len(values) > 1 else str(values[0]))
    return ", ".join(groups)
