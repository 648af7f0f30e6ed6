"""Cadence from a tap test: the runner taps a key on every step for about 30 seconds.

People miss a tap now and then, or hit the key twice; the step count is corrected for both
from the typical interval, so one slip does not move the result.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from stridebeat.errors import InputError
from stridebeat.units import RUNNING_SPM

MIN_TAPS = 20
DOUBLE_TAP = 0.4  # an interval under this share of the typical one is a second press


@dataclass(frozen=True)
class TapResult:
    cadence_spm: float
    taps: int
    missed: int  # steps with no tap, found as intervals about twice the typical one
    doubled: int  # extra presses ignored
    seconds: float


def cadence_from_taps(times: Sequence[float]) -> TapResult:
    """Steps per minute from tap times in seconds.

    >>> round(cadence_from_taps([i / 3 for i in range(40)]).cadence_spm)
    180
    """
    if len(times) < MIN_TAPS:
        raise InputError(
            f"only {len(times)} taps: tap on every step for 30 seconds (about 80 taps), "
            f"at least {MIN_TAPS}"
        )
    ordered = sorted(times)
    intervals = [b - a for a, b in zip(ordered, ordered[1:], strict=False)]
    typical = statistics.median(intervals)
    if typical <= 0:
        raise InputError("the taps came all at once: tap once on every step")
    kept = [i for i in intervals if i >= DOUBLE_TAP * typical]
    doubled = len(intervals) - len(kept)
    typical = statistics.median(kept)
    steps = [max(1, round(i / typical)) for i in kept]
    seconds = ordered[-1] - ordered[0]
    cadence = 60 * sum(steps) / seconds
    if cadence not in RUNNING_SPM:
        raise InputError(
            f"the taps give {cadence:.0f} steps per minute, which is not a running cadence: "
            "tap once on every step (both feet)"
        )
    return TapResult(cadence, len(ordered), sum(steps) - len(steps), doubled, seconds)
