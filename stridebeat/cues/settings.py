"""What the runner chose for speech: on or off, which engine, which voice, how fast.

Light on purpose (no numpy, no audio libraries): the CLI reads its choices and ranges from
here while building ``--help``.
"""

from __future__ import annotations

from dataclasses import dataclass

from stridebeat.errors import InputError

# "auto" never picks piper: its voices are downloads the runner chooses (see speech_piper.py)
ENGINES = ("auto", "espeak-ng", "pyttsx3", "piper")
RATE_RANGE = (80, 450)  # words per minute that every engine honours
DEFAULT_RATE_WPM = 175  # espeak-ng's own default


@dataclass(frozen=True)
class SpeechSettings:
    """Which engine speaks (one of ENGINES), with which voice, how many words per minute.

    ``enabled`` False (``--no-speech``) leaves the spoken cues out of the audio; they are
    still scheduled, with lengths estimated at ``rate_wpm``.
    """

    engine: str = "auto"
    voice: str | None = None  # engine-specific id, name or file; None is the engine's default
    rate_wpm: int = DEFAULT_RATE_WPM
    enabled: bool = True


def check_engine(engine: str) -> None:
    """Refuse an engine name that is not one of ENGINES."""
    if engine not in ENGINES:
        raise InputError(f"unknown speech engine {engine!r}: choose one of {', '.join(ENGINES)}")


def check_rate(rate_wpm: int) -> None:
    """Refuse a speaking rate outside RATE_RANGE."""
    low, high = RATE_RANGE
    if not low <= rate_wpm <= high:
        raise InputError(
            f"a speech rate of {rate_wpm} words per minute is out of range: give {low} to {high}"
        )
