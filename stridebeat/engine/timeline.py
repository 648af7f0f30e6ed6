"""Where every click of a session falls, in frames, from closed-form timing.

A cadence block's clicks sit where the step phase (the integral of cadence over time)
reaches a whole number. The phase runs on without a break through consecutive run/check
blocks, so block boundaries neither double nor drop a step; other kinds of block start their
own grid. Every position is computed from its step number, never by adding periods, so no
error builds up over an hour. Any frame range can be asked for: rendering can start anywhere.

Within a block, cadence is piecewise linear: one piece for a steady or ramped block, more
after a live change of cadence, which starts a new piece at the frame it takes effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from stridebeat.engine.session import GRID_KINDS, Block, Metronome, Rhythm, Session
from stridebeat.units import MAX_SPM, MIN_SPM, seconds_to_frames, spm_to_steps_per_frame


@dataclass(frozen=True)
class Clicks:
    """Clicks in a frame range, in time order."""

    positions: NDArray[np.float64]  # ideal position in frames (fractional)
    steps: NDArray[np.int64]  # step number within its grid, from 0
    accents: NDArray[np.bool_]
    audible: NDArray[np.bool_]  # False where the metronome is muted (the grid runs on)

    def __len__(self) -> int:
        return len(self.positions)


class PieceNumbers(NamedTuple):
    """A cadence piece's steps ceil(phase0) .. end - 1, and its phase as floats:
    phase0 = whole + frac; cadence r0 + dr·x / length steps per frame at local frame x."""

    first: int
    end: int
    whole: int
    frac: float
    r0: float
    dr: float
    length: int  # at least 1


@dataclass(frozen=True)
class Piece:
    """Frames [start, end) of cadence linear from r0 to r1 steps per frame; ``phase0`` steps
    were done before it, so its clicks are steps ceil(phase0) .. ceil(phase_end) - 1."""

    start: int
    end: int
    r0: Fraction
    r1: Fraction
    phase0: Fraction = Fraction(0)

    @property
    def length(self) -> int:
        return self.end - self.start

    @cached_property
    def phase_end(self) -> Fraction:
        return self.phase0 + (self.r0 + self.r1) / 2 * self.length

    @cached_property
    def numbers(self) -> PieceNumbers:
        """Its numbers as the closed-form formulas use them, worked out once (fractions are
        slow, and every block rendered asks)."""
        whole = math.floor(self.phase0)
        return PieceNumbers(
            first=math.ceil(self.phase0),
            end=math.ceil(self.phase_end),
            whole=whole,
            frac=float(self.phase0 - whole),
            r0=float(self.r0),
            dr=float(self.r1 - self.r0),
            length=max(self.length, 1),
        )

    def rate_at(self, frame: int) -> Fraction:
        if self.length == 0:
            return self.r0
        return self.r0 + (self.r1 - self.r0) * (frame - self.start) / self.length


@dataclass(frozen=True)
class Span:
    """A block placed on the timeline: frames [start, end) and how it clicks."""

    block: Block
    start: int
    end: int
    pieces: tuple[Piece, ...] = ()  # cadence blocks
    rhythm_offsets: tuple[Fraction, ...] = ()  # rhythm blocks: frames from the cycle start
    rhythm_cycle: Fraction = Fraction(0)
    rhythm_count: int = 0

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def clicks(self) -> int:
        """How many clicks the block has."""
        if self.pieces:
            return math.ceil(self.pieces[-1].phase_end) - math.ceil(self.pieces[0].phase0)
        return self.rhythm_count


class Timeline:
    """A session laid out at a sample rate."""

    def __init__(self, session: Session, rate: int, accent_every: int = 0) -> None:
        if accent_every < 0:
            raise ValueError("accent_every must be 0 (off) or a positive number of steps")
        self.session = session
        self.rate = rate
        self.accent_every = accent_every
        self.spans: tuple[Span, ...] = _linked(_lay_out(session, rate))
        self.length = self.spans[-1].end if self.spans else 0

    def span_index_at(self, frame: float) -> int:
        """Index of the block playing at ``frame`` (the last one past the end)."""
        for index, span in enumerate(self.spans):
            if frame < span.end:
                return index
        return len(self.spans) - 1

    def cadence_at(self, frame: float) -> float | None:
        """Cadence in spm at ``frame``, or None in a block without one."""
        span = self.spans[self.span_index_at(frame)]
        if not span.pieces:
            return None
        piece = _piece_at(span, frame)
        x = min(max(frame - piece.start, 0.0), float(piece.length))
        rate = float(piece.r0) + float(piece.r1 - piece.r0) * x / max(piece.length, 1)
        return rate * 60 * self.rate

    def with_cadence_change(self, frame: int, delta_spm: float) -> Timeline:
        """This timeline with cadence ``delta_spm`` higher (or lower) from ``frame`` on, in the
        block playing then and every later cadence block; the beat runs on unbroken.

        The change is limited so no cadence leaves the 30-300 spm range.
        """
        index = self.span_index_at(frame)
        later = [p for s in self.spans[index:] for p in s.pieces if p.end > frame]
        if not later or delta_spm == 0:
            return self
        per_spm = Fraction(1, 60 * self.rate)
        low = min(min(p.r0, p.r1) for p in later) / per_spm
        high = max(max(p.r0, p.r1) for p in later) / per_spm
        delta = Fraction(delta_spm)
        delta = max(min(delta, Fraction(MAX_SPM) - high), Fraction(MIN_SPM) - low)
        shift = delta * per_spm
        spans = list(self.spans[:index])
        for span in self.spans[index:]:
            pieces: list[Piece] = []
            for piece in span.pieces:
                if piece.end <= frame:
                    pieces.append(piece)
                elif piece.start >= frame:
                    pieces.append(replace(piece, r0=piece.r0 + shift, r1=piece.r1 + shift))
                else:
                    middle = piece.rate_at(frame)
                    pieces.append(replace(piece, end=frame, r1=middle))
                    pieces.append(Piece(frame, piece.end, middle + shift, piece.r1 + shift))
            spans.append(replace(span, pieces=tuple(pieces)))
        changed = Timeline.__new__(Timeline)
        changed.session, changed.rate, changed.accent_every = (
            self.session,
            self.rate,
            self.accent_every,
        )
        changed.spans, changed.length = _linked(spans), self.length
        return changed

    def clicks_between(self, start: float, stop: float) -> Clicks:
        """All clicks whose ideal position p satisfies start <= p < stop."""
        parts: list[tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.bool_]]] = []
        for span in self.spans:
            if span.end <= start - 1 or span.start >= stop + 1:
                continue
            if span.pieces:
                for piece in span.pieces:
                    if piece.end > start - 1 and piece.start < stop + 1:
                        self._collect(parts, *_piece_clicks(piece, start, stop), None)
            elif span.rhythm_count:
                self._collect(parts, *_rhythm_clicks(span, start, stop), span)
        if not parts:
            return _NO_CLICKS
        positions = np.concatenate([p[0] for p in parts])
        return Clicks(
            positions=positions,
            steps=np.concatenate([p[1] for p in parts]),
            accents=np.concatenate([p[2] for p in parts]),
            audible=self._audible(positions),
        )

    def _collect(
        self,
        parts: list[tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.bool_]]],
        positions: NDArray[np.float64],
        steps: NDArray[np.int64],
        rhythm: Span | None,
    ) -> None:
        if not len(positions):
            return
        if rhythm is not None:
            accents = steps % len(rhythm.rhythm_offsets) == 0
        elif self.accent_every:
            accents = steps % self.accent_every == 0
        else:
            accents = np.zeros(steps.shape, dtype=np.bool_)
        parts.append((positions, steps, accents))

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
    """Blocks at their frames, with their cadence pieces or rhythm; phases not yet linked."""
    spans: list[Span] = []
    elapsed = 0.0
    for block in session.blocks:
        start = seconds_to_frames(elapsed, rate)
        elapsed += block.duration
        end = max(seconds_to_frames(elapsed, rate), start)
        clicks = block.clicks
        if block.cadence_ends is not None:
            r0, r1 = (spm_to_steps_per_frame(spm, rate) for spm in block.cadence_ends)
            spans.append(Span(block, start, end, (Piece(start, end, r0, r1),)))
        elif isinstance(clicks, Rhythm):
            offsets = [Fraction(0)]
            for interval in clicks.intervals[:-1]:
                offsets.append(offsets[-1] + Fraction(interval) * rate)
            cycle = Fraction(clicks.cycle) * rate
            count = _rhythm_count(tuple(offsets), cycle, end - start)
            spans.append(Span(block, start, end, (), tuple(offsets), cycle, count))
        else:
            spans.append(Span(block, start, end))
    return spans


def _linked(spans: list[Span]) -> tuple[Span, ...]:
    """Set each cadence piece's starting phase: the grid runs on through a block's pieces and
    through consecutive run/check blocks; any other block starts a grid at phase 0."""
    linked: list[Span] = []
    phase = Fraction(0)
    carrying = False
    for span in spans:
        if not span.pieces:
            linked.append(span)
            carrying = False
            continue
        if not (carrying and span.block.kind in GRID_KINDS):
            phase = Fraction(0)
        pieces = []
        for piece in span.pieces:
            pieces.append(replace(piece, phase0=phase))
            phase = pieces[-1].phase_end
        linked.append(replace(span, pieces=tuple(pieces)))
        carrying = span.block.kind in GRID_KINDS
    return tuple(linked)


def _rhythm_count(offsets: tuple[Fraction, ...], cycle: Fraction, length: int) -> int:
    """Clicks that start before the block ends: whole cycles, then the part-cycle's clicks."""
    full = math.floor(length / cycle)
    return full * len(offsets) + sum(1 for o in offsets if full * cycle + o < length)


