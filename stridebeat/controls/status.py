"""The spoken status a runner asks for: "Cadence 172. 12 minutes in, 20 minutes to go."."""

from __future__ import annotations

from stridebeat.controls.interface import LiveControl, LiveStatus
from stridebeat.units import spoken_duration


def status_phrase(status: LiveStatus, endless: bool) -> str:
    """Cadence, time in and (unless the session plays until stopped) time to go.

    >>> from types import SimpleNamespace
    >>> now = SimpleNamespace(cadence=172.4, frame=720 * 48000, length=1920 * 48000, rate=48000)
    >>> status_phrase(now, endless=False)
    'Cadence 172. 12 minutes in, 20 minutes to go.'
    >>> status_phrase(SimpleNamespace(cadence=None, frame=0, length=1, rate=1), endless=True)
    'No beat now. 0 seconds in.'
    """
    beat = "No beat now." if status.cadence is None else f"Cadence {status.cadence:.0f}."
    played = status.frame / status.rate
    time_in = f"{spoken_duration(played)} in"
    if endless:
        return f"{beat} {time_in}."
    left = max(status.length / status.rate - played, 0.0)
    return f"{beat} {time_in}, {spoken_duration(left)} to go."


def speak_status(control: LiveControl, endless: bool) -> None:
    """Have live play say where it is (the key s, a remote's button)."""
    control.speak(status_phrase(control.status(), endless))
