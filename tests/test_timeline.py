from __future__ import annotations

import math
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stridebeat.engine.session import (
    METRONOME_OFF,
    Block,
    Metronome,
    Ramp,
    Rhythm,
    Session,
    Steady,
    ramp_session,
    steady_session,
)
from stridebeat.engine.timeline import Timeline

getcontext().prec = 50


def all_clicks(timeline: Timeline) -> np.ndarray:
    return timeline.clicks_between(0, timeline.length).positions


def test_constant_cadence_closed_form() -> None:
    # 176 spm at 44100 Hz: a step every 60/176 s = 15034.0909... frames; click k at k × that.
    timeline = Timeline(steady_session(176, 60), 44100)
    positions = all_clicks(timeline)
    assert len(positions) == 176  # one minute at 176 spm
    assert positions[0] == 0.0
    assert positions[1] == pytest.approx(44100 * 60 / 176)
    assert positions[175] == pytest.approx(175 * 44100 * 60 / 176, abs=1e-6)


def test_hour_has_no_drift() -> None:
    # 176 spm for 60 min is exactly 10560 steps; the last is at 10559 × 60/176 s.
    timeline = Timeline(steady_session(176, 3600), 44100)
    positions = all_clicks(timeline)
    assert len(positions) == 10560
    exact_last = Fraction(10559 * 60 * 44100, 176)
    assert abs(positions[-1] - float(exact_last)) < 1e-6


def test_ramp_is_linear_in_time() -> None:
    # 160 -> 180 spm over 60 s: steps done by t are (160 t + 20 t² / 120) / 60.
    # Halfway (t = 30 s): (4800 + 150) / 60 = 82.5 steps, so click 82 is just before 30 s.
    rate = 48000
    timeline = Timeline(ramp_session(160, 180, 60), rate)
    positions = all_clicks(timeline)
    assert len(positions) == 170  # mean cadence 170 spm for one minute
    t82 = positions[82] / rate
    assert (160 * t82 + 20 * t82**2 / 120) / 60 == pytest.approx(82, abs=1e-9)
    assert positions[82] < 30 * rate < positions[83]
    assert timeline.cadence_at(30 * rate) == pytest.approx(170)


def test_grid_runs_on_across_blocks() -> None:
    # 160 spm for 10 s is 26.67 steps: the next block continues at phase 26.67, so its first
    # click comes (1 - 0.67) steps later at the new cadence, not at the boundary.
    rate = 44100
    session = Session((Block("run", 10, Steady(160)), Block("run", 10, Steady(180))))
    positions = all_clicks(Timeline(session, rate))
    phase_at_boundary = Fraction(160 * 10, 60)  # 80/3 steps
    first_after = 10 + (27 - phase_at_boundary) * Fraction(60, 180)
    assert len(positions) == 27 + 30  # ceil(80/3) + (ceil(80/3 + 30) - 27)
    assert positions[27] == pytest.approx(float(first_after) * rate, abs=1e-6)
    gaps = np.diff(positions) / rate
    assert gaps.min() >= 60 / 180 - 1e-9 and gaps.max() <= 60 / 160 + 1e-9  # no double, no gap


def test_other_kinds_start_their_own_grid() -> None:
    session = Session((Block("run", 10.1, Steady(160)), Block("strength", 6, Rhythm((2.0, 1.0)))))
    timeline = Timeline(session, 1000)
    clicks = timeline.clicks_between(10100, timeline.length)
    # 2 s down, 1 s up: clicks at 0, 2, 3, 5 s from the block start; the cycle starts accented.
    assert list(clicks.positions) == [10100, 12100, 13100, 15100]
    assert list(clicks.accents) == [True, False, True, False]


def test_rhythm_count_stops_at_block_end() -> None:
    session = Session((Block("strength", 5.5, Rhythm((2.0, 1.0))),))
    assert list(all_clicks(Timeline(session, 100))) == [0, 200, 300, 500]


def test_rest_block_is_silent() -> None:
    session = Session((Block("rest", 30, None), Block("run", 10, Steady(120))))
    timeline = Timeline(session, 1000)
    positions = all_clicks(timeline)
    assert positions[0] == 30000  # the run's grid starts at its own start
    assert len(positions) == 20


def test_accent_every_n_steps() -> None:
    timeline = Timeline(steady_session(180, 10), 1000, accent_every=4)
    clicks = timeline.clicks_between(0, timeline.length)
    assert list(np.flatnonzero(clicks.accents)) == list(range(0, 30, 4))


def test_metronome_pattern_mutes_but_keeps_grid() -> None:
    block = Block("run", 8, Steady(60), metronome=Metronome(on=2, off=2))
    timeline = Timeline(Session((block,)), 100)
    clicks = timeline.clicks_between(0, timeline.length)
    assert list(clicks.positions) == [0, 100, 200, 300, 400, 500, 600, 700]
    assert list(clicks.audible) == [True, True, False, False, True, True, False, False]
    silent = Timeline(Session((Block("check", 4, Steady(60), metronome=METRONOME_OFF),)), 100)
    assert not silent.clicks_between(0, silent.length).audible.any()


def test_seek_matches_whole() -> None:
    session = Session((Block("run", 20, Ramp(150, 190)), Block("run", 20, Steady(190))))
    timeline = Timeline(session, 44100)
    whole = all_clicks(timeline)
    pieces = np.concatenate(
        [timeline.clicks_between(a, a + 12345).positions for a in range(0, timeline.length, 12345)]
    )
    assert np.array_equal(whole, pieces)


