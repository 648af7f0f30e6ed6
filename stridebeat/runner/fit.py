"""Reading a FIT activity file (fitdecode): its records, and only the runs of a multisport file.

A FIT file says what it is (``file_id``), which sport each session was (``session``, or
``sport`` when there are no sessions) and when each began and how long it took; a triathlon
keeps only the records of its run legs. A damaged file is reported as damaged before anything
else its bytes might say. Cadence is passed on as written (``cadence`` plus
``fractional_cadence``, or ``cadence256``): reading its unit is ``runner.activity``'s job.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import fitdecode

from stridebeat.errors import FileInputError
from stridebeat.runner.track import Point, Track, is_run, not_a_run_sport

_FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z, where FIT timestamps count from


def looks_like_fit(data: bytes) -> bool:
    """A FIT header: its size (12 or 14) first and ".FIT" at byte 8, or as much as is there."""
    return data[0] in (12, 14) and b".FIT".startswith(data[8:12])


@dataclass(frozen=True)
class _Session:
    sport: str | None
    sub_sport: str | None
    start: float | None
    elapsed: float | None


@dataclass
class _Content:
    points: list[Point] = field(default_factory=list)
    sessions: list[_Session] = field(default_factory=list)
    sports: list[tuple[str | None, str | None]] = field(default_factory=list)
    file_types: list[str] = field(default_factory=list)


def read_fit(data: bytes, where: str) -> Track:
    """The records of a FIT activity (of its run legs only, in a multisport file).

    Raises FileInputError for a damaged file, a FIT file that is not an activity (a course,
    a workout), or an activity of another sport.
    """
    content = _Content()
    try:
        reader = fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.IGNORE,
        )
        with reader:
            for frame in reader:
                if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                    _frame(frame, content)
    except fitdecode.FitError as exc:
        raise FileInputError(where, None, _damage(data, exc)) from None
    # checked only now: a damaged file is reported as damaged, whatever its bytes said
    others = [kind for kind in content.file_types if kind != "activity"]
    if others:
        raise FileInputError(
            where, None, f"a FIT {others[0]} file, not a recorded activity: export the run itself"
        )
    windows = _run_windows(content.sessions, content.sports, where)
    points = content.points
    if windows is not None:
        points = [p for p in points if any(a <= p.t <= b for a, b in windows)]
    return Track("FIT", "FIT cadence", points, clipped=windows is not None)


def _frame(frame: Any, content: _Content) -> None:
    name = frame.name
    if name == "record":
        point = _point(frame)
        if point is not None:
            content.points.append(point)
    elif name == "session":
        content.sessions.append(
            _Session(
                _text(frame, "sport"),
                _text(frame, "sub_sport"),
                _time(frame, "start_time"),
                _number(frame, "total_elapsed_time"),
            )
        )
    elif name == "sport":
        content.sports.append((_text(frame, "sport"), _text(frame, "sub_sport")))
    elif name == "file_id":
        kind = _text(frame, "type")
        if kind is not None:
            content.file_types.append(kind)


def _point(frame: Any) -> Point | None:
    t = _time(frame, "timestamp")
    if t is None:
        return None
    cadence = _number(frame, "cadence")
    if cadence is not None:
        cadence += _number(frame, "fractional_cadence") or 0.0
    else:
        cadence = _number(frame, "cadence256")
    speed = _number(frame, "enhanced_speed")
    if speed is None:
        speed = _number(frame, "speed")
    return Point(t, cadence, speed, _number(frame, "distance"))


def _value(frame: Any, name: str) -> object:
    value: object = frame.get_value(name, fallback=None)
    return value


def _number(frame: Any, name: str) -> float | None:
    value = _value(frame, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _text(frame: Any, name: str) -> str | None:
    value = _value(frame, name)
    return None if value is None else str(value)


def _time(frame: Any, name: str) -> float | None:
    value = _value(frame, name)
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value + _FIT_EPOCH)
    return None


def _damage(data: bytes, exc: Exception) -> str:
    if len(data) < data[0]:
        return (
            f"the FIT file is cut short: it has {len(data)} bytes, less than its "
            f"{data[0]}-byte header (copy it from the watch again)"
        )
    if isinstance(exc, fitdecode.FitEOFError):
        announced = data[0] + 2 + struct.unpack_from("<I", data, 4)[0]
        return (
            f"the FIT file is cut short: it has {len(data)} bytes of the {announced} its "
            "header announces (copy it from the watch again)"
        )
    if isinstance(exc, fitdecode.FitCRCError):
        return "the FIT file is damaged: its checksum does not match (copy it again)"
    if isinstance(exc, fitdecode.FitHeaderError):
        return f"not a readable FIT file: its header is damaged ({exc})"
    return f"the FIT file is damaged ({exc})"


def _run_windows(
    sessions: Sequence[_Session],
    sports: Sequence[tuple[str | None, str | None]],
    where: str,
) -> list[tuple[float, float]] | None:
    """The time spans of the run sessions, or None to keep every record.

    A multisport file (a triathlon) keeps only its run legs; a file of one non-run sport is
    refused.
    """
    if not sessions:
        for sport, sub_sport in sports:
            if is_run(sport, sub_sport) is False:
                raise not_a_run_sport(where, sport, sub_sport)
        return None
    runs = [s for s in sessions if is_run(s.sport, s.sub_sport) is not False]
    if not runs:
        raise not_a_run_sport(where, sessions[0].sport, sessions[0].sub_sport)
    if len(runs) == len(sessions):
        return None
    windows: list[tuple[float, float]] = []
    for s in runs:
        if s.start is None or s.elapsed is None:
            return None
        windows.append((s.start, s.start + s.elapsed))
    return windows
