"""Where every click of a session falls, in frames, from closed-form timing.

A cadence block's clicks sit where the step phase (the integral of cadence over time)
reaches a whole number. The phase runs on without a break through consecutive run/check
blocks, so block boundaries neither double nor drop a step; other kinds of block start their
own grid. Every position is computed from its step number, never by adding periods, so no
error builds up over an hour. Any frame range can be asked for: rendering can start anywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from stridebeat.session import GRID_KINDS, Block, Metronome, Ramp, Rhythm, Session, Steady
from stridebeat.units import seconds_to_frames, spm_to_steps_per_frame


@dataclass(frozen=True)
class Clicks:
    """Clicks in a frame range, in time order."""

    positions: NDArray[np.float64]  # ideal position in frames (fractional)
    steps: NDArray[np.int64]  # step number within its grid, from 0
    accents: NDArray[np.bool_]
    audible: NDArray[np.bool_]  # False where the metronome is muted (the grid runs on)

    def __len__(self) -> int:
        return len(self.positions)


@dataclass(frozen=True)
class _Cadence:
    """Steps per frame, linear from r0 to r1 over the block; phase0 steps done before it."""

    phase0: Fraction
    r0: Fraction
    r1: Fraction


@dataclass(frozen=True)
class Span:
    """A block placed on the timeline: frames [start, end) and how it clicks."""

    block: Block
    start: int
    end: int
    first_step: int  # step number of the block's first click
    end_step: int  # one past the step number of its last click
    cadence: _Cadence | None
    rhythm_offsets: tuple[Fraction, ...]  # frames from the cycle start, for rhythm blocks
    rhythm_cycle: Fraction

    @property
    def length(self) -> int:
        return self.end - self.start


class Timeline:
    """A session laid out at a sample rate."""

    def __init__(self, session: Session, rate: int, accent_every: int = 0) -> None:
        if accent_every < 0:
            raise ValueError("accent_every must be 0 (off) or a positive number of steps")
        self.session = session
        self.rate = rate
        self.accent_every = accent_every
        self.spans: tuple[Span, ...] = tuple(_lay_out(session, rate))
        self.length = self.spans[-1].end if self.spans else 0

    def span_index_at(self, frame: int) -> int:
        """Index of the block playing at ``frame`` (the last one past the end)."""
        for index, span in enumerate(self.spans):
            if frame < span.end:
                return index
        return len(self.spans) - 1

    def cadence_at(self, frame: float) -> float | None:
        """Cadence in spm at ``frame``, or None in a block without one."""
        span = self.spans[self.span_index_at(int(frame))]
        if span.cadence is None:
            return None
        x = min(max(frame - span.start, 0.0), float(span.length))
        c = span.cadence
        rate = float(c.r0) + float(c.r1 - c.r0) * x / span.length
        return rate * 60 * self.rate

    def clicks_between(self, start: float, stop: float) -> Clicks:
        """All clicks whose ideal position p satisfies start <= p < stop."""
        parts: list[tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.bool_]]] = []
        for span in self.spans:
            if span.end <= start - 1 or span.start >= stop + 1 or span.end_step <= span.first_step:
                continue
            steps = _candidate_steps(span, start, stop)
            if steps.size == 0:
                continue
            positions = _positions(span, steps)
            keep = (positions >= start) & (positions < stop)
            if not keep.any():
                continue
            steps, positions = steps[keep], positions[keep]
            if span.cadence is not None:
                accents = (
                    (steps % self.accent_every == 0)
                    if self.accent_every
                    else np.zeros(steps.shape, dtype=np.bool_)
                )
            else:
                accents = steps % len(span.rhythm_offsets) == 0
            parts.append((positions, steps, accents))
        if not parts:
            return _NO_CLICKS
        positions = np.concatenate([p[0] for p in parts])
        return Clicks(
            positions=positions,
            steps=np.concatenate([p[1] for p in parts]),
            accents=np.concatenate([p[2] for p in parts]),
            audible=self._audible(positions),
        )

    def _audible(self, positions: NDArray[np.float64]) -> NDArray[np.bool_]:
        audible = np.ones(positions.shape, dtype=np.bool_)
        for span in self.spans:
            pattern = span.block.metronome
            if pattern.always:
                continue
            inside = (positions >= span.start - 1) & (positions < span.end)
            audible[inside] = _pattern_on(pattern, (positions[inside] - span.start) / self.rate)
        return audible


_NO_CLICKS = Clicks(
    np.zeros(0, dtype=np.float64),
    np.zeros(0, dtype=np.int64),
    np.zeros(0, dtype=np.bool_),
    np.zeros(0, dtype=np.bool_),
)


def _pattern_on(pattern: Metronome, seconds: NDArray[np.float64]) -> NDArray[np.bool_]:
    if pattern.never or pattern.on is None:
        return np.zeros(seconds.shape, dtype=np.bool_)
    return np.asarray(np.mod(seconds, pattern.on + pattern.off) < pattern.on)


def _lay_out(session: Session, rate: int) -> list[Span]:
    spans: list[Span] = []
    elapsed = 0.0
    previous: Span | None = None
    for block in session.blocks:
        start = seconds_to_frames(elapsed, rate)
        elapsed += block.duration
        end = max(seconds_to_frames(elapsed, rate), start)
        length = end - start
        clicks = block.clicks
        if isinstance(clicks, Steady | Ramp):
            r0, r1 = _rates(clicks, rate)
            carries = (
                block.kind in GRID_KINDS
                and previous is not None
                and previous.cadence is not None
                and previous.block.kind in GRID_KINDS
            )
            phase0 = _end_phase(previous) if carries and previous else Fraction(0)
            phase_end = phase0 + (r0 + r1) / 2 * length
            span = Span(
                block,
                start,
                end,
                math.ceil(phase0),
                math.ceil(phase_end),
                _Cadence(phase0, r0, r1),
                (),
                Fraction(0),
            )
        elif isinstance(clicks, Rhythm):
            offsets, cycle = _rhythm_frames(clicks, rate)
            count = _rhythm_count(offsets, cycle, length)
            span = Span(block, start, end, 0, count, None, offsets, cycle)
        else:
            span = Span(block, start, end, 0, 0, None, (), Fraction(0))
        spans.append(span)
        previous = span
    return spans


def _rates(clicks: Steady | Ramp, rate: int) -> tuple[Fraction, Fraction]:
    if isinstance(clicks, Steady):
        r = spm_to_steps_per_frame(clicks.spm, rate)
        return r, r
    return spm_to_steps_per_frame(clicks.start_spm, rate), spm_to_steps_per_frame(
        clicks.end_spm, rate
    )


def _end_phase(span: Span) -> Fraction:
    assert span.cadence is not None
    c = span.cadence
    return c.phase0 + (c.r0 + c.r1) / 2 * span.length


def _rhythm_frames(rhythm: Rhythm, rate: int) -> tuple[tuple[Fraction, ...], Fraction]:
    offsets = [Fraction(0)]
    for interval in rhythm.intervals[:-1]:
        offsets.append(offsets[-1] + Fraction(interval) * rate)
    return tuple(offsets), Fraction(rhythm.cycle) * rate


def _rhythm_count(offsets: tuple[Fraction, ...], cycle: Fraction, length: int) -> int:
    """Clicks that start before the block ends: whole cycles, then the part-cycle's clicks."""
    full = math.floor(length / cycle)
    return full * len(offsets) + sum(1 for o in offsets if full * cycle + o < length)


