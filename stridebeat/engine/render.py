"""The one renderer both sinks use: a timeline's clicks mixed into blocks of float32 frames."""

from __future__ import annotations

import bisect
import copy
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from stridebeat.engine.synth import PHASES, ShiftedClick, accent_of, load_sound
from stridebeat.engine.timeline import Timeline

# Speech sits at this peak and clicks are ducked to DUCK under it: 0.65 + 0.3 stays below
# full scale whatever the click volume, so the mix never clips.
SPEECH_PEAK = 0.65
DUCK = 0.3
DUCK_RAMP_SECONDS = 0.01

# Alternate steps are panned this far (-1 is fully left): strong, yet a runner with one
# earbud still hears every step, about 8 dB quieter on the far side.
STEREO_PAN = 0.5
DEFAULT_CHUNK = 1 << 18  # frames: about 6 s at 44.1 kHz


@dataclass(frozen=True)
class ClickSound:
    """What the clicks sound like: the sound, its level, and whether steps alternate sides."""

    sound: str = "wood"
    volume: float = 0.8  # linear gain of a click's peak
    stereo_steps: bool = False

    @property
    def channels(self) -> int:
        return 2 if self.stereo_steps else 1


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power gains (left, right) for a pan position from -1 (left) to 1 (right)."""
    angle = (pan + 1) * math.pi / 4
    return math.cos(angle), math.sin(angle)


@dataclass(frozen=True)
class SpokenCue:
    """A spoken phrase ready to mix: ``wave`` starts at ``frame``; ``text`` is what it says."""

    frame: int
    wave: NDArray[np.float32]
    text: str


class Bed(Protocol):
    """Music (or any other backing) the renderer mixes under the clicks, ducked like them."""

    def add(self, start: int, out: NDArray[np.float32]) -> None:
        """Add frames [start, start + len(out)) into ``out`` (frames × 2)."""

    def retimed(self, timeline: Timeline, frame: int) -> Bed:
        """The backing for a timeline changed live at ``frame`` (frames before it stay)."""


class Renderer:
    """Mixes clicks and spoken cues into any frame range of a timeline, in any order."""

    def __init__(
        self,
        timeline: Timeline,
        click: ClickSound,
        cues: Sequence[SpokenCue] = (),
        music: Bed | None = None,
    ) -> None:
        self.timeline = timeline
        self.click = click
        self.music = music
        self._set_cues(cues)
        self._ramp = max(1, round(DUCK_RAMP_SECONDS * timeline.rate))
        steps = np.arange(self._ramp, dtype=np.float32) / self._ramp
        self._duck_fall = (1 - (1 - DUCK) * steps).astype(np.float32)  # 1 down to DUCK
        self._duck_rise = (1 - (1 - DUCK) * (1 - steps)).astype(np.float32)  # and back up
        self.channels = 2 if music is not None else click.channels
        wave = load_sound(click.sound, timeline.rate)
        self._voices = (
            ShiftedClick.of(wave, click.volume),
            ShiftedClick.of(accent_of(wave), click.volume),
        )
        self._lengths = tuple(v.length for v in self._voices)
        self._reach = max(self._lengths)
        self._pre = self._voices[0].pre
        self._buffer = np.zeros((0, self.channels), dtype=np.float32)
        self._tables16: list[list[NDArray[np.int16]]] | None = None
        if click.stereo_steps:
            self._gains = np.array([pan_gains(-STEREO_PAN), pan_gains(STEREO_PAN)], np.float32)
        else:
            self._gains = np.ones((2, 1), np.float32)

    @property
    def length(self) -> int:
        return self.timeline.length

    @property
    def duck_frames(self) -> int:
        """How long before a cue the clicks begin to duck under it."""
        return self._ramp

    def _set_cues(self, cues: Sequence[SpokenCue]) -> None:
        self.cues = sorted(cues, key=lambda c: c.frame)
        self._cue_starts = [c.frame for c in self.cues]

    def replaced(
        self,
        timeline: Timeline | None = None,
        cues: Sequence[SpokenCue] | None = None,
        changed_at: int = 0,
    ) -> Renderer:
        """A renderer for a changed timeline (from frame ``changed_at`` on) or cue list,
        sharing this one's click sounds."""
        other = copy.copy(self)
        if timeline is not None:
            other.timeline = timeline
            if self.music is not None:
                other.music = self.music.retimed(timeline, changed_at)
        if cues is not None:
            other._set_cues(cues)
        other._buffer = np.zeros((0, self.channels), dtype=np.float32)
        return other

    def render(self, start: int, out: NDArray[np.float32]) -> None:
        """Fill ``out`` (frames × channels) with the audio from frame ``start`` on."""
        out.fill(0.0)
        clicks, cues = self._events(start, out.shape[0])
        self._add_clicks(start, out, clicks)
        if self.music is not None:
            self.music.add(start, out)
        self._mix_cues(start, out, cues)
        np.clip(out, -1.0, 1.0, out=out)

    def render_pcm16(self, start: int, out: NDArray[np.int16]) -> None:
        """The same audio as ``render`` as 16-bit samples: round(clip(x) · 32767).

        Most of a metronome track is silence, so only the stretches that sound are mixed
        in floating point; a lone click is copied from a table rounded the same way.
        """
        frames = out.shape[0]
        if self.music is not None:  # it all sounds: mix every frame
            mixed = self._scratch(frames)
            self.render(start, mixed)
            _to_pcm16(mixed, out)
            return
        out.fill(0)
        clicks, cues = self._events(start, frames)
        tables = self._pcm16_tables()
        for lo, hi, group, spoken in _clusters(clicks, cues, start, frames, self._ramp):
            if len(group) == 1 and not spoken:
                offset, phase, accent, side, length = group[0]
                table = tables[accent][side]
                out[lo:hi] = table[phase, lo - offset : hi - offset]
                continue
            segment = self._scratch(hi - lo)
            self._add_clicks(start + lo, segment, [_shift(c, lo) for c in group])
            self._mix_cues(start + lo, segment, spoken)
            _to_pcm16(segment, out[lo:hi])

    def _events(self, start: int, frames: int) -> tuple[list[_Click], list[SpokenCue]]:
        """The audible clicks and the cues that reach into [start, start + frames)."""
        found = self.timeline.clicks_between(
            start - self._reach + self._pre, start + frames + self._pre
        )
        keep = found.audible
        positions = found.positions[keep]
        whole = np.floor(positions)
        phases = np.rint((positions - whole) * PHASES).astype(np.int64)
        whole = whole.astype(np.int64) + (phases == PHASES)
        phases[phases == PHASES] = 0
        offsets = whole - self._pre - start
        accents = found.accents[keep]
        clicks = [
            (offset, phase, int(accent), step % 2, self._lengths[int(accent)])
            for offset, phase, accent, step in zip(
                offsets.tolist(),
                phases.tolist(),
                accents.tolist(),
                found.steps[keep].tolist(),
                strict=True,
            )
            if offset < frames and offset + self._lengths[int(accent)] > 0
        ]
        ramp = self._ramp
        first = max(bisect.bisect_right(self._cue_starts, start) - 1, 0)
        last = bisect.bisect_left(self._cue_starts, start + frames + ramp)
        cues = [
            c
            for c in self.cues[first:last]
            if c.frame - ramp < start + frames and c.frame + len(c.wave) + ramp > start
        ]
        return clicks, cues

    def _add_clicks(self, start: int, out: NDArray[np.float32], clicks: Sequence[_Click]) -> None:
        """Add clicks (offsets count from the start of ``out``) into ``out``."""
        frames = out.shape[0]
        for offset, phase, accent, side, length in clicks:
            lo, hi = max(offset, 0), min(offset + length, frames)
            if hi > lo:
                row = self._voices[accent].table[phase, lo - offset : hi - offset]
                out[lo:hi] += row[:, None] * self._gains[side]

    def _mix_cues(self, start: int, out: NDArray[np.float32], cues: Sequence[SpokenCue]) -> None:
        """Duck the clicks under each cue (with short ramps), then add the speech."""
        if not cues:
            return
        frames, ramp = out.shape[0], self._ramp
        gain = np.ones(frames, dtype=np.float32)
        for spoken in cues:
            begin, end = spoken.frame - start, spoken.frame + len(spoken.wave) - start
            _lower(gain, begin - ramp, self._duck_fall)
            gain[max(begin, 0) : max(min(end, frames), 0)] = DUCK
            _lower(gain, end, self._duck_rise)
        out *= gain[:, None]
        for spoken in cues:
            offset = spoken.frame - start
            lo, hi = max(offset, 0), min(offset + len(spoken.wave), frames)
            if hi > lo:
                out[lo:hi] += SPEECH_PEAK * spoken.wave[lo - offset : hi - offset, None]

    def _scratch(self, frames: int) -> NDArray[np.float32]:
        if self._buffer.shape[0] < frames:
            self._buffer = np.zeros((frames, self.channels), dtype=np.float32)
        segment = self._buffer[:frames]
        segment.fill(0.0)
        return segment

    def _pcm16_tables(self) -> list[list[NDArray[np.int16]]]:
        """Click voices as 16-bit rows: [accent][side] -> phases × frames × channels."""
        if self._tables16 is None:
            self._tables16 = [
                [_pcm16_table(voice.table, self._gains[side]) for side in (0, 1)]
                for voice in self._voices
            ]
        return self._tables16

    def chunks(
        self, chunk: int = DEFAULT_CHUNK, start: int = 0, stop: int | None = None, buffers: int = 1
    ) -> Iterator[NDArray[np.float32]]:
        """Consecutive blocks from ``start`` to ``stop`` (the end), taking turns in a few
        reused buffers (a block stays valid until ``buffers`` more have been made)."""
        stop = self.length if stop is None else stop
        ring = np.zeros((buffers, chunk, self.channels), dtype=np.float32)
        for n, frame in enumerate(range(start, stop, chunk)):
            block = ring[n % buffers, : min(chunk, stop - frame)]
            self.render(frame, block)
            yield block

    def pcm16_chunks(
        self, chunk: int = DEFAULT_CHUNK, buffers: int = 1
    ) -> Iterator[NDArray[np.int16]]:
        """The whole timeline as consecutive 16-bit blocks, like ``chunks``."""
        ring = np.zeros((buffers, chunk, self.channels), dtype=np.int16)
        for n, frame in enumerate(range(0, self.length, chunk)):
            block = ring[n % buffers, : min(chunk, self.length - frame)]
            self.render_pcm16(frame, block)
            yield block


