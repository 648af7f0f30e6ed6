"""Click waveforms: loading ``sounds/*.wav`` or a user's sample, accents, sub-sample placement."""

from __future__ import annotations

import functools
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from stridebeat.errors import SoundError
from stridebeat.paths import data_dir, user_path
from stridebeat.tomlfile import regular_file

Wave = NDArray[np.float32]

BUILTIN_SOUNDS = ("wood", "beep", "tick", "bell")
MAX_SAMPLE_SECONDS = 1.0
ACCENT_PITCH = 1.5  # an accent is the same sound a fifth higher
PHASES = 16  # sub-sample positions per sample: placement error at most 1/32 sample
HALF_TAPS = 16  # half-length of the fractional-delay filter, in samples
_SILENCE = 1e-3  # leading samples below this share of the peak are trimmed


def sound_names() -> list[str]:
    """Names accepted by ``--sound``: the shipped sounds."""
    return sorted(p.stem for p in data_dir("sounds").glob("*.wav"))


def load_sound(spec: str, rate: int) -> Wave:
    """A built-in sound by name or a WAV/FLAC/OGG path, as mono float32 at ``rate``."""
    builtin = data_dir("sounds") / f"{spec}.wav"
    path = builtin if "/" not in spec and builtin.is_file() else user_path(spec)
    choices = f"use one of {', '.join(sound_names())} or the path of a WAV file"
    if not path.exists():
        raise SoundError(f"no sound {spec!r}: {choices}")
    return load_clip(path, rate, "sound", MAX_SAMPLE_SECONDS, choices)


def load_clip(path: Path, rate: int, what: str, max_seconds: float, choices: str) -> Wave:
    """A short recording as mono float32 at ``rate``: leading silence trimmed (so it starts
    where it is placed), peak normalised to 1. ``what`` and ``choices`` go into messages.

    A regular file only, and its length is read from its header first: a long file is
    refused before its samples are read."""
    regular_file(path, what)
    try:
        plain = read_plain_wav(path, max_seconds)
    except ClipTooLong as exc:
        raise _too_long(path, what, exc.seconds, max_seconds) from None
    if plain is not None:
        data, source_rate = plain
    else:
        data, source_rate = _read_with_soundfile(path, what, max_seconds, choices)
    mono = data.mean(axis=1)
    if len(mono) > max_seconds * source_rate:
        raise _too_long(path, what, len(mono) / source_rate, max_seconds)
    peak = float(np.max(np.abs(mono))) if mono.size else 0.0
    if not np.isfinite(peak) or peak == 0.0:
        raise SoundError(f"the {what} {str(path)!r} is silent or empty: pick another file")
    onset = int(np.argmax(np.abs(mono) >= peak * _SILENCE))
    wave = resample(mono[onset:], source_rate, rate)
    wave /= np.max(np.abs(wave))
    return wave


def _read_with_soundfile(
    path: Path, what: str, max_seconds: float, choices: str
) -> tuple[NDArray[np.float32], int]:
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as file:
            source_rate = file.samplerate
            if file.frames > max_seconds * source_rate:
                raise _too_long(path, what, file.frames / source_rate, max_seconds)
            longest = int(max_seconds * source_rate)
            return file.read(longest + 1, dtype="float32", always_2d=True), source_rate
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        hint = f", or {choices}" if choices else ""
        message = f"cannot read the {what} {str(path)!r} ({exc})"
        raise SoundError(f"{message}; give a WAV, FLAC or OGG file{hint}") from None


def _too_long(path: Path, what: str, seconds: float, max_seconds: float) -> SoundError:
    return SoundError(
        f"the {what} {str(path)!r} lasts {seconds:.2f} s; it must be "
        f"shorter than {max_seconds:g} s: trim it"
    )


