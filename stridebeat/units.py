"""Pure conversions between what a runner types and what the engine counts.

All rounding of time to frames lives here. Durations are seconds (float); cadence is steps
per minute (spm); positions in audio are frames (one sample per channel).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class CadenceRange:
    """The steps per minute that one kind of cadence may take (both ends included)."""

    low: float
    high: float
    what: str

    def __contains__(self, spm: object) -> bool:
        return isinstance(spm, int | float) and self.low <= spm <= self.high

    def __str__(self) -> str:
        return f"{self.low:g}-{self.high:g}"


# The one table of cadence limits, in steps per minute.
CLICK_SPM = CadenceRange(30.0, 300.0, "a metronome cadence")  # anything the engine plays
RUNNING_SPM = CadenceRange(100.0, 260.0, "a running cadence")  # measured: taps, counts, checks
PLAN_BASELINE_SPM = CadenceRange(120.0, 220.0, "a baseline to plan from")
# a running sample in an activity file: below is walking, above is a sensor glitch
ACTIVITY_RUNNING_SPM = CadenceRange(140.0, 250.0, "a running sample")
# FIT files and watches count a running cadence in strides: one stride is two steps
STEPS_PER_STRIDE = 2
LONGEST_SESSION_SECONDS = 24 * 3600.0  # a day: longer than any run; live play's "until stopped"
MIN_SPM = CLICK_SPM.low
MAX_SPM = CLICK_SPM.high

_NUMBER = r"\d+(?:\.\d+)?"
_UNIT_FORM = re.compile(
    rf"^(?:(?P<h>{_NUMBER})\s*h)?\s*(?:(?P<m>{_NUMBER})\s*m(?:in)?)?\s*(?:(?P<s>{_NUMBER})\s*s)?$"
)
_CLOCK_FORM = re.compile(r"^(?:(?P<h>\d+):(?P<m2>\d{1,2}):|(?P<m>\d+):)(?P<s>\d{1,2}(?:\.\d+)?)$")


def parse_duration(text: str) -> float:
    """Parse a duration into seconds.

    Unit form: ``45s``, ``30m``, ``1h5m``, ``1h 5m 30s``, ``1.5m``. Clock form ``[h:]mm:ss``:
    ``1:05`` is 65 s and ``1:05:00`` is 3900 s. A bare number is refused because it is
    ambiguous (a runner's "30" is usually minutes).

    >>> parse_duration("1h5m")
    3900.0
    >>> parse_duration("1:05")
    65.0
    """
    cleaned = text.strip().lower()
    if not cleaned:
        raise ValueError("empty duration: give one such as 30m, 45s, 1h5m or 1:05:00")
    if cleaned.startswith("-"):
        raise ValueError(f"{text!r} is negative: a duration must be positive, such as 30m")
    clock = _CLOCK_FORM.match(cleaned)
    if clock:
        hours = float(clock["h"] or 0)
        minutes = float(clock["m2"] if clock["h"] else clock["m"])
        seconds = float(clock["s"])
        if seconds >= 60 or (clock["h"] and minutes >= 60):
            raise ValueError(
                f"{text!r}: minutes and seconds after a colon must be below 60 "
                "(the form is [h:]mm:ss, e.g. 1:05:00)"
            )
        return hours * 3600 + minutes * 60 + seconds
    units = _UNIT_FORM.match(cleaned)
    if units and any(units.group(k) for k in ("h", "m", "s")):
        return float(units["h"] or 0) * 3600 + float(units["m"] or 0) * 60 + float(units["s"] or 0)
    if re.fullmatch(_NUMBER, cleaned):
        raise ValueError(
            f"{text!r} has no unit: write {cleaned}m for minutes or {cleaned}s for seconds"
        )
    raise ValueError(f"{text!r} is not a duration: use a form such as 45s, 30m, 1h5m or 1:05:00")


def format_clock(seconds: float) -> str:
    """Format seconds as ``m:ss`` or ``h:mm:ss`` (whole seconds, rounded down).

    >>> format_clock(3905)
    '1:05:05'
    >>> format_clock(65.9)
    '1:05'
    """
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_spm(value: str | float) -> float:
    """Parse a cadence in steps per minute and check it is one a runner could mean (30-300)."""
    try:
        spm = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{value!r} is not a cadence: give steps per minute, such as 172"
        ) from None
    if not math.isfinite(spm) or not MIN_SPM <= spm <= MAX_SPM:
        raise ValueError(
            f"{value!r} spm is out of range: cadence must be between {MIN_SPM:g} and {MAX_SPM:g} "
            "steps per minute (runners are usually between 150 and 190)"
        )
    return spm


def parse_ramp(text: str) -> tuple[float, float]:
    """Parse ``START:END`` cadences, e.g. ``165:175``."""
    parts = text.split(":")
    if len(parts) != 2:
        raise ValueError(f"{text!r} is not a ramp: write START:END in spm, such as 165:175")
    return parse_spm(parts[0]), parse_spm(parts[1])


def parse_volume(value: float) -> float:
    """Turn a volume in percent of full scale (0-100) into a linear gain (0-1)."""
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise ValueError(f"{value:g} is not a volume: give a percentage from 0 to 100")
    return value / 100.0


def seconds_to_frames(seconds: float, rate: int) -> int:
    """Round a time to the nearest frame, halves up.

    >>> seconds_to_frames(1.5, 44100)
    66150
    >>> seconds_to_frames(0.5 / 44100, 44100)
    1
    """
    return math.floor(seconds * rate + 0.5)


def frames_to_seconds(frames: float, rate: int) -> float:
    """Frames to seconds: 44100 frames at 44100 Hz is 1.0 s."""
    return frames / rate


def frames_to_ms(frames: int, rate: int) -> int:
    """Frames to whole milliseconds, halves up (chapter marks): 22050 frames at 44100 Hz is
    500 ms, and 1 frame at 48000 Hz (0.0208 ms) is 0 ms.

    >>> frames_to_ms(66150, 44100)
    1500
    """
    return (2 * frames * 1000 + rate) // (2 * rate)


def spm_to_period(spm: float) -> float:
    """Seconds between steps: 60 / spm (180 spm is one step every 1/3 s)."""
    return 60.0 / spm


def spm_to_steps_per_frame(spm: float, rate: int) -> Fraction:
    """Steps per frame as an exact fraction: spm / (60 * rate).

    Exact, so that counting whole steps over a long block has no rounding error.
    """
    return Fraction(spm) / (60 * rate)


def plural(count: int, unit: str) -> str:
    """``1 minute``, ``2 minutes``: a count with its unit, for people to read."""
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def spoken_duration(seconds: float) -> str:
    """A time as a coach says it: "45 seconds", "2 and a half minutes", "1 hour 5 minutes".

    Rounded as a coach would: to the second below 20 s, to 5 s below a minute, to the half
    minute below 10 min, then to the minute.

    >>> spoken_duration(32)
    '30 seconds'
    >>> spoken_duration(150)
    '2 and a half minutes'
    >>> spoken_duration(3900)
    '1 hour 5 minutes'
    """
    s = round(seconds)
    if s < 20:
        return plural(s, "second")
    if s < 60:
        return plural(5 * round(s / 5), "second") if s < 58 else "1 minute"
    if s < 600:
        halves = round(s / 30)
        whole, half = divmod(halves, 2)
        if half:
            return f"{whole} and a half minutes" if whole else "half a minute"
        return plural(whole, "minute")
    minutes = round(s / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return plural(minutes, "minute")
    return plural(hours, "hour") + (f" {plural(minutes, 'minute')}" if minutes else "")


def split_names(items: Iterable[str]) -> tuple[str, ...]:
    """Names given as a list, each item perhaps holding several with commas, blanks dropped.

    >>> split_names(["glutes,cadence", " activation "])
    ('glutes', 'cadence', 'activation')
    """
    return tuple(n.strip() for item in items for n in item.split(",") if n.strip())


def parse_date(text: str) -> datetime.date:
    """An ISO date, ``YYYY-MM-DD``.

    >>> parse_date("2026-12-07")
    datetime.date(2026, 12, 7)
    """
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-12-07"
        ) from None
