"""The multi-week cadence plan: from a runner's baseline to dated run and strength sessions.

Pure: ``make_plan`` turns settings into a Plan; ``plan_to_toml`` / ``parse_plan`` write and
read the human-readable plan file. Only ``load_plan`` and ``save_plan`` touch the disk.

The rules, and where the issue left a choice, the choice made:

- **Target.** Default +7.5% of baseline (Willy 2016). +5 to +10% is what the studies tested;
  below +5% or above +10% (up to +15%) gets a note; beyond +15% is refused. A runner at
  175 spm or more is told an increase is optional, and gets at most +5%, never above 185.
- **Weekly cadence.** Week w aims at round(baseline x (1 + 3% x w)), never above the target,
  then holds the target. Week 1 is already the first step (the trials started at their target
  from session 1, so a first week at the baseline would only delay the work). The 3% cap
  applies to that unrounded line; rounding to whole spm can make one week's rise up to 1 spm
  more than 3% of baseline (160 spm: 3% is 4.8; the weeks go 165, 170, 172, 172).
  Weeks default to the fewest the cap allows plus one hold week; more weeks add hold weeks.
- **Days.** Week w covers start + 7(w - 1) to + 6. Runs sit on fixed, evenly spread days
  (``RUN_DAYS``); strength days take the free days spread furthest apart. One session a day.
- **Runs.** The ``activation`` routine (the session's ``cues``) plays first, then 5 minutes
  easy at the baseline with the metronome off, the cadence work in two equal parts at the
  week's cadence, the week's last run a 2-minute retention check, and a 5-minute cool-down
  at the baseline, metronome off. The cadence work grows from 15 minutes (first run) to 30
  by the 18th run (Davis 2020: 8-18 sessions growing from 15 to 30 minutes), then stays.
- **Metronome.** Continuous in the first four runs, and in the first run after each cadence
  step. Every other run is *faded*: the faded runs, in date order, go through 3m on / 1m off,
  2m/2m, 1m/3m and check-ins (30 s every 5 minutes), each stage a quarter of them. So the
  share of faded runs never rises; only the continuous runs after a step break the descent,
  because a new cadence has to be heard before it can be held.
- **Form cues** (``glutes``) thin out with the metronome: in both parts while the click is on
  at least 3/4 of the time, in part one only down to 1/4, none below (check-ins).
- **Strength days** (see ``strength_session``): a 2-minute warm-up, then six exercises, each
  with a 14-second spoken how-to, sets on a rep-tempo click and 1-minute rests. Week 1 has
  2 sets of each (learn the moves), later weeks 3.
- **Lengths.** Runs last 25-55 minutes with their warm-up, strength sessions 20-40.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import math
from dataclasses import dataclass, field

from stridebeat.engine.session import (
    METRONOME_OFF,
    METRONOME_ON,
    Block,
    Metronome,
    Rhythm,
    Session,
    Steady,
)
from stridebeat.errors import InputError
from stridebeat.units import PLAN_BASELINE_SPM

DEFAULT_PERCENT = 7.5
STUDIED_PERCENT = (5.0, 10.0)  # Heiderscheit 2011: +5% and +10%
MAX_PERCENT = 15.0
FAST_BASELINE = 175.0  # at or above: an increase is optional
FAST_PERCENT = 5.0
FAST_CEILING = 185
WEEKLY_CAP = 0.03  # of baseline
MAX_WEEKS = 26
DEFAULT_RUN_DAYS = 3
DEFAULT_STRENGTH_DAYS = 2
RUN_DAYS_RANGE = (1, 6)
STRENGTH_DAYS_RANGE = (0, 3)

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
FORM_CUES_BOTH_PARTS = 0.75  # metronome share at or above which glutes speaks in both parts
FORM_CUES_PART_ONE = 0.25  # ... in part one only; below, not at all

RETRAINING_MINUTES = (15, 30)
GROWTH_RUNS = 18  # runs over which the cadence work grows from 15 to 30 minutes

# The built-in activation routine's length (cue_scripts/activation.toml; a test keeps it true).
ACTIVATION_SECONDS = 454
EASY_SECONDS = 300
COOL_DOWN_SECONDS = 300
CHECK_SECONDS = 120
RUN_MINUTES = (25.0, 55.0)
STRENGTH_MINUTES = (20.0, 40.0)
SET_CHOICES = (2, 3)

RUN_CUES = ("activation", "cadence")
FORM_CUES = ("glutes",)
CHECK_CUES = ("retention",)
STRENGTH_CUES = ("strength",)
KINDS = ("run", "strength")


# --- the model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSettings:
    """What the runner asked for; ``None`` means "the default" (see ``make_plan``)."""

    baseline_spm: float
    target_spm: int | None = None  # absolute target
    target_percent: float | None = None  # e.g. 7.5 for +7.5%; at most one of the two targets
    weeks: int | None = None  # None: the fewest the weekly cap needs, plus one hold week
    run_days: int = DEFAULT_RUN_DAYS
    strength_days: int = DEFAULT_STRENGTH_DAYS
    start: datetime.date = field(kw_only=True)


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
    reviewed_weeks: tuple[int, ...] = ()  # weeks the plan has looked back on (listen.py)
    held_weeks: tuple[int, ...] = ()  # weeks inserted to repeat or step back a cadence


class SettingError(InputError):
    """A setting is wrong; ``key`` names it, so a plan file can point at its line."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(message)


