"""Synthetic music with known beats: drum-and-bass patterns the music tests analyse."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

RATE = 44100


def beat_times(start_bpm: float, end_bpm: float, seconds: float) -> NDArray[np.float64]:
    """Beat k where the beat count, integrated from a tempo linear in time, reaches k."""
    slope = (end_bpm - start_bpm) / seconds / 60  # beats per second, per second
    b0 = start_bpm / 60
    total = b0 * seconds + slope * seconds**2 / 2
    k = np.arange(int(math.floor(total)) + 1, dtype=np.float64)
    if slope == 0:
        return k / b0
    return (-b0 + np.sqrt(b0 * b0 + 2 * slope * k)) / slope


def _kick(rate: int) -> NDArray[np.float64]:
    t = np.arange(int(0.18 * rate)) / rate
    pitch = 50 + 90 * np.exp(-t * 40)
    return np.sin(2 * np.pi * np.cumsum(pitch) / rate) * np.exp(-t * 18)


def _noise_hit(
    rate: int, seconds: float, decay: float, seed: int, high: bool
) -> NDArray[np.float64]:
    noise = np.random.default_rng(seed).standard_normal(int(seconds * rate))
    if high:
        noise = np.diff(noise, prepend=0.0)
    t = np.arange(len(noise)) / rate
    return noise * np.exp(-t * decay) * 0.5


def drum_track(
    start_bpm: float,
    seconds: float,
    end_bpm: float | None = None,
    swing: float = 0.0,
    rate: int = RATE,
) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """(stereo audio, beat times): kick on beats 1 and 3, snare on 2 and 4, a bass note on
    every beat, hi-hats on the off-beats (``swing`` delays them, as a fraction of a beat)."""
    beats = beat_times(start_bpm, end_bpm or start_bpm, seconds)
    out = np.zeros(int(seconds * rate) + rate)
    kick, snare = _kick(rate), _noise_hit(rate, 0.15, 25, 1, False)
    hat = _noise_hit(rate, 0.04, 90, 2, True) * 0.5
    tb = np.arange(int(0.25 * rate)) / rate
    for n, beat in enumerate(beats):
        at = int(round(beat * rate))
        hit = kick if n % 2 == 0 else snare + 0.6 * kick[: len(snare)]
        out[at : at + len(hit)] += hit[: len(out) - at]
        bass = 0.3 * np.sin(2 * np.pi * 55 * (1 + (n % 4) / 4) * tb) * np.exp(-tb * 6)
        out[at : at + len(bass)] += bass[: len(out) - at]
        if n + 1 < len(beats):
            off = beat + (0.5 + swing) * (beats[n + 1] - beat)
            at = int(round(off * rate))
            out[at : at + len(hat)] += hat[: len(out) - at]
    out = out[: int(seconds * rate)]
    audio = np.stack([out, out], axis=1) * (0.5 / np.abs(out).max())
    return audio.astype(np.float32), beats[beats < seconds - 0.2]


def beatless_track(seconds: float, rate: int = RATE) -> NDArray[np.float32]:
    """A slowly swelling chord with hits at random times: no beat to find."""
    t = np.arange(int(seconds * rate)) / rate
    pad = sum(np.sin(2 * np.pi * f * t + f) for f in (220.0, 277.2, 329.6, 440.0))
    out = pad * (0.6 + 0.4 * np.sin(2 * np.pi * 0.07 * t)) * 0.1
    rng = np.random.default_rng(7)
    hit = _noise_hit(rate, 0.1, 30, 3, False)
    for at in np.cumsum(rng.exponential(0.9, int(seconds * 2))):
        i = int(at * rate)
        if i >= len(out) - len(hit):
            break
        out[i : i + len(hit)] += hit * rng.uniform(0.2, 1.0)
    audio = np.stack([out, out], axis=1) * (0.5 / np.abs(out).max())
    return audio.astype(np.float32)


def write(path: Path, audio: NDArray[np.float32], rate: int = RATE) -> Path:
    import soundfile

    soundfile.write(str(path), audio, rate)
    return path


def onset_errors(
    audio: NDArray[np.floating], rate: int, expected: NDArray[np.float64], reach: float = 0.06
) -> NDArray[np.float64]:
    """For each expected frame, seconds from it to where the sound first reaches 30 % of its
    loudest within ``reach`` seconds either side (an onset measured in the audio itself)."""
    level = np.abs(np.asarray(audio, dtype=np.float64).reshape(len(audio), -1).mean(axis=1))
    w = int(reach * rate)
    errors = []
    for frame in expected:
        centre = int(round(frame))
        window = level[max(0, centre - w) : centre + w]
        if centre - w < 0 or len(window) < 2 * w or window.max() <= 0:
            continue
        errors.append((int(np.argmax(window > 0.3 * window.max())) - w) / rate)
    return np.array(errors)
