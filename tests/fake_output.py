"""A fake output device for live play: it asks for audio like a sound card and records it,
and it can drop out (stall, vanish, refuse to start) and come back."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from stridebeat.sinks import devices, live, output

FAKE_RATE = 8000
BLOCK = 256


class FakeOutput:
    """A fake output that asks for audio like a sound card (at twice real time) and records
    it, one recording per stream; ``drop(how)`` takes it away, ``come_back()`` returns it.

    How it drops out: ``"stalls"`` (no more callbacks, the stream still looks alive),
    ``"vanishes"`` (PortAudio stops the stream; opening it fails while it is gone), or
    ``"fails to start"`` (it stops; a new stream opens but will not start while gone)."""

    def __init__(self) -> None:
        self.recordings: list[list[np.ndarray]] = []
        self.gone: str | None = None
        self.opened = 0
        earbuds = self

        class Stream:
            def __init__(self, callback: Any, **kwargs: object) -> None:
                if earbuds.gone == "vanishes":
                    raise OSError("Device unavailable")
                earbuds.opened += 1
                self.callback = callback
                self.record: list[np.ndarray] = []
                earbuds.recordings.append(self.record)
                self.active = False
                self._stop = threading.Event()

            def start(self) -> None:
                if earbuds.gone is not None:
                    raise OSError("Device unavailable")
                self.active = True
                threading.Thread(target=self._run, daemon=True).start()

            def _run(self) -> None:
                out = np.zeros((BLOCK, 1), np.float32)
                ok = SimpleNamespace(output_underflow=False)
                while not self._stop.is_set():
                    if earbuds.gone is not None:
                        self.active = earbuds.gone == "stalls"
                        return
                    self.callback(out, BLOCK, None, ok)
                    self.record.append(out.copy())
                    time.sleep(BLOCK / FAKE_RATE / 2)

            def stop(self) -> None:
                self._stop.set()
                self.active = False

            abort = stop

            def close(self) -> None:
                self.stop()

        self.module = SimpleNamespace(OutputStream=Stream, PortAudioError=OSError)

    def drop(self, how: str) -> None:
        self.gone = how

    def come_back(self) -> None:
        self.gone = None

    def played(self, stream: int) -> np.ndarray:
        blocks = self.recordings[stream]
        return np.concatenate(blocks)[:, 0] if blocks else np.zeros(0, np.float32)


@pytest.fixture
def fake_output(monkeypatch: pytest.MonkeyPatch) -> FakeOutput:
    fake = FakeOutput()
    monkeypatch.setattr(devices, "load_sounddevice", lambda: fake.module)
    monkeypatch.setattr(output, "find_again", lambda device, refresh: device)
    for module in (live, output):
        monkeypatch.setattr(module, "STALL_SECONDS", 0.3)
    monkeypatch.setattr(output, "RETRY_SECONDS", 0.2)
    return fake