# --- settings -> target, weeks, notes -----------------------------------------------------------


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
    runs = [slot for slot in slots if slot[3] == "run"]
    run_plans = iter(_run_plans(runs, cadences))
    specs = []
    for week, number, day, kind in slots:
        if kind == "run":
            specs.append(SessionSpec(week, number, day, kind, *next(run_plans)))
        else:
            sets = 2 if week == 1 else 3
            specs.append(SessionSpec(week, number, day, kind, None, strength_minutes(sets)))
    sessions = tuple(planned_session(settings.baseline_spm, spec) for spec in specs)
    return Plan(settings, target, cadences, sessions, tuple(notes))


def check_settings(settings: PlanSettings) -> tuple[int, int, list[str]]:
    """The target, the number of weeks and the notes; SettingError for a bad setting."""
    _check_baseline(settings.baseline_spm)
    _check_days(settings.run_days, settings.strength_days)
    target, notes = _target(settings)
    need = minimum_weeks(settings.baseline_spm, target)
    weeks = settings.weeks
    if weeks is None:
        weeks = need
        notes.append(
            f"{need} weeks: {need - 1} of rising (at most 3% of your baseline a week), then 1 "
            f"holding {target} spm (the fewest the weekly cap allows)."
        )
    elif weeks < 1:
        raise SettingError("weeks", f"{weeks} weeks: a plan needs at least {need} weeks")
    elif weeks < need:
        raise SettingError(
            "weeks",
            f"going from {settings.baseline_spm:g} to {target} spm needs at least {need} weeks "
            f"(cadence rises at most 3% of your baseline a week, then holds a week); "
            f"ask for {need} weeks or more, or a lower target",
        )
    elif weeks > MAX_WEEKS:
        raise SettingError(
            "weeks", f"{weeks} weeks is more than {MAX_WEEKS}: plan half a year at most"
        )
    if settings.run_days < 3:
        notes.append(
            f"{settings.run_days} run day(s) a week: the best lasting results came with 3-4 "
            "retraining runs a week (Davis et al. 2020)."
        )
    if settings.run_days >= 5:
        notes.append(
            "Bonacci et al. kept retraining to about a fifth of weekly running: on a busy week "
            "some runs can be ordinary easy runs instead."
        )
    if settings.strength_days == 0:
        notes.append("No strength days: the article suggests strength work 2-3 times a week.")
    return target, weeks, notes


def _check_baseline(baseline: float) -> None:
    low, high = PLAN_BASELINE_SPM.low, PLAN_BASELINE_SPM.high
    if not math.isfinite(baseline) or not low <= baseline <= high:
        raise SettingError(
            "baseline_spm",
            f"a baseline of {baseline:g} spm is outside {low:g}-{high:g} spm: measure your "
            "cadence on an easy run (steps per minute, both feet) and give that",
        )
    if max_target(baseline) <= baseline:
        raise SettingError(
            "baseline_spm",
            f"at {baseline:g} spm you already run at or above {FAST_CEILING} spm, the highest "
            "cadence stridebeat plans for: no increase is needed. To hold it, practise with a "
            f"steady metronome at {round(baseline)} spm",
        )


