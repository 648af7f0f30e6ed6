"""MPRIS on a private session bus, standby, the spoken status and GPIO buttons, for real:
a separate client (dbus-send) or gpiozero's mock pins steer stridebeat playing into the JACK
dummy server, and the recorded audio and the history show what happened."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from stridebeat.cli.app import cli
from stridebeat.controls.mpris import MprisPlayer
from stridebeat.controls.remote import Remote
from stridebeat.engine.render import ClickSound, Renderer
from stridebeat.engine.session import Block, Session, Steady, steady_session
from stridebeat.engine.timeline import Timeline
from stridebeat.runner.history import History
from stridebeat.sinks.devices import find_device
from stridebeat.sinks.live import LivePlayer
from tests.dbus import bus_env, get, send, wait_for_status
from tests.jack import OUTPUT, RATE, Capture, align
from tests.test_live import at_frames

STRIDEBEAT = [sys.executable, "-m", "stridebeat"]


def click_starts(mono: np.ndarray, quiet: int = 2000) -> np.ndarray:
    """Frames where a click begins: the first sound after at least ``quiet`` silent frames."""
    sounding = np.flatnonzero(np.abs(mono) > 1e-4)
    if not len(sounding):
        return sounding
    gaps = np.diff(sounding)
    return np.concatenate([sounding[:1], sounding[1:][gaps > quiet]])


def lines_until(process: subprocess.Popen[str], wanted: str, timeout: float = 60) -> list[str]:
    """Read lines of a child's stdout until one holds ``wanted``."""
    assert process.stdout is not None and process.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if wanted in line:
            return seen
    stderr = process.stderr.read() if process.wait(timeout=10) is not None else ""
    raise AssertionError(f"no {wanted!r} in the output: {''.join(seen)}{stderr}")


