"""What a control may ask of live play: the small interface every control steers through.

The terminal keys use it now; MPRIS on D-Bus and GPIO buttons will too. The live player
(``stridebeat.sinks.live.LivePlayer``) provides it without knowing of any control: the sink
never imports this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from stridebeat.sinks.live import Status


class LiveControl(Protocol):
    """Live play as a control sees it; every method may be called from any thread."""

    def toggle_pause(self) -> None:
        """Pause, or resume on a beat."""

    def change_cadence(self, delta_spm: float) -> None:
        """Nudge the cadence up (or down, with a negative ``delta_spm``) from now on."""

    def toggle_cues(self) -> None:
        """Mute the spoken cues, or bring them back."""

    def status(self) -> Status:
        """Where play is now: position, cadence, block, next cue, paused, cues muted."""
