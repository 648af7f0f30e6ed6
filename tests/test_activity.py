"""Baseline cadence from activity files, each written by the test itself.

FIT files come from the small encoder below (header with CRC, definition and data messages,
file CRC); GPX and TCX are written as text.
"""

from __future__ import annotations

import gzip
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fitdecode
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.errors import FileInputError
from stridebeat.runner.activity import ActivityCadence, read_activity
from stridebeat.runner.gpx_tcx import EARTH_RADIUS_M

# ---------------------------------------------------------------------------- a run, in ticks


@dataclass(frozen=True)
class Tick:
    t: float  # seconds from the start
    spm: float | None  # steps per minute; None: no cadence recorded
    speed: float  # m/s
    distance: float  # cumulative metres


def run(
    *parts: tuple[int, float | None, float], gap_after: dict[int, int] | None = None
) -> list[Tick]:
    """Ticks one second apart: each part is (seconds, spm, speed); gap_after pauses the watch
    after part i for the given seconds (no samples)."""
    ticks: list[Tick] = []
    t, distance = 0.0, 0.0
    for i, (seconds, spm, speed) in enumerate(parts):
        for _ in range(seconds):
            if ticks:
                distance += speed
            ticks.append(Tick(t, spm, speed, distance))
            t += 1.0
        t += (gap_after or {}).get(i, 0)
    return ticks


# ---------------------------------------------------------------------------- FIT encoder

FIT_EPOCH = 631065600
START = 1_020_000_000  # FIT seconds: 2022-04-27
CRC_TABLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip
INVALID = {"B": 0xFF, "H": 0xFFFF, "I": 0xFFFFFFFF}
BASE_TYPE = {
    "enum": (0x00, "B"),
    "uint8": (0x02, "B"),
    "uint16": (0x84, "H"),
    "uint32": (0x86, "I"),
}

# message: (global number, [(field name, field number, base type)])
Message = tuple[int, list[tuple[str, int, str]]]
FILE_ID: Message = (
    0,
    [("type", 0, "enum"), ("manufacturer", 1, "uint16"), ("time_created", 4, "uint32")],
)
RECORD: Message = (
    20,
    [
        ("timestamp", 253, "uint32"),
        ("distance", 5, "uint32"),
        ("speed", 6, "uint16"),
        ("cadence", 4, "uint8"),
        ("fractional_cadence", 53, "uint8"),
    ],
)
RECORD_NO_CADENCE: Message = (20, RECORD[1][:3])
SESSION: Message = (
    18,
    [
        ("timestamp", 253, "uint32"),
        ("start_time", 2, "uint32"),
        ("total_elapsed_time", 7, "uint32"),
        ("total_distance", 9, "uint32"),
        ("sport", 5, "enum"),
        ("sub_sport", 6, "enum"),
    ],
)
RUNNING, CYCLING = 1, 2


def fit_crc(data: bytes, crc: int = 0) -> int:
    """The FIT SDK's CRC-16 (CRC-16/ARC), a nibble at a time."""
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = CRC_TABLE[crc & 0xF]
            crc = (crc >> 4) & 0x0FFF
            crc = crc ^ tmp ^ CRC_TABLE[nibble]
    return crc


class FitWriter:
    """Writes FIT messages, a definition before the first message of each local type."""

    def __init__(self) -> None:
        self.body = bytearray()
        self.defined: dict[int, Message] = {}

    def write(self, local: int, message: Message, values: dict[str, int | None]) -> None:
        number, fields = message
        if self.defined.get(local) != message:
            self.body += struct.pack("<BBBHB", 0x40 | local, 0, 0, number, len(fields))
            for _, field_number, kind in fields:
                base, fmt = BASE_TYPE[kind]
                self.body += struct.pack("<BBB", field_number, struct.calcsize(fmt), base)
            self.defined[local] = message
        self.body.append(local)
        for name, _, kind in fields:
            fmt = BASE_TYPE[kind][1]
            value = values.get(name)
            self.body += struct.pack("<" + fmt, INVALID[fmt] if value is None else value)

    def data(self) -> bytes:
        header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(self.body), b".FIT")
        header += struct.pack("<H", fit_crc(header))
        content = header + bytes(self.body)
        return content + struct.pack("<H", fit_crc(content))