# --- properties ---------------------------------------------------------------------------

cadence = st.integers(30, 300) | st.floats(30, 300, allow_nan=False).map(lambda x: round(x, 2))
durations = st.integers(1, 600)
block_source = st.one_of(cadence.map(Steady), st.tuples(cadence, cadence).map(lambda c: Ramp(*c)))
rates = st.sampled_from([8000, 22050, 44100, 48000, 96000])


def _exact_phase_end(block: Block, rate: int, frames: int) -> Fraction:
    source = block.clicks
    assert isinstance(source, Steady | Ramp)
    c0, c1 = (
        (source.spm, source.spm)
        if isinstance(source, Steady)
        else (source.start_spm, source.end_spm)
    )
    # ∫ cadence dt over the block, in steps: mean cadence × duration / 60
    return (Fraction(c0) + Fraction(c1)) / 2 * Fraction(frames, rate) / 60


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(block_source, durations), min_size=1, max_size=4), rates)
# the phase at the end is 641 + 2**-46 steps: click 641 falls about 1e-10 frames before the
# end, closer than a float's spacing there, so its computed position rounds onto the end
@example(blocks=[(Ramp(201.21, 55.19), 300)], rate=8000)
@example(blocks=[(Steady(64.9), 600)], rate=8000)
@example(blocks=[(Steady(241), 2), (Steady(242), 252), (Steady(63.34), 100)], rate=8000)
def test_clicks_increase_and_count_is_integral_of_cadence(
    blocks: list[tuple[Steady | Ramp, int]], rate: int
) -> None:
    session = Session(tuple(Block("run", float(d), s) for s, d in blocks))
    timeline = Timeline(session, rate)
    positions = all_clicks(timeline)
    assert positions[0] == 0.0
    assert np.all(np.diff(positions) > 0)
    # Documented rounding: a grid of blocks clicks at phase 0, 1, 2, ... while the phase is below
    # its end, so the number of clicks is ceil(∫ cadence / 60) over the whole grid.
    phase = Fraction(0)
    for span in timeline.spans:
        before = math.ceil(phase)
        phase += _exact_phase_end(span.block, rate, span.length)
        inside = timeline.clicks_between(span.start, span.end).positions
        assert len(inside) == math.ceil(phase) - before
    assert len(positions) == math.ceil(phase)


def _exact_ramp_time(c0: Decimal, c1: Decimal, total: Decimal, k: int) -> Decimal:
    """Seconds at which a ramp c0 -> c1 over ``total`` seconds has done k steps (50 digits)."""
    a = (c1 - c0) / (2 * total)
    if a == 0:
        return 60 * k / c0
    return (-c0 + (c0 * c0 + 4 * a * 60 * k).sqrt()) / (2 * a)


@settings(max_examples=60, deadline=None)
@given(cadence, cadence, st.integers(60, 3 * 3600), rates, st.data())
def test_error_does_not_grow_with_duration(
    c0: float, c1: float, seconds: int, rate: int, data: st.DataObject
) -> None:
    timeline = Timeline(ramp_session(c0, c1, seconds), rate)
    count = timeline.spans[0].clicks
    k = data.draw(st.integers(max(count - 50, 0), count - 1))
    window = timeline.clicks_between(0, timeline.length)
    exact = _exact_ramp_time(Decimal(c0), Decimal(c1), Decimal(seconds), k) * rate
    assert abs(window.positions[k] - float(exact)) < 1e-4  # frames, even hours in


def test_live_cadence_change_starts_a_new_piece() -> None:
    # 120 spm at 1000 Hz: a step every 500 frames. +60 spm at frame 1200 (phase 2.4): the
    # next click (step 3) comes 0.6 steps later at 180 spm = 200 frames, at 1400.
    timeline = Timeline(
        Session((Block("run", 10, Steady(120)), Block("run", 10, Steady(130)))), 1000
    )
    faster = timeline.with_cadence_change(1200, 60)
    positions = faster.clicks_between(0, faster.length).positions
    assert list(positions[:5]) == pytest.approx([0, 500, 1000, 1400, 1733.333333], abs=1e-6)
    assert faster.cadence_at(1100) == pytest.approx(120)
    assert faster.cadence_at(5000) == pytest.approx(180)
    assert faster.cadence_at(15000) == pytest.approx(190)  # later blocks move too
    assert np.all(np.diff(positions) > 0)
    assert timeline.cadence_at(5000) == pytest.approx(120)  # the original is unchanged
    capped = timeline.with_cadence_change(0, 500)
    assert capped.cadence_at(15000) == pytest.approx(300)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40_000), st.integers(-20, 20)), max_size=6))
def test_live_changes_keep_the_grid_unbroken(changes: list[tuple[int, int]]) -> None:
    session = Session((Block("run", 20, Ramp(150, 170)), Block("run", 20, Steady(170))))
    timeline = Timeline(session, 1000)
    for frame, delta in sorted(changes):
        timeline = timeline.with_cadence_change(frame, delta)
    positions = timeline.clicks_between(0, timeline.length).positions
    gaps = np.diff(positions)
    assert positions[0] == 0 and np.all(gaps > 0)
    assert gaps.max() <= 60_000 / 30 + 1e-6  # never slower than 30 spm: no gap, no double
