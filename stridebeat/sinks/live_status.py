"""What live play reports: a ``Status`` while it plays, a ``Summary`` when it ends."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    """A snapshot of live play for the status line."""

    frame: int  # frames handed to the device so far (from the session's start)
    length: int
    rate: int
    cadence: float | None
    block: str
    next_cue: tuple[int, str] | None
    underruns: int
    paused: bool
    cues_muted: bool


@dataclass(frozen=True)
class Summary:
    start: int
    frame: int
    rate: int
    cadence: float | None
    underruns: int
    finished: bool

    @property
    def seconds_played(self) -> float:
        return (self.frame - self.start) / self.rate