def fit_record(tick: Tick, cadence: bool = True) -> dict[str, int | None]:
    values: dict[str, int | None] = {
        "timestamp": START + round(tick.t),
        "distance": round(tick.distance * 100),
        "speed": round(tick.speed * 1000),
    }
    if cadence and tick.spm is not None:
        strides = tick.spm / 2
        values["cadence"] = math.floor(strides)
        values["fractional_cadence"] = round((strides - math.floor(strides)) * 128)
    return values


@dataclass(frozen=True)
class Leg:
    sport: int
    ticks: Sequence[Tick]
    sub_sport: int = 0


def fit_file(*legs: Leg, cadence: bool = True, file_type: int = 4) -> bytes:
    """An activity: file_id, the legs' records, then one session per leg."""
    writer = FitWriter()
    writer.write(0, FILE_ID, {"type": file_type, "manufacturer": 255, "time_created": START})
    record = RECORD if cadence else RECORD_NO_CADENCE
    for leg in legs:
        for tick in leg.ticks:
            writer.write(1, record, fit_record(tick, cadence))
    for leg in legs:
        first, last = leg.ticks[0], leg.ticks[-1]
        writer.write(
            2,
            SESSION,
            {
                "timestamp": START + round(last.t),
                "start_time": START + round(first.t),
                "total_elapsed_time": round((last.t - first.t) * 1000),
                "total_distance": round((last.distance - first.distance) * 100),
                "sport": leg.sport,
                "sub_sport": leg.sub_sport,
            },
        )
    return writer.data()


def fit_run(ticks: Sequence[Tick], sport: int = RUNNING, cadence: bool = True) -> bytes:
    return fit_file(Leg(sport, ticks), cadence=cadence)


# ---------------------------------------------------------------------------- GPX and TCX

T0 = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180  # along a meridian
TPX_V1 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
TPX_V2 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
TCX_TPX = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"


def iso(t: float) -> str:
    return (T0 + timedelta(seconds=t)).isoformat().replace("+00:00", "Z")


def gpx(
    ticks: Sequence[Tick], per_minute: float = 0.5, style: str = "v1", kind: str = "running"
) -> str:
    """A GPX track running north; cad = spm x per_minute (0.5: strides)."""

    def cad(tick: Tick) -> str:
        if tick.spm is None:
            return ""
        value = f"{tick.spm * per_minute:g}"
        if style == "plain":
            return f"<extensions><cad>{value}</cad></extensions>"
        return (
            "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr>"
            f"<gpxtpx:cad>{value}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>"
        )

    points = "\n".join(
        f'   <trkpt lat="{45 + tick.distance / METRES_PER_DEGREE:.9f}" lon="7.0">'
        f"<ele>300</ele><time>{iso(tick.t)}</time>{cad(tick)}</trkpt>"
        for tick in ticks
    )
    namespace = TPX_V2 if style == "v2" else TPX_V1
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"\n'
        f'     xmlns:gpxtpx="{namespace}">\n'
        f" <trk><name>Morning Run</name><type>{kind}</type>\n  <trkseg>\n{points}\n"
        "  </trkseg>\n </trk>\n</gpx>\n"
    )


