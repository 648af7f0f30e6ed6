"""Click waveforms: loading ``sounds/*.wav`` or a user's sample, accents, sub-sample placement."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from stridebeat.errors import SoundError
from stridebeat.paths import data_dir
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
    path = builtin if "/" not in spec and builtin.is_file() else Path(spec).expanduser()
    choices = f"use one of {', '.join(sound_names())} or the path of a WAV file"
    if not path.exists():
        raise SoundError(f"no sound {spec!r}: {choices}")
    return load_clip(path, rate, "sound", MAX_SAMPLE_SECONDS, choices)


def load_clip(path: Path, rate: int, what: str, max_seconds: float, choices: str) -> Wave:
    """A short recording as mono float32 at ``rate``: leading silence trimmed (so it starts
    where it is placed), peak normalised to 1. ``what`` and ``choices`` go into messages."""
    import soundfile as sf

    regular_file(path, what)
    try:
        with sf.SoundFile(str(path)) as file:
            source_rate = file.samplerate
            longest = int(max_seconds * source_rate)
            # the header's length first, then never more than the limit: a long file is
            # refused before its samples are read
            if file.frames > longest:
                raise _too_long(path, what, file.frames / source_rate, max_seconds)
            data = file.read(longest + 1, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        hint = f", or {choices}" if choices else ""
        raise SoundError(
            f"cannot read the {what} {str(path)!r} ({exc}); give a WAV, FLAC or OGG file{hint}"
        ) from None
    mono = data.mean(axis=1)
    if len(mono) > longest:
        raise _too_long(path, what, len(mono) / source_rate, max_seconds)
    peak = float(np.max(np.abs(mono))) if mono.size else 0.0
    if not np.isfinite(peak) or peak == 0.0:
        raise SoundError(f"the {what} {str(path)!r} is silent or empty: pick another file")
    onset = int(np.argmax(np.abs(mono) >= peak * _SILENCE))
    wave = resample(mono[onset:], source_rate, rate)
    wave /= np.max(np.abs(wave))
    return wave


def _too_long(path: Path, what: str, seconds: float, max_seconds: float) -> SoundError:
    return SoundError(
        f"the {what} {str(path)!r} lasts {seconds:.2f} s; it must be "
        f"shorter than {max_seconds:g} s: trim it"
    )


def accent_of(wave: Wave) -> Wave:
    """The accent voice: the same sound pitched up, so it stands out without being louder."""
    # Reading the wave as if recorded ACCENT_PITCH times faster raises its pitch.
    return resample(wave, ACCENT_PITCH * 2, 2)


def resample(wave: Wave, source_rate: float, target_rate: float) -> Wave:
    """Band-limited resampling by FFT, for short one-shot sounds."""
    if source_rate == target_rate:
        return wave.astype(np.float32, copy=True)
    n = len(wave)
    # FFT lengths N (in) and M (out) in the exact ratio, both with only small prime factors
    # (pocketfft is slow on large primes), and padded so the sound's tail cannot wrap round.
    ratio = Fraction(target_rate / source_rate).limit_denominator(10_000)
    scale = _smooth(-(-(n + n // 4 + 64) // ratio.denominator))
    m = ratio.numerator * scale
    padded = np.zeros(ratio.denominator * scale)
    padded[:n] = wave
    spectrum = np.fft.rfft(padded)
    kept = np.zeros(m // 2 + 1, dtype=np.complex128)
    k = min(len(kept), len(spectrum))
    kept[:k] = spectrum[:k]
    out = np.fft.irfft(kept, m) * (m / len(padded))
    return out[: round(n * target_rate / source_rate)].astype(np.float32)


def _smooth(n: int) -> int:
    """The least number >= n whose prime factors are all 7 or less."""
    while True:
        rest = n
        for prime in (2, 3, 5, 7):
            while rest % prime == 0:
                rest //= prime
        if rest == 1:
            return n
        n += 1


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
        taps = np.arange(-HALF_TAPS, HALF_TAPS + 1, dtype=np.float64)
        table = np.zeros((PHASES, len(wave) + 2 * HALF_TAPS + 1), dtype=np.float32)
        for phase in range(PHASES):
            t = taps - phase / PHASES
            window = np.i0(8.0 * np.sqrt(np.clip(1 - (t / (HALF_TAPS + 1)) ** 2, 0, 1))) / np.i0(
                8.0
            )
            kernel = np.sinc(t) * window
            kernel /= kernel.sum()
            table[phase, : len(wave) + 2 * HALF_TAPS] = np.convolve(wave, kernel) * gain
        return cls(table, HALF_TAPS)
