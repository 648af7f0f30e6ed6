"""The terminal's keys: single presses read without Enter or echo, and what each one does."""

from __future__ import annotations

import os
import select
import signal
import sys
import termios
import threading
import tty
from collections.abc import Callable
from types import TracebackType
from typing import Any

from stridebeat.controls.interface import LiveControl


def key_bindings(control: LiveControl) -> Callable[[str], None]:
    """space pause/resume, + and - cadence by 1 spm, c cues on/off, q quit.

    q fades out like Ctrl-C (by raising it); the command treats a q as a normal end.
    """

    def handle(key: str) -> None:
        if key == " ":
            control.toggle_pause()
        elif key in "+=":
            control.change_cadence(1)
        elif key in "-_":
            control.change_cadence(-1)
        elif key in "cC":
            control.toggle_cues()
        elif key in "qQ":
            os.kill(os.getpid(), signal.SIGINT)

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
