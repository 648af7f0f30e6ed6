"""How long a phrase should take, and whether an engine's output is that phrase.

Every phrase from an engine is checked before it is used or cached: not empty, not silent,
finite, and a plausible length for its text once the silence at its ends is trimmed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stridebeat.cues.settings import DEFAULT_RATE_WPM, check_rate
from stridebeat.cues.speech_engines import EngineFailure
from stridebeat.engine.synth import Wave
from stridebeat.errors import InputError

MAX_PHRASE_CHARS = 400  # about 25 s of speech: a cue is a short coaching phrase
_SILENT = 1e-3  # a phrase whose peak is below this (-60 dBFS) is silence
_TRIM = 3e-3  # samples below this share of the peak (-50 dB) are trimmed from the ends
_KEEP = 0.010  # seconds of the trimmed silence kept at each end


@dataclass(frozen=True)
class Audio:
    """A checked phrase at the engine's own sample rate: trimmed, not yet normalised."""

    samples: Wave
    rate: int


def check_phrase(text: str) -> None:
    """Refuse, before any speaking, a phrase too long to be a cue (an InputError)."""
    if len(text) > MAX_PHRASE_CHARS:
        start = " ".join(text[:40].split())
        raise InputError(
            f"the phrase {start + '...'!r} has {len(text)} characters; a spoken cue is at most "
            f"{MAX_PHRASE_CHARS}: shorten it or split it into several cues"
        )


def estimate_seconds(text: str, rate_wpm: int = DEFAULT_RATE_WPM) -> float:
    """Roughly how long ``text`` takes to say at ``rate_wpm``, for timing cues without speech.

    Calibrated on espeak-ng: about six characters a word; a digit or symbol costs about five
    letters (172 is "one hundred and seventy-two"); punctuation adds a short pause.
    """
    check_rate(rate_wpm)
    said = text.strip()
    pauses = sum(c in ",.;:!?" for c in said)
    letters = sum(_is_plain(c) for c in said)
    others = len(said) - letters - pauses
    return (10.0 * letters + 50.0 * others + 35.0 * pauses) / rate_wpm


def _is_plain(char: str) -> bool:
    """A character spoken as part of a word (not spelled out as one)."""
    return (char.isascii() and char.isalpha()) or char.isspace() or char in "'-"


def _plausible_seconds(text: str, rate_wpm: int) -> tuple[float, float]:
    """The shortest and longest trimmed phrase an engine could rightly make of ``text``."""
    slower = 175.0 / rate_wpm
    plain = sum(_is_plain(c) for c in text)
    longest = 3.0 + 0.3 * plain + 0.8 * (len(text) - plain)
    return 0.15 * min(1.0, slower), longest * max(1.0, slower)


def checked(samples: NDArray[np.float32], rate: int, text: str, rate_wpm: int) -> Audio:
    """The phrase trimmed, or an EngineFailure saying why an engine's output is not speech."""
    if samples.size == 0:
        raise EngineFailure("empty audio")
    if not np.all(np.isfinite(samples)):
        raise EngineFailure("audio with invalid samples")
    peak = float(np.max(np.abs(samples)))
    if peak < _SILENT:
        raise EngineFailure("silent audio")
    loud = np.flatnonzero(np.abs(samples) >= peak * _TRIM)
    keep = round(_KEEP * rate)
    start, end = max(0, int(loud[0]) - keep), min(len(samples), int(loud[-1]) + 1 + keep)
    trimmed = np.ascontiguousarray(samples[start:end], dtype=np.float32)
    seconds = len(trimmed) / rate
    shortest, longest = _plausible_seconds(text, rate_wpm)
    if not shortest <= seconds <= longest:
        raise EngineFailure(
            f"{seconds:.2f} s of audio where {shortest:.2f} to {longest:.1f} s fits"
        )
    return Audio(trimmed, rate)
