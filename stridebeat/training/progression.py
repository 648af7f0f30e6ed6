"""The cadence progression: how far a plan raises the cadence, how fast, and what it allows.

Pure: ``check_settings`` turns what the runner asked for into a target and a number of weeks
(or a SettingError saying what to change); ``weekly_cadences`` gives each week's cadence. The
rules, and where the issue left a choice, the choice made (``stridebeat plan explain`` tells
the runner the same, with the studies):

- **Target.** Default +7.5% of baseline (Willy 2016), but never above 180 spm, the top of the
  article's 170-180 range. +5 to +10% is what the studies tested; below +5% or above +10% (up
  to +15%) gets a note; beyond +15% is refused.
- **Holding plan.** A runner at 175 spm or more, or one whose target is their baseline
  (rounded to whole spm), gets a *holding plan*: the same warm-ups, strength days, fading
  metronome and retention checks, every week at their own cadence (4 weeks by default). A
  runner at 175+ may still ask for a rise: at most +5%, never above 185.
- **Weekly cadence.** Each week's cadence is the last one plus at most 3% of the baseline,
  rounded *down* to whole spm, never above the target, then it holds the target. So no week
  ever rises more than the 3% the plan states (160 spm: 3% is 4.8; the weeks go 164, 168,
  172, 172). Week 1 is already the first step (the trials started at their target from
  session 1, so a first week at the baseline would only delay the work). Weeks default to
  the fewest the cap allows plus one hold week; more weeks add hold weeks.
- **Settings.** 1-6 run days and 0-3 strength days a week, one session a day (so at most 7
  together); at most 26 weeks (half a year).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from stridebeat.errors import InputError
from stridebeat.units import PLAN_BASELINE_SPM, plural

DEFAULT_PERCENT = 7.5
DEFAULT_CEILING = 180  # the article's 170-180: a default target never goes above
STUDIED_PERCENT = (5.0, 10.0)  # Heiderscheit 2011: +5% and +10%
MAX_PERCENT = 15.0
FAST_BASELINE = 175.0  # at or above: a holding plan by default, a rise only if asked for
FAST_PERCENT = 5.0
FAST_CEILING = 185
WEEKLY_CAP = 0.03  # of baseline
HOLD_WEEKS = 4  # a holding plan's default length
MAX_WEEKS = 26
DEFAULT_RUN_DAYS = 3
DEFAULT_STRENGTH_DAYS = 2
RUN_DAYS_RANGE = (1, 6)
STRENGTH_DAYS_RANGE = (0, 3)
_EPSILON = 1e-9  # float slack when a week's rise is exactly 3% of the baseline


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
    music: str | None = field(default=None, kw_only=True)  # a folder or playlist to run to


class SettingError(InputError):
    """A setting is wrong; ``key`` names it, so a plan file can point at its line."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(message)


def holding(baseline_spm: float, target_spm: int) -> bool:
    """Whether a plan from ``baseline_spm`` to ``target_spm`` holds the cadence (no rise)."""
    return target_spm == round(baseline_spm)


# --- settings -> target, weeks, notes -----------------------------------------------------------


def check_settings(settings: PlanSettings) -> tuple[int, int, list[str]]:
    """The target, the number of weeks and the notes; SettingError for a bad setting."""
    _check_baseline(settings.baseline_spm)
    _check_days(settings.run_days, settings.strength_days)
    target, notes = _target(settings)
    hold = holding(settings.baseline_spm, target)
    need = minimum_weeks(settings.baseline_spm, target)
    weeks = settings.weeks
    if weeks is None:
        weeks = HOLD_WEEKS if hold else need
        if hold:
            notes.append(f"{weeks} weeks holding {target} spm (the default for a holding plan).")
        else:
            notes.append(
                f"{need} weeks: {need - 1} of rising (at most 3% of your baseline a week), then "
                f"1 holding {target} spm (the fewest the weekly cap allows)."
            )
    elif weeks < 1 or (hold and weeks < need):
        raise SettingError("weeks", f"{weeks} weeks: a plan needs at least {plural(need, 'week')}")
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
    """The highest target stridebeat plans for: +15%, or for a runner at 175+, +5% up to 185
    (and never below the baseline itself: a holding plan)."""
    if baseline >= FAST_BASELINE:
        return max(min(round(baseline * (1 + FAST_PERCENT / 100)), FAST_CEILING), round(baseline))
    return round(baseline * (1 + MAX_PERCENT / 100))


