"""Benchmark live play (``LivePlayer``, ``stridebeat play``) into a private JACK dummy server.

Run from the repository root::

    .venv/bin/python bench/live.py [--minutes 10] [--quick]

It starts its own JACK server (``jackd -R -n <private name> -d dummy -r 48000 -p 256``, or
``--no-realtime -p 1024`` if that does not come up), points PortAudio at it through
``JACK_DEFAULT_SERVER`` and measures, with a private ``STRIDEBEAT_HOME`` (a fresh speech cache):

1. a cold ``prepare`` of the session (176 spm, ``--cues glutes,cadence``, 48 kHz), which fills
   the speech cache;
2. in-process live play of the same session for 10 min (``--quick``: 1 min) through
   ``LivePlayer(..., blocksize=256)`` on the JACK device, with a warm speech cache:
   a. the time from just before ``prepare(...)`` to ``player.first_sound`` (the callback's
      first audio),
   b. every callback's duration as a share of the block period (256 / 48000 s); the player's
      ring of callback times is swapped for one long enough to keep them all,
   c. underruns (producer behind the callback) and device underflows (PortAudio's flag),
   d. the whole process's CPU time (user + sys, ``getrusage``) over the play wall time, and
      that of its child processes (espeak-ng speaking re-placed cues) beside it,
   e. a cadence change (+1 spm, as the + key does) every 30 s (``--quick``: 10 s), from the
      status tick: the delay from the request to the first frame rendered at the new cadence
      (``player.key_delays``), how far ahead of the device that frame was, and the cadence of
      the final timeline just before and after each change and of the clicks after it;
3. the time from ``Popen`` of ``stridebeat play --spm 176 --duration 5s --cues glutes
   --device JACK`` to the first non-zero sample its JACK output carries, seen by a JACK client
   of this process; one untimed warm-up run, then 3 timed ones (``--quick``: 2);
4. steered from outside, on a private D-Bus session bus (``bench/remote.py``): standby's idle
   CPU, MPRIS Pause -> silence in the recording, underruns while a client polls the player's
   properties 50 times a second.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stridebeat.cues.settings import SpeechSettings
from stridebeat.engine.render import ClickSound
from stridebeat.prepare import Request, prepare
from stridebeat.sinks.devices import find_device
from stridebeat.sinks.live import LivePlayer, Status

if __package__:  # python -m bench.live: bench/ on sys.path, as for python bench/live.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CLEAN_ENV, BenchError, section, stridebeat_exe, table, verdict
from remote import measure_remote, report_remote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo, for tests.jack
from tests.jack import OUTPUT, follow_portaudio  # noqa: E402
from tests.jack import JackServer as SharedJackServer  # noqa: E402

RATE = 48000
SPM = 176
BLOCKSIZE = 256
BLOCK_SECONDS = BLOCKSIZE / RATE  # the callback's period: 5.33 ms
CUES = ("glutes", "cadence")
VOICE = ClickSound()  # the play command's defaults: wood, 80 %, mono
ACCENT = 0
CHANGE_DELTA = 1.0  # spm per change: the + key
CLI_SECONDS = 5
CLI_CUES = "glutes"
CLI_TIMEOUT = 60.0

TARGET_CALLBACK_P99 = 0.05  # share of the block period
TARGET_UNDERRUNS = 0
TARGET_CPU_PERCENT = 5.0  # of one core, the whole process while playing
TARGET_FIRST_CLICK_S = 0.5
TARGET_KEY_DELAY_S = 0.150

JACK_NAME = f"stridebeat-bench-{os.getpid()}"
XRUN_LINE = re.compile(r"xrun|not finished|process error", re.IGNORECASE)

Floats = NDArray[np.float64]


# --- the JACK server and sounddevice ---------------------------------------------------------


class JackServer(SharedJackServer):
    """The tests' private jackd (dummy driver), with what the report needs from its log."""

    def __init__(self, log: Path) -> None:
        super().__init__(JACK_NAME, log)

    def start(self) -> bool:
        if not super().start():
            raise BenchError(f"jackd did not start:\n{self.log.read_text()[-2000:]}")
        return True

    def describe(self) -> str:
        return f"jackd {' '.join(self.options)} -n {self.name} -d dummy -r {RATE} -p {self.period}"

    def log_lines(self) -> list[str]:
        try:
            return self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []

    def xrun_lines(self) -> list[str]:
        return [line for line in self.log_lines() if XRUN_LINE.search(line)]

    def realtime_refused(self) -> bool:
        """jackd -R runs on without realtime scheduling when the system refuses it."""
        return any("cannot use real-time" in line.lower() for line in self.log_lines())


