"""The one renderer both sinks use: a timeline's clicks mixed into blocks of float32 frames."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stridebeat.synth import PHASES, ShiftedClick, accent_of, load_sound
from stridebeat.timeline import Timeline

# Alternate steps are panned this far (-1 is fully left): strong, yet a runner with one
# earbud still hears every step, about 8 dB quieter on the far side.
STEREO_PAN = 0.5
DEFAULT_CHUNK = 65536


@dataclass(frozen=True)
class Voice:
    """What the clicks sound like."""

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


class Renderer:
    """Mixes clicks into any frame range of a timeline, in any order."""

    def __init__(self, timeline: Timeline, voice: Voice) -> None:
        self.timeline = timeline
        self.voice = voice
        self.channels = voice.channels
        wave = load_sound(voice.sound, timeline.rate)
        self._normal = ShiftedClick.of(wave, voice.volume)
        self._accent = ShiftedClick.of(accent_of(wave), voice.volume)
        self._reach = max(self._normal.length, self._accent.length)
        self._pre = self._normal.pre
        if voice.stereo_steps:
            self._gains = np.array([pan_gains(-STEREO_PAN), pan_gains(STEREO_PAN)], np.float32)
        else:
            self._gains = np.ones((2, 1), np.float32)

    @property
    def length(self) -> int:
        return self.timeline.length

    def render(self, start: int, out: NDArray[np.float32]) -> None:
        """Fill ``out`` (frames × channels) with the audio from frame ``start`` on."""
        out.fill(0.0)
        frames = out.shape[0]
        clicks = self.timeline.clicks_between(
            start - self._reach + self._pre, start + frames + self._pre
        )
        for position, step, accent, audible in zip(
            clicks.positions, clicks.steps, clicks.accents, clicks.audible, strict=True
        ):
            if not audible:
                continue
            shifted = self._accent if accent else self._normal
            whole = math.floor(position)
            phase = round((position - whole) * PHASES)
            if phase == PHASES:
                whole, phase = whole + 1, 0
            offset = whole - shifted.pre - start
            lo, hi = max(offset, 0), min(offset + shifted.length, frames)
            if hi <= lo:
                continue
            row = shifted.table[phase, lo - offset : hi - offset]
            out[lo:hi] += row[:, None] * self._gains[step % 2]
        np.clip(out, -1.0, 1.0, out=out)

    def chunks(
        self, chunk: int = DEFAULT_CHUNK, start: int = 0, stop: int | None = None
    ) -> Iterator[NDArray[np.float32]]:
        """Consecutive blocks from ``start`` to ``stop`` (the end), reusing one buffer."""
        stop = self.length if stop is None else stop
        buffer = np.zeros((chunk, self.channels), dtype=np.float32)
        for frame in range(start, stop, chunk):
            block = buffer[: min(chunk, stop - frame)]
            self.render(frame, block)
            yield block


def render_to(
    write: Callable[[NDArray[np.float32]], None],
    renderer: Renderer,
    progress: Callable[[int], None] | None = None,
    chunk: int = DEFAULT_CHUNK,
) -> int:
    """Render a whole timeline through ``write``; return the number of frames written."""
    written = 0
    for block in renderer.chunks(chunk):
        write(block)
        written += len(block)
        if progress is not None:
            progress(len(block))
    return written
