"""Stretched music pieces in the cache: 16-bit .npy files read back exactly; damaged and
older-format entries are made again, never a crash."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.cli.app import cli
from stridebeat.music.piecefile import PieceReader, is_whole, write_piece
from tests.music_maker import drum_track, write


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 700), min_size=1, max_size=6),
    frames=st.integers(0, 2500),
    reads=st.lists(st.tuples(st.integers(0, 2600), st.integers(0, 900)), max_size=6),
    seed=st.integers(0, 2**16),
)
def test_a_piece_reads_back_as_written(
    tmp_path_factory: pytest.TempPathFactory,
    sizes: list[int],
    frames: int,
    reads: list[tuple[int, int]],
    seed: int,
) -> None:
    """Exactly ``frames`` frames: cut or padded with silence, samples round(clip(x)·32767),
    read back from any frame in any order."""
    rng = np.random.default_rng(seed)
    blocks = [rng.uniform(-1.3, 1.3, (n, 2)).astype(np.float32) for n in sizes]
    path = tmp_path_factory.mktemp("piece") / "p.npy"
    write_piece(path, frames, iter(blocks))
    assert is_whole(path) and sorted(os.listdir(path.parent)) == ["p.npy"]
    expected = np.zeros((frames, 2), np.int16)
    joined = np.concatenate(blocks)[:frames]
    expected[: len(joined)] = np.rint(np.clip(joined, -1, 1) * 32767).astype(np.int16)
    reader = PieceReader(path)
    try:
        assert reader.frames == frames
        for first, count in [(0, frames), *reads]:
            assert np.array_equal(reader.read(first, count), expected[first : first + count])
    finally:
        reader.close()


@pytest.mark.skipif(shutil.which("rubberband") is None, reason="needs rubberband")
def test_damaged_and_old_cache_entries_are_made_again(tmp_path: Path) -> None:
    track = write(tmp_path / "run.flac", drum_track(170, 40)[0])
    args = ["render", "--spm", "170", "--duration", "30s", "--music", str(track)]
    runner = CliRunner()
    first = runner.invoke(cli, [*args, "-o", str(tmp_path / "a.wav")])
    assert first.exit_code == 0, first.output
    pieces = Path(os.environ["STRIDEBEAT_HOME"]) / "cache" / "music" / "pieces"
    made = sorted(pieces.glob("*.npy"))
    assert made and not list(pieces.glob(".*"))  # no scratch files left behind
    made[0].write_bytes(made[0].read_bytes()[:1000])  # cut short
    if len(made) > 1:
        made[1].write_bytes(b"\x93NUMPY not really")
    soundfile.write(str(pieces / "0123abcd.flac"), np.zeros((100, 2)), 44100)  # format 1
    second = runner.invoke(cli, [*args, "-o", str(tmp_path / "b.wav")])
    assert second.exit_code == 0, second.output
    assert all(is_whole(p) for p in made)
    a, _ = soundfile.read(str(tmp_path / "a.wav"), dtype="int16")
    b, _ = soundfile.read(str(tmp_path / "b.wav"), dtype="int16")
    assert np.array_equal(a, b)


def test_a_long_track_at_its_own_tempo_is_cached_only_as_far_as_the_session_needs(
    tmp_path: Path,
) -> None:
    track = write(tmp_path / "long.flac", drum_track(150, 240)[0])  # 4 minutes
    rate = 16000
    result = CliRunner().invoke(
        cli,
        ["render", "--spm", "170", "--duration", "20s", "--music", str(track),
         "--no-music-match", "--sample-rate", str(rate), "-o", str(tmp_path / "a.wav")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pieces = Path(os.environ["STRIDEBEAT_HOME"]) / "cache" / "music" / "pieces"
    (piece,) = pieces.glob("*.npy")
    frames = (piece.stat().st_size - 128) / 4  # 16-bit stereo after the .npy header
    assert 20 * rate <= frames <= 24 * rate  # the session and the fade past its end, not 240 s
    assert soundfile.info(str(tmp_path / "a.wav")).duration == pytest.approx(20, abs=0.01)
