"""A recorded activity as its readers hand it on: timed points, and which sports are runs."""

from __future__ import annotations

from dataclasses import dataclass

from stridebeat.errors import FileInputError

_RUN_WORDS = ("run", "jog", "treadmill")
_UNKNOWN_SPORTS = ("", "generic", "other", "all", "unknown", "none")


@dataclass(frozen=True, slots=True)
class Point:
    """One sample of a recorded activity, as the file gave it."""

    t: float  # seconds since 1970
    cadence: float | None  # as written in the file, per minute
    speed: float | None  # m/s
    distance: float | None  # cumulative metres


@dataclass(frozen=True)
class Track:
    """The points of a recorded activity, and what reading its cadence needs to know."""

    format: str  # "FIT", "GPX" or "TCX"
    label: str  # the cadence field, as the unit note names it
    points: list[Point]
    clipped: bool  # only part of the recording is kept (the run of a multisport file)


def is_run(sport: str | None, sub_sport: str | None = None) -> bool | None:
    """True for a run, False for another sport, None when the file does not say."""
    text = f"{sport or ''} {sub_sport or ''}".lower()
    if any(word in text for word in _RUN_WORDS):
        return True
    name = (sport or "").strip().lower()
    if name in _UNKNOWN_SPORTS or name.isdigit():
        return None
    return False


def not_a_run_sport(where: str, sport: str | None, sub_sport: str | None) -> FileInputError:
    """The error for an activity recorded as another sport ("cycling (road)")."""
    what = (sport or "").replace("_", " ")
    if sub_sport and sub_sport not in ("generic", sport):
        what += f" ({sub_sport.replace('_', ' ')})"
    return FileInputError(
        where, None, f"the activity is recorded as {what}, not a run: a baseline needs a run"
    )