def _candidate_steps(span: Span, start: float, stop: float) -> NDArray[np.int64]:
    """Step numbers that may fall in [start, stop): a superset, filtered by position after."""
    lo = max(start - span.start, 0.0)
    hi = min(stop - span.start, float(span.length))
    if hi < lo:
        return np.zeros(0, dtype=np.int64)
    if span.cadence is not None:
        k_lo = math.floor(_phase(span, lo)) - 1
        k_hi = math.ceil(_phase(span, hi)) + 1
    else:
        per_cycle = len(span.rhythm_offsets)
        cycle = float(span.rhythm_cycle)
        k_lo = (math.floor(lo / cycle) - 1) * per_cycle
        k_hi = (math.floor(hi / cycle) + 2) * per_cycle
    k_lo = max(k_lo, span.first_step)
    k_hi = min(k_hi, span.end_step)
    return np.arange(k_lo, max(k_hi, k_lo), dtype=np.int64)


def _phase(span: Span, x: float) -> float:
    """Steps done at local frame x: phase0 + r0·x + (r1 - r0)·x² / (2·length)."""
    assert span.cadence is not None
    c = span.cadence
    r0, dr = float(c.r0), float(c.r1 - c.r0)
    return float(c.phase0) + r0 * x + dr * x * x / (2 * span.length)


def _positions(span: Span, steps: NDArray[np.int64]) -> NDArray[np.float64]:
    if span.cadence is None:
        per_cycle = len(span.rhythm_offsets)
        offsets = np.array([float(o) for o in span.rhythm_offsets])
        cycles, index = np.divmod(steps, per_cycle)
        at: NDArray[np.float64] = span.start + cycles * float(span.rhythm_cycle) + offsets[index]
        return at
    c = span.cadence
    # Solve phase(x) = k for x: (dr / 2L)·x² + r0·x - Δ = 0 with Δ = k - phase0, in the form
    # x = 2Δ / (r0 + sqrt(r0² + 2·dr·Δ / L)), which stays accurate when dr is tiny or zero.
    delta = (steps - math.floor(c.phase0)).astype(np.float64) - float(
        c.phase0 - math.floor(c.phase0)
    )
    r0, dr = float(c.r0), float(c.r1 - c.r0)
    root = np.sqrt(np.maximum(r0 * r0 + 2.0 * dr * delta / span.length, 0.0))
    positions: NDArray[np.float64] = span.start + 2.0 * delta / (r0 + root)
    return positions
