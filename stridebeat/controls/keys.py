"""The terminal's keys: single presses read without Enter or echo, and what each one does."""

from __future__ import annotations

import select
import sys
import termios
import threading
import tty
from collections.abc import Callable
from types import TracebackType
from typing import Any

from stridebeat.controls.remote import Remote

# Each key and the action it asks for (q: stop the session, or leave standby).
KEYS = {" ": "play-pause", "+": "faster", "=": "faster", "-": "slower", "_": "slower",
        "c": "cues", "s": "status", "q": "quit"}  # fmt: skip


def key_bindings(remote: Remote) -> Callable[[str], None]:
    """space pause/resume (or start, in standby), + and - cadence by 1 spm, c cues on/off,
    s the spoken status, q stop (a normal end: fades out and is recorded)."""

    def handle(key: str) -> None:
        action = KEYS.get(key.lower())
        if action is not None:
            remote.do(action)

    return handle


class KeyReader:
    """While active, calls ``handle(char)`` for each key pressed (stdin must be a terminal)."""

    def __init__(self, handle: Callable[[str], None]) -> None:
        self._handle = handle
        self._stop = threading.Event()
        self._saved: list[Any] | None = None
        self._thread = threading.Thread(target=self._run, name="stridebeat-keys", daemon=True)

    def __enter__(self) -> KeyReader:
        fd = sys.stdin.fileno()
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._saved is not None:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)

    def _run(self) -> None:
        fd = sys.stdin.fileno()
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                char = sys.stdin.read(1)
                if not char:
                    return
                self._handle(char)
