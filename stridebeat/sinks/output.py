"""The live player's output stream: opened, started, watched, closed and opened again.

Every PortAudio call that may block or fail (opening, starting, closing a stream) runs on a
short-lived thread with SIGINT, SIGTERM and SIGHUP blocked there. The main thread stays free
to take Ctrl-C or a service stop at any moment; no signal interrupts a system call inside
PortAudio or JACK half-way through (an interrupted JACK request is what aborted the process in
``pa_jack.c`` when Ctrl-C came while ``play`` opened its stream), no KeyboardInterrupt leaves a
stream opened but never closed, and the threads PortAudio starts inherit the blocked signals.

When the device stops asking for audio (stalled) or PortAudio stops the stream (the device
vanished: earbuds out of range), ``ride_out`` pauses play on the beat, closes what is left of
the stream, and tries the same device again every few seconds until it plays or the wait runs
out.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from stridebeat.errors import DeviceError
from stridebeat.sinks.devices import (
    RENDER_HINT,
    OutputDevice,
    OutputStream,
    find_again,
    skip_portaudio_exit,
)
from stridebeat.sinks.live_status import Status
from stridebeat.units import format_clock

T = TypeVar("T")

STOPPING_SIGNALS = {
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
}
STALL_SECONDS = 2.0  # no callback for this long: the device is gone
RETRY_SECONDS = 3.0  # between attempts to open a device that dropped out
DEVICE_WAIT_SECONDS = 300.0  # how long to wait for it by default
CLOSE_SECONDS = 5.0  # a close that takes longer is left to finish on its own


class DeviceLost(DeviceError):
    """The output dropped out and did not come back in time."""


class DeviceCall(Generic[T]):
    """One PortAudio call on its own thread, with the stopping signals blocked in it."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._result: T | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True,
                                        name="stridebeat-device")  # fmt: skip

    def start(self) -> None:
        """Start the call (kept apart from ``__init__``: Ctrl-C may come while the thread
        starts, and whoever holds this call must still wait for it)."""
        self._thread.start()

    def _run(self, work: Callable[[], T]) -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING_SIGNALS)
        try:
            self._result = work()
        except BaseException as exc:  # handed to whoever waits for the call
            self._error = exc
        finally:
            self._done.set()

    def wait(self, seconds: float | None = None) -> bool:
        """Whether the call has finished, waiting up to ``seconds`` (None: until it has).
        Ctrl-C interrupts the wait, not the call."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while not self._done.is_set():
            step = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
            if step <= 0:
                return False
            self._done.wait(step)
        return True

    def outcome(self) -> T:
        """What the finished call returned; what it raised is raised here."""
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]


class Output:
    """The stream the player plays into, on ``device`` or the same device found again.

    One PortAudio call runs at a time. A call the main thread stopped waiting for (Ctrl-C
    came, or a stalled device keeps it) is waited for before the next, and a stream it
    opened is adopted, so it is closed like any other."""

    def __init__(self, device: OutputDevice, open_stream: Callable[[OutputDevice], OutputStream]):
        self.device = device
        self._open_stream = open_stream
        self.stream: OutputStream | None = None
        self._busy: DeviceCall[OutputStream | None] | None = None

    def open(self, before_start: Callable[[], None]) -> None:
        """Open the stream, call ``before_start`` (on this thread), then start it; a
        DeviceError if either fails."""
        self._begin(lambda: self._open_stream(self.device))
        self._finish(None, adopt=False)
        before_start()
        stream = self.stream
        assert stream is not None

        def start() -> None:
            stream.start()

        self._begin(start)
        self._finish(None, adopt=False)

    @property
    def running(self) -> bool:
        return self.stream is not None and self.stream.running

    def close(self, abort: bool = False, within: float = CLOSE_SECONDS) -> bool:
        """Close the stream (after any call still running); False if that took too long:
        then PortAudio is left alone at exit, where it would wait for the call forever."""
        if self._settle(within):
            stream, self.stream = self.stream, None
            if stream is None:
                return True

            def close() -> None:
                stream.close(abort=abort)

            self._begin(close)
            if self._settle(within):
                return True
        skip_portaudio_exit()
        return False

    def try_again(self, within: float) -> bool:
        """One attempt to play on the device again: find it, open and start a stream."""
        if not self._settle(0):  # the broken stream is still closing (a stalled device)
            return False
        if self.stream is None:
            self._begin(self._find_open_and_start)
            if not self._settle(within):
                return False  # still trying: the next attempt waits for it
        return self.stream is not None

    def _begin(self, work: Callable[[], OutputStream | None]) -> None:
        self._busy = DeviceCall(work)
        self._busy.start()

    def _finish(self, within: float | None, adopt: bool) -> bool:
        """Wait for the call (up to ``within``); take the stream it returned. Unless
        ``adopt``, what it raised is raised here."""
        call = self._busy
        if call is None:
            return True
        if not call.wait(within):
            return False
        self._busy = None
        try:
            stream = call.outcome()
        except DeviceError:
            if not adopt:
                raise
            stream = None
        if stream is not None:
            self.stream = stream
        return True

    def _settle(self, within: float) -> bool:
        return self._finish(within, adopt=True)

    def _find_open_and_start(self) -> OutputStream | None:
        """The device as PortAudio lists it now, else as it finds it afresh (a Bluetooth
        device that came back may have a new number)."""
        for refresh in (False, True):
            device = find_again(self.device, refresh)
            if device is None:
                continue
            try:
                stream = self._open_stream(device)
            except DeviceError:
                continue
            try:
                stream.start()
            except DeviceError:
                stream.close(abort=True)
                continue
            self.device = device
            return stream
        return None


class Playing(Protocol):
    """What ``ride_out`` needs of the player."""

    callbacks: int

    def toggle_pause(self) -> None: ...

    def status(self) -> Status: ...


def ride_out(
    output: Output,
    player: Playing,
    wait: float,
    notify: Callable[[str], None],
    tick: Callable[[], None],
    poll: float,
) -> None:
    """Pause on the beat, try the device again every few seconds and play on once it calls
    back; raise ``DeviceLost`` after ``wait`` seconds without it."""
    status = player.status()
    frame, rate, paused = status.frame, status.rate, status.paused
    if not paused:
        player.toggle_pause()
    at, name = format_clock(frame / rate), output.device.name
    notify(f"{name} stopped playing at {at}; paused, trying it again for up to "
           f"{format_clock(wait)}.")  # fmt: skip
    deadline = time.monotonic() + wait
    output.close(abort=True, within=0.5)

    def sleep(seconds: float, done: Callable[[], bool] = lambda: False) -> None:
        until = min(time.monotonic() + seconds, deadline)
        while time.monotonic() < until and not done():
            time.sleep(min(poll, max(until - time.monotonic(), 0)))
            tick()

    def calling_back(since: int) -> Callable[[], bool]:
        return lambda: player.callbacks > since + 1

    while time.monotonic() < deadline:
        if output.try_again(within=RETRY_SECONDS):
            back = calling_back(player.callbacks)
            sleep(STALL_SECONDS, back)
            if back() and output.running:
                if not paused and player.status().paused:
                    player.toggle_pause()
                notify(f"{output.device.name} is back; playing on from {at}.")
                return
            output.close(abort=True, within=0.5)
        sleep(RETRY_SECONDS)
    raise DeviceLost(
        f"{name} did not come back within {format_clock(wait)}; resume with --start-at {at} "
        f"when it is back, or {RENDER_HINT}"
    )
