"""Baseline cadence from a recorded run: a FIT, GPX or TCX file from a watch or an app.

The cadence the runner actually runs at is the time-weighted median of the file's cadence
samples while running. Each sample stands for the time since the previous one, capped at
``MAX_INTERVAL_S`` so that a pause (a gap in the recording) counts as ten seconds at most.

A sample is *moving* when its speed is at least ``STOP_SPEED`` (or, with no speed or
distance in the file, when it has a cadence). A moving sample is *running* when its cadence
is between ``WALK_SPM`` and ``MAX_SPM`` steps per minute and its speed, where known, is at
least ``WALK_SPEED``. ``usable_share`` is running time over moving time: walking breaks and
cadence drop-outs lower it, standing still and pauses do not.

Units: FIT ``cadence`` (+ ``fractional_cadence``) is strides per minute for running; GPX
``cad`` and TCX ``RunCadence``/``Cadence`` usually are too, but some apps write steps. The
upper quartile of the moving cadence decides: below ``STRIDES_BELOW`` it is strides (doubled),
otherwise steps. The upper quartile, not the median, because walking breaks sit below the
running values in either unit and can be half of a run-walk session.

Quartiles are time-weighted and not interpolated: each is the smallest cadence whose share of
the running time reaches 25, 50 or 75 % (half the time at 170 and half at 174 gives 170).
A multisport FIT file (a triathlon) is read for its run legs only.
"""

from __future__ import annotations

import gzip
import io
import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.parsers import expat

import fitdecode

from stridebeat.errors import FileInputError
from stridebeat.units import ACTIVITY_RUNNING_SPM

MAX_FILE_BYTES = 100 * 1024 * 1024  # a 24-hour run recorded every second is far smaller
MAX_INTERVAL_S = 10.0  # a sample stands for at most this long: longer gaps are pauses
STOP_SPEED = 0.5  # m/s; slower is standing still (GPS drift at a stop stays below this)
WALK_SPEED = 1.4  # m/s (5 km/h, 12 min/km); slower is walking, whatever the cadence says
WALK_SPM = ACTIVITY_RUNNING_SPM.low  # below is walking (running is ~150-200, walking ~100-130)
MAX_SPM = ACTIVITY_RUNNING_SPM.high  # above is a sensor glitch
MAX_RUN_SPEED = 7.0  # m/s (25 km/h); a median moving speed above this is a ride
STRIDES_BELOW = 115.0  # per minute; an upper quartile below this means strides, not steps
DETECT_QUANTILE = 0.75
MIN_RUNNING_S = 60.0  # less running than this gives no baseline
SPEED_WINDOW_S = 5.0  # speed from distance is taken over at least this long (GPS jitter)
EARTH_RADIUS_M = 6_371_000.0

_FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z, where FIT timestamps count from
_RUN_WORDS = ("run", "jog", "treadmill")
_UNKNOWN_SPORTS = ("", "generic", "other", "all", "unknown", "none")


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
class _Point:
    t: float  # seconds since 1970
    cadence: float | None  # as written in the file, per minute
    speed: float | None  # m/s
    distance: float | None  # cumulative metres


@dataclass(frozen=True)
class _Track:
    format: str
    label: str  # the cadence field, as the unit note names it
    points: list[_Point]
    clipped: bool  # only part of the recording is kept (the run of a multisport file)


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
    if _looks_like_fit(data):
        track = _read_fit(data, where)
    else:
        track = _read_xml(data, where)
    return _summarise(track, where)


# ---------------------------------------------------------------------------- loading