def tcx(
    ticks: Sequence[Tick],
    per_minute: float = 0.5,
    tag: str = "RunCadence",
    sport: str = "Running",
    moving: bool = True,
) -> str:
    """A TCX activity; moving=False leaves out speed and distance (a treadmill)."""

    def cadence(tick: Tick) -> str:
        if tick.spm is None:
            return ""
        value = round(tick.spm * per_minute)
        if tag == "Cadence":
            return f"<Cadence>{value}</Cadence>"
        speed = f"<Speed>{tick.speed}</Speed>" if moving else ""
        return (
            f'<Extensions><TPX xmlns="{TCX_TPX}">{speed}'
            f"<RunCadence>{value}</RunCadence></TPX></Extensions>"
        )

    def distance(tick: Tick) -> str:
        return f"<DistanceMeters>{tick.distance:.1f}</DistanceMeters>" if moving else ""

    points = "\n".join(
        f"<Trackpoint><Time>{iso(tick.t)}</Time>{distance(tick)}{cadence(tick)}</Trackpoint>"
        for tick in ticks
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<TrainingCenterDatabase xmlns="{TCX_NS}">\n'
        f'<Activities><Activity Sport="{sport}"><Id>{iso(0)}</Id>\n'
        f'<Lap StartTime="{iso(0)}"><TotalTimeSeconds>{ticks[-1].t}</TotalTimeSeconds>'
        f"<DistanceMeters>{ticks[-1].distance}</DistanceMeters><Cadence>0</Cadence><Track>\n"
        f"{points}\n</Track></Lap></Activity></Activities>\n</TrainingCenterDatabase>\n"
    )


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def refused(path: Path) -> FileInputError:
    with pytest.raises(FileInputError) as caught:
        read_activity(path)
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(str(path))
    return caught.value


STEADY = run((600, 170.0, 3.0))

# ---------------------------------------------------------------------------- the encoder itself


def test_fit_crc_is_crc16_arc() -> None:
    assert fit_crc(b"123456789") == 0xBB3D  # the catalogued check value of CRC-16/ARC
    assert fit_crc(b"") == 0


def test_fitdecode_reads_the_encoder_back() -> None:
    data = fit_run(run((3, 171.0, 3.0)))
    frames = list(fitdecode.FitReader(data, check_crc=fitdecode.CrcCheck.RAISE))
    records = [f for f in frames if f.frame_type == fitdecode.FIT_FRAME_DATA and f.name == "record"]
    assert [r.get_value("cadence") for r in records] == [85, 85, 85]
    assert records[0].get_value("fractional_cadence") == 0.5
    assert records[2].get_value("distance") == 6.0
    session = next(
        f for f in frames if f.frame_type == fitdecode.FIT_FRAME_DATA and f.name == "session"
    )
    assert session.get_value("sport") == "running"


# ---------------------------------------------------------------------------- steady runs


def test_steady_fit_run(tmp_path: Path) -> None:
    result = read_activity(write(tmp_path, "run.fit", fit_run(run((600, 171.0, 3.0)))))
    assert result == ActivityCadence(
        path=str(tmp_path / "run.fit"),
        format="FIT",
        median_spm=171.0,  # cadence 85 + fractional 0.5 strides, doubled
        q1_spm=171.0,
        q3_spm=171.0,
        usable_share=1.0,
        distance_m=1797.0,  # 599 s at 3 m/s
        duration_s=599.0,
        running_s=599.0,
        unit_note="FIT cadence is strides per minute: doubled to steps",
    )


@pytest.mark.parametrize("style", ["v1", "v2", "plain"])
def test_steady_gpx_run(tmp_path: Path, style: str) -> None:
    result = read_activity(write(tmp_path, "run.gpx", gpx(STEADY, style=style)))
    assert (result.format, result.median_spm, result.q1_spm, result.q3_spm) == (
        "GPX",
        170,
        170,
        170,
    )
    assert result.usable_share == 1.0
    assert result.distance_m == pytest.approx(1797.0, abs=0.01)  # haversine along a meridian
    assert result.duration_s == result.running_s == 599.0
    assert (
        result.unit_note == "GPX cad is strides per minute (running at about 85): doubled to steps"
    )


def test_steady_tcx_run(tmp_path: Path) -> None:
    result = read_activity(write(tmp_path, "run.tcx", tcx(STEADY)))
    assert (result.format, result.median_spm, result.usable_share) == ("TCX", 170.0, 1.0)
    assert result.distance_m == 1797.0
    assert result.unit_note.startswith("TCX RunCadence is strides per minute")


def test_gzipped_fit(tmp_path: Path) -> None:
    result = read_activity(write(tmp_path, "run.fit.gz", gzip.compress(fit_run(STEADY))))
    assert (result.format, result.median_spm) == ("FIT", 170.0)


def test_tcx_with_blank_lines_before_the_declaration(tmp_path: Path) -> None:
    result = read_activity(write(tmp_path, "run.tcx", "\n\n   " + tcx(STEADY)))
    assert result.median_spm == 170.0