# (offset in the chunk, sub-sample phase, accent 0/1, side 0/1, length in frames)
_Click = tuple[int, int, int, int, int]


def _lower(gain: NDArray[np.float32], at: int, ramp: NDArray[np.float32]) -> None:
    """gain[at + i] = min(gain[at + i], ramp[i]), for the part inside ``gain``."""
    lo, hi = max(at, 0), min(at + len(ramp), len(gain))
    if hi > lo:
        np.minimum(gain[lo:hi], ramp[lo - at : hi - at], out=gain[lo:hi])


def _shift(click: _Click, by: int) -> _Click:
    offset, phase, accent, side, length = click
    return offset - by, phase, accent, side, length


def _clusters(
    clicks: list[_Click], cues: list[SpokenCue], start: int, frames: int, ramp: int
) -> Iterator[tuple[int, int, list[_Click], list[SpokenCue]]]:
    """Stretches of the chunk that sound, as (lo, hi, clicks, cues) with nothing overlapping
    another stretch; clicks and cues in a stretch may overlap each other."""
    spans: list[tuple[int, int, _Click | None, SpokenCue | None]] = [
        (max(c[0], 0), min(c[0] + c[4], frames), c, None) for c in clicks
    ]
    for spoken_cue in cues:
        begin = spoken_cue.frame - start
        end = begin + len(spoken_cue.wave)
        spans.append((max(begin - ramp, 0), min(end + ramp, frames), None, spoken_cue))
    spans.sort(key=lambda s: s[0])
    group: list[_Click] = []
    spoken: list[SpokenCue] = []
    lo = hi = -1
    for span_lo, span_hi, click, cue in spans:
        if span_lo >= hi and (group or spoken):
            yield lo, hi, group, spoken
            group, spoken = [], []
        if not group and not spoken:
            lo, hi = span_lo, span_hi
        hi = max(hi, span_hi)
        if click is not None:
            group.append(click)
        if cue is not None:
            spoken.append(cue)
    if group or spoken:
        yield lo, hi, group, spoken


def _to_pcm16(samples: NDArray[np.float32], out: NDArray[np.int16]) -> None:
    """round(clip(x) · 32767) into ``out``; ``samples`` is used as scratch."""
    np.clip(samples, -1.0, 1.0, out=samples)
    np.multiply(samples, np.float32(32767), out=samples)
    np.rint(samples, out=samples)
    out[...] = samples


def _pcm16_table(table: NDArray[np.float32], gains: NDArray[np.float32]) -> NDArray[np.int16]:
    scaled = table[:, :, None] * gains
    out = np.empty(scaled.shape, dtype=np.int16)
    _to_pcm16(scaled, out)
    return out