def default_target(baseline: float) -> int:
    """+7.5%, never above 180 spm; a runner at 175 or more holds their own cadence."""
    if baseline >= FAST_BASELINE:
        return round(baseline)
    return min(round(baseline * (1 + DEFAULT_PERCENT / 100)), DEFAULT_CEILING)


def _target(settings: PlanSettings) -> tuple[int, list[str]]:
    baseline = settings.baseline_spm
    notes: list[str] = []
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
        target = default_target(baseline)
        if holding(baseline, target):
            notes.append(_holding_note(baseline, target))
            return target, notes
        why = "the default"
        if target == DEFAULT_CEILING:
            why = f"the default, kept to {DEFAULT_CEILING}, the top of the article's 170-180"
        notes.append(
            f"Target: {target} spm, +{_percent(baseline, target):.1f}% on {baseline:g} spm ({why})."
        )
        return target, notes
    _check_target(baseline, target, asked, key)
    if holding(baseline, target):
        notes.append(_holding_note(baseline, target))
        return target, notes
    percent = _percent(baseline, target)
    if target > round(baseline * (1 + STUDIED_PERCENT[1] / 100)):
        notes.append(
            f"Warning: a target of {target} spm is +{percent:.1f}%, more than the +5 to +10% "
            "the studies tested. Go gently, and drop the target if anything hurts."
        )
    elif baseline < FAST_BASELINE and target < round(baseline * (1 + STUDIED_PERCENT[0] / 100)):
        notes.append(
            f"A target of {target} spm is +{percent:.1f}%, less than the +5 to +10% the "
            "studies tested: a gentle change, fine if that is what you want."
        )
    if target > DEFAULT_CEILING:
        notes.append(
            f"A target of {target} spm is above the 170-180 range the article suggests: "
            "fine if you chose it, not needed."
        )
    return target, notes


def _holding_note(baseline: float, target: int) -> str:
    where = (
        f"At {baseline:g} spm you already run in or above the 170-180 range the article "
        "suggests, so"
        if baseline >= FAST_BASELINE
        else f"Your target is your baseline of {baseline:g} spm, so"
    )
    return (
        f"{where} this is a holding plan: every week at {target} spm, with the same warm-ups, "
        "strength days, fading metronome and retention checks, to make the cadence your own."
    )


def _check_target(baseline: float, target: int, asked: str, key: str) -> None:
    most = max_target(baseline)
    if target < round(baseline):
        raise SettingError(
            key,
            f"a target of {asked} is below your baseline of {baseline:g} spm: give a higher "
            f"one, up to {most} spm, or {round(baseline)} to hold your cadence",
        )
    if target > most:
        if most == round(baseline):
            limit = f"above {FAST_CEILING} spm a plan holds your cadence"
        elif baseline >= FAST_BASELINE:
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
    """The fewest weeks from baseline to target at 3% of baseline a week, plus one hold week
    (a holding plan: one week).

    >>> minimum_weeks(160, 172)  # weeks 164, 168, 172, then a hold week
    4
    """
    if target_spm < round(baseline_spm):
        raise InputError(
            f"a target of {target_spm} spm is below the baseline of {baseline_spm:g} spm"
        )
    climb = _climb(baseline_spm, target_spm)
    return len(climb) + 1 if climb and climb[-1] != round(baseline_spm) else 1


def _climb(baseline: float, target: int) -> list[int]:
    """The rising weeks, each at most 3% of the baseline above the last, up to the target."""
    if holding(baseline, target):
        return [target]
    cap = WEEKLY_CAP * baseline
    weeks: list[int] = []
    cadence: float = baseline
    while cadence < target:
        cadence = min(target, math.floor(cadence + cap + _EPSILON))
        weeks.append(int(cadence))
    return weeks


def weekly_cadences(baseline_spm: float, target_spm: int, weeks: int) -> tuple[int, ...]:
    """Each week's cadence: the last plus at most 3% of baseline (whole spm, rounded down),
    never above the target, then the target."""
    climb = _climb(baseline_spm, target_spm)
    return tuple(climb[w] if w < len(climb) else target_spm for w in range(weeks))
