"""The research rules of a plan: how far the cadence rises, how fast, and how support fades.

Pure: ``check_settings`` turns what the runner asked for into a target and a number of weeks
(or a SettingError saying what to change), ``weekly_cadences`` gives each week's cadence and
``prescribe_runs`` what each run asks for. The rules, and where the issue left a choice, the
choice made (``stridebeat plan explain`` tells the runner the same, with the studies):

- **Target.** Default +7.5% of baseline (Willy 2016). +5 to +10% is what the studies tested;
  below +5% or above +10% (up to +15%) gets a note; beyond +15% is refused. A runner at
  175 spm or more is told an increase is optional, and gets at most +5%, never above 185.
- **Weekly cadence.** Week w aims at round(baseline x (1 + 3% x w)), never above the target,
  then holds the target. Week 1 is already the first step (the trials started at their target
  from session 1, so a first week at the baseline would only delay the work). The 3% cap
  applies to that unrounded line; rounding to whole spm can make one week's rise up to 1 spm
  more than 3% of baseline (160 spm: 3% is 4.8; the weeks go 165, 170, 172, 172).
  Weeks default to the fewest the cap allows plus one hold week; more weeks add hold weeks.
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
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from stridebeat.engine.session import METRONOME_ON, Metronome
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

CONTINUOUS_RUNS = 4  # Davis 2020: continuous feedback in sessions 1-4
FADES = (
    Metronome(on=180.0, off=60.0),
    Metronome(on=120.0, off=120.0),
    Metronome(on=60.0, off=180.0),
    Metronome(on=30.0, off=270.0),  # check-ins
)

RETRAINING_MINUTES = (15, 30)
GROWTH_RUNS = 18  # runs over which the cadence work grows from 15 to 30 minutes


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


class SettingError(InputError):
    """A setting is wrong; ``key`` names it, so a plan file can point at its line."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(message)


# --- settings -> target, weeks, notes -----------------------------------------------------------


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


# --- the weekly climb ----------------------------------------------------------------------------


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
