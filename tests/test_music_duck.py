"""The music is ducked under spoken cues like the clicks, measured in rendered audio."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner

from stridebeat.cli.app import cli
from tests.music_maker import drum_track, write

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("rubberband") is None,
    reason="needs espeak-ng (speech) and rubberband (beat matching)",
)

RATE = 16000


def _render(tmp_path: Path, name: str, *args: str) -> tuple[np.ndarray, Path]:
    out = tmp_path / f"{name}.wav"
    result = CliRunner().invoke(
        cli,
        ["render", "--spm", "172", "--duration", "70s", "--cues", "cadence", "--volume", "0",
         "--sample-rate", str(RATE), "--speech-engine", "espeak-ng", "-o", str(out), *args],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    audio, rate = soundfile.read(str(out), dtype="float64", always_2d=True)
    assert rate == RATE
    return audio, out


def _lrc_seconds(path: Path) -> list[float]:
    lyrics = path.with_suffix(".lrc").read_text(encoding="utf-8")
    stamps = re.findall(r"^\[(\d+):(\d+\.\d+)\]", lyrics, re.M)
    return [int(m) * 60 + float(s) for m, s in stamps]


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


def test_music_is_ducked_under_a_spoken_cue(tmp_path: Path) -> None:
    """Three renders, clicks off: speech alone, music with speech, music with --no-speech.
    The music bed under speech is (music with speech) - (speech alone); inside each cue's
    span it sits at the clicks' duck level (-10.5 dB), outside it at the --no-speech level."""
    audio, _ = drum_track(172, 80)
    folder = tmp_path / "music"
    folder.mkdir()
    write(folder / "drums.flac", audio)
    speech, speech_out = _render(tmp_path, "speech")
    both, _ = _render(tmp_path, "both", "--music", str(folder))
    plain, _ = _render(tmp_path, "plain", "--music", str(folder), "--no-speech")
    assert speech.shape == (len(both), 1) and both.shape == plain.shape  # speech alone: mono
    assert _rms(plain) > 0.01  # the music is there
    ducked = both - speech  # the music bed as it was mixed under the speech
    voiced = np.abs(speech).max(axis=1) > 1e-3
    starts = [s for s in _lrc_seconds(speech_out) if 5 < s < 65]  # cues with music around them
    assert starts, speech_out.with_suffix(".lrc").read_text()
    for start in starts:
        lo = round(start * RATE)
        assert voiced[lo : lo + RATE // 10].any(), f"no speech at the cue at {start:.1f} s"
        hi = lo + int(np.flatnonzero(voiced[lo : lo + 10 * RATE])[-1])  # the phrase's end
        assert hi - lo > RATE // 2, "a cue shorter than half a second"
        inside = slice(lo + RATE // 50, hi - RATE // 50)  # past the 10 ms ramps
        ratio = _rms(ducked[inside]) / _rms(plain[inside])
        assert 20 * np.log10(ratio) == pytest.approx(20 * np.log10(0.3), abs=0.5), (
            f"music under the cue at {start:.1f} s is at {20 * np.log10(ratio):.1f} dB"
        )
        before = slice(lo - 2 * RATE, lo - RATE // 20)
        after = slice(hi + RATE // 20, hi + 2 * RATE)
        for outside in (before, after):
            level = _rms(ducked[outside]) / _rms(plain[outside])
            assert level == pytest.approx(1.0, abs=0.02)
            # the bed is as loud around the cue as the --no-speech render is inside it
        assert _rms(plain[before]) == pytest.approx(_rms(plain[inside]), rel=0.25)
