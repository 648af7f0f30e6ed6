"""Reading a GPX or TCX activity file: its track points, with the distance along the track.

The file is read with expat (a file that declares entities is refused). A point needs its
time; its cadence is TCX ``RunCadence`` where there is one, else GPX ``cad`` or TCX
``Cadence``, passed on as written (reading its unit is ``runner.activity``'s job). Without a
distance in the file, it is measured along the track from latitude and longitude (haversine),
adding nothing across a break between segments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.parsers import expat

from stridebeat.errors import FileInputError
from stridebeat.runner.track import Point, Track, is_run, not_a_run_sport

EARTH_RADIUS_M = 6_371_000.0


def read_gpx_tcx(data: bytes, where: str) -> Track:
    """The track points of a GPX or TCX file, with times, in the order written.

    Raises FileInputError (with the line, where there is one) for a file that is not XML,
    is cut short, is XML of another kind, or records another sport.
    """
    body = data.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
    if not body.startswith(b"<"):
        raise FileInputError(
            where, None, f"not a FIT, GPX or TCX file (it starts with {data[:16]!r})"
        )
    # Garmin Connect has exported TCX with blank lines before the XML declaration
    reader = _XmlReader(where, data[: len(data) - len(body)].count(b"\n"))
    reader.parse(body)
    points = reader.points
    if len(points) > 1 and points[0].t == points[-1].t:
        raise FileInputError(
            where,
            reader.first_line,
            f"all {len(points)} track points have the same time: the recording has no "
            "duration to measure a cadence over; export the activity again",
        )
    if reader.sport is not None and is_run(reader.sport) is False:
        raise not_a_run_sport(where, reader.sport, None)
    if reader.format == "TCX" and any(p.run_cadence is not None for p in reader.points):
        label = "TCX RunCadence"
    else:
        label = "GPX cad" if reader.format == "GPX" else "TCX Cadence"
    return Track(reader.format, label, _xml_points(reader.points), clipped=False)


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
        self.first_line = 0  # of the first point with a time, and of the latest one
        self.last_line = 0
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
        t = self._time(raw["time"])
        if self.points and t < self.points[-1].t:
            raise FileInputError(
                self.where,
                self.point_line,
                f"track point time {raw['time']} is earlier than the point before it (line "
                f"{self.last_line}): the times go backwards, so the file is damaged or was "
                "edited; export the activity again",
            )
        self.first_line = self.first_line or self.point_line
        self.last_line = self.point_line
        self.points.append(
            _XmlPoint(
                t,
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
        try:
            return value.timestamp()
        except (OverflowError, ValueError):
            raise FileInputError(
                self.where, self.point_line, f"track point time {text!r} is out of range"
            ) from None

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


def _xml_points(raw: Sequence[_XmlPoint]) -> list[Point]:
    """Track points with cumulative distance: the file's own, else measured along the track."""
    measured = _along_track(raw) if all(p.distance is None for p in raw) else None
    return [
        Point(
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
