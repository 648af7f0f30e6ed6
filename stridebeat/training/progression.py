"""The cadence progression: how far a plan raises the cadence, how fast, and what it allows.

Pure: ``check_settings`` turns what the runner asked for into a target and a number of weeks
(or a SettingError saying what to change); ``weekly_cadences`` gives each week's cadence. The
rules, and where the issue left a choice, the choice made (``stridebeat plan explain`` tells
the runner the same, with the studies):

- **Target.** Default +7.5% of baseline (Willy 2016). +5 to +10% is what the studies tested;
  below +5% or above +10% (up to +15%) gets a note; beyond +15% is refused. A runner at
  175 spm or more is told an increase is optional, and gets at most +5%, never above 185.
- **Weekly cadence.** Week w aims at round(baseline x (1 + 3% x w)), never above the target,
  then holds the target. Week 1 is already the first step (the trials started at their target
  from session 1, so a first week at the baseline would only delay the work). The 3% cap
  applies to that unrounded line; rounding to whole spm can make one week's rise up to 1 spm
  more than 3% of baseline (160 spm: 3% is 4.8; the weeks go 165, 170, 172, 172).
  Weeks default to the fewest the cap allows plus one hold week; more weeks add hold weeks.
- **Settings.** 1-6 run days and 0-3 strength days a week, one session a day (so at most 7
  together); at most 26 weeks (half a year).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

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