def _load(path: Path, where: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _too_big(where, size)
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileInputError(where, None, "no such file") from None
    except IsADirectoryError:
        raise FileInputError(where, None, "is a folder, not an activity file") from None
    except OSError as exc:
        raise FileInputError(where, None, f"cannot be read: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, where)
    if not data.strip():
        raise FileInputError(where, None, "the file is empty: export the run again")
    return data


def _too_big(where: str, size: int) -> FileInputError:
    return FileInputError(
        where,
        None,
        f"is {size / 2**20:.0f} MiB; an activity file is at most "
        f"{MAX_FILE_BYTES // 2**20} MiB, so this is not one",
    )


def _gunzip(data: bytes, where: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inner = stream.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise FileInputError(where, None, f"the gzip file is damaged ({exc})") from None
    if len(inner) > MAX_FILE_BYTES:
        raise _too_big(where, len(inner))
    return inner


# ---------------------------------------------------------------------------- FIT


def _looks_like_fit(data: bytes) -> bool:
    """A FIT header: its size (12 or 14) first and ".FIT" at byte 8, or as much as is there."""
    return data[0] in (12, 14) and b".FIT".startswith(data[8:12])


@dataclass(frozen=True)
class _FitSession:
    sport: str | None
    sub_sport: str | None
    start: float | None
    elapsed: float | None


@dataclass
class _FitContent:
    points: list[_Point] = field(default_factory=list)
    sessions: list[_FitSession] = field(default_factory=list)
    sports: list[tuple[str | None, str | None]] = field(default_factory=list)
    file_types: list[str] = field(default_factory=list)


def _read_fit(data: bytes, where: str) -> _Track:
    content = _FitContent()
    try:
        reader = fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.IGNORE,
        )
        with reader:
            for frame in reader:
                if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                    _fit_frame(frame, content)
    except fitdecode.FitError as exc:
        raise FileInputError(where, None, _fit_damage(data, exc)) from None
    # checked only now: a damaged file is reported as damaged, whatever its bytes said
    others = [kind for kind in content.file_types if kind != "activity"]
    if others:
        raise FileInputError(
            where, None, f"a FIT {others[0]} file, not a recorded activity: export the run itself"
        )
    windows = _fit_run_windows(content.sessions, content.sports, where)
    points = content.points
    if windows is not None:
        points = [p for p in points if any(a <= p.t <= b for a, b in windows)]
    return _Track("FIT", "FIT cadence", points, clipped=windows is not None)


def _fit_frame(frame: Any, content: _FitContent) -> None:
    name = frame.name
    if name == "record":
        point = _fit_point(frame)
        if point is not None:
            content.points.append(point)
    elif name == "session":
        content.sessions.append(
            _FitSession(
                _fit_text(frame, "sport"),
                _fit_text(frame, "sub_sport"),
                _fit_time(frame, "start_time"),
                _fit_number(frame, "total_elapsed_time"),
            )
        )
    elif name == "sport":
        content.sports.append((_fit_text(frame, "sport"), _fit_text(frame, "sub_sport")))
    elif name == "file_id":
        kind = _fit_text(frame, "type")
        if kind is not None:
            content.file_types.append(kind)


def _fit_point(frame: Any) -> _Point | None:
    t = _fit_time(frame, "timestamp")
    if t is None:
        return None
    cadence = _fit_number(frame, "cadence")
    if cadence is not None:
        cadence += _fit_number(frame, "fractional_cadence") or 0.0
    else:
        cadence = _fit_number(frame, "cadence256")
    speed = _fit_number(frame, "enhanced_speed")
    if speed is None:
        speed = _fit_number(frame, "speed")
    return _Point(t, cadence, speed, _fit_number(frame, "distance"))


def _fit_value(frame: Any, name: str) -> object:
    value: object = frame.get_value(name, fallback=None)
    return value


def _fit_number(frame: Any, name: str) -> float | None:
    value = _fit_value(frame, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _fit_text(frame: Any, name: str) -> str | None:
    value = _fit_value(frame, name)
    return None if value is None else str(value)


def _fit_time(frame: Any, name: str) -> float | None:
    value = _fit_value(frame, name)
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value + _FIT_EPOCH)
    return None


def _fit_damage(data: bytes, exc: Exception) -> str:
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


def _fit_run_windows(
    sessions: Sequence[_FitSession],
    sports: Sequence[tuple[str | None, str | None]],
    where: str,
) -> list[tuple[float, float]] | None:
    """The time spans of the run sessions, or None to keep every record.

    A multisport file (a triathlon) keeps only its run legs; a file of one non-run sport is
    refused.
    """
    if not sessions:
        for sport, sub_sport in sports:
            if _is_run(sport, sub_sport) is False:
                raise _not_a_run_sport(where, sport, sub_sport)
        return None
    runs = [s for s in sessions if _is_run(s.sport, s.sub_sport) is not False]
    if not runs:
        raise _not_a_run_sport(where, sessions[0].sport, sessions[0].sub_sport)
    if len(runs) == len(sessions):
        return None
    windows: list[tuple[float, float]] = []
    for s in runs:
        if s.start is None or s.elapsed is None:
            return None
        windows.append((s.start, s.start + s.elapsed))
    return windows


def _is_run(sport: str | None, sub_sport: str | None = None) -> bool | None:
    """True for a run, False for another sport, None when the file does not say."""
    text = f"{sport or ''} {sub_sport or ''}".lower()
    if any(word in text for word in _RUN_WORDS):
        return True
    name = (sport or "").strip().lower()
    if name in _UNKNOWN_SPORTS or name.isdigit():
        return None
    return False


def _not_a_run_sport(where: str, sport: str | None, sub_sport: str | None) -> FileInputError:
    what = (sport or "").replace("_", " ")
    if sub_sport and sub_sport not in ("generic", sport):
        what += f" ({sub_sport.replace('_', ' ')})"
    return FileInputError(
        where, None, f"the activity is recorded as {what}, not a run: a baseline needs a run"
    )


# ---------------------------------------------------------------------------- GPX and TCX

_POINT_TAGS = {"GPX": "trkpt", "TCX": "Trackpoint"}
_SEGMENT_TAGS = {"GPX": "trkseg", "TCX": "Track"}
# (format, parent, element) -> field of a track point; parent "*" is anywhere in the point
_XML_FIELDS: dict[tuple[str, str, str], str] = {
    ("GPX", "trkpt", "time"): "time",
    ("GPX", "*", "cad"): "cadence",
    ("GPX", "*", "speed"): "speed",
    ("TCX", "Trackpoint", "Time"): "time",
    ("TCX", "Trackpoint", "DistanceMeters"): "distance",
    ("TCX", "Trackpoint", "Cadence"): "cadence",
    ("TCX", "*", "RunCadence"): "run_cadence",
    ("TCX", "*", "Speed"): "speed",
    ("TCX", "Position", "LatitudeDegrees"): "lat",
    ("TCX", "Position", "LongitudeDegrees"): "lon",
}


@dataclass(frozen=True, slots=True)
class _XmlPoint:
    t: float
    cadence: float | None
    run_cadence: float | None
    speed: float | None
    distance: float | None
    lat: float | None
    lon: float | None
    segment: int


class _XmlReader:
    """Collects the track points of a GPX or TCX file as expat reports its elements."""

    def __init__(self, where: str, line_offset: int) -> None:
        self.where = where
        self.line_offset = line_offset
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.EntityDeclHandler = self._entity
        self.format = ""
        self.sport: str | None = None
        self.stack: list[str] = []
        self.text: list[str] = []
        self.point: dict[str, str] | None = None
        self.point_line = 0
        self.segment = 0
        self.points: list[_XmlPoint] = []

    def parse(self, body: bytes) -> None:
        try:
            self.parser.Parse(body, True)
        except expat.ExpatError as exc:
            raise FileInputError(
                self.where,
                self._line(exc.lineno),
                f"not valid XML: {expat.ErrorString(exc.code)} (column {exc.offset + 1}); "
                "the file is damaged or cut short, export it again",
            ) from None

    def _line(self, line: int | None = None) -> int:
        return (self.parser.CurrentLineNumber if line is None else line) + self.line_offset

    def _entity(self, *_: object) -> None:
        raise FileInputError(
            self.where, self._line(), "declares XML entities, which activity files never do"
        )

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition("}")[2]
        if not self.stack:
            self._root(local)
        self.stack.append(local)
        self.text = []
        if local == _SEGMENT_TAGS[self.format]:
            self.segment += 1
        elif local == _POINT_TAGS[self.format]:
            self.point = {k: v for k, v in attrs.items() if k in ("lat", "lon")}
            self.point_line = self._line()
        elif local == "Activity" and self.sport is None:
            self.sport = attrs.get("Sport")

    def _root(self, local: str) -> None:
        if local == "gpx":
            self.format = "GPX"
        elif local == "TrainingCenterDatabase":
            self.format = "TCX"
        else:
            raise FileInputError(
                self.where, self._line(), f"XML with a <{local}> root: not a GPX or TCX file"
            )

    def _text(self, data: str) -> None:
        self.text.append(data)

    def _end(self, name: str) -> None:
        local = self.stack.pop()
        parent = self.stack[-1] if self.stack else ""
        text = "".join(self.text).strip()
        self.text = []
        if self.point is None:
            if local == "type" and parent == "trk" and self.sport is None:
                self.sport = text
            return
        if local == _POINT_TAGS[self.format]:
            self._finish_point(self.point)
            self.point = None
            return
        key = _XML_FIELDS.get((self.format, parent, local)) or _XML_FIELDS.get(
            (self.format, "*", local)
        )
        if key is not None and text:
            self.point[key] = text

    def _finish_point(self, raw: dict[str, str]) -> None:
        if "time" not in raw:
            return
        self.points.append(
            _XmlPoint(
                self._time(raw["time"]),
                self._number(raw, "cadence"),
                self._number(raw, "run_cadence"),
                self._number(raw, "speed"),
                self._number(raw, "distance"),
                self._number(raw, "lat"),
                self._number(raw, "lon"),
                self.segment,
            )
        )

    def _time(self, text: str) -> float:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise FileInputError(
                self.where, self.point_line, f"track point time {text!r} is not a date and time"
            ) from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()

    def _number(self, raw: dict[str, str], key: str) -> float | None:
        text = raw.get(key)
        if text is None:
            return None
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise FileInputError(
                self.where, self.point_line, f"track point {key} {text!r} is not a number"
            )
        return value


def _read_xml(data: bytes, where: str) -> _Track:
    body = data.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
    if not body.startswith(b"<"):
        raise FileInputError(
            where, None, f"not a FIT, GPX or TCX file (it starts with {data[:16]!r})"
        )
    # Garmin Connect has exported TCX with blank lines before the XML declaration
    reader = _XmlReader(where, data[: len(data) - len(body)].count(b"\n"))
    reader.parse(body)
    if reader.sport is not None and _is_run(reader.sport) is False:
        raise _not_a_run_sport(where, reader.sport, None)
    if reader.format == "TCX" and any(p.run_cadence is not None for p in reader.points):
        label = "TCX RunCadence"
    else:
        label = "GPX cad" if reader.format == "GPX" else "TCX Cadence"
    return _Track(reader.format, label, _xml_points(reader.points), clipped=False)


def _xml_points(raw: Sequence[_XmlPoint]) -> list[_Point]:
    """Track points with cumulative distance: the file's own, else measured along the track."""
    measured = _along_track(raw) if all(p.distance is None for p in raw) else None
    return [
        _Point(
            p.t,
            p.run_cadence if p.run_cadence is not None else p.cadence,
            p.speed,
            measured[i] if measured is not None else p.distance,
        )
        for i, p in enumerate(raw)
    ]


def _along_track(raw: Sequence[_XmlPoint]) -> list[float | None]:
    """Cumulative haversine distance; nothing is added across a break between segments."""
    total = 0.0
    previous: _XmlPoint | None = None
    out: list[float | None] = []
    for p in raw:
        if p.lat is None or p.lon is None:
            out.append(None)
            continue
        if previous is not None and previous.segment == p.segment:
            total += _haversine(previous, p)
        previous = p
        out.append(total)
    return out


def _haversine(a: _XmlPoint, b: _XmlPoint) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlmb = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# ---------------------------------------------------------------------------- summary


def _summarise(track: _Track, where: str) -> ActivityCadence:
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


def _samples(points: Sequence[_Point]) -> list[_Sample]:
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


def _derived_speeds(points: Sequence[_Point]) -> list[float | None]:
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
    return WALK_SPM <= s.raw * factor <= MAX_SPM


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


def _cadence_unit(track: _Track, samples: Sequence[_Sample], where: str) -> tuple[float, str]:
    """2 and a note when the file counts strides (one per two steps), else 1."""
    moving = sorted((s.raw, s.seconds) for s in samples if s.raw is not None and _is_moving(s))
    if sum(w for _, w in moving) <= 0:
        raise FileInputError(
            where, None, "cadence was recorded only while standing still: no running in it"
        )
    upper = _weighted_quantile(moving, DETECT_QUANTILE)
    if upper < STRIDES_BELOW:
        if track.format == "FIT":
            return 2.0, "FIT cadence is strides per minute: doubled to steps"
        return (
            2.0,
            f"{track.label} is strides per minute (running at about {upper:.0f}): doubled to steps",
        )
    if upper > MAX_SPM:
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
    return FileInputError(
        where,
        None,
        f"not a run: only {running_s:.0f} s of {moving_s / 60:.1f} min moving was at a running "
        f"cadence ({WALK_SPM:.0f} steps per minute or more); the median while moving was "
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


def _distance(points: Sequence[_Point], clipped: bool) -> float | None:
    known = [p.distance for p in points if p.distance is not None]
    if not known:
        return None
    return max(known) - (min(known) if clipped else 0.0)