def open_sounddevice(server: str) -> Any:
    """sounddevice with PortAudio (re)started after the server is up, so it sees JACK."""
    os.environ["JACK_DEFAULT_SERVER"] = server
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
    return sd


class FirstSound:
    """A JACK client that records PortAudio's output ports (connected as they appear) only to
    note when they first carry a non-zero sample (a perf_counter time, to the sample)."""

    def __init__(self, server: str) -> None:
        import jack

        self.client = jack.Client(
            "stridebeat-bench-listen", servername=server, no_start_server=True
        )
        self.ports = [self.client.inports.register(f"in_{i + 1}") for i in range(2)]
        self.first: float | None = None
        self.connected: set[str] = set()
        self._stop = threading.Event()
        self.client.set_process_callback(self._process)
        self.client.activate()
        self._connector = threading.Thread(
            target=follow_portaudio,
            args=(self.client, self.ports, self._stop, self.connected),
            daemon=True,
        )
        self._connector.start()

    def _process(self, frames: int) -> None:
        if self.first is not None:
            return
        now = time.perf_counter()
        for port in self.ports:
            samples = port.get_array()
            sounding = np.flatnonzero(samples)
            if sounding.size:
                self.first = now + float(sounding[0]) / RATE
                return

    def close(self) -> None:
        self._stop.set()
        self._connector.join()
        self.client.deactivate()
        self.client.close()


# --- measuring -------------------------------------------------------------------------------


def request(seconds: int) -> Request:
    return Request(spm=SPM, duration=float(seconds), cues=CUES)


def cache_files(home: Path) -> int:
    return sum(1 for p in home.rglob("*") if p.is_file())


@dataclass(frozen=True)
class Warmup:
    seconds: float
    cues: int
    cached: int  # files in the private STRIDEBEAT_HOME afterwards


def warm_speech_cache(seconds: int, home: Path) -> Warmup:
    began = time.perf_counter()
    prepared = prepare(request(seconds), VOICE, ACCENT, RATE, SpeechSettings())
    took = time.perf_counter() - began
    return Warmup(took, len(prepared.cues), cache_files(home))


@dataclass
class ChangeRequest:
    asked: float  # perf_counter at change_cadence
    played: int  # frames handed to the device then (status.frame)


@dataclass(frozen=True)
class ChangeCheck:
    frame: int
    delta: float
    before: float
    after: float
    expected: float
    clicks_spm: float  # from the final timeline's clicks in the 4 s after the change

    @property
    def ok(self) -> bool:
        return (
            abs(self.after - self.expected) < 1e-6
            and abs(self.before - (self.expected - self.delta)) < 1e-6
            and abs(self.clicks_spm - self.expected) < 0.01
        )


@dataclass(frozen=True)
class LiveRun:
    seconds: int
    length: int  # frames in the session
    frame: int  # frames played
    finished: bool
    prepare_s: float
    start_s: float  # play() called -> first sound
    waited_s: float  # of which waiting for the producer (player.producer_wait_seconds)
    ring: tuple[int, int]  # the player's ring capacity and producer chunk, in frames
    first_sound_s: float  # just before prepare -> first sound
    callbacks: int
    callback_shares: Floats  # each kept callback's duration / the block period
    underruns: int
    device_underflows: int
    wall_s: float
    cpu_s: float  # this process, user + sys
    children_cpu_s: float  # its children (espeak-ng), user + sys
    key_delays: list[float]
    ahead_s: list[float]  # frames between the device's position and the changed frame, in s
    requested: int
    checks: list[ChangeCheck]
    xrun_lines: list[str]
    error: str = ""

    @property
    def cpu_percent(self) -> float:
        return 100.0 * self.cpu_s / self.wall_s

    @property
    def children_percent(self) -> float:
        return 100.0 * self.children_cpu_s / self.wall_s


