"""A private JACK server with the dummy driver, and a JACK client that records what plays.

The live path is tested for real on machines without a sound card: sounddevice plays into
this server exactly as into a sound card, and the capture client records PortAudio's output.

Two things keep a recording whole on a busy machine (2 cores shared with other test runs):

- The tests' server runs synchronously (``-S``) with a long client timeout, so a cycle waits
  for a client that is late instead of going on without it. By default (asynchronous) jackd
  skips a late client for that cycle ("client ... was not finished"): the capture loses a
  period, or PortAudio's output is not taken, and the recording no longer lines up sample for
  sample with what the player sent. Both clients here are Python callbacks that need the GIL,
  so on a loaded machine they are late often.
- Inside ``with Capture(...)``, a live player's stream starts only once the capture is
  connected to its ports: they appear when the stream opens and a thread connects them, so
  otherwise a channel connected after the first click misses it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.env import IS_CI

RATE = 48000
# The dummy server\'s playback ports as PortAudio names them: "JACK" alone also matches
# the capture client, which is an output device too while it runs.
OUTPUT = "system, JACK Audio Connection Kit"


JACK_TRIES = ((("-R",), "256"), (("--no-realtime",), "1024"))  # realtime first, then without
# Synchronous, and a client may be this late before jackd gives up on it for a cycle.
WAIT_FOR_CLIENTS = ("-S", "-t", "10000")


class JackServer:
    """jackd with the dummy driver under a private name (shared by the tests and bench/live.py).

    ``wait_for_clients`` runs it synchronously: a late client delays the cycle instead of
    missing it, so nothing is lost between the player and a capture (what the tests compare);
    without it jackd keeps time like a sound card (what the benchmark measures)."""

    def __init__(self, name: str, log: Path, wait_for_clients: bool = False) -> None:
        self.name = name
        self.log = log
        self.wait_for_clients = wait_for_clients
        self.options: tuple[str, ...] = ()
        self.period = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {**os.environ, "JACK_DEFAULT_SERVER": name}

    def start(self) -> bool:
        """Start jackd and wait until it answers; False if it would not start."""
        for options, period in JACK_TRIES:
            if self.wait_for_clients:
                options = (*WAIT_FOR_CLIENTS, *options)
            with self.log.open("ab") as out:
                process = subprocess.Popen(
                    ["jackd", *options, "-n", self.name, "-d", "dummy", "-r", str(RATE),
                     "-p", period],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
            if self._wait_until_up(process):
                self.process, self.options, self.period = process, options, period
                return True
            process.kill()
            process.wait()
        return False

    def _wait_until_up(self, process: subprocess.Popen[bytes]) -> bool:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            probe = subprocess.run(["jack_lsp"], env=self.env, capture_output=True)
            if probe.returncode == 0 and b"system:playback_1" in probe.stdout:
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def jack_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start jackd (dummy driver, 48 kHz) under a private name; make sounddevice see it."""
    if shutil.which("jackd") is None or shutil.which("jack_lsp") is None:
        if IS_CI:
            pytest.fail("jackd is not installed: bash scripts/setup.sh --test installs jackd2")
        pytest.skip("jackd is not installed (bash scripts/setup.sh --test installs jackd2)")
    log = Path(tmp_path_factory.mktemp("jack")) / "jackd.log"
    server = JackServer(f"stridebeat-test-{os.getpid()}", log, wait_for_clients=True)
    if not server.start():
        pytest.fail(f"jackd did not start:\n{log.read_text()[-2000:]}")
    previous = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = server.name
    import sounddevice as sd

    sd._terminate()  # PortAudio sees JACK only if it starts after the server
    sd._initialize()
    try:
        yield server.name
    finally:
        sd._terminate()  # before jackd goes, or PortAudio aborts the process
        server.stop()
        if previous is None:
            os.environ.pop("JACK_DEFAULT_SERVER", None)
        else:
            os.environ["JACK_DEFAULT_SERVER"] = previous
        sd._initialize()


