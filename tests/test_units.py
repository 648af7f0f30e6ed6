from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stridebeat.units import (
    format_clock,
    frames_to_seconds,
    parse_duration,
    parse_ramp,
    parse_spm,
    parse_volume,
    seconds_to_frames,
    spm_to_period,
    spm_to_steps_per_frame,
    spoken_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("45s", 45),
        ("30m", 30 * 60),
        ("30min", 30 * 60),
        ("1h5m", 3600 + 5 * 60),
        ("1h 5m 30s", 3600 + 5 * 60 + 30),
        ("2h", 2 * 3600),
        ("1.5m", 90),
        ("1:05", 60 + 5),
        ("12:30", 12 * 60 + 30),
        ("1:05:00", 3600 + 5 * 60),
        ("0:30.5", 30.5),
        (" 10M ", 600),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("soon", "not a duration"),
        ("-5m", "negative"),
        ("30", "no unit"),
        ("", "empty"),
        ("1:75", "below 60"),
        ("1:60:00", "below 60"),
        ("5x", "not a duration"),
    ],
)
def test_parse_duration_refuses(text: str, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        parse_duration(text)


@given(st.integers(0, 20 * 3600))
def test_clock_round_trip(seconds: int) -> None:
    assert parse_duration(format_clock(seconds)) == seconds


@given(st.integers(0, 9), st.integers(0, 59), st.integers(0, 59))
def test_unit_and_clock_forms_agree(h: int, m: int, s: int) -> None:
    assert parse_duration(f"{h}h{m}m{s}s") == parse_duration(f"{h}:{m:02d}:{s:02d}")


def test_format_clock() -> None:
    assert format_clock(65) == "1:05"
    assert format_clock(3905) == "1:05:05"  # 1 h, 5 min, 5 s
    assert format_clock(59.99) == "0:59"


@pytest.mark.parametrize(
    ("seconds", "spoken"),
    [
        (5, "5 seconds"),
        (1, "1 second"),
        (32, "30 seconds"),
        (60, "1 minute"),
        (90, "1 and a half minutes"),
        (150, "2 and a half minutes"),
        (620, "10 minutes"),
        (3900, "1 hour 5 minutes"),
        (3600, "1 hour"),
    ],
)
def test_spoken_duration(seconds: float, spoken: str) -> None:
    assert spoken_duration(seconds) == spoken


def test_spm_and_ramp() -> None:
    assert parse_spm("172") == 172.0
    assert parse_spm(172.5) == 172.5
    assert parse_ramp("165:175") == (165.0, 175.0)
    for bad in ("0", "-170", "301", "29.9", "abc", "nan", "inf"):
        with pytest.raises(ValueError):
            parse_spm(bad)
    for bad in ("170", "a:b", "165:175:180", "165:"):
        with pytest.raises(ValueError):
            parse_ramp(bad)


def test_volume() -> None:
    assert parse_volume(100) == 1.0
    assert parse_volume(50) == 0.5
    for bad in (-1, 101, float("nan")):
        with pytest.raises(ValueError):
            parse_volume(bad)


def test_frames() -> None:
    assert seconds_to_frames(1.5, 44100) == 66150  # 1.5 × 44100
    assert seconds_to_frames(3600, 48000) == 172_800_000  # an hour at 48 kHz
    assert seconds_to_frames(1.4 / 44100, 44100) == 1  # 1.4 frames: the nearest is 1
    assert seconds_to_frames(1.5 / 48000, 48000) == 2  # halves round up
    assert frames_to_seconds(22050, 44100) == 0.5


def test_cadence_conversions() -> None:
    assert spm_to_period(180) == pytest.approx(1 / 3)  # 60 / 180 s between steps
    # 176 steps/min at 44100 Hz: 176 / (60 × 44100) = 176 / 2_646_000 steps per frame
    assert spm_to_steps_per_frame(176, 44100) == Fraction(176, 2_646_000)