# ---------------------------------------------------------------------------- what is ignored


def test_walking_breaks_are_ignored(tmp_path: Path) -> None:
    ticks = run((320, 170.0, 3.0), (120, 120.0, 1.5), (300, 174.0, 3.2), (60, 150.0, 1.2))
    result = read_activity(write(tmp_path, "run.fit", fit_run(ticks)))
    assert (result.q1_spm, result.median_spm, result.q3_spm) == (170.0, 170.0, 174.0)
    assert result.running_s == 319 + 300  # not the walk, nor the slow shuffle at 150 spm
    assert result.usable_share == pytest.approx(619 / 799)
    assert result.duration_s == 799


def test_a_pause_counts_ten_seconds_at_most(tmp_path: Path) -> None:
    ticks = run((300, 170.0, 3.0), (300, 170.0, 3.0), gap_after={0: 600})
    result = read_activity(write(tmp_path, "run.fit", fit_run(ticks)))
    assert result.duration_s == 1199  # elapsed, pause included
    assert result.running_s == 299 + 10 + 299
    assert result.usable_share == 1.0


STOP_AND_GO = run((300, 170.0, 3.0), (120, None, 0.0), (120, 40.0, 0.2), (300, 170.0, 3.0))


def test_standing_still_is_not_moving(tmp_path: Path) -> None:
    result = read_activity(write(tmp_path, "run.fit", fit_run(STOP_AND_GO)))
    assert result.median_spm == 170.0
    assert result.running_s == 299 + 300
    assert result.usable_share == 1.0  # stopped: not counted against the run


def test_standing_still_from_gps_positions(tmp_path: Path) -> None:
    result = read_activity(write(tmp_path, "run.gpx", gpx(STOP_AND_GO)))
    assert result.median_spm == 170.0
    # speed from positions over 5 s blurs the few seconds around each stop
    assert result.running_s == pytest.approx(599, abs=3)
    assert result.usable_share == pytest.approx(1.0, abs=0.01)


def test_cadence_dropout_while_moving_lowers_the_usable_share(tmp_path: Path) -> None:
    ticks = run((300, 170.0, 3.0), (100, None, 3.0), (300, 170.0, 3.0))
    result = read_activity(write(tmp_path, "run.fit", fit_run(ticks)))
    assert result.running_s == 599
    assert result.usable_share == pytest.approx(599 / 699)


def test_treadmill_run_without_speed_or_distance(tmp_path: Path) -> None:
    ticks = run((300, 166.0, 0.0), (60, 110.0, 0.0))
    text = tcx(ticks, moving=False).replace("<DistanceMeters>0.0</DistanceMeters>", "")
    result = read_activity(write(tmp_path, "treadmill.tcx", text))
    assert result.median_spm == 166.0
    assert result.distance_m is None
    assert result.usable_share == pytest.approx(299 / 359)  # cadence alone says moving


def test_multisport_keeps_only_the_run(tmp_path: Path) -> None:
    ride = run((600, 180.0, 9.0))  # 90 rpm pedalling: would read as 180 spm
    leg = [Tick(x.t + 700, 160.0, 3.0, 5400 + x.distance) for x in STEADY]
    result = read_activity(
        write(tmp_path, "tri.fit", fit_file(Leg(CYCLING, ride), Leg(RUNNING, leg)))
    )
    assert result.median_spm == 160.0
    assert result.running_s == 599
    assert result.duration_s == 599  # the run leg's
    assert result.distance_m == pytest.approx(1797.0)


# ---------------------------------------------------------------------------- strides or steps


@pytest.mark.parametrize(
    ("per_minute", "note"),
    [
        (0.5, "GPX cad is strides per minute (running at about 88): doubled to steps"),
        (1.0, "GPX cad is already steps per minute (about 176): used as is"),
    ],
)
def test_strides_or_steps_in_gpx(tmp_path: Path, per_minute: float, note: str) -> None:
    ticks = run((400, 176.0, 3.0), (400, 116.0, 1.5))  # half of it walking
    result = read_activity(write(tmp_path, "run.gpx", gpx(ticks, per_minute=per_minute)))
    assert result.median_spm == 176.0
    assert result.unit_note == note