def _piece_at(span: Span, frame: float) -> Piece:
    for piece in span.pieces:
        if frame < piece.end:
            return piece
    return span.pieces[-1]


def _piece_clicks(
    piece: Piece, start: float, stop: float
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Clicks of a cadence piece with positions in [start, stop)."""
    lo = max(start - piece.start, 0.0)
    hi = min(stop - piece.start, float(piece.length))
    first, end = piece.numbers.first, piece.numbers.end
    if hi < lo or end <= first:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    # a superset of the steps from the phase at the range's ends; exact positions decide
    k_lo = max(math.floor(_phase(piece, lo)) - 1, first)
    k_hi = min(math.ceil(_phase(piece, hi)) + 1, end)
    steps = np.arange(k_lo, max(k_hi, k_lo), dtype=np.int64)
    positions = _within(_cadence_positions(piece, steps), piece.start, piece.end)
    keep = (positions >= start) & (positions < stop)
    return positions[keep], steps[keep]


def _within(positions: NDArray[np.float64], start: int, end: int) -> NDArray[np.float64]:
    """``positions`` held inside frames [start, end), in place.

    Which steps a stretch has is decided exactly (from fractions); only their positions are
    floats. A step just before the end can round onto the end itself (641 + 2**-46 steps
    put step 641 about 1e-10 frames before it, closer than a float's spacing there), and
    would then be lost between this stretch and the next: it goes to the last float before
    the end instead, an error far below the 1/32 sample of placement. Clicks are hundreds of
    frames apart, so order is kept.
    """
    np.clip(positions, start, np.nextafter(float(end), -math.inf), out=positions)
    return positions


def _phase(piece: Piece, x: float) -> float:
    """Steps done at local frame x: phase0 + r0·x + (r1 - r0)·x² / (2·length)."""
    n = piece.numbers
    return n.whole + n.frac + n.r0 * x + n.dr * x * x / (2 * n.length)


def _cadence_positions(piece: Piece, steps: NDArray[np.int64]) -> NDArray[np.float64]:
    # Solve phase(x) = k for x: (dr / 2L)·x² + r0·x - Δ = 0 with Δ = k - phase0, in the form
    # x = 2Δ / (r0 + sqrt(r0² + 2·dr·Δ / L)), which stays accurate when dr is tiny or zero.
    n = piece.numbers
    delta = (steps - n.whole).astype(np.float64) - n.frac
    root = np.sqrt(np.maximum(n.r0 * n.r0 + 2.0 * n.dr * delta / n.length, 0.0))
    positions: NDArray[np.float64] = piece.start + 2.0 * delta / (n.r0 + root)
    return positions


def _rhythm_clicks(
    span: Span, start: float, stop: float
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Clicks of a rhythm block with positions in [start, stop)."""
    lo = max(start - span.start, 0.0)
    hi = min(stop - span.start, float(span.length))
    if hi < lo:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    per_cycle = len(span.rhythm_offsets)
    cycle = float(span.rhythm_cycle)
    k_lo = max((math.floor(lo / cycle) - 1) * per_cycle, 0)
    k_hi = min((math.floor(hi / cycle) + 2) * per_cycle, span.rhythm_count)
    steps = np.arange(k_lo, max(k_hi, k_lo), dtype=np.int64)
    offsets = np.array([float(o) for o in span.rhythm_offsets])
    cycles, index = np.divmod(steps, per_cycle)
    positions = _within(span.start + cycles * cycle + offsets[index], span.start, span.end)
    keep = (positions >= start) & (positions < stop)
    return positions[keep], steps[keep]