def _check_days(run_days: int, strength_days: int) -> None:
    low, high = RUN_DAYS_RANGE
    if not low <= run_days <= high:
        raise SettingError(
            "run_days",
            f"{run_days} run days a week: give {low} to {high} (one run a day at most, and a "
            "day a week without one)",
        )
    low, high = STRENGTH_DAYS_RANGE
    if not low <= strength_days <= high:
        raise SettingError(
            "strength_days",
            f"{strength_days} strength days a week: give {low} to {high} (the article "
            "suggests 2-3)",
        )
    if run_days + strength_days > 7:
        raise SettingError(
            "strength_days",
            f"{run_days} run days and {strength_days} strength days make more than the 7 days "
            f"of a week (one session a day): with {run_days} runs, give at most "
            f"{7 - run_days} strength days",
        )


def max_target(baseline: float) -> int:
    """The highest target stridebeat plans for: +15%, or for a runner at 175+, +5% up to 185."""
    if baseline >= FAST_BASELINE:
        return min(round(baseline * (1 + FAST_PERCENT / 100)), FAST_CEILING)
    return round(baseline * (1 + MAX_PERCENT / 100))


def _target(settings: PlanSettings) -> tuple[int, list[str]]:
    baseline = settings.baseline_spm
    fast = baseline >= FAST_BASELINE
    notes: list[str] = []
    if fast:
        notes.append(
            f"At {baseline:g} spm you already run in the 170-180 range the article suggests: "
            f"raising your cadence is optional. stridebeat raises it by at most +5%, to no "
            f"more than {FAST_CEILING} spm."
        )
    if settings.target_spm is not None and settings.target_percent is not None:
        raise SettingError(
            "target_percent", "give a target cadence or a percentage increase, not both"
        )
    key = "target_percent" if settings.target_percent is not None else "target_spm"
    if settings.target_percent is not None:
        percent = settings.target_percent
        if not math.isfinite(percent):
            raise SettingError(key, f"{percent} is not a percentage: give one such as 7.5")
        target = round(baseline * (1 + percent / 100))
        asked = f"{percent:+g}% ({target} spm)"
    elif settings.target_spm is not None:
        target = settings.target_spm
        asked = f"{target} spm"
    else:
        target = max_target(baseline) if fast else round(baseline * (1 + DEFAULT_PERCENT / 100))
        percent_text = f"+{_percent(baseline, target):.1f}%"
        why = f"at most +5% and {FAST_CEILING} spm" if fast else "the default"
        notes.append(f"Target: {target} spm, {percent_text} on {baseline:g} spm ({why}).")
        return target, notes
    _check_target(baseline, target, asked, key)
    percent = _percent(baseline, target)
    if target > round(baseline * (1 + STUDIED_PERCENT[1] / 100)):
        notes.append(
            f"Warning: a target of {target} spm is +{percent:.1f}%, more than the +5 to +10% "
            "the studies tested. Go gently, and drop the target if anything hurts."
        )
    elif not fast and target < round(baseline * (1 + STUDIED_PERCENT[0] / 100)):
        notes.append(
            f"A target of {target} spm is +{percent:.1f}%, less than the +5 to +10% the "
            "studies tested: a gentle change, fine if that is what you want."
        )
    return target, notes


def _check_target(baseline: float, target: int, asked: str, key: str) -> None:
    most = max_target(baseline)
    if target <= baseline:
        raise SettingError(
            key,
            f"a target of {asked} is not above your baseline of {baseline:g} spm: give a "
            f"higher one, up to {most} spm",
        )
    if target > most:
        if baseline >= FAST_BASELINE:
            limit = f"+5% and at most {FAST_CEILING} spm for a runner already at 175 or more"
        else:
            limit = "+15% above your baseline; bigger jumps were not studied"
        raise SettingError(
            key, f"a target of {asked} is too high: the most is {most} spm ({limit})"
        )


def _percent(baseline: float, target: float) -> float:
    return (target / baseline - 1) * 100


def minimum_weeks(baseline_spm: float, target_spm: int) -> int:
    """The fewest weeks from baseline to target at 3% of baseline a week, plus one hold week.

    >>> minimum_weeks(160, 172)  # weeks 165, 170, 172, then a hold week
    4
    """
    if target_spm <= baseline_spm:
        raise InputError(
            f"a target of {target_spm} spm is not above the baseline of {baseline_spm:g} spm"
        )
    rising = 1
    while _cap_line(baseline_spm, rising) < target_spm:
        rising += 1
    return rising + 1