def test_steps_in_tcx_cadence(tmp_path: Path) -> None:
    result = read_activity(write(tmp_path, "run.tcx", tcx(STEADY, per_minute=1.0, tag="Cadence")))
    assert result.median_spm == 170.0
    assert result.unit_note == "TCX Cadence is already steps per minute (about 170): used as is"


def test_fit_written_in_steps_is_not_doubled(tmp_path: Path) -> None:
    ticks = [Tick(t.t, (t.spm or 0) * 2, t.speed, t.distance) for t in STEADY]  # cadence field 170
    result = read_activity(write(tmp_path, "run.fit", fit_run(ticks)))
    assert result.median_spm == 170.0
    assert "already steps per minute" in result.unit_note


# ---------------------------------------------------------------------------- refused files


def test_missing_cadence_fit(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "run.fit", fit_run(STEADY, cadence=False)))
    assert "no cadence in any of its 600 track points" in error.message


def test_missing_cadence_gpx(tmp_path: Path) -> None:
    ticks = [Tick(t.t, None, t.speed, t.distance) for t in STEADY]
    assert "no cadence" in refused(write(tmp_path, "run.gpx", gpx(ticks))).message


def test_cycling_fit_is_refused(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "ride.fit", fit_run(run((600, 180.0, 8.0)), sport=CYCLING)))
    assert "recorded as cycling, not a run" in error.message


def test_biking_tcx_is_refused(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "ride.tcx", tcx(STEADY, sport="Biking", tag="Cadence")))
    assert "recorded as Biking, not a run" in error.message


def test_fast_ride_with_no_sport_is_refused(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "ride.gpx", gpx(run((600, 180.0, 8.5)), kind="")))
    assert "looks like a ride" in error.message


def test_walk_is_not_a_run(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "walk.gpx", gpx(run((900, 112.0, 1.5)), kind="9")))
    assert error.message.startswith("not a run: only 0 s of 15.0 min moving")
    assert "median while moving was 112 steps per minute" in error.message


