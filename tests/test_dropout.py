"""An output that drops out while playing (earbuds out of range, a stalled device): play pauses
on the beat, goes on from there when the device is back, or ends after the wait.

Fake devices here (a stream that stops calling back, one that PortAudio stops, one that fails
to start); a real one in the JACK test: the server itself is stopped and continued."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from stridebeat.engine.render import ClickSound, Renderer
from stridebeat.engine.session import steady_session
from stridebeat.engine.timeline import Timeline
from stridebeat.sinks import devices, live
from stridebeat.sinks.devices import OutputDevice
from stridebeat.sinks.live import LivePlayer
from stridebeat.sinks.output import DeviceLost
from tests.env import IS_CI
from tests.fake_output import BLOCK, FAKE_RATE, FakeOutput, fake_output
from tests.jack import OUTPUT, RATE, Capture, JackServer, align

BEAT = FAKE_RATE // 2  # 120 spm
earbuds = fake_output


def _player(seconds: float, wait: float, said: list[str]) -> LivePlayer:
    renderer = Renderer(Timeline(steady_session(120, seconds), FAKE_RATE), ClickSound("beep"))
    device = OutputDevice(0, "earbuds", "fake", 1, FAKE_RATE)
    return LivePlayer(renderer, device, blocksize=BLOCK, device_wait=wait, notify=said.append)


def _whole(renderer: Renderer) -> np.ndarray:
    out = np.zeros((renderer.length, 1), np.float32)
    renderer.render(0, out)
    return out[:, 0]


@pytest.mark.parametrize("how", ["stalls", "vanishes", "fails to start"])
def test_play_pauses_while_the_device_is_gone_and_goes_on_from_the_beat(
    earbuds: FakeOutput, how: str
) -> None:
    said: list[str] = []
    player = _player(6, 30, said)
    frames_then: list[int] = []

    def drop_out() -> None:
        earbuds.drop(how)
        threading.Timer(1.0, earbuds.come_back).start()

    def tick(status: live.Status) -> None:
        if not frames_then and status.frame >= 2 * FAKE_RATE:
            frames_then.append(status.frame)
            drop_out()

    summary = player.play(tick, poll=0.02)
    assert summary.finished and summary.frame == player.renderer.length
    assert earbuds.opened >= 2 and len(said) == 2, said
    assert said[0].startswith("earbuds stopped playing at 0:0") and "paused" in said[0]
    assert said[1].startswith("earbuds is back; playing on from 0:0")
    expected = _whole(player.renderer)
    first = earbuds.played(0)
    # the first stream played the session from its start, up to where the device went
    np.testing.assert_array_equal(first, expected[: len(first)])
    assert len(first) >= frames_then[0]
    # the last one plays on from the first beat at or after that point, to the end
    beat = -(-len(first) // BEAT) * BEAT
    last = earbuds.played(-1)
    np.testing.assert_array_equal(align(last[:, None], expected[beat:, None])[:, 0],
                                  expected[beat:])  # fmt: skip
    # and nothing else: the pause is silent, no beat is played twice or skipped
    assert np.count_nonzero(last) == np.count_nonzero(expected[beat:])


def test_a_device_that_never_comes_back_ends_play_after_the_wait(earbuds: FakeOutput) -> None:
    said: list[str] = []
    player = _player(60, 1.5, said)

    def tick(status: live.Status) -> None:
        if status.frame >= FAKE_RATE:
            earbuds.drop("stalls")

    began = time.monotonic()
    with pytest.raises(DeviceLost, match="earbuds did not come back within 0:01") as lost:
        player.play(tick, poll=0.02)
    took = time.monotonic() - began
    assert 1.5 < took < 8, took
    assert "--start-at 0:0" in str(lost.value)
    summary = player.summary()
    assert not summary.finished and FAKE_RATE <= summary.frame < 2 * FAKE_RATE
    assert said == [said[0]] and "stopped playing" in said[0]


def test_play_the_runner_paused_stays_paused_when_the_device_comes_back(
    earbuds: FakeOutput,
) -> None:
    said: list[str] = []
    player = _player(60, 30, said)
    steps: list[str] = []

    def tick(status: live.Status) -> None:
        if not steps and status.frame >= FAKE_RATE:
            steps.append("paused, then the device went")
            player.toggle_pause()
            earbuds.drop("vanishes")
            threading.Timer(0.5, earbuds.come_back).start()
        elif len(said) == 2:
            raise KeyboardInterrupt  # the runner stops it

    with pytest.raises(KeyboardInterrupt):
        player.play(tick, poll=0.02)
    assert "is back" in said[1]
    assert player.status().paused


# --- a real device: the JACK server stops (and with it every callback), then goes on -------


def _jackd_pid(server: str) -> int:
    found = subprocess.run(["pgrep", "-f", f"jackd .*-n {server} "], capture_output=True,
                           text=True).stdout.split()  # fmt: skip
    assert found, f"no jackd named {server}"
    return int(found[0])


def test_a_stalled_jack_server_pauses_play_and_it_goes_on_when_it_returns(
    jack_server: str, tmp_path: Path
) -> None:
    """With jackd stopped (SIGSTOP) nothing calls back: the watchdog pauses; when it goes on
    (SIGCONT) the stream is opened again and play goes on from the beat, to the end."""
    jackd = _jackd_pid(jack_server)
    said: list[str] = []
    renderer = Renderer(Timeline(steady_session(120, 5), RATE), ClickSound("beep"))
    player = LivePlayer(renderer, devices.find_device(OUTPUT), blocksize=256,
                        device_wait=60, notify=said.append)  # fmt: skip
    stopped: list[float] = []

    def tick(status: live.Status) -> None:
        if not stopped and status.frame >= 1.5 * RATE:
            os.kill(jackd, signal.SIGSTOP)
            stopped.append(time.monotonic())
            threading.Timer(3.5, os.kill, (jackd, signal.SIGCONT)).start()

    with Capture(jack_server, 1, 20) as capture:
        try:
            summary = player.play(tick, poll=0.02)
        finally:
            os.kill(jackd, signal.SIGCONT)
    assert summary.finished, said
    assert len(said) == 2 and "stopped playing" in said[0] and "is back" in said[1], said
    recorded = capture.recorded()[:, 0]
    expected = np.zeros(renderer.length, np.float32)
    renderer.render(0, expected[:, None])
    step = RATE // 2  # 120 spm
    click = int(np.flatnonzero(expected[:step])[-1]) + 1
    heard = [recorded[o : o + click] for o in _onsets(recorded)]
    sent = [expected[o : o + click] for o in _onsets(expected)]
    # play that starts on a beat starts with that click (without what little of it rings
    # before the beat), as at the session's start
    starts = [_from(renderer, k * step, click) for k in range(len(sent))]
    # the clicks heard are the session's, in order (accents included), each once: at most
    # the one the stall cut short (or JACK held when it stopped) is not heard whole
    assert any(
        _same_clicks(_without(heard, i), _without(sent, j), _without(starts, j))
        for i in range(-1, len(heard))
        for j in range(-1, len(sent))
    ), f"{len(heard)} clicks heard of {len(sent)}"
    # on the beat grid before and after the gap (JACK's clock stood still meanwhile)
    spacing = np.diff(_onsets(recorded))
    assert np.sum(np.abs(spacing - step) > 32) <= 1, spacing


def _without(clicks: list[np.ndarray], index: int) -> list[np.ndarray]:
    return clicks if index < 0 else clicks[:index] + clicks[index + 1 :]


def _same_clicks(heard: list[np.ndarray], sent: list[np.ndarray], starts: list[np.ndarray]) -> bool:
    return len(heard) == len(sent) and all(
        np.array_equal(h, s) or np.array_equal(h, start)
        for h, s, start in zip(heard, sent, starts, strict=True)
    )


def _from(renderer: Renderer, frame: int, length: int) -> np.ndarray:
    out = np.zeros((length * 2, 1), np.float32)
    renderer.render(frame, out)
    begins = _onsets(out[:, 0])[0]
    return out[begins : begins + length, 0]


def _onsets(audio: np.ndarray, quiet: int = 1000) -> list[int]:
    """Where sound starts after at least ``quiet`` silent frames."""
    sounding = np.flatnonzero(np.abs(audio) > 0)
    if not len(sounding):
        return []
    starts = [int(sounding[0])]
    starts += [
        int(s) for s, gap in zip(sounding[1:], np.diff(sounding), strict=True) if gap > quiet
    ]
    return starts


def test_play_command_ends_after_the_wait_and_records_a_partial_session(
    tmp_path: Path,
) -> None:
    """The server stops and stays stopped: play ends after the wait, recorded, and the
    process exits at once though PortAudio's calls into the stopped server never return."""
    with _own_server(tmp_path) as server:
        assert server.process is not None
        process = _play(server, "--device-wait", "3s")
        try:
            os.kill(server.process.pid, signal.SIGSTOP)
            stdout, stderr = _ended(process, 30)  # the watchdog (2 s), then the wait (3 s)
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
    assert process.returncode == 1, stderr
    assert "stopped playing at 0:0" in stdout and "Resume with --start-at 0:0" in stdout
    assert "did not come back within 0:03" in stderr and "Traceback" not in stderr
    _assert_one_partial_session()


