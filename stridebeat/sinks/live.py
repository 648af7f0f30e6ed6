"""Live play: a renderer's audio on an output device, steered while it plays.

A producer thread renders a little ahead (about 100 ms) into a ring buffer; PortAudio's
callback only copies from it. The callback allocates no arrays, reads no files, takes no
locks and always fills the whole buffer (with silence where the producer fell behind: an
underrun, counted). Controls (cadence, pause, cue mute) are requests the producer carries
out at the next frame it renders, so a change is heard within the read-ahead. A phrase asked
for while playing (the spoken status) is synthesised by the ``say`` callback on a worker
thread and mixed in like a cue at the next frame where no cue speaks.

The player knows nothing of cue scripts or speech: after a cadence change it asks the
``cues_for`` callback it was given (by whoever placed the cues) for the cues of the changed
renderer, on a worker thread, and mixes them in from the next frame it renders.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stridebeat.engine.render import Renderer, SpokenCue
from stridebeat.engine.timeline import Timeline
from stridebeat.errors import StridebeatError
from stridebeat.sinks.devices import DEFAULT_LATENCY, OutputDevice, OutputStream
from stridebeat.sinks.live_cues import LiveCues, Say, SpokenCuesFor
from stridebeat.sinks.live_status import Status as Status
from stridebeat.sinks.live_status import Summary as Summary
from stridebeat.sinks.output import DEVICE_WAIT_SECONDS, STALL_SECONDS, Output, ride_out

# How far the producer renders ahead of the callback: a key press is heard this much plus the
# output latency later (75 + 50 ms), and the producer has this much slack before an underrun.
AHEAD_SECONDS = 0.075
FADE_SECONDS = 0.03  # Ctrl-C fades out over this long


class LivePlayer:
    """Plays a renderer's audio on an output device, with live controls.

    It provides what controls ask of live play (``stridebeat.controls.interface.LiveControl``):
    ``toggle_pause``, ``change_cadence``, ``toggle_cues``, ``next_block``, ``speak``, ``stop``
    and ``status``, from any thread.
    """

    def __init__(
        self,
        renderer: Renderer,
        device: OutputDevice,
        *,
        start: int = 0,
        blocksize: int = 0,
        latency: float | str = DEFAULT_LATENCY,
        cues_for: SpokenCuesFor | None = None,
        say: Say | None = None,
        device_wait: float = DEVICE_WAIT_SECONDS,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.renderer = renderer
        self.device = device
        self.rate = renderer.timeline.rate
        self.channels = renderer.channels
        self.blocksize = blocksize
        self.latency = latency
        self._cues_for = cues_for
        self._say = say
        self.device_wait = device_wait  # seconds to wait for an output that dropped out
        self._notify = notify or (lambda message: None)
        self.chunk = max(blocksize, 256) if blocksize else 512
        self.capacity = max(round(AHEAD_SECONDS * self.rate), 2 * self.chunk)
        self._ring = np.zeros((self.capacity, self.channels), dtype=np.float32)
        self._block = np.zeros((self.chunk, self.channels), dtype=np.float32)
        self._fade = np.linspace(
            1.0, 0.0, max(round(FADE_SECONDS * self.rate), 1), dtype=np.float32
        )
        self.start = start
        # written by the producer only / read by the callback only (plain ints: no locks)
        self._written = self._read = start
        self._producer_done = False
        self._paused = False
        self._resuming = False
        self._fading = False
        self._fade_at = 0
        self.underruns = 0
        self.device_underflows = 0
        self.callback_seconds = np.zeros(1 << 16, dtype=np.float64)
        self.callbacks = 0
        self.first_sound: float | None = None
        self.producer_wait_seconds = 0.0  # play()'s wait for the ring to fill, at the start
        self._last_callback = 0.0
        # requests from the controls, carried out by the producer
        self._requests: deque[tuple[str, float, float]] = deque()
        # cues the workers made for a changed timeline (None: a phrase asked for), to take
        self._placed: deque[tuple[Timeline | None, list[SpokenCue]]] = deque()
        self._cues = LiveCues(renderer.cues)
        self._jump: tuple[int, int] | None = None  # (frame, after callback n) of a block skip
        self.key_delays: list[float] = []  # seconds from a cadence request to its first frame
        self.changes: list[tuple[int, float]] = []  # (frame, spm added) of each cadence change
        self._placing_cues = threading.Lock()  # one cue worker at a time: Speech is not shared
        self._stop = threading.Event()
        self._stop_asked = threading.Event()
        self._error: BaseException | None = None

    # --- controls (any thread) -------------------------------------------------------------

    def change_cadence(self, delta_spm: float) -> None:
        """Raise (or lower) the cadence by ``delta_spm`` from the next frame rendered on."""
        self._requests.append(("cadence", delta_spm, time.perf_counter()))

    def toggle_pause(self) -> None:
        """Pause, or resume on the first beat at or after where the sound stopped."""
        self._requests.append(("pause", 0.0, time.perf_counter()))

    def pause(self) -> None:
        """Pause (nothing if paused already)."""
        self._requests.append(("pause-on", 0.0, time.perf_counter()))

    def resume(self) -> None:
        """Resume on a beat (nothing if playing already)."""
        self._requests.append(("pause-off", 0.0, time.perf_counter()))

    def toggle_cues(self) -> None:
        """Mute the spoken cues, or bring them back."""
        self._requests.append(("cues", 0.0, time.perf_counter()))

    def next_block(self) -> None:
        """Go on at the start of the next block (the last block: nothing happens)."""
        self._requests.append(("next", 0.0, time.perf_counter()))

    def speak(self, text: str) -> None:
        """Say ``text`` soon, over the clicks like a cue (nothing without speech)."""
        say = self._say
        if say is None:
            return

        def work() -> None:
            try:
                with self._placing_cues:
                    wave = say(text)
            except StridebeatError:
                return  # no speech now: the run goes on without the phrase
            except BaseException as exc:  # reported by the main thread
                self._error = exc
                return
            if wave is not None:
                self._placed.append((None, [SpokenCue(0, wave, text)]))

        threading.Thread(target=work, name="stridebeat-say", daemon=True).start()

    def stop(self) -> None:
        """End the session as a normal stop: fade out, and ``play`` returns its summary."""
        self._stop_asked.set()

    def status(self) -> Status:
        """Where play is now, for a status line or a remote control."""
        renderer, frame = self.renderer, self._read
        timeline = renderer.timeline
        span = timeline.spans[timeline.span_index_at(frame)] if timeline.spans else None
        upcoming = next((c for c in renderer.cues if c.frame >= frame), None)
        return Status(
            frame,
            timeline.length,
            self.rate,
            timeline.cadence_at(frame),
            span.block.label if span else "",
            (upcoming.frame, upcoming.text) if upcoming and not self.cues_muted else None,
            self.underruns,
            self._paused,
            self.cues_muted,
        )

    # --- playing ---------------------------------------------------------------------------

    def play(self, tick: Callable[[Status], None] | None = None, poll: float = 0.1) -> Summary:
        """Play until the session ends; Ctrl-C (and SIGTERM or SIGHUP, raised as
        KeyboardInterrupt) fades out and raises it. An output that drops out pauses play on
        the beat until it is back (``device_wait`` seconds at most, then ``DeviceLost``)."""
        producer = threading.Thread(target=self._produce, name="stridebeat-live", daemon=True)
        producer.start()
        output = Output(self.device, functools.partial(
            OutputStream, rate=self.rate, channels=self.channels, blocksize=self.blocksize,
            latency=self.latency, callback=self._callback))  # fmt: skip

        def show() -> None:
            if tick is not None:
                tick(self.status())

        try:
            waiting = time.perf_counter()
            output.open(before_start=self._wait_for_producer)
            self._last_callback = time.perf_counter()  # the watchdog counts from here
            self.producer_wait_seconds = self._last_callback - waiting
            while not self._ended():
                if self._stop_asked.wait(poll):
                    self._fade_out()
                    break
                if self._error is not None:
                    raise self._error
                if time.perf_counter() - self._last_callback > STALL_SECONDS or not output.running:
                    ride_out(output, self, self.device_wait, self._notify, show, poll)
                    self._last_callback = time.perf_counter()
                show()
        except KeyboardInterrupt:
            self._fade_out()
            raise
        finally:
            self._stop.set()
            output.close(abort=self._fading or not self._ended())
        return self.summary()

    def summary(self) -> Summary:
        return Summary(
            self.start,
            self._read,
            self.rate,
            self.renderer.timeline.cadence_at(self._read),
            self.underruns,
            self._ended(),
        )

    def _ended(self) -> bool:
        return self._producer_done and self._read >= self._written

    def _wait_for_producer(self) -> None:
        deadline = time.perf_counter() + 2.0
        while not self._ahead() and not self._producer_done and time.perf_counter() < deadline:
            time.sleep(0.002)

    def _ahead(self) -> bool:
        """Whether the ring is full (less than a chunk of room left: the producer writes whole
        chunks) or holds the rest of the session: then the sound may start."""
        wanted = min(self.capacity - self.chunk, self.renderer.length - self._read)
        return self._written - self._read >= wanted

    def _fade_out(self) -> None:
        self._fading = True
        deadline = time.perf_counter() + 2 * FADE_SECONDS + 0.05
        while self._fade_at < len(self._fade) and time.perf_counter() < deadline:
            time.sleep(0.005)

    # --- the audio callback (PortAudio's thread) ----------------------------------------------

    def _callback(
        self, outdata: NDArray[np.float32], frames: int, time_info: Any, status: Any
    ) -> None:
        began = time.perf_counter()
        if status.output_underflow:
            self.device_underflows += 1
        if self._paused or self._fade_at >= len(self._fade):
            outdata.fill(0)
        else:
            read = self._read
            count = min(frames, max(self._written - read, 0))
            if count:
                at = read % self.capacity
                first = min(count, self.capacity - at)
                outdata[:first] = self._ring[at : at + first]
                if first < count:
                    outdata[first:count] = self._ring[: count - first]
                if self.first_sound is None:
                    self.first_sound = began
            if count < frames:
                outdata[count:].fill(0)
                if not self._producer_done:
                    self.underruns += 1
            if self._fading:
                self._apply_fade(outdata, frames)
            self._read = read + count
        self._last_callback = began
        self.callback_seconds[self.callbacks % len(self.callback_seconds)] = (
            time.perf_counter() - began
        )
        self.callbacks += 1

    def _apply_fade(self, outdata: NDArray[np.float32], frames: int) -> None:
        left = len(self._fade) - self._fade_at
        count = min(frames, left)
        np.multiply(outdata[:count], self._fade[self._fade_at : self._fade_at + count, None],
                    out=outdata[:count])  # fmt: skip
        outdata[count:].fill(0)
        self._fade_at += count

    # --- the producer (its own thread) -------------------------------------------------------

    def _produce(self) -> None:
        try:
            period = self.chunk / self.rate
            while not self._stop.is_set():
                self._handle_requests()
                if self._jump is not None and self.callbacks >= self._jump[1]:
                    self._written = self._read = self._jump[0]  # the callback has paused
                    self._jump = None
                    self._resuming = True
                if self._paused and not self._resuming:
                    time.sleep(period)
                    continue
                space = self.capacity - (self._written - self._read)
                count = min(self.chunk, self.renderer.length - self._written)
                if count <= 0:
                    self._producer_done = True
                    return
                if space < count:
                    time.sleep(period / 4)
                    continue
                block = self._block[:count]
                self.renderer.render(self._written, block)
                at = self._written % self.capacity
                first = min(count, self.capacity - at)
                self._ring[at : at + first] = block[:first]
                self._ring[: count - first] = block[first:]
                self._written += count
                if self._resuming and self._ahead():  # as at the start: sound again
                    self._resuming = self._paused = False
        except BaseException as exc:  # reported by the main thread
            self._error = exc

    def _handle_requests(self) -> None:
        while self._placed:
            timeline, cues = self._placed.popleft()
            if timeline is None:
                self._cues.ask(self._written + self.renderer.duck_frames, cues[0])  # ducks whole
                self._use_cues()
            elif timeline is self.renderer.timeline:  # not overtaken by a later change
                self._cues.replace_from(self._written, cues)
                self._use_cues()
        while self._requests:
            kind, value, asked = self._requests.popleft()
            if kind == "cadence":
                timeline = self.renderer.timeline.with_cadence_change(self._written, value)
                self.renderer = self.renderer.replaced(timeline, changed_at=self._written)
                self.key_delays.append(time.perf_counter() - asked)
                self.changes.append((self._written, value))
                if self._cues_for is not None:
                    self._start_placing_cues(self._cues_for, self.renderer)
            elif kind == "cues":
                self._cues.toggle_mute()
                self._use_cues()
            elif kind == "next":
                self._skip_block()
            elif kind in ("pause", "pause-on", "pause-off"):
                wanted = not self._paused if kind == "pause" else kind == "pause-on"
                if self._paused and not wanted:
                    if not self._resuming:
                        self._resume()
                elif wanted:
                    self._paused, self._resuming = True, False

    def _resume(self) -> None:
        """Start again from the first beat at or after where the sound stopped."""
        frame = self._read
        clicks = self.renderer.timeline.clicks_between(frame, self.renderer.length)
        if len(clicks):
            frame = math.floor(clicks.positions[0])
        self._written = self._read = frame
        self._resuming = True

    def _start_placing_cues(self, cues_for: SpokenCuesFor, renderer: Renderer) -> None:
        """Ask ``cues_for`` for the changed renderer's cues on a worker thread; the producer
        takes them if no later change overtook them meanwhile."""

        def work() -> None:
            try:
                with self._placing_cues:
                    if self.renderer.timeline is not renderer.timeline:
                        return  # overtaken while waiting: only the latest change is placed
                    cues = cues_for(renderer)
            except BaseException as exc:  # reported by the main thread
                self._error = exc
                return
            self._placed.append((renderer.timeline, cues))

        threading.Thread(target=work, name="stridebeat-cues", daemon=True).start()

    @property
    def cues_muted(self) -> bool:
        return self._cues.muted

    def _use_cues(self) -> None:
        self.renderer = self.renderer.replaced(cues=self._cues.mixed())

    def _skip_block(self) -> None:
        """Go on at the next block's start, its read-ahead filled first as after a pause."""
        timeline = self.renderer.timeline
        index = timeline.span_index_at(self._read)  # -1 without spans
        if index + 1 >= len(timeline.spans):
            return
        frame = timeline.spans[index + 1].start
        if self._paused and not self._resuming:
            self._written = self._read = frame  # resuming plays on from there
            return
        # silence first; once the callback has surely seen it, move (see _produce)
        self._paused, self._resuming = True, False
        self._jump = (frame, self.callbacks + 2)
