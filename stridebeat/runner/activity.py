"""Baseline cadence from a recorded run: a FIT, GPX or TCX file from a watch or an app.

The cadence the runner actually runs at is the time-weighted median of the file's cadence
samples while running. Each sample stands for the time since the previous one, capped at
``MAX_INTERVAL_S`` so that a pause (a gap in the recording) counts as ten seconds at most.

A sample is *moving* when its speed is at least ``STOP_SPEED`` (or, with no speed or
distance in the file, when it has a cadence). A moving sample is *running* when its cadence
is in ``units.ACTIVITY_RUNNING_SPM`` (140-250 steps per minute: below is walking, above is a
sensor glitch) and its speed, where known, is at least ``WALK_SPEED``. ``usable_share`` is
running time over moving time: walking breaks and cadence drop-outs lower it, standing still
and pauses do not.

Units: FIT ``cadence`` (+ ``fractional_cadence``) is strides per minute for running; GPX
``cad`` and TCX ``RunCadence``/``Cadence`` usually are too, but some apps write steps. The
upper quartile of the moving cadence decides: below ``STRIDES_BELOW`` it is strides (doubled),
otherwise steps. The upper quartile, not the median, because walking breaks sit below the
running values in either unit and can be half of a run-walk session.

Quartiles are time-weighted and not interpolated: each is the smallest cadence whose share of
the running time reaches 25, 50 or 75 % (half the time at 170 and half at 174 gives 170).
A multisport FIT file (a triathlon) is read for its run legs only.

The formats are read by ``runner.fit`` and ``runner.gpx_tcx``, which both hand on a
``runner.track.Track``; what is here works on that alone.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stridebeat.errors import FileInputError
from stridebeat.runner.fit import looks_like_fit, read_fit
from stridebeat.runner.gpx_tcx import read_gpx_tcx
from stridebeat.runner.track import Point, Track
from stridebeat.tomlfile import byte_size, read_bytes
from stridebeat.units import ACTIVITY_RUNNING_SPM, STEPS_PER_STRIDE

MAX_FILE_BYTES = 100 * 1024 * 1024  # a 24-hour run recorded every second is far smaller
MAX_INTERVAL_S = 10.0  # a sample stands for at most this long: longer gaps are pauses
STOP_SPEED = 0.5  # m/s; slower is standing still (GPS drift at a stop stays below this)
WALK_SPEED = 1.4  # m/s (5 km/h, 12 min/km); slower is walking, whatever the cadence says
MAX_RUN_SPEED = 7.0  # m/s (25 km/h); a median moving speed above this is a ride
STRIDES_BELOW = 115.0  # per minute; an upper quartile below this means strides, not steps
DETECT_QUANTILE = 0.75
MIN_RUNNING_S = 60.0  # less running than this gives no baseline
SPEED_WINDOW_S = 5.0  # speed from distance is taken over at least this long (GPS jitter)


@dataclass(frozen=True)
class ActivityCadence:
    path: str
    format: str  # "FIT", "GPX" or "TCX"
    median_spm: float  # steps per minute while running
    q1_spm: float
    q3_spm: float  # interquartile range
    usable_share: float  # share of the run's moving time that was usable running (0..1)
    distance_m: float | None
    duration_s: float  # elapsed time of the activity
    running_s: float  # time counted as running
    unit_note: str  # how cadence was read


@dataclass(frozen=True, slots=True)
class _Sample:
    seconds: float  # the time this sample stands for
    raw: float | None  # cadence as written (> 0), else None
    speed: float | None


def read_activity(path: Path) -> ActivityCadence:
    """The runner's cadence while running, from a FIT, GPX or TCX file (gzipped too).

    Raises FileInputError for a file that cannot be read, is damaged, has no cadence,
    or is not a run.
    """
    where = str(path)
    data = _load(path, where)
    if looks_like_fit(data):
        track = read_fit(data, where)
    else:
        track = read_gpx_tcx(data, where)
    return _summarise(track, where)


# ---------------------------------------------------------------------------- loading


def _load(path: Path, where: str) -> bytes:
    data = read_bytes(path, "activity file", MAX_FILE_BYTES)
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, where, MAX_FILE_BYTES)
    if not data.strip():
        raise FileInputError(where, None, "the file is empty: export the run again")
    return data


def _gunzip(data: bytes, where: str, limit: int) -> bytes:
    """The unpacked file, read in pieces and stopped at ``limit`` bytes (a gzip bomb is
    never inflated whole)."""
    pieces: list[bytes] = []
    unpacked = 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while piece := stream.read(min(_PIECE, limit + 1 - unpacked)):
                pieces.append(piece)
                unpacked += len(piece)
                if unpacked > limit:
                    raise FileInputError(
                        where,
                        None,
                        f"is {byte_size(len(data))} packed but unpacks to more than "
                        f"{byte_size(limit)} (unpacking stopped there); "
                        f"an activity file is at most {byte_size(limit)}, so this is not one",
                    )
    except (OSError, EOFError, zlib.error) as exc:
        raise FileInputError(where, None, f"the gzip file is damaged ({exc})") from None
    return b"".join(pieces)


_PIECE = 2**20


# ---------------------------------------------------------------------------- summary


def _summarise(track: Track, where: str) -> ActivityCadence:
    points = sorted(track.points, key=lambda p: p.t)
    if not points:
        raise FileInputError(where, None, "no track points with times: nothing to measure")
    if not any(p.cadence for p in points):
        raise FileInputError(
            where,
            None,
            f"no cadence in any of its {len(points)} track points (none recorded, or 0 "
            "throughout): record the run with a watch or foot pod that counts steps",
        )
    samples = _samples(points)
    _refuse_ride(samples, where)
    factor, note = _cadence_unit(track, samples, where)
    moving_s = sum(s.seconds for s in samples if _is_moving(s))
    running = sorted(
        (s.raw * factor, s.seconds) for s in samples if s.raw is not None and _is_running(s, factor)
    )
    running_s = sum(w for _, w in running)
    if running_s < MIN_RUNNING_S:
        raise _too_little_running(where, samples, factor, running_s, moving_s)
    q1, median, q3 = (_weighted_quantile(running, q) for q in (0.25, 0.5, 0.75))
    return ActivityCadence(
        path=where,
        format=track.format,
        median_spm=median,
        q1_spm=q1,
        q3_spm=q3,
        usable_share=running_s / moving_s,
        distance_m=_distance(points, track.clipped),
        duration_s=points[-1].t - points[0].t,
        running_s=running_s,
        unit_note=note,
    )


def _samples(points: Sequence[Point]) -> list[_Sample]:
    derived = _derived_speeds(points)
    samples = []
    for i, p in enumerate(points):
        interval = p.t - points[i - 1].t if i else 0.0
        samples.append(
            _Sample(
                min(interval, MAX_INTERVAL_S),
                p.cadence if p.cadence is not None and p.cadence > 0 else None,
                p.speed if p.speed is not None else derived[i],
            )
        )
    return samples


def _derived_speeds(points: Sequence[Point]) -> list[float | None]:
    """Speed from cumulative distance over the last SPEED_WINDOW_S, never across a pause."""
    out: list[float | None] = []
    start = 0
    for i, p in enumerate(points):
        if i and p.t - points[i - 1].t > MAX_INTERVAL_S:
            start = i
        while start < i - 1 and p.t - points[start + 1].t >= SPEED_WINDOW_S:
            start += 1
        first = points[start]
        if p.distance is None or first.distance is None or p.t <= first.t:
            out.append(None)
        else:
            out.append(max(0.0, p.distance - first.distance) / (p.t - first.t))
    return out


def _is_moving(s: _Sample) -> bool:
    return s.speed >= STOP_SPEED if s.speed is not None else s.raw is not None


def _is_running(s: _Sample, factor: float) -> bool:
    if s.raw is None or not _is_moving(s):
        return False
    if s.speed is not None and s.speed < WALK_SPEED:
        return False
    return s.raw * factor in ACTIVITY_RUNNING_SPM


def _refuse_ride(samples: Sequence[_Sample], where: str) -> None:
    speeds = sorted((s.speed, s.seconds) for s in samples if s.speed is not None and _is_moving(s))
    if not speeds or sum(w for _, w in speeds) <= 0:
        return
    median = _weighted_quantile(speeds, 0.5)
    if median > MAX_RUN_SPEED:
        raise FileInputError(
            where,
            None,
            f"moves at a median {median * 3.6:.0f} km/h, faster than running: "
            "this looks like a ride, not a run",
        )


def _cadence_unit(track: Track, samples: Sequence[_Sample], where: str) -> tuple[float, str]:
    """2 and a note when the file counts strides (one per two steps), else 1."""
    moving = sorted((s.raw, s.seconds) for s in samples if s.raw is not None and _is_moving(s))
    if sum(w for _, w in moving) <= 0:
        raise FileInputError(
            where, None, "cadence was recorded only while standing still: no running in it"
        )
    upper = _weighted_quantile(moving, DETECT_QUANTILE)
    if upper < STRIDES_BELOW:
        if track.format == "FIT":
            return STEPS_PER_STRIDE, "FIT cadence is strides per minute: doubled to steps"
        return (
            STEPS_PER_STRIDE,
            f"{track.label} is strides per minute (running at about {upper:.0f}): doubled to steps",
        )
    if upper > ACTIVITY_RUNNING_SPM.high:
        raise FileInputError(
            where,
            None,
            f"{track.label} reaches {upper:.0f} per minute, above any running cadence: "
            "the cadence in this file is not a step count",
        )
    if track.format == "FIT":
        return 1.0, f"FIT cadence was already steps per minute (about {upper:.0f}): used as is"
    return 1.0, f"{track.label} is already steps per minute (about {upper:.0f}): used as is"


def _too_little_running(
    where: str, samples: Sequence[_Sample], factor: float, running_s: float, moving_s: float
) -> FileInputError:
    moving = sorted(
        (s.raw * factor, s.seconds) for s in samples if s.raw is not None and _is_moving(s)
    )
    median = _weighted_quantile(moving, 0.5)
    lowest = ACTIVITY_RUNNING_SPM.low
    return FileInputError(
        where,
        None,
        f"not a run: only {running_s:.0f} s of {moving_s / 60:.1f} min moving was at a running "
        f"cadence ({lowest:.0f} steps per minute or more); the median while moving was "
        f"{median:.0f} steps per minute. A baseline needs at least {MIN_RUNNING_S:.0f} s "
        "of running",
    )


def _weighted_quantile(pairs: Sequence[tuple[float, float]], q: float) -> float:
    """The smallest value whose cumulative weight reaches q of the total (pairs sorted).

    >>> _weighted_quantile([(160.0, 1.0), (170.0, 2.0), (180.0, 1.0)], 0.5)
    170.0
    """
    kept = [(v, w) for v, w in pairs if w > 0]
    total = sum(w for _, w in kept)
    target = q * total - 1e-9 * total
    reached = 0.0
    for value, weight in kept:
        reached += weight
        if reached >= target:
            return value
    return kept[-1][0]


def _distance(points: Sequence[Point], clipped: bool) -> float | None:
    known = [p.distance for p in points if p.distance is not None]
    if not known:
        return None
    return max(known) - (min(known) if clipped else 0.0)