@contextlib.contextmanager
def _own_server(tmp_path: Path) -> Iterator[JackServer]:
    """A JACK server of the test's own, to stop or take away (the shared one stays up)."""
    if shutil.which("jackd") is None:
        if IS_CI:
            pytest.fail("jackd is not installed: bash scripts/setup.sh --test installs jackd2")
        pytest.skip("jackd is not installed (bash scripts/setup.sh --test installs jackd2)")
    server = JackServer(f"stridebeat-own-{os.getpid()}-{tmp_path.name}", tmp_path / "jackd.log")
    assert server.start(), (tmp_path / "jackd.log").read_text()[-2000:]
    try:
        yield server
    finally:
        server.stop()
        # a client whose server died leaves its semaphore behind: tidy up after the test
        for left in Path("/dev/shm").glob(f"jack_sem.*_{server.name}_*"):
            left.unlink(missing_ok=True)


def _play(server: JackServer, *options: str) -> subprocess.Popen[str]:
    """``stridebeat play`` on ``server``, returned once its stream has played 2 s."""
    process = subprocess.Popen(
        [sys.executable, "-m", "stridebeat", "play", "--spm", "170", "--device", OUTPUT,
         *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=server.env,
    )  # fmt: skip
    assert process.stdout is not None
    process.stdout.readline()  # "Playing on ...": the stream opens now
    time.sleep(2)
    return process


def _ended(process: subprocess.Popen[str], within: float) -> tuple[str, str]:
    try:
        return process.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"play did not end within {within} s: it hangs") from None


