"""Live play with music: the stream is the same samples as a render of the same session."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stridebeat.cues.settings import SpeechSettings
from stridebeat.engine.render import ClickSound
from stridebeat.music.settings import MusicSettings
from stridebeat.prepare import Request, prepare
from stridebeat.sinks.devices import find_device
from stridebeat.sinks.live import LivePlayer
from tests.jack import OUTPUT, RATE, Capture, align
from tests.music_maker import drum_track, write


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