class ClipTooLong(Exception):
    """A WAV file's header says it lasts longer than allowed (its samples were not read)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"{seconds:.2f} s")
        self.seconds = seconds


def read_plain_wav(
    path: Path, max_seconds: float = math.inf
) -> tuple[NDArray[np.float32], int] | None:
    """A 16-bit PCM or 32-bit float WAV file as (frames × channels float32, rate), the same
    values libsndfile reads, or None for anything else (then soundfile reads it).

    The shipped sounds are such files: reading them here spares a render loading libsndfile.
    The chunks are walked by their headers: a file longer than ``max_seconds`` raises
    ClipTooLong before any sample is read.
    """
    try:
        with open(path, "rb") as file:
            head = file.read(12)
            if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            layout: tuple[int, int, int, int, int, int] | None = None
            while len(chunk := file.read(8)) == 8:
                kind, size = struct.unpack("<4sI", chunk)
                if kind == b"data" and layout is not None:
                    return _plain_samples(file, size, layout, max_seconds)
                if kind == b"fmt " and size >= 16:
                    body = file.read(size)
                    if len(body) != size:
                        return None
                    layout = struct.unpack_from("<HHIIHH", body)
                    file.seek(size & 1, 1)
                else:
                    file.seek(size + (size & 1), 1)
    except OSError:
        return None
    return None


def _plain_samples(
    file: BinaryIO, size: int, layout: tuple[int, int, int, int, int, int], max_seconds: float
) -> tuple[NDArray[np.float32], int] | None:
    tag, channels, rate, _, _, bits = layout
    dtype = {(1, 16): "<i2", (3, 32): "<f4"}.get((tag, bits))
    if dtype is None or not channels or not rate or size % (channels * bits // 8):
        return None
    if size // (channels * bits // 8) > max_seconds * rate:
        raise ClipTooLong(size / (channels * bits // 8) / rate)
    body = file.read(size)
    if len(body) != size:
        return None
    frames = np.frombuffer(body, dtype).reshape(-1, channels)
    # libsndfile reads 16-bit samples as floats scaled by 1/32768 (exact in float32)
    scale = np.float32(1 / 32768 if tag == 1 else 1)
    return (frames * scale).astype(np.float32, copy=False), rate


def accent_of(wave: Wave) -> Wave:
    """The accent voice: the same sound pitched up, so it stands out without being louder."""
    # Reading the wave as if recorded ACCENT_PITCH times faster raises its pitch.
    return resample(wave, ACCENT_PITCH * 2, 2)


def resample(wave: Wave, source_rate: float, target_rate: float) -> Wave:
    """``wave`` at ``target_rate``: band-limited (libsoxr, high quality), as a new float32
    array of round(len · target / source) samples, for short one-shot sounds."""
    if source_rate == target_rate:
        return wave.astype(np.float32, copy=True)
    import soxr

    length = round(len(wave) * target_rate / source_rate)
    out = np.asarray(soxr.resample(wave.astype(np.float32, copy=False), source_rate, target_rate))
    if len(out) != length:  # soxr rounds half-way lengths its own way
        out = np.pad(out[:length], (0, max(length - len(out), 0)))
    return out


@dataclass(frozen=True)
class ShiftedClick:
    """A click pre-shifted by each fraction of a sample, so it can sit between samples.

    Row i is the click delayed by i / PHASES of a sample, band-limited; a click at position
    p is drawn from row round(frac(p) · PHASES), starting ``pre`` frames before floor(p).
    Row 0 is the click itself, so a click on a whole frame is exactly the sound's samples.
    """

    table: NDArray[np.float32]
    pre: int

    @property
    def length(self) -> int:
        return int(self.table.shape[1])

    @classmethod
    def of(cls, wave: Wave, gain: float = 1.0) -> ShiftedClick:
        table = np.zeros((PHASES, len(wave) + 2 * HALF_TAPS + 1), dtype=np.float32)
        for phase, kernel in enumerate(_delay_kernels()):
            table[phase, : len(wave) + 2 * HALF_TAPS] = np.convolve(wave, kernel) * gain
        return cls(table, HALF_TAPS)


@functools.cache
def _delay_kernels() -> NDArray[np.float64]:
    """The fractional-delay filters, row i delaying by i / PHASES of a sample: sincs under a
    Kaiser window (beta 8), each summing to 1. The same for every sound, so made once."""
    taps = np.arange(-HALF_TAPS, HALF_TAPS + 1, dtype=np.float64)
    t = taps - np.arange(PHASES)[:, None] / PHASES
    window = np.i0(8.0 * np.sqrt(np.clip(1 - (t / (HALF_TAPS + 1)) ** 2, 0, 1))) / np.i0(8.0)
    kernels: NDArray[np.float64] = np.sinc(t) * window
    kernels /= kernels.sum(axis=1, keepdims=True)
    kernels.flags.writeable = False
    return kernels
