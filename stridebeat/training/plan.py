"""The multi-week cadence plan: from a runner's settings to dated run and strength sessions.

Pure: ``make_plan`` lays the sessions out on the calendar, asking ``progression`` for the
target, each week's cadence and what each run asks for, and ``workouts`` for the blocks each
session plays. ``planfile`` writes and reads the plan as a human-readable file.

- **Days.** Week w covers start + 7(w - 1) to + 6. Runs sit on fixed, evenly spread days
  (``RUN_DAYS``); strength days take the free days spread furthest apart. One session a day.
- **Numbers.** Sessions are numbered within their week in date order, runs and strength alike.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from stridebeat.engine.session import Metronome, Session
from stridebeat.errors import InputError
from stridebeat.training.progression import (
    PlanSettings,
    check_settings,
    prescribe_runs,
    weekly_cadences,
)
from stridebeat.training.workouts import (
    PART_NAMES,
    SET_CHOICES,
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
            seconds = run_overhead(run.retention_check) + 60 * run.work_minutes
            cadence, metronome, check = run.cadence_spm, run.metronome, run.retention_check
            spec = SessionSpec(week, number, day, kind, cadence, seconds / 60, metronome, check)
        else:
            sets = strength_sets(week)
            spec = SessionSpec(week, number, day, kind, None, strength_minutes(sets))
        specs.append(spec)
    sessions = tuple(planned_session(settings.baseline_spm, spec) for spec in specs)
    return Plan(settings, target, cadences, sessions, tuple(notes))


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
        session = strength_session(sets, f"Week {week}, session {number}: strength")
        return PlannedSession(
            week, number, day, "strength", None, minutes_of(session), 1.0, False, session
        )
    cadence, metronome, check = spec.cadence_spm, spec.metronome, spec.retention_check
    if cadence is None or metronome is None:
        raise ValueError("a run needs a cadence and a metronome setting")
    work = round(spec.minutes * 60) - run_overhead(check)
    title = f"Week {week}, session {number}: run at {cadence} spm"
    session = run_session(baseline_spm, cadence, work, metronome, check, title)
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
