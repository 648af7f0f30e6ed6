"""Live play with music: the stream is the same samples as a render of the same session."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import numpy as np

from stridebeat.cues.settings import SpeechSettings
from stridebeat.engine.render import ClickSound
from stridebeat.music.bed import SWITCH_SECONDS
from stridebeat.music.settings import MusicSettings
from stridebeat.prepare import Request, prepare
from stridebeat.sinks.devices import find_device
from stridebeat.sinks.live import LivePlayer
from tests.dbus import bus_env, send, wait_for_status
from tests.jack import OUTPUT, RATE, Capture, align
from tests.music_maker import drum_track, onset_errors, write
from tests.test_mpris import STRIDEBEAT, lines_until


def test_live_music_is_the_rendered_music(jack_server: str, tmp_path: Path) -> None:
    track = write(tmp_path / "run.flac", drum_track(170, 20, rate=RATE)[0], RATE)
    music = MusicSettings(track, 60)
    request = Request(spm=172, duration=6.0, music=music)
    prepared = prepare(request, ClickSound("wood", 0.5), 0, RATE, SpeechSettings())
    renderer = prepared.renderer
    assert renderer.channels == 2
    with Capture(jack_server, 2, 10) as capture:
        summary = LivePlayer(renderer, find_device(OUTPUT), blocksize=256).play()
    assert summary.finished and summary.underruns == 0
    expected = np.zeros((renderer.length, 2), np.float32)
    again = prepare(request, ClickSound("wood", 0.5), 0, RATE, SpeechSettings()).renderer
    again.render(0, expected)  # a fresh renderer: the cached pieces, mixed from frame 0
    played = align(capture.recorded(), expected)
    np.testing.assert_array_equal(played, expected)
    assert np.abs(expected).max() > 0.1


def test_music_follows_a_cadence_change_from_the_bus(
    jack_server: str, session_bus: str, tmp_path: Path
) -> None:
    """``play --music`` with the clicks off, steered by Next (+1 spm) from another process:
    the recorded music's beats keep 170 spm before and 171 spm after, each beat within 20 ms
    of the step grid, once the change has reached the music (the producer's read-ahead, then
    the playing track's first beat SWITCH_SECONDS later); no underruns."""
    track = write(tmp_path / "run.flac", drum_track(170, 40, rate=RATE)[0], RATE)
    process = subprocess.Popen(
        [*STRIDEBEAT, "play", "--spm", "170", "--duration", "24s", "--volume", "0",
         "--music", str(track), "--no-speech", "--device", OUTPUT, "--blocksize", "256"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=bus_env(session_bus),
    )  # fmt: skip
    with Capture(jack_server, 2, 40) as capture:
        lines_until(process, "Playing on")
        wait_for_status(session_bus, "Playing")
        while capture.frames < 6 * RATE:
            time.sleep(0.01)
        send(session_bus, "Next")
        next_at = capture.frames
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert re.search(r"\b0 underruns\.", stdout), stdout
    music = capture.recorded()
    sounding = np.flatnonzero(np.abs(music).max(axis=1) > 1e-3)
    first, last = int(sounding[0]), int(sounding[-1])
    settled = next_at + int((0.5 + SWITCH_SECONDS + 60 / 170) * RATE)
    for spm, lo, hi in ((170, first + RATE, next_at), (171, settled, last - RATE)):
        errors = _beats_off_grid(music[lo:hi], 60 / spm * RATE)
        assert len(errors) >= 8, (spm, len(errors))
        worst = np.abs(errors).max()
        assert worst < 0.020, f"at {spm} spm a beat is {worst * 1000:.1f} ms off the steps"


def _beats_off_grid(audio: np.ndarray, period: float) -> np.ndarray:
    """Seconds from each beat's onset (measured in ``audio``) to a grid of ``period`` frames;
    the grid's phase is where the music is loudest folded over that period (the period is
    not fitted: music at another tempo smears the fold and its onsets drift off the grid)."""
    low = np.convolve(audio.mean(axis=1), np.ones(96) / 96, mode="same")  # hi-hats averaged out
    level = np.abs(low)
    folded = np.bincount((np.arange(len(level)) % period).astype(int), weights=level)
    phase = float(np.argmax(folded))
    grid = np.arange(phase + period, len(level) - period, period)
    errors = onset_errors(low, RATE, grid)
    return errors - np.median(errors)