def _cap_line(baseline: float, week: int) -> int:
    return round(baseline * (1 + WEEKLY_CAP * week))


def weekly_cadences(baseline_spm: float, target_spm: int, weeks: int) -> tuple[int, ...]:
    """Each week's cadence: round(baseline x (1 + 3% x week)), never above the target."""
    return tuple(min(target_spm, _cap_line(baseline_spm, w)) for w in range(1, weeks + 1))


# --- days ----------------------------------------------------------------------------------------


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


# --- what each run does --------------------------------------------------------------------------


def _run_plans(
    runs: list[tuple[int, int, datetime.date, str]], cadences: tuple[int, ...]
) -> list[tuple[int, float, Metronome, bool]]:
    """(cadence, minutes, metronome, retention check) of each run, in date order."""
    count = len(runs)
    continuous = [i < CONTINUOUS_RUNS or _first_after_step(runs, i, cadences) for i in range(count)]
    faded = [i for i in range(count) if not continuous[i]]
    stage = {i: FADES[len(FADES) * j // len(faded)] for j, i in enumerate(faded)}
    last_of_week = {week: i for i, (week, *_) in enumerate(runs)}
    plans = []
    for i, (week, *_) in enumerate(runs):
        check = last_of_week[week] == i
        seconds = _run_overhead(check) + 60 * retraining_minutes(i, count)
        metronome = METRONOME_ON if continuous[i] else stage[i]
        plans.append((cadences[week - 1], seconds / 60, metronome, check))
    return plans


def _first_after_step(
    runs: list[tuple[int, int, datetime.date, str]], i: int, cadences: tuple[int, ...]
) -> bool:
    week = runs[i][0]
    first_of_week = i == 0 or runs[i - 1][0] != week
    return first_of_week and week > 1 and cadences[week - 1] != cadences[week - 2]


def retraining_minutes(run_index: int, run_count: int) -> int:
    """Minutes of cadence work in run ``run_index`` (0-based) of ``run_count``: 15 growing
    evenly to 30 over the first 18 runs (or all of them, if fewer), then 30."""
    low, high = RETRAINING_MINUTES
    span = min(run_count, GROWTH_RUNS) - 1
    if span <= 0:
        return low
    return low + round((high - low) * min(run_index, span) / span)


def metronome_share(metronome: Metronome) -> float:
    """Share of the time the click is audible: 1.0 for "on", 0.0 for "off", on/(on+off)."""
    if metronome.always:
        return 1.0
    if metronome.never or metronome.on is None:
        return 0.0
    return metronome.on / (metronome.on + metronome.off)


def _run_overhead(check: bool) -> int:
    """Seconds of a run that are not cadence work: activation, easy start, check, cool-down."""
    return ACTIVATION_SECONDS + EASY_SECONDS + COOL_DOWN_SECONDS + (CHECK_SECONDS if check else 0)


# --- building the sessions -----------------------------------------------------------------------

PART_NAMES = ("Part one", "Part two")


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
    work = round(spec.minutes * 60) - _run_overhead(check)
    title = f"Week {week}, session {number}: run at {cadence} spm"
    session = run_session(baseline_spm, cadence, work, metronome, check, title)
    share = metronome_share(metronome)
    return PlannedSession(
        week, number, day, "run", cadence, minutes_of(session), share, check, session
    )


def minutes_of(session: Session) -> float:
    """A plan session's length in minutes, counting the built-in activation routine."""
    extra = ACTIVATION_SECONDS if "activation" in session.cues else 0
    return (session.duration + extra) / 60


def run_session(
    baseline_spm: float,
    cadence_spm: int,
    work_seconds: int,
    metronome: Metronome,
    retention_check: bool,
    title: str = "",
) -> Session:
    """A retraining run (after the activation routine its cues bring): easy start, the
    cadence work in two parts, an optional retention check, cool-down."""
    form = form_cues(metronome_share(metronome))
    first = work_seconds // 2
    blocks = [
        Block("run", EASY_SECONDS, Steady(baseline_spm), "Easy start", METRONOME_OFF),
        Block("run", first, Steady(cadence_spm), PART_NAMES[0], metronome, form[0]),
        Block("run", work_seconds - first, Steady(cadence_spm), PART_NAMES[1], metronome, form[1]),
    ]
    if retention_check:
        check = Steady(cadence_spm)
        blocks.append(
            Block("check", CHECK_SECONDS, check, "Retention check", METRONOME_OFF, CHECK_CUES)
        )
    blocks.append(Block("run", COOL_DOWN_SECONDS, Steady(baseline_spm), "Cool-down", METRONOME_OFF))
    return Session(tuple(blocks), title=title, cues=RUN_CUES)


def form_cues(share: float) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The form cue scripts of each part of the cadence work, thinning with the metronome."""
    if share >= FORM_CUES_BOTH_PARTS:
        return FORM_CUES, FORM_CUES
    if share >= FORM_CUES_PART_ONE:
        return FORM_CUES, ()
    return (), ()


@dataclass(frozen=True)
class Exercise:
    name: str  # also the name of its how-to block, which the strength cue script speaks in
    reps: int  # per set; per side when there is a switch
    tempo: tuple[float, ...]  # seconds of each phase of a rep; a click starts each
    switch: str = ""  # one side, then a short block of this name, then the other side


EXERCISES = (
    Exercise("Squats", 10, (2.0, 1.0)),  # 2 s down, 1 s up
    Exercise("Romanian deadlifts", 10, (2.0, 1.0)),  # 2 s hinge down, 1 s up
    Exercise("Reverse lunges", 12, (2.0, 1.0)),  # legs alternate
    Exercise("Step-ups", 8, (1.0, 2.0), "Switch legs"),  # 1 s up, 2 s down
    Exercise("Hip thrusts", 10, (1.0, 1.0, 2.0)),  # up, hold the squeeze, 2 s down
    Exercise("Banded walks", 8, (2.0,), "Change direction"),  # a step every 2 s
)
WARM_UP = (
    Block("drill", 60, Rhythm((0.5,)), "March"),
    Block("drill", 40, Rhythm((2.0,)), "Hip circles"),
    Block("drill", 40, Rhythm((1.5,)), "Leg swings"),
)
HOW_TO_SECONDS = 14
SWITCH_SECONDS = 6
REST_SECONDS = 60  # between sets
CHANGE_OVER_SECONDS = 45  # between exercises: set up the next one
DONE_SECONDS = 12


def strength_session(sets: int, title: str = "") -> Session:
    """A strength day: warm-up, then each exercise's how-to, its sets and rests.

    Spoken cues start on clicks, so nothing is said inside a set but the rep count (a
    cue on a rep's click would push the count off it); a switch of side gets its own block.
    """
    blocks = list(WARM_UP)
    for index, exercise in enumerate(EXERCISES):
        if index:
            blocks.append(Block("rest", CHANGE_OVER_SECONDS, None, "Change over"))
        blocks.append(Block("drill", HOW_TO_SECONDS, None, exercise.name))
        for n in range(1, sets + 1):
            if n > 1:
                blocks.append(Block("rest", REST_SECONDS, None, "Rest"))
            blocks += _set_blocks(exercise, f"{exercise.name}, set {n}")
    blocks.append(Block("drill", DONE_SECONDS, None, "Strength done"))
    return Session(tuple(blocks), title=title, cues=STRENGTH_CUES)


def _set_blocks(exercise: Exercise, name: str) -> list[Block]:
    length = exercise.reps * sum(exercise.tempo)
    rhythm = Rhythm(exercise.tempo)
    if not exercise.switch:
        return [Block("strength", length, rhythm, name)]
    return [
        Block("strength", length, rhythm, name),
        Block("drill", SWITCH_SECONDS, None, exercise.switch),
        Block("strength", length, rhythm, f"{name}, other side"),
    ]


@functools.cache
def strength_minutes(sets: int) -> float:
    return strength_session(sets).duration / 60


# --- finding sessions ----------------------------------------------------------------------------


def session_on(plan: Plan, day: datetime.date) -> PlannedSession | None:
    """The session dated ``day`` (the first, if a hand edit put two there), else None."""
    return next((s for s in plan.sessions if s.date == day), None)


def next_session(plan: Plan, day: datetime.date) -> PlannedSession | None:
    """The first session after ``day``, else None (the plan is done)."""
    return next((s for s in plan.sessions if s.date > day), None)


def find_session(plan: Plan, week: int, number: int) -> PlannedSession:
    """Session ``number`` of ``week``; InputError saying what exists if there is none."""
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
