"""What every control steers: the live session playing now, or none (standby waiting).

The terminal keys, MPRIS on D-Bus and GPIO buttons all name actions (``ACTIONS``) and hand
them to one ``Remote``; it passes them on to the session's ``LiveControl``. In standby a
session comes and goes: the remote is told (``attach``, ``detach``), and Play while none
plays asks standby to start one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from stridebeat.controls.interface import LiveControl
from stridebeat.controls.status import speak_status

# What a key, a D-Bus call or a button may ask for.
ACTIONS = (
    "play-pause", "play", "pause", "stop", "faster", "slower", "next", "previous",
    "next-block", "status", "cues", "quit",
)  # fmt: skip
# What MPRIS Next and Previous do: +1/-1 spm, skip to the next block (Previous: +0), or
# speak the status (both).
NEXT_ACTIONS = ("spm", "block", "status")


class Remote:
    """The actions of every control, applied to the session playing now (if any)."""

    def __init__(
        self,
        next_action: str = "spm",
        start: Callable[[], None] | None = None,
        quit: Callable[[], None] | None = None,
    ) -> None:
        if next_action not in NEXT_ACTIONS:
            raise ValueError(f"{next_action!r} is not one of {', '.join(NEXT_ACTIONS)}")
        self.next_action = next_action
        self._start = start  # Play with no session playing (standby)
        self._quit = quit  # q with no session playing (standby)
        self._lock = threading.Lock()
        self._control: LiveControl | None = None
        self.title = ""
        self.endless = False
        self.sessions = 0  # sessions attached so far: each is a new MPRIS track

    def attach(self, control: LiveControl, title: str, endless: bool) -> None:
        """A session starts playing: steer it from now on."""
        with self._lock:
            self._control, self.title, self.endless = control, title, endless
            self.sessions += 1

    def detach(self) -> None:
        """The session ended: nothing plays."""
        with self._lock:
            self._control, self.title = None, ""

    @property
    def control(self) -> LiveControl | None:
        return self._control

    def playback_status(self) -> str:
        """MPRIS's PlaybackStatus: Playing, Paused or Stopped."""
        control = self._control
        if control is None:
            return "Stopped"
        return "Paused" if control.status().paused else "Playing"

    def do(self, action: str) -> None:
        """Carry out one of ``ACTIONS``; never waits for the audio."""
        if action not in ACTIONS:
            raise ValueError(f"{action!r} is not one of {', '.join(ACTIONS)}")
        control = self._control
        if control is None:
            if action in ("play", "play-pause") and self._start is not None:
                self._start()
            elif action == "quit" and self._quit is not None:
                self._quit()
            return
        if action in ("next", "previous"):
            mapped = self._next_or_previous(action)
            if mapped is None:
                return
            action = mapped
        if action == "play-pause":
            control.toggle_pause()
        elif action == "play":
            control.resume()
        elif action == "pause":
            control.pause()
        elif action in ("stop", "quit"):
            control.stop()
        elif action == "faster":
            control.change_cadence(1)
        elif action == "slower":
            control.change_cadence(-1)
        elif action == "next-block":
            control.next_block()
        elif action == "status":
            speak_status(control, self.endless)
        elif action == "cues":
            control.toggle_cues()

    def _next_or_previous(self, action: str) -> str | None:
        """The action Next or Previous stands for; None: nothing (Previous, skipping blocks)."""
        if self.next_action == "status":
            return "status"
        if self.next_action == "block":
            return "next-block" if action == "next" else None
        return "faster" if action == "next" else "slower"