def follow_portaudio(
    client: Any, ports: Sequence[Any], stop: threading.Event, connected: set[str] | None = None
) -> None:
    """Connect each PortAudio output port to one of ``ports`` as it appears, until ``stop``:
    the first to ``ports[0]``, the next to ``ports[1]``, and so on round; ``connected``
    collects the names of the ports connected.

    PortAudio numbers its ports on from the streams opened before in the process (a mono
    stream's ``out_0``, then a stereo stream's ``out_1`` and ``out_2``), so a port's number
    says nothing about its channel; its order among the new ports does."""
    import jack

    connected = set() if connected is None else connected
    while not stop.is_set():
        try:
            sources = client.get_ports("PortAudio", is_output=True, is_audio=True)
        except jack.JackError:
            sources = []  # a port went away while listed (a stream closing): look again
        for source in sorted(sources, key=lambda port: int(port.name.rsplit("_", 1)[1])):
            if source.name not in connected:
                try:
                    client.connect(source, ports[len(connected) % len(ports)])
                except jack.JackError:
                    continue  # the port went away (a stream closing): look again
                connected.add(source.name)
        time.sleep(0.002)


class Capture:
    """Records PortAudio's output ports (connected as they appear) into a preallocated array.

    Used as a context manager it holds back the start of a live player's stream until the
    recording is connected, and closes the client at the end."""

    def __init__(self, server: str, channels: int, seconds: float) -> None:
        import jack

        self.client = jack.Client("stridebeat-capture", servername=server, no_start_server=True)
        self.ports = [self.client.inports.register(f"in_{i + 1}") for i in range(channels)]
        self.data = np.zeros((int(seconds * RATE), channels), dtype=np.float32)
        self.frames = 0
        self.xruns = 0
        # set by the process callback once every port is fed: from then on nothing is missed
        self.connected = threading.Event()
        self._stop = threading.Event()
        self.client.set_process_callback(self._process)
        self.client.set_xrun_callback(self._xrun)
        self.client.activate()
        self._connector = threading.Thread(
            target=follow_portaudio, args=(self.client, self.ports, self._stop), daemon=True
        )
        self._connector.start()

    def _process(self, frames: int) -> None:
        if not self.connected.is_set() and all(p.number_of_connections for p in self.ports):
            self.connected.set()
        count = min(frames, len(self.data) - self.frames)
        for channel, port in enumerate(self.ports):
            self.data[self.frames : self.frames + count, channel] = port.get_array()[:count]
        self.frames += count

    def _xrun(self, delay: float) -> None:
        self.xruns += 1

    def close(self) -> None:
        self._stop.set()
        self._connector.join()
        self.client.deactivate()
        self.client.close()

    def wait_until_connected(self, timeout: float = 10.0) -> None:
        """Return once every port is fed in the graph jackd runs (seen from a process cycle)."""
        if not self.connected.wait(timeout):
            raise AssertionError(f"PortAudio's output was not connected within {timeout:g} s")

    def __enter__(self) -> Capture:
        from stridebeat.sinks.devices import OutputStream

        start = self._start = OutputStream.start

        def start_when_recorded(stream: OutputStream) -> None:
            self.wait_until_connected()
            start(stream)

        OutputStream.start = start_when_recorded  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        from stridebeat.sinks.devices import OutputStream

        OutputStream.start = self._start  # type: ignore[method-assign]
        self.close()

    def recorded(self) -> np.ndarray:
        return self.data[: self.frames]


def align(recorded: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """The stretch of ``recorded`` that lines up with ``expected`` (found at its first sound)."""
    first_expected = int(np.argmax(np.abs(expected).max(axis=1) > 0))
    first_recorded = int(np.argmax(np.abs(recorded).max(axis=1) > 0))
    start = first_recorded - first_expected
    assert start >= 0, "the recording starts after the sound"
    return recorded[start : start + len(expected)]