def _assert_one_partial_session() -> None:
    from stridebeat.runner.history import History

    with History() as history:
        (record,) = history.sessions()
    assert not record.finished and 1 / 60 < record.completed_minutes < 4 / 60


def test_the_same_device_is_found_again_after_portaudio_looks_afresh(jack_server: str) -> None:
    jack = devices.find_device(OUTPUT)
    assert devices.find_again(jack, refresh=True) == jack
    gone = OutputDevice(99, "earbuds that are not here", jack.host_api, 2, RATE)
    assert devices.find_again(gone, refresh=False) is None


def test_a_jack_server_that_dies_ends_play_after_the_wait_without_a_hang(
    tmp_path: Path,
) -> None:
    """The server goes away under the stream (as a Bluetooth device can): PortAudio's abort
    of that stream never returns, so the device is not found again; play ends after the
    wait, recorded, and the process exits instead of waiting for PortAudio forever."""
    with _own_server(tmp_path) as server:
        process = _play(server, "--device-wait", "3s")
        server.stop()
        stdout, stderr = _ended(process, 30)
    assert process.returncode == 1, stderr
    assert "stopped playing at 0:0" in stdout and "Resume with --start-at 0:0" in stdout
    assert "did not come back within 0:03" in stderr and "Traceback" not in stderr
    _assert_one_partial_session()