def test_media_keys_steer_play_through_the_bus(jack_server: str, session_bus: str) -> None:
    """Play/Pause, Next and Stop from another process: silence while paused, one spm more
    after Next (measured between the recorded clicks), a stopped session in the history."""
    process = subprocess.Popen(
        [*STRIDEBEAT, "play", "--spm", "120", "--sound", "tick", "--device", OUTPUT,
         "--blocksize", "256"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=bus_env(session_bus),
    )  # fmt: skip
    assert process.stdout is not None
    with Capture(jack_server, 1, 40) as capture:
        lines_until(process, "Playing on")
        wait_for_status(session_bus, "Playing")
        assert '"xesam:title"' in get(session_bus, "Metadata") and "120 spm" in get(
            session_bus, "Metadata"
        )
        assert "boolean false" in get(session_bus, "CanSeek")
        time.sleep(2.0)
        send(session_bus, "Pause")
        wait_for_status(session_bus, "Paused")
        paused_at = capture.frames
        time.sleep(1.5)
        silent = capture.recorded()[paused_at + RATE // 5 :, 0].copy()  # past the read-ahead
        send(session_bus, "PlayPause")
        wait_for_status(session_bus, "Playing")
        time.sleep(1.0)
        send(session_bus, "Next")
        next_at = capture.frames
        time.sleep(5.0)
        send(session_bus, "Stop")
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Stopped after" in stdout and "Traceback" not in stderr
    assert len(silent) > RATE and not silent.any()  # nothing sounds while paused

    recorded = capture.recorded()[:, 0]
    starts = click_starts(recorded)
    before = np.diff(starts[(starts > paused_at + RATE) & (starts < next_at)])
    after = np.diff(starts[starts > next_at + RATE // 2])
    assert len(before) >= 2 and len(after) >= 6
    assert np.median(before) == pytest.approx(60 / 120 * RATE, abs=2)
    assert np.median(after) == pytest.approx(60 / 121 * RATE, abs=2)  # Next: +1 spm

    with History() as history:
        (record,) = history.sessions()
    assert record.source == "play" and not record.finished
    assert record.cadence_spm == pytest.approx(121)
    assert 6 / 60 < record.completed_minutes < 30 / 60


def test_standby_waits_plays_on_play_and_waits_again(
    jack_server: str, session_bus: str, runner: CliRunner
) -> None:
    today = dt.date.today().isoformat()
    made = runner.invoke(cli, ["plan", "init", "--baseline", "160", "--start", today,
                               "--strength-days", "0"])  # fmt: skip
    assert made.exit_code == 0, made.output
    process = subprocess.Popen(
        [*STRIDEBEAT, "standby", "--device", OUTPUT, "--no-speech"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=bus_env(session_bus),
    )  # fmt: skip
    assert process.stdout is not None
    try:
        ready = lines_until(process, "Press play")
        assert "Ready. Today: " in ready[-1] and " at 16" in ready[-1]
        wait_for_status(session_bus, "Stopped")
        assert "NoTrack" in get(session_bus, "Metadata")
        send(session_bus, "Play")
        lines_until(process, "Playing on")
        wait_for_status(session_bus, "Playing")
        assert "Week 1, session 1" in get(session_bus, "Metadata")
        time.sleep(1.5)
        send(session_bus, "Stop")
        lines_until(process, "Waiting: press play")
        wait_for_status(session_bus, "Stopped")  # waits again, still on the bus
        with History() as history:
            (record,) = history.sessions()
        assert record.source == "today" and (record.week, record.number) == (1, 1)
        assert not record.finished and 1 / 60 < record.completed_minutes < 10 / 60
        send(session_bus, "PlayPause")  # and a second Play plays again
        wait_for_status(session_bus, "Playing")
        send(session_bus, "Stop")
        wait_for_status(session_bus, "Stopped")
        lines_until(process, "Waiting: press play")
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    with History() as history:
        assert len(history.sessions()) == 2


def test_without_a_session_bus_play_goes_on_and_says_so(jack_server: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["XDG_RUNTIME_DIR"] = str(tmp_path)  # no bus socket there either
    result = subprocess.run(
        [*STRIDEBEAT, "play", "--spm", "170", "--duration", "1s", "--device", OUTPUT],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "No media keys or earbud buttons" in line and "DBUS_SESSION_BUS_ADDRESS" in line
    assert "Finished after 0:01" in result.stdout


def test_standby_with_nothing_to_wait_on_says_so_and_ends(jack_server: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["XDG_RUNTIME_DIR"] = str(tmp_path)  # no bus, no terminal, no buttons: no Play can come
    result = subprocess.run(
        [*STRIDEBEAT, "standby", "--spm", "170", "--no-speech", "--device", OUTPUT],
        capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: standby has nothing to wait on: no D-Bus session bus")
    assert "--buttons" in line and "Traceback" not in result.stderr


class _Recorder:
    """A live session that only notes what it was asked (for the bus's answers)."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.paused = False

    def __getattr__(self, name: str) -> object:
        return lambda *args: self.asked.append(name)

    def status(self) -> object:
        from types import SimpleNamespace

        return SimpleNamespace(paused=self.paused, frame=RATE * 90, length=RATE * 600,
                               rate=RATE, cadence=170.0)  # fmt: skip


@pytest.mark.parametrize(
    ("next_action", "next_asked", "previous_asked"),
    [("spm", "change_cadence", "change_cadence"), ("block", "next_block", None),
     ("status", "speak", "speak")],
)  # fmt: skip
def test_next_and_previous_follow_the_setting(
    session_bus: str,
    monkeypatch: pytest.MonkeyPatch,
    next_action: str,
    next_asked: str,
    previous_asked: str | None,
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session_bus)
    remote = Remote(next_action)
    session = _Recorder()
    remote.attach(session, "Week 2, session 1", endless=False)  # type: ignore[arg-type]
    with MprisPlayer(remote):
        send(session_bus, "Next")
        send(session_bus, "Previous")
        assert "int64 90000000" in get(session_bus, "Position")
        assert '"Week 2, session 1"' in get(session_bus, "Metadata")
        assert "int64 600000000" in get(session_bus, "Metadata")
        assert "stridebeat" in get(session_bus, "Identity", "org.mpris.MediaPlayer2")
        wanted = [next_asked] + ([previous_asked] if previous_asked else [])
        assert session.asked == wanted
        introspected = send(session_bus, "Introspect",
                            interface="org.freedesktop.DBus.Introspectable")  # fmt: skip
        assert "org.mpris.MediaPlayer2.Player" in introspected


def test_properties_changed_follows_a_pause(session_bus: str, monkeypatch) -> None:
    """A widget listening for PropertiesChanged sees Paused without asking."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session_bus)
    remote = Remote()
    session = _Recorder()
    monitor = subprocess.Popen(
        ["dbus-monitor", "--session",
         "type='signal',interface='org.freedesktop.DBus.Properties'"],
        stdout=subprocess.PIPE, text=True, env=bus_env(session_bus),
    )  # fmt: skip
    try:
        with MprisPlayer(remote):
            remote.attach(session, "run", endless=True)  # type: ignore[arg-type]
            time.sleep(0.5)
            session.paused = True
            time.sleep(0.5)
            remote.detach()
            time.sleep(0.5)
    finally:
        monitor.terminate()
        seen = monitor.communicate(timeout=10)[0]
    statuses = [line.strip() for line in seen.splitlines() if '"Playing"' in line
                or '"Paused"' in line or '"Stopped"' in line]  # fmt: skip
    assert [s.split('"')[1] for s in statuses] == ["Playing", "Paused", "Stopped"]


# --- the spoken status and GPIO buttons, into JACK -------------------------------------------


def test_the_spoken_status_is_mixed_in_like_a_cue(jack_server: str) -> None:
    from stridebeat.cues.settings import SpeechSettings
    from stridebeat.prepare import Request, prepare

    request = Request(spm=160, duration=8.0)
    prepared = prepare(request, ClickSound("tick"), 0, RATE, SpeechSettings(engine="espeak-ng"))
    player = LivePlayer(prepared.renderer, find_device(OUTPUT), blocksize=256, say=prepared.say)
    remote = Remote()
    remote.attach(player, "test", endless=False)
    with Capture(jack_server, 1, 14) as capture:
        summary = player.play(at_frames({1.0: lambda: remote.do("status")}), poll=0.01)
    assert summary.finished and player.underruns == 0
    (phrase,) = player.renderer.cues
    assert phrase.text.startswith("Cadence 160. ") and phrase.text.endswith("seconds to go.")
    assert 1.0 * RATE < phrase.frame < 2.5 * RATE  # soon after it was asked for
    expected = np.zeros((player.renderer.length, 1), np.float32)
    player.renderer.render(0, expected)  # the clicks ducked under the phrase, as for a cue
    np.testing.assert_array_equal(align(capture.recorded(), expected), expected)
    speech = expected[phrase.frame : phrase.frame + len(phrase.wave), 0]
    assert np.abs(speech).max() > 0.1


def test_gpio_buttons_pause_and_speed_up(jack_server: str, monkeypatch) -> None:
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    from stridebeat.controls.buttons import Buttons

    Device.pin_factory = MockFactory()
    renderer = Renderer(Timeline(steady_session(120, 9), RATE), ClickSound("tick"))
    player = LivePlayer(renderer, find_device(OUTPUT), blocksize=256)
    remote = Remote()
    remote.attach(player, "test", endless=False)

    def press(pin: int) -> None:
        mock = Device.pin_factory.pin(pin)
        mock.drive_low()  # the button pulls the pin to ground
        time.sleep(0.1)
        mock.drive_high()

    def presses() -> None:
        time.sleep(1.5)
        press(17)  # pause
        time.sleep(1.0)
        press(17)  # resume
        time.sleep(1.0)
        press(27)  # faster
        press(27)

    try:
        with (
            Buttons({17: "play-pause", 27: "faster"}, remote),
            Capture(jack_server, 1, 20) as capture,
        ):
            threading.Thread(target=presses, daemon=True).start()
            summary = player.play()
    finally:
        Device.pin_factory.close()
        Device.pin_factory = None
    assert summary.finished and player.underruns == 0
    assert [delta for _, delta in player.changes] == [1, 1]
    starts = click_starts(capture.recorded()[:, 0])
    gaps = np.diff(starts)
    assert gaps.max() > 0.8 * RATE  # paused for about a second
    assert np.median(gaps[:2]) == pytest.approx(60 / 120 * RATE, abs=2)
    assert np.median(gaps[-4:]) == pytest.approx(60 / 122 * RATE, abs=2)  # two presses: +2


def test_next_block_skips_to_the_next_blocks_first_click(jack_server: str) -> None:
    session = Session((Block("run", 6, Steady(120)), Block("run", 3, Steady(150))))
    renderer = Renderer(Timeline(session, RATE), ClickSound("tick"))
    player = LivePlayer(renderer, find_device(OUTPUT), blocksize=256)
    remote = Remote("block")
    remote.attach(player, "test", endless=False)
    with Capture(jack_server, 1, 14) as capture:
        summary = player.play(at_frames({1.2: lambda: remote.do("next")}), poll=0.01)
    assert summary.finished and player.underruns == 0
    recorded = capture.recorded()[:, 0]
    starts = click_starts(recorded)
    # the first click after the skip: the first not a 120 spm step after the one before
    skip = int(np.flatnonzero(np.abs(np.diff(starts) - RATE // 2) > 2)[0]) + 1
    assert 1.0 * RATE < starts[skip] - starts[0] < 1.6 * RATE
    second = renderer.timeline.spans[1].start
    expected = np.zeros((renderer.length, 1), np.float32)
    renderer.render(0, expected)
    first = second + int(np.argmax(np.abs(expected[second:, 0]) > 1e-4))  # as click_starts
    after = recorded[starts[skip] : starts[skip] + renderer.length - first - RATE // 10]
    np.testing.assert_array_equal(after, expected[first : first + len(after), 0])
    assert np.median(np.diff(starts[skip:])) == pytest.approx(60 / 150 * RATE, abs=2)
    assert len(starts) < 6 * 2 + 3 * 2.5  # most of the first block was skipped
