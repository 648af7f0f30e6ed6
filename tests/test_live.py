"""Live play, for real: through sounddevice into a JACK dummy server, recorded and compared."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from stridebeat.controls.interface import LiveControl
from stridebeat.controls.keys import key_bindings
from stridebeat.controls.remote import Remote
from stridebeat.cues.settings import SpeechSettings
from stridebeat.engine.render import ClickSound, Renderer, SpokenCue
from stridebeat.engine.session import Block, Ramp, Session, Steady, steady_session
from stridebeat.engine.timeline import Timeline
from stridebeat.errors import DeviceError, InputError
from stridebeat.prepare import Request, prepare
from stridebeat.sinks import devices, live
from stridebeat.sinks.devices import OutputDevice, find_device
from stridebeat.sinks.live import LivePlayer, Status
from tests.jack import OUTPUT, RATE, Capture, align

STRIDEBEAT = [sys.executable, "-m", "stridebeat"]


def at_frames(actions: dict[float, Callable[[], None]]) -> Callable[[Status], None]:
    """A status tick that runs each action once the device has played that many seconds."""
    pending = dict(sorted(actions.items()))

    def tick(status: Status) -> None:
        for seconds in list(pending):
            if status.frame >= seconds * RATE:
                pending.pop(seconds)()

    return tick


def whole(renderer: Renderer) -> np.ndarray:
    out = np.zeros((renderer.length, renderer.channels), np.float32)
    renderer.render(0, out)
    return out


def test_live_output_is_the_rendered_file(jack_server: str, tmp_path: Path) -> None:
    """The stream plays the renderer's float samples; the 16-bit file holds them rounded."""
    request = Request(spm=172, duration=4.0, cues=("cadence",))
    voice = ClickSound("wood", 0.8, stereo_steps=True)
    prepared = prepare(request, voice, 4, RATE, SpeechSettings(engine="espeak-ng"))
    with Capture(jack_server, 2, 8) as capture:
        summary = LivePlayer(prepared.renderer, find_device(OUTPUT), blocksize=256).play()
    assert summary.finished and summary.frame == 4 * RATE
    expected = whole(prepared.renderer)
    played = align(capture.recorded(), expected)
    np.testing.assert_array_equal(played, expected)  # bit-exact through JACK

    out = tmp_path / "same.wav"
    result = subprocess.run(
        [*STRIDEBEAT, "render", "--spm", "172", "--duration", "4s", "--cues", "cadence",
         "--stereo-steps", "--accent", "4", "--sample-rate", str(RATE),
         "--speech-engine", "espeak-ng", "-o", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    from_file = sf.read(out, dtype="int16")[0].astype(np.float64) / 32767
    assert np.abs(from_file - played).max() <= 0.5 / 32767 + 1e-7  # within one 16-bit step


def test_cadence_key_takes_effect_on_the_next_frames(jack_server: str) -> None:
    session = Session((Block("run", 3, Steady(160)), Block("run", 3, Ramp(160, 170))))
    renderer = Renderer(Timeline(session, RATE), ClickSound("tick"))
    player = LivePlayer(renderer, find_device(OUTPUT), blocksize=256)
    with Capture(jack_server, 1, 10) as capture:
        player.play(at_frames({1.0: lambda: player.change_cadence(8)}), poll=0.01)
    ((frame, delta),) = player.changes
    assert delta == 8 and 0.9 * RATE < frame < 1.3 * RATE
    assert player.key_delays[0] < 0.15
    changed = renderer.replaced(timeline=renderer.timeline.with_cadence_change(frame, 8))
    expected = whole(changed)
    np.testing.assert_array_equal(align(capture.recorded(), expected), expected)
    assert changed.timeline.cadence_at(changed.length - 1) == pytest.approx(170 + 8, abs=0.01)


def test_pause_resumes_on_a_beat(jack_server: str) -> None:
    renderer = Renderer(Timeline(steady_session(120, 4), RATE), ClickSound("beep"))
    player = LivePlayer(renderer, find_device(OUTPUT), blocksize=256)

    def pause_for_a_while() -> None:
        player.toggle_pause()
        threading.Timer(0.8, player.toggle_pause).start()

    actions = {1.2: pause_for_a_while}
    with Capture(jack_server, 1, 12) as capture:
        summary = player.play(at_frames(actions), poll=0.01)
    assert summary.finished
    assert player.underruns == 0
    recorded = capture.recorded()[:, 0]
    sounding = np.flatnonzero(np.abs(recorded) > 0)
    gaps = np.diff(sounding)
    pause = int(np.argmax(gaps))
    assert gaps[pause] > 0.6 * RATE
    resumed = sounding[pause + 1]
    # after the pause the sound starts again with a whole click on a step (every 0.5 s)
    expected = whole(renderer)[:, 0]
    click = slice(resumed, resumed + 2000)
    steps = [k * RATE // 2 for k in range(8)]
    assert any(np.array_equal(recorded[click], expected[s : s + 2000]) for s in steps)


def test_play_command(jack_server: str) -> None:
    result = subprocess.run(
        [*STRIDEBEAT, "play", "--spm", "170", "--duration", "2s", "--device", OUTPUT],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Playing on system at 48000 Hz" in result.stdout
    assert "Finished after 0:02" in result.stdout
    from stridebeat.runner.history import History

    with History() as history:
        (record,) = history.sessions()
    assert record.finished and record.source == "play"
    assert record.completed_minutes == pytest.approx(2 / 60)
    devices = subprocess.run([*STRIDEBEAT, "devices"], capture_output=True, text=True)
    assert "JACK Audio Connection Kit" in devices.stdout


def test_ctrl_c_fades_out_and_reports(jack_server: str) -> None:
    process = subprocess.Popen(
        [*STRIDEBEAT, "play", "--spm", "170", "--device", OUTPUT],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    playing = process.stdout.readline()  # from here on it plays (start-up varies with load)
    time.sleep(2.5)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    stdout = playing + stdout
    assert process.returncode == 130, stderr
    assert "Stopped after 0:0" in stdout and "Resume with --start-at" in stdout
    assert "Traceback" not in stderr
    from stridebeat.runner.history import History

    with History() as history:
        (record,) = history.sessions()
    assert not record.finished  # Ctrl-C records a partial session
    assert 1.5 / 60 < record.completed_minutes < 5 / 60


def test_unknown_device_is_bad_input(jack_server: str) -> None:
    with pytest.raises(InputError, match="Available: 0: system"):
        find_device("earbuds")
    result = subprocess.run(
        [*STRIDEBEAT, "play", "--spm", "170", "--device", "earbuds"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "stridebeat render" in result.stderr


def test_no_device_at_all_is_an_environment_failure() -> None:
    env = {
        **os.environ,
        "JACK_DEFAULT_SERVER": "stridebeat-no-such-server",
        "JACK_NO_START_SERVER": "1",
    }
    result = subprocess.run(
        [*STRIDEBEAT, "play", "--spm", "170", "--duration", "5s"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "no sound output device" in result.stderr and "stridebeat render" in result.stderr
    assert "Traceback" not in result.stderr


# --- the callback and the watchdog, without a device ----------------------------------------


def test_callback_always_fills_the_buffer_and_counts_underruns() -> None:
    renderer = Renderer(Timeline(steady_session(170, 2), 8000), ClickSound())
    device = OutputDevice(0, "fake", "none", 2, 8000)
    player = LivePlayer(renderer, device, blocksize=64)
    out = np.full((64, 1), 7.0, dtype=np.float32)
    player._callback(out, 64, None, SimpleNamespace(output_underflow=False))
    assert not out.any() and player.underruns == 1  # nothing rendered yet: silence, counted


class _SilentStream:
    """A stream whose device never asks for audio: it has gone away."""

    def __init__(self, **kwargs: object) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    abort = stop

    def close(self) -> None:
        pass


def test_a_device_that_stops_is_reported_not_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = SimpleNamespace(OutputStream=_SilentStream, PortAudioError=OSError)
    monkeypatch.setattr(devices, "load_sounddevice", lambda: fake)
    monkeypatch.setattr(live, "STALL_SECONDS", 0.3)
    renderer = Renderer(Timeline(steady_session(170, 60), 8000), ClickSound())
    player = LivePlayer(renderer, OutputDevice(0, "earbuds", "fake", 2, 8000))
    began = time.monotonic()
    with pytest.raises(DeviceError, match="earbuds stopped playing"):
        player.play(poll=0.05)
    assert time.monotonic() - began < 3


# --- controls and live cue placement, without a device ----------------------------------------


def test_keys_steer_the_player_through_the_control_interface() -> None:
    renderer = Renderer(Timeline(steady_session(170, 60), 8000), ClickSound())
    player = LivePlayer(renderer, OutputDevice(0, "fake", "none", 1, 8000))
    control: LiveControl = player  # the player is what every control steers
    remote = Remote()
    remote.attach(control, "test", endless=True)
    press = key_bindings(remote)
    for key in "++-c ":
        press(key)
    player._handle_requests()  # what the producer does before its next block
    status = control.status()
    assert status.cadence == pytest.approx(171)
    assert status.cues_muted and status.paused
    assert player.changes == [(0, 1), (0, 1), (0, -1)]


def test_a_cadence_change_asks_for_its_cues_and_takes_only_the_latest() -> None:
    renderer = Renderer(Timeline(steady_session(170, 60), 8000), ClickSound())
    wave = np.full(800, 0.1, np.float32)
    first_asked, release = threading.Event(), threading.Event()
    asked: list[float] = []

    def cues_for(changed: Renderer) -> list[SpokenCue]:
        spm = changed.timeline.cadence_at(0) or 0.0
        asked.append(spm)
        if len(asked) == 1:  # the first is slow: two more changes come meanwhile
            first_asked.set()
            release.wait(10)
        return [SpokenCue(4000, wave, f"{spm:.0f} spm")]

    player = LivePlayer(renderer, OutputDevice(0, "fake", "none", 1, 8000), cues_for=cues_for)
    player.change_cadence(1)
    player._handle_requests()
    assert first_asked.wait(10)
    player.change_cadence(1)
    player._handle_requests()
    player.change_cadence(1)
    player._handle_requests()
    release.set()
    deadline = time.monotonic() + 10
    while len(asked) < 2 or not player.renderer.cues:
        assert time.monotonic() < deadline, f"cues never arrived (asked for {asked})"
        time.sleep(0.01)
        player._handle_requests()
    # the first answer came for a timeline overtaken since, the second change was never
    # placed (overtaken before its turn): only the cues for 173 spm are mixed in
    assert asked == [171, 173]
    assert [c.text for c in player.renderer.cues] == ["173 spm"]


class _GatedRenderer(Renderer):
    """A renderer that, once ``allowed`` is set, renders that many more blocks and then waits
    for ``release``: a producer that stalls."""

    allowed: int | None = None
    release = threading.Event()

    def render(self, start: int, out: np.ndarray) -> None:
        if self.allowed is not None:
            if self.allowed == 0:
                assert self.release.wait(10)
            self.allowed -= 1
        super().render(start, out)


def test_after_a_pause_the_sound_comes_back_with_the_read_ahead_full() -> None:
    """As at the start, so a busy moment just after resuming costs no underrun."""
    renderer = _GatedRenderer(Timeline(steady_session(120, 60), RATE), ClickSound())
    renderer.release = threading.Event()
    player = LivePlayer(renderer, OutputDevice(0, "fake", "none", 1, RATE), blocksize=256)
    producer = threading.Thread(target=player._produce, daemon=True)

    def wait_until(done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 10
        while not done():
            assert time.monotonic() < deadline
            time.sleep(0.002)

    producer.start()
    try:
        player.toggle_pause()
        wait_until(lambda: player.status().paused)
        renderer.allowed = 1  # after resuming the producer renders one block, then stalls
        player.toggle_pause()
        time.sleep(0.3)
        assert player.status().paused  # one block ahead is not enough to sound again
        renderer.release.set()
        wait_until(lambda: not player.status().paused)
    finally:
        player._stop.set()
        renderer.release.set()
        producer.join()
    out = np.zeros((256, 1), np.float32)  # the producer is gone: the ring alone must last
    for _ in range(round(live.AHEAD_SECONDS * RATE) // 256 - 1):
        player._callback(out, 256, None, SimpleNamespace(output_underflow=False))
    assert player.underruns == 0