def test_truncated_fit(tmp_path: Path) -> None:
    data = fit_run(STEADY)
    error = refused(write(tmp_path, "run.fit", data[: len(data) // 2]))
    assert f"cut short: it has {len(data) // 2} bytes of the {len(data)}" in error.message


def test_fit_cut_inside_its_header(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "run.fit", fit_run(STEADY)[:10]))
    assert "cut short: it has 10 bytes, less than its 14-byte header" in error.message


@pytest.mark.parametrize("offset", [30, 200, 3951, -1])  # file_id type, records, the CRC
def test_corrupt_fit(tmp_path: Path, offset: int) -> None:
    data = bytearray(fit_run(STEADY))
    data[offset] ^= 0x01  # one flipped bit
    error = refused(write(tmp_path, "run.fit", bytes(data)))
    assert error.message == "the FIT file is damaged: its checksum does not match (copy it again)"


def test_fit_that_is_not_an_activity(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "course.fit", fit_file(Leg(RUNNING, STEADY), file_type=6)))
    assert "a FIT course file, not a recorded activity" in error.message


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    lines = gpx(STEADY).splitlines()
    lines[10] = lines[10].replace("</time>", "</tme>")
    error = refused(write(tmp_path, "run.gpx", "\n".join(lines)))
    assert error.line == 11
    assert str(error).startswith(f"{tmp_path / 'run.gpx'}:11: not valid XML: mismatched tag")


def test_truncated_xml_names_the_line(tmp_path: Path) -> None:
    text = gpx(STEADY)
    error = refused(write(tmp_path, "run.gpx", text[: len(text) // 2]))
    assert error.line is not None and error.line > 300
    assert "not valid XML" in error.message


def test_bad_number_names_the_line(tmp_path: Path) -> None:
    lines = gpx(STEADY).splitlines()
    lines[20] = lines[20].replace("<gpxtpx:cad>85</gpxtpx:cad>", "<gpxtpx:cad>fast</gpxtpx:cad>")
    error = refused(write(tmp_path, "run.gpx", "\n".join(lines)))
    assert (error.line, error.message) == (21, "track point cadence 'fast' is not a number")


def test_xml_entities_are_refused(tmp_path: Path) -> None:
    text = gpx(STEADY).replace("<gpx ", '<!DOCTYPE gpx [<!ENTITY a "aaaa">]>\n<gpx ', 1)
    assert "declares XML entities" in refused(write(tmp_path, "bomb.gpx", text)).message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b"hello, world", "not a FIT, GPX or TCX file"),
        (b'<?xml version="1.0"?><kml></kml>', "XML with a <kml> root: not a GPX or TCX file"),
        (b"\x1f\x8b\x08\x00garbage", "the gzip file is damaged"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    assert expected in refused(write(tmp_path, "x.gpx", content)).message


def test_missing_file(tmp_path: Path) -> None:
    assert refused(tmp_path / "nope.fit").message == "no such activity file"


# ---------------------------------------------------------------------------- invariants


RUNNING_SPM = st.lists(st.integers(150, 200), min_size=70, max_size=120)
# (before which running tick, spm, speed): a walking cadence, or a shuffle slower than 1.4 m/s
WALKING = st.one_of(
    st.tuples(st.integers(0, 130), st.integers(80, 139), st.floats(0.8, 2.5)),
    st.tuples(st.integers(0, 130), st.integers(140, 170), st.floats(0.8, 1.35)),
)


@settings(max_examples=25, deadline=None)
@given(running=RUNNING_SPM, walking=st.lists(WALKING, max_size=250))
def test_walking_never_moves_the_quartiles(
    tmp_path_factory: pytest.TempPathFactory,
    running: list[int],
    walking: list[tuple[int, int, float]],
) -> None:
    folder = tmp_path_factory.mktemp("hyp")
    alone = read_activity(write(folder, "alone.fit", fit_run(interleave(running, []))))
    mixed = read_activity(write(folder, "mixed.fit", fit_run(interleave(running, walking))))
    quartiles = (alone.q1_spm, alone.median_spm, alone.q3_spm)
    assert (mixed.q1_spm, mixed.median_spm, mixed.q3_spm) == quartiles
    assert quartiles == tuple(sorted(quartiles))
    assert mixed.running_s == alone.running_s == len(running)
    assert 0 < mixed.usable_share <= alone.usable_share == 1.0


def interleave(running: list[int], walking: list[tuple[int, int, float]]) -> list[Tick]:
    """One tick a second: running at 3 m/s, walking ticks (spot, spm, speed) slipped in before
    running tick number spot (or at the end). The first tick walks, so that every running tick
    stands for one second."""
    items: list[tuple[float, float]] = [(100.0, 1.0)]
    for i, steps in enumerate(running):
        items += [(float(s), v) for spot, s, v in walking if spot == i]
        items.append((float(steps), 3.0))
    items += [(float(s), v) for spot, s, v in walking if spot >= len(running)]
    ticks: list[Tick] = []
    distance = 0.0
    for t, (spm, speed) in enumerate(items):
        distance += speed if t else 0.0
        ticks.append(Tick(float(t), spm, speed, distance))
    return ticks


@settings(max_examples=20, deadline=None)
@given(running=RUNNING_SPM, walking=st.lists(WALKING, max_size=70))
def test_strides_and_steps_files_of_one_run_agree(
    tmp_path_factory: pytest.TempPathFactory,
    running: list[int],
    walking: list[tuple[int, int, float]],
) -> None:
    ticks = interleave(running, walking)  # at most as much walking as running
    folder = tmp_path_factory.mktemp("hyp")
    strides = read_activity(write(folder, "strides.gpx", gpx(ticks, per_minute=0.5)))
    steps = read_activity(write(folder, "steps.gpx", gpx(ticks, per_minute=1.0)))
    assert "doubled" in strides.unit_note and "used as is" in steps.unit_note
    assert (strides.q1_spm, strides.median_spm, strides.q3_spm) == (
        steps.q1_spm,
        steps.median_spm,
        steps.q3_spm,
    )
    assert strides.running_s == steps.running_s