def change_times(seconds: int, every: int) -> list[int]:
    """A change every ``every`` s, none in the last 5 s (its clicks are checked after it)."""
    return list(range(every, seconds - 4, every))


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def play_live(seconds: int, every: int, server: JackServer) -> LiveRun:
    """Prepare (warm cache) and play the session in-process; measure as it goes."""
    times = change_times(seconds, every)
    asks: list[ChangeRequest] = []
    xruns_before = len(server.xrun_lines())

    began = time.perf_counter()
    prepared = prepare(request(seconds), VOICE, ACCENT, RATE, SpeechSettings())
    prepared_at = time.perf_counter()
    player = LivePlayer(
        prepared.renderer,
        find_device(OUTPUT),
        blocksize=BLOCKSIZE,
        cues_for=prepared.cues_for,
    )
    # Keep every callback's time: the player indexes its ring by its own length.
    expected_callbacks = math.ceil(prepared.renderer.length / BLOCKSIZE)
    player.callback_seconds = np.zeros(expected_callbacks * 3 // 2 + 4096, dtype=np.float64)
    pending = list(times)
    next_minute = 60

    def tick(status: Status) -> None:
        nonlocal next_minute
        while pending and status.frame >= pending[0] * RATE:
            pending.pop(0)
            asks.append(ChangeRequest(time.perf_counter(), status.frame))
            player.change_cadence(CHANGE_DELTA)
        if status.frame >= next_minute * RATE:
            print(
                f"  {next_minute // 60:>3} min played: {status.cadence:.0f} spm, "
                f"{player.callbacks} callbacks, {status.underruns} underruns, "
                f"{len(player.changes)} changes"
            )
            next_minute += 60

    cpu0, children0 = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    played_at = time.perf_counter()
    error = ""
    try:
        summary = player.play(tick)
    except Exception as exc:  # reported with what was measured up to it
        error = f"{type(exc).__name__}: {exc}"
        summary = player.summary()
    wall = time.perf_counter() - played_at
    cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu0
    children = cpu_seconds(resource.RUSAGE_CHILDREN) - children0

    kept = min(player.callbacks, len(player.callback_seconds))
    shares: Floats = player.callback_seconds[:kept] / BLOCK_SECONDS
    first = player.first_sound
    if first is None:
        raise BenchError(f"live play made no sound {error}".strip())
    ahead = [
        (frame - ask.played) / RATE for ask, (frame, _) in zip(asks, player.changes, strict=False)
    ]
    return LiveRun(
        seconds=seconds,
        length=prepared.renderer.length,
        frame=summary.frame,
        finished=summary.finished,
        prepare_s=prepared_at - began,
        start_s=first - played_at,
        waited_s=player.producer_wait_seconds,
        ring=(player.capacity, player.chunk),
        first_sound_s=first - began,
        callbacks=player.callbacks,
        callback_shares=shares,
        underruns=player.underruns,
        device_underflows=player.device_underflows,
        wall_s=wall,
        cpu_s=cpu,
        children_cpu_s=children,
        key_delays=list(player.key_delays),
        ahead_s=ahead,
        requested=len(asks),
        checks=check_changes(player),
        xrun_lines=server.xrun_lines()[xruns_before:],
        error=error,
    )


def check_changes(player: LivePlayer) -> list[ChangeCheck]:
    """Each change against the final timeline: the cadence just before and at its frame, and
    the spacing of the clicks in the 4 s after it."""
    timeline = player.renderer.timeline
    expected = float(SPM)
    checks = []
    for frame, delta in player.changes:
        expected += delta
        clicks = timeline.clicks_between(frame, frame + 4 * RATE).positions
        spacing = float(np.mean(np.diff(clicks))) if len(clicks) > 1 else math.inf
        checks.append(
            ChangeCheck(
                frame,
                delta,
                timeline.cadence_at(frame - 1) or 0.0,
                timeline.cadence_at(frame) or 0.0,
                expected,
                60 * RATE / spacing,
            )
        )
    return checks


@dataclass(frozen=True)
class CliRun:
    first_s: float | None  # Popen -> first non-zero sample at JACK
    wall_s: float
    returncode: int
    summary: str  # the "Finished after ..." line
    ports: int  # PortAudio output ports the listener connected


def cli_argv() -> list[str]:
    return [stridebeat_exe(), "play", "--spm", str(SPM), "--duration", f"{CLI_SECONDS}s",
            "--cues", CLI_CUES, "--device", OUTPUT]  # fmt: skip


def play_cli(server: JackServer, home: Path) -> CliRun:
    env = {**CLEAN_ENV, "JACK_DEFAULT_SERVER": server.name, "STRIDEBEAT_HOME": str(home)}
    listener = FirstSound(server.name)
    try:
        began = time.perf_counter()
        process = subprocess.Popen(
            cli_argv(),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=CLI_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
        wall = time.perf_counter() - began
    finally:
        listener.close()
    if process.returncode != 0:
        raise BenchError(f"stridebeat play exited with {process.returncode}: {stderr.strip()}")
    finished = [line for line in stdout.splitlines() if "after" in line]
    first = None if listener.first is None else listener.first - began
    return CliRun(first, wall, process.returncode, finished[-1] if finished else "",
                  len(listener.connected))  # fmt: skip


# --- reporting -------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def stats_row(label: str, values: Sequence[float], show: Callable[[float], str]) -> list[str]:
    if not values:
        return [label, "0", "-", "-", "-"]
    return [label, str(len(values)), show(statistics.median(values)), show(min(values)),
            show(max(values))]  # fmt: skip


def report(live: LiveRun, warm: Warmup, cli: list[CliRun], every: int) -> None:
    minutes = f"{live.seconds // 60} min" if live.seconds % 60 == 0 else f"{live.seconds} s"
    section(f"Results: {minutes} live at {SPM} spm, cues {','.join(CUES)}, {RATE} Hz, "
            f"blocksize {BLOCKSIZE}")  # fmt: skip
    if live.error:
        print(f"PLAY FAILED: {live.error}")

    shares = live.callback_shares
    kept = len(shares)
    print(
        f"\nCallback time ({kept} of {live.callbacks} callbacks kept; block period "
        f"{BLOCK_SECONDS * 1e3:.3f} ms)"
    )
    rows = []
    for name, q in (("median", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99.9", 99.9)):
        share = float(np.percentile(shares, q))
        rows.append([name, f"{share * BLOCK_SECONDS * 1e6:.1f}", f"{share:.2%}"])
    top = float(shares.max())
    rows.append(["max", f"{top * BLOCK_SECONDS * 1e6:.1f}", f"{top:.2%}"])
    over = int(np.count_nonzero(shares > 0.5))
    print(table(["callback", "µs", "of period"], rows))
    print(f"(callbacks over half the period: {over}; played {live.frame}/{live.length} frames, "
          f"{'finished' if live.finished else 'NOT finished'})")  # fmt: skip

    print("\nTiming")
    print(
        table(
            ["measure", "value"],
            [
                ["cold prepare (fills the speech cache)", f"{warm.seconds:.3f} s"],
                ["  cues placed / files in the cache", f"{warm.cues} / {warm.cached}"],
                ["warm prepare", f"{live.prepare_s:.3f} s"],
                ["play() -> first sound (stream start)", f"{live.start_s:.3f} s"],
                ["  of which waiting for the producer", f"{live.waited_s:.3f} s"],
                ["warm prepare -> first sound", f"{live.first_sound_s:.3f} s"],
                ["play wall time", f"{live.wall_s:.1f} s"],
                ["CPU, this process (user+sys)", f"{live.cpu_s:.2f} s = {live.cpu_percent:.2f} %"],
                [
                    "CPU, child processes (espeak-ng)",
                    f"{live.children_cpu_s:.2f} s = {live.children_percent:.2f} %",
                ],
                ["jackd log lines about xruns", str(len(live.xrun_lines))],
            ],
        )
    )
    capacity, chunk = live.ring
    fills_to = capacity // chunk * chunk
    if fills_to < capacity and live.waited_s > 1.0:  # the old wait-for-a-full-ring bug
        print(
            f"(the producer fills the {capacity}-frame ring to {fills_to} frames in "
            f"{chunk}-frame chunks, and play() waits for {capacity}: only its "
            f"{live.waited_s:.1f} s deadline ends the wait)"
        )
    for line in live.xrun_lines[:5]:
        print(f"  jackd: {line}")

    print(f"\nCadence changes ({CHANGE_DELTA:+g} spm every {every} s, from the status tick)")
    print(
        table(
            ["measure", "n", "median", "min", "max"],
            [
                stats_row("request -> first frame rendered", live.key_delays, ms),
                stats_row("changed frame ahead of the device", live.ahead_s, ms),
            ],
        )
    )
    bad = [c for c in live.checks if not c.ok]
    print(f"(requested {live.requested}, carried out {len(live.checks)}; cadence before/after "
          f"each change and its clicks as expected: {len(live.checks) - len(bad)}/"
          f"{len(live.checks)})")  # fmt: skip
    for c in (live.checks[:1] + live.checks[-1:]) if live.checks else []:
        print(f"  at {c.frame / RATE:7.2f} s: {c.before:.3f} -> {c.after:.3f} spm "
              f"(expected {c.expected:g}), clicks after it at {c.clicks_spm:.4f} spm")  # fmt: skip
    for c in bad[:5]:
        print(f"  WRONG at {c.frame / RATE:.2f} s: {c.before:.3f} -> {c.after:.3f} spm, "
              f"clicks {c.clicks_spm:.4f}, expected {c.expected:g}")  # fmt: skip

    print("\nstridebeat play from process start (Popen -> first non-zero sample at JACK)")
    print(f"  $ {' '.join(cli_argv())}")
    rows = [
        [
            str(i + 1),
            "none" if r.first_s is None else f"{r.first_s:.3f}",
            f"{r.wall_s:.2f}",
            str(r.ports),
            r.summary,
        ]
        for i, r in enumerate(cli)
    ]
    print(table(["run", "first sound s", "wall s", "ports", "output"], rows))

    shares_p99 = float(np.percentile(shares, 99))
    firsts = [r.first_s for r in cli if r.first_s is not None]
    cli_first = statistics.median(firsts) if len(firsts) == len(cli) and cli else math.inf
    delays_ok = bool(live.key_delays) and max(live.key_delays) <= TARGET_KEY_DELAY_S
    changes_ok = (
        len(live.checks) == live.requested == len(live.key_delays) and not bad and live.requested
    )
    targets = [
        ["callback p99 / block period", f"{shares_p99:.2%}", f"<= {TARGET_CALLBACK_P99:.0%}",
         verdict(shares_p99 <= TARGET_CALLBACK_P99)],
        ["callback median / max", f"{np.median(shares):.2%} / {shares.max():.2%}", "-", "-"],
        ["underruns", str(live.underruns), str(TARGET_UNDERRUNS),
         verdict(live.underruns <= TARGET_UNDERRUNS)],
        ["device underflows", str(live.device_underflows), str(TARGET_UNDERRUNS),
         verdict(live.device_underflows <= TARGET_UNDERRUNS)],
        ["CPU while playing, % of a core", f"{live.cpu_percent:.2f}",
         f"<= {TARGET_CPU_PERCENT:g}", verdict(live.cpu_percent <= TARGET_CPU_PERCENT)],
        ["prepare -> first sound, warm", f"{live.first_sound_s:.3f} s",
         f"<= {TARGET_FIRST_CLICK_S:g} s", verdict(live.first_sound_s <= TARGET_FIRST_CLICK_S)],
        [f"CLI start -> first sound, median of {len(cli)}",
         "none" if math.isinf(cli_first) else f"{cli_first:.3f} s",
         f"<= {TARGET_FIRST_CLICK_S:g} s", verdict(cli_first <= TARGET_FIRST_CLICK_S)],
        ["key -> new cadence, max",
         ms(max(live.key_delays)) if live.key_delays else "none",
         f"<= {TARGET_KEY_DELAY_S * 1000:g} ms", verdict(delays_ok)],
        ["key -> new cadence, median",
         ms(statistics.median(live.key_delays)) if live.key_delays else "none", "-", "-"],
        ["cadence changes in effect", f"{len(live.checks) - len(bad)}/{live.requested}",
         "all", verdict(bool(changes_ok))],
        ["played to the end", f"{live.frame}/{live.length}", "all",
         verdict(live.finished and live.frame == live.length and not live.error)],
    ]  # fmt: skip
    print("\nTargets")
    print(table(["measure", "value", "target", "result"], targets))


# --- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=int, help="length of the live run (default 10)")
    parser.add_argument(
        "--quick", action="store_true", help="1-minute run, a change every 10 s, 2 CLI runs"
    )
    parser.add_argument("--change-every", type=int, help="seconds between cadence changes")
    parser.add_argument("--cli-runs", type=int, help="timed stridebeat play runs (default 3)")
    args = parser.parse_args(argv)
    minutes: int = args.minutes or (1 if args.quick else 10)
    every: int = args.change_every or (10 if args.quick else 30)
    cli_runs: int = args.cli_runs or (2 if args.quick else 3)
    if minutes < 1 or every < 1 or cli_runs < 1:
        parser.error("--minutes, --change-every and --cli-runs must be at least 1")
    for tool in ("jackd", "jack_lsp", "dbus-daemon"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (bash scripts/setup.sh --test installs it)")
            return 1

    sys.dont_write_bytecode = True
    workdir = Path(tempfile.mkdtemp(prefix="stridebeat-live-bench-"))
    home = workdir / "home"
    os.environ["STRIDEBEAT_HOME"] = str(home)
    print(f"stridebeat live benchmark: {minutes} min at {SPM} spm, cues {','.join(CUES)}, "
          f"{RATE} Hz, blocksize {BLOCKSIZE}")  # fmt: skip
    print(f"python {sys.executable}; {os.cpu_count()} CPUs; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    print(f"work dir {workdir} (STRIDEBEAT_HOME={home})")
    server = JackServer(workdir / "jackd.log")
    try:
        return run_all(server, home, minutes * 60, every, cli_runs)
    except BenchError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def run_all(server: JackServer, home: Path, seconds: int, every: int, cli_runs: int) -> int:
    section("1. Private JACK server")
    server.start()
    print(f"  $ {server.describe()}")
    if server.realtime_refused():
        print("  note: jackd could not get realtime scheduling; it runs without")
    sd = open_sounddevice(server.name)
    try:
        device = find_device(OUTPUT)
        print(f"  PortAudio device {device.index}: {device.name} ({device.host_api}), "
              f"{device.default_rate} Hz")  # fmt: skip
        if device.default_rate != RATE:
            raise BenchError(f"the JACK device runs at {device.default_rate} Hz, not {RATE}")

        section("2. Speech cache warm-up (a cold prepare of the same session)")
        warm = warm_speech_cache(seconds, home)
        print(f"  {warm.seconds:.3f} s, {warm.cues} cues, {warm.cached} files in the cache")

        section(f"3. Live play, {seconds // 60} min in-process (LivePlayer, warm cache)")
        live = play_live(seconds, every, server)
        print(f"  done: {live.frame / RATE:.1f} s played, {live.callbacks} callbacks")

        section(f"4. stridebeat play from process start, 1 warm-up + {cli_runs} timed runs")
        play_cli(server, home)  # warm-up: the OS file cache, any phrase of a 5 s session
        cli = []
        for run in range(cli_runs):
            cli.append(play_cli(server, home))
            first = cli[-1].first_s
            print(f"  run {run + 1}: first sound {'none' if first is None else f'{first:.3f} s'}")
        remote = measure_remote(server.name, live.cpu_percent, quick=seconds <= 60)
    finally:
        sd._terminate()  # before jackd goes, or PortAudio aborts the process
    report(live, warm, cli, every)
    report_remote(remote)
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
