"""A service stop (SIGTERM) and a closed terminal (SIGHUP) end live play as Ctrl-C does: a
fade, the partial session in the history, how to resume; exit 128 + the signal. A signal at
any moment while play starts ends it without a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from stridebeat.cli.terminal import Terminated, terminate_as_exit
from stridebeat.engine.render import ClickSound, Renderer
from stridebeat.engine.session import steady_session
from stridebeat.engine.timeline import Timeline
from stridebeat.sinks import live
from stridebeat.sinks.devices import OutputDevice
from stridebeat.sinks.live import LivePlayer
from tests.fake_output import BLOCK, FAKE_RATE, FakeOutput, fake_output
from tests.jack import OUTPUT

STRIDEBEAT = [sys.executable, "-m", "stridebeat"]
output = fake_output


class _Hum(Renderer):
    """A steady tone at 0.5, so a fade shows wherever the stop comes."""

    def render(self, start: int, out: np.ndarray) -> None:
        out.fill(0.5)


def test_sigterm_fades_out_like_ctrl_c(output: FakeOutput) -> None:
    renderer = _Hum(Timeline(steady_session(170, 60), FAKE_RATE), ClickSound())
    player = LivePlayer(renderer, OutputDevice(0, "fake", "none", 1, FAKE_RATE), blocksize=BLOCK)

    def tick(status: live.Status) -> None:
        if status.frame >= FAKE_RATE:
            signal.raise_signal(signal.SIGTERM)

    with pytest.raises(Terminated) as stopped, terminate_as_exit():
        player.play(tick, poll=0.02)
    assert stopped.value.signum == signal.SIGTERM
    played = output.played(0)
    last = int(np.flatnonzero(played == 0.5)[-1])
    tail = played[last:]
    fade = round(live.FADE_SECONDS * FAKE_RATE)
    ramp = tail[: int(np.argmax(tail == 0))]
    assert fade - BLOCK <= len(ramp) <= fade + 1  # down to silence over the fade, no click
    assert np.all(np.diff(ramp) < 0) and ramp[-1] < 0.5 * 2 / fade + 1e-6
    assert not tail[len(ramp) :].any()


@pytest.mark.parametrize(("how", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_stop_signal_records_the_run_and_says_how_to_resume(
    jack_server: str, how: int, code: int
) -> None:
    process = subprocess.Popen(
        [*STRIDEBEAT, "play", "--spm", "170", "--device", OUTPUT],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    playing = process.stdout.readline()
    time.sleep(2.5)
    process.send_signal(how)
    stdout, stderr = process.communicate(timeout=30)
    stdout = playing + stdout
    assert process.returncode == code, stderr
    assert "Stopped after 0:0" in stdout and "Resume with --start-at 0:0" in stdout
    assert "Traceback" not in stderr
    from stridebeat.runner.history import History

    with History() as history:
        (record,) = history.sessions()
    assert not record.finished and 1.5 / 60 < record.completed_minutes < 5 / 60


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_play_starts_never_traces_back(jack_server: str, how: int) -> None:
    """While Python loads the command, while PortAudio opens and starts the stream (where an
    interrupted JACK call used to abort the process), and just after."""
    # Python's own start-up (before stridebeat can handle anything) takes this long now
    began = time.monotonic()
    subprocess.run([sys.executable, "-c", "import stridebeat"], check=True)
    startup = time.monotonic() - began
    moments = [("loading", 1.5 * startup), ("loading", 3 * startup)]
    moments += [("opening", delay) for delay in (0.0, 0.003, 0.01, 0.03, 0.1)]
    for moment, delay in moments:
        process = subprocess.Popen(
            [*STRIDEBEAT, "play", "--spm", "170", "--device", OUTPUT],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stdout is not None
        if moment == "opening":
            process.stdout.readline()  # "Playing on ...": the stream opens next
        time.sleep(delay)
        process.send_signal(how)
        _, stderr = process.communicate(timeout=30)
        where = f"{signal.Signals(how).name} {delay:.3f} s after {moment} began"
        # before Python has installed its handlers, a signal just ends the process, silently
        ended = process.returncode == 128 + how or (process.returncode == -how and not stderr)
        assert ended, f"{where}: {process.returncode} {stderr}"
        assert "Traceback" not in stderr, f"{where}: {stderr}"


def test_the_service_stop_ends_standby_cleanly(jack_server: str, session_bus: str) -> None:
    """What systemctl stop does to the unit's standby: while a session plays it is recorded
    and standby exits 143 (the unit's SuccessExitStatus); while it waits it exits 0."""
    from tests.dbus import bus_env, send, wait_for_status

    command = [*STRIDEBEAT, "standby", "--spm", "170", "--device", OUTPUT, "--no-speech"]
    for playing in (True, False):
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=bus_env(session_bus))  # fmt: skip
        assert process.stdout is not None
        try:
            assert "Press play" in process.stdout.readline()
            wait_for_status(session_bus, "Stopped")
            if playing:
                send(session_bus, "Play")
                wait_for_status(session_bus, "Playing")
                time.sleep(1.5)
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=30)
        assert "Traceback" not in stderr
        from stridebeat.runner.history import History

        with History() as history:
            sessions = history.sessions()
        if playing:
            assert process.returncode == 143, stderr
            assert "Resume with --start-at 0:0" in stdout
            (record,) = sessions
            assert not record.finished and 1 / 60 < record.completed_minutes < 5 / 60
        else:
            assert process.returncode == 0, stderr
            assert len(sessions) == 1  # nothing more recorded
