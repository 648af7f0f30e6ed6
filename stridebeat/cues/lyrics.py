"""LRC lyrics for a rendered session: each cue's text at the moment it starts.

Phone music players show these as the track's lyrics, so the runner can read a cue they
missed. Lines are ``[mm:ss.xx]text``; minutes go past 59 for long sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stridebeat.cues.schedule import Cue


def lrc_path(output: Path) -> Path:
    """``run.wav`` -> ``run.lrc``."""
    return output.with_suffix(".lrc")


def timestamp(frame: int, rate: int) -> str:
    """``[mm:ss.xx]``, rounded to the nearest hundredth: frame 66150 at 44100 Hz -> [00:01.50]."""
    hundredths = (frame * 100 + rate // 2) // rate
    minutes, rest = divmod(hundredths, 6000)
    return f"[{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}]"


def lrc_text(cues: Sequence[Cue], rate: int, title: str = "") -> str:
    lines = [f"[ti:{title}]"] if title else []
    lines += ["[re:stridebeat]"]
    lines += [f"{timestamp(cue.frame, rate)}{' '.join(cue.text.split())}" for cue in cues]
    return "\n".join(lines) + "\n"
