"""Live play steered from outside (issue 11's targets), run by ``bench/live.py``.

With a private ``dbus-daemon --session`` beside the private JACK server:

1. standby's idle CPU: ``stridebeat standby --spm 176 --device JACK --no-speech`` waiting for
   Play (a Stopped MPRIS player, 5 Hz bus poll, no terminal); user + sys time from
   ``/proc/PID/stat`` over the measured window, in % of one core;
2. MPRIS Pause -> silence: ``stridebeat play`` with a click sound that is a 0.55 s tone at
   120 spm (the sound never stops on its own), recorded by a JACK client of this process;
   a D-Bus client of this process calls Pause (and Play to go on) several times; latency =
   the first recorded frame of a silent stretch (>= 10 ms) after the call minus the frames
   recorded when the call was made;
3. underruns while the bus is busy: in-process ``LivePlayer`` with an MPRIS player on the bus,
   once alone (the baseline) and once with a separate process calling ``GetAll`` on the
   player 50 times a second.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from common import CLEAN_ENV, BenchError, section, stridebeat_exe, table, verdict

from stridebeat.controls.mpris import BUS_NAME, OBJECT_PATH, PLAYER, MprisPlayer
from stridebeat.controls.remote import Remote
from stridebeat.engine.render import ClickSound, Renderer
from stridebeat.engine.session import steady_session
from stridebeat.engine.timeline import Timeline
from stridebeat.sinks.devices import find_device
from stridebeat.sinks.live import AHEAD_SECONDS, LivePlayer
from tests.dbus import private_bus
from tests.jack import OUTPUT

RATE = 48000
TARGET_IDLE_PERCENT = 1.0
TARGET_PAUSE_S = 0.100
TARGET_UNDERRUNS = 0
POLL_HZ = 50
SILENT_FRAMES = RATE // 100  # a pause: at least 10 ms without a sample

POLLER = """
import sys, time
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection
address, seconds, hz = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
props = DBusAddress("/org/mpris/MediaPlayer2", bus_name="org.mpris.MediaPlayer2.stridebeat",
                    interface="org.freedesktop.DBus.Properties")
conn = open_dbus_connection(bus=address)
calls, slowest, start = 0, 0.0, time.perf_counter()
while time.perf_counter() - start < seconds:
    asked = time.perf_counter()
    conn.send_and_get_reply(new_method_call(props, "GetAll", "s",
                                            ("org.mpris.MediaPlayer2.Player",)), timeout=5)
    slowest = max(slowest, time.perf_counter() - asked)
    calls += 1
    time.sleep(max(0.0, start + calls / hz - time.perf_counter()))
