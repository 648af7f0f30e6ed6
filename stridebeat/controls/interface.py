"""What a control may ask of live play: the small interface every control steers through.

The terminal keys, MPRIS on D-Bus and GPIO buttons all use it. The live player
(``stridebeat.sinks.live.LivePlayer``) provides it, and its ``Status`` is a ``LiveStatus``,
without either side importing the other: the sink never imports controls, and controls need
nothing from the sink but these shapes.
"""

from __future__ import annotations

from typing import Protocol


class LiveStatus(Protocol):
    """A snapshot of live play, as a status line or a remote control shows it."""

    @property
    def frame(self) -> int:
        """Frames handed to the device so far, counted from the session's start."""

    @property
    def length(self) -> int:
        """The session's length in frames."""

    @property
    def rate(self) -> int:
        """Frames per second."""

    @property
    def cadence(self) -> float | None:
        """Steps per minute now; None where no beat plays."""

    @property
    def block(self) -> str:
        """The label of the block playing."""

    @property
    def next_cue(self) -> tuple[int, str] | None:
        """(frame, text) of the next cue; None when there is none or cues are muted."""

    @property
    def underruns(self) -> int:
        """Blocks the device got (partly) silent because the player fell behind."""

    @property
    def paused(self) -> bool: ...

    @property
    def cues_muted(self) -> bool: ...


class LiveControl(Protocol):
    """Live play as a control sees it; every method may be called from any thread."""

    def toggle_pause(self) -> None:
        """Pause, or resume on a beat."""

    def pause(self) -> None:
        """Pause (nothing if paused already)."""

    def resume(self) -> None:
        """Resume on a beat (nothing if playing already)."""

    def change_cadence(self, delta_spm: float) -> None:
        """Nudge the cadence up (or down, with a negative ``delta_spm``) from now on."""

    def toggle_cues(self) -> None:
        """Mute the spoken cues, or bring them back."""

    def next_block(self) -> None:
        """Go on at the start of the next block."""

    def speak(self, text: str) -> None:
        """Say ``text`` soon, over the clicks like a cue; never waits for the speech."""

    def stop(self) -> None:
        """End the session as a normal stop (it fades out and is recorded)."""

    def status(self) -> LiveStatus:
        """Where play is now."""