print(calls, time.perf_counter() - start, slowest)
"""


@dataclass(frozen=True)
class RemoteRuns:
    idle_percent: float
    idle_seconds: float
    play_percent: float  # bench/live.py's in-process play CPU, the same run: the baseline
    pause_latencies: list[float]
    pause_replies: list[float]  # the Pause call's round trip, for comparison
    alone: tuple[int, int]  # underruns, device underflows without a poller
    polled: tuple[int, int]
    polls: tuple[int, float, float]  # calls, seconds, slowest reply s
    play_seconds: int


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def wait_for_line(process: subprocess.Popen[str], wanted: str, timeout: float = 60) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if wanted in line:
            return
    raise BenchError(f"stridebeat never printed {wanted!r}")


def standby_idle(env: dict[str, str], seconds: float) -> float:
    process = subprocess.Popen(
        [stridebeat_exe(), "standby", "--spm", "176", "--device", OUTPUT, "--no-speech"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, env=env,
    )  # fmt: skip
    try:
        wait_for_line(process, "Press play")
        time.sleep(1.0)  # past start-up
        ticks, began = cpu_ticks(process.pid), time.perf_counter()
        time.sleep(seconds)
        used = (cpu_ticks(process.pid) - ticks) / os.sysconf("SC_CLK_TCK")
        return 100.0 * used / (time.perf_counter() - began)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def tone_file(folder: Path) -> Path:
    """0.55 s of 440 Hz: at 120 spm each click overlaps the next, so the sound never stops."""
    t = np.arange(round(0.55 * RATE)) / RATE
    samples = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    path = folder / "tone.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return path


def client(address: str) -> tuple[Any, Any]:
    from jeepney import DBusAddress
    from jeepney.io.blocking import open_dbus_connection

    player = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=PLAYER)
    return open_dbus_connection(bus=address), player


def pause_latency(
    server: str, env: dict[str, str], address: str, repeats: int
) -> tuple[list[float], list[float]]:
    from jeepney import new_method_call

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.jack import Capture

    folder = Path(tempfile.mkdtemp(prefix="stridebeat-tone-"))
    seconds = 3 + repeats * 2.5
    process = subprocess.Popen(
        [stridebeat_exe(), "play", "--spm", "120", "--sound", str(tone_file(folder)),
         "--device", OUTPUT, "--blocksize", "256", "--duration", f"{seconds + 30:.0f}s"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, env=env,
    )  # fmt: skip
    capture = Capture(server, 1, seconds + 40)
    connection, player = client(address)
    latencies, replies = [], []
    try:
        wait_for_line(process, "Playing on")
        time.sleep(1.5)
        for _ in range(repeats):
            called = capture.frames
            asked = time.perf_counter()
            connection.send_and_get_reply(new_method_call(player, "Pause"), timeout=5)
            replies.append(time.perf_counter() - asked)
            time.sleep(0.8)
            recorded = np.abs(capture.data[called : capture.frames, 0]) > 1e-4
            latencies.append(first_silence(recorded) / RATE)
            connection.send_and_get_reply(new_method_call(player, "Play"), timeout=5)
            time.sleep(1.5)
        connection.send_and_get_reply(new_method_call(player, "Stop"), timeout=5)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        connection.close()
        capture.close()
    return latencies, replies


def first_silence(sounding: np.ndarray) -> int:
    """The first frame of the first run of at least SILENT_FRAMES silent frames."""
    edges = np.diff(np.concatenate([[0], (~sounding).astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long = np.flatnonzero(ends - starts >= SILENT_FRAMES)
    if not len(long):
        raise BenchError("the sound did not stop after Pause")
    return int(starts[long[0]])


def polled_play(
    address: str, seconds: int, poll: bool
) -> tuple[tuple[int, int], tuple[int, float, float]]:
    renderer = Renderer(Timeline(steady_session(176, seconds), RATE), ClickSound())
    player = LivePlayer(renderer, find_device(OUTPUT), blocksize=256)
    remote = Remote()
    remote.attach(player, "bench", endless=False)
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    poller = None
    with MprisPlayer(remote):
        if poll:
            poller = subprocess.Popen(
                [sys.executable, "-c", POLLER, address, str(seconds - 1), str(POLL_HZ)],
                stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
        player.play()
    polls = (0, 0.0, 0.0)
    if poller is not None:
        out = poller.communicate(timeout=30)[0].split()
        polls = (int(out[0]), float(out[1]), float(out[2]))
    return (player.underruns, player.device_underflows), polls


def measure_remote(server: str, play_percent: float, quick: bool) -> RemoteRuns:
    try:
        return _measure_remote(server, play_percent, quick)
    except RuntimeError as exc:  # the private bus would not start
        raise BenchError(str(exc)) from None


def _measure_remote(server: str, play_percent: float, quick: bool) -> RemoteRuns:
    with private_bus() as address:
        env = {**CLEAN_ENV, "DBUS_SESSION_BUS_ADDRESS": address, "JACK_DEFAULT_SERVER": server,
               "STRIDEBEAT_HOME": os.environ["STRIDEBEAT_HOME"]}  # fmt: skip
        idle_seconds = 10.0 if quick else 30.0
        section(f"5. standby idle CPU over {idle_seconds:g} s")
        idle = standby_idle(env, idle_seconds)
        print(f"  {idle:.3f} % of one core")
        section("6. MPRIS Pause -> silence (stridebeat play, a D-Bus client here)")
        latencies, replies = pause_latency(server, env, address, 4 if quick else 10)
        print(f"  {len(latencies)} pauses, median {np.median(latencies) * 1e3:.1f} ms")
        seconds = 15 if quick else 60
        section(f"7. {seconds} s in-process play on the bus: alone, then polled {POLL_HZ}/s")
        alone, _ = polled_play(address, seconds, poll=False)
        polled, polls = polled_play(address, seconds, poll=True)
        print(f"  underruns alone {alone[0]}, polled {polled[0]} ({polls[0]} GetAll calls)")
    return RemoteRuns(idle, idle_seconds, play_percent, latencies, replies, alone, polled,
                      polls, seconds)  # fmt: skip


def report_remote(runs: RemoteRuns) -> None:
    ms = [x * 1e3 for x in runs.pause_latencies]
    expected = (AHEAD_SECONDS + 0.05) * 1e3  # the read-ahead plus the default output latency
    calls, polled_s, slowest = runs.polls
    print("\nSteered from outside (MPRIS on a private session bus, standby)")
    print(table(
        ["measure", "value", "baseline (same run)", "ratio"],
        [
            ["standby idle CPU, % of a core", f"{runs.idle_percent:.3f}",
             f"play {runs.play_percent:.2f}", f"{runs.idle_percent / runs.play_percent:.3f}"],
            ["Pause -> silence, median ms", f"{np.median(ms):.1f}",
             f"ahead+latency {expected:.0f}", f"{np.median(ms) / expected:.2f}"],
            ["Pause -> silence, max ms", f"{max(ms):.1f}", f"{expected:.0f}",
             f"{max(ms) / expected:.2f}"],
            ["Pause call round trip, median ms", f"{np.median(runs.pause_replies) * 1e3:.1f}",
             "-", "-"],
            ["GetAll calls / s while playing", f"{calls / max(polled_s, 1e-9):.1f}",
             f"asked {POLL_HZ}", f"{calls / max(polled_s, 1e-9) / POLL_HZ:.2f}"],
            ["slowest GetAll reply, ms", f"{slowest * 1e3:.1f}", "-", "-"],
            ["underruns / underflows, polled", f"{runs.polled[0]} / {runs.polled[1]}",
             f"alone {runs.alone[0]} / {runs.alone[1]}", "-"],
        ],
    ))  # fmt: skip
    print("\nTargets (issue 11)")
    print(table(
        ["measure", "value", "target", "result"],
        [
            ["standby idle CPU, % of a core", f"{runs.idle_percent:.3f}",
             f"<= {TARGET_IDLE_PERCENT:g}", verdict(runs.idle_percent <= TARGET_IDLE_PERCENT)],
            ["MPRIS Pause -> silence, max", f"{max(ms):.1f} ms",
             f"<= {TARGET_PAUSE_S * 1e3:g} ms", verdict(max(ms) <= TARGET_PAUSE_S * 1e3)],
            [f"underruns, bus polled {POLL_HZ}/s", str(runs.polled[0]), str(TARGET_UNDERRUNS),
             verdict(runs.polled[0] <= TARGET_UNDERRUNS)],
        ],
    ))  # fmt: skip
