"""Reading tracks in blocks, so a long track never sits in memory whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stridebeat.errors import FileInputError
from stridebeat.music.sources import check_track

BLOCK_SECONDS = 10.0


def open_track(path: Path) -> Any:
    """An open ``soundfile.SoundFile``, or FileInputError when it is not audio we can read."""
    import soundfile

    check_track(path)
    try:
        track = soundfile.SoundFile(str(path))
    except (RuntimeError, soundfile.LibsndfileError, OSError) as exc:
        raise FileInputError(
            str(path),
            None,
            f"cannot read this as music ({_reason(exc)}); stridebeat reads MP3, FLAC, OGG "
            "and WAV files",
        ) from None
    if track.frames <= 0 or track.samplerate <= 0:
        track.close()
        raise FileInputError(str(path), None, "this music file holds no audio")
    return track


def _reason(exc: Exception) -> str:
    text = str(exc).split(":")[-1].strip()
    return text or type(exc).__name__


def source_blocks(track: Any, start: int = 0) -> Iterator[NDArray[np.float32]]:
    """The track from frame ``start`` as consecutive (frames × channels) float32 blocks."""
    import soundfile

    block = max(1, int(BLOCK_SECONDS * track.samplerate))
    track.seek(start)
    while True:
        try:
            data = track.read(block, dtype="float32", always_2d=True)
        except (RuntimeError, soundfile.LibsndfileError) as exc:
            raise FileInputError(
                str(track.name), None, f"this music file is damaged part-way ({_reason(exc)})"
            ) from None
        if data.shape[0] == 0:
            return
        yield data


def as_stereo(block: NDArray[np.float32]) -> NDArray[np.float32]:
    """(frames × channels) audio as two channels: mono doubled, past the second dropped."""
    return np.repeat(block, 2, axis=1) if block.shape[1] == 1 else block[:, :2]


def mono_at(track: Any, rate: int) -> Iterator[NDArray[np.float32]]:
    """The whole track as mono blocks resampled to ``rate`` (for analysis)."""
    import soxr

    stream = soxr.ResampleStream(track.samplerate, rate, 1, dtype="float32", quality="LQ")
    for block in source_blocks(track):
        yield stream.resample_chunk(block.mean(axis=1), last=False)
    yield stream.resample_chunk(np.zeros(0, np.float32), last=True)


def stereo_excerpt(track: Any, start: float, stop: float, rate: int) -> NDArray[np.float32]:
    """Seconds [start, stop) of the track as stereo frames at ``rate`` (zeros past its end)."""
    import soxr

    first = max(0, int(start * track.samplerate))
    count = max(0, int(stop * track.samplerate) - first)
    track.seek(min(first, track.frames))
    data = as_stereo(track.read(count, dtype="float32", always_2d=True))
    if track.samplerate != rate and data.shape[0]:
        data = soxr.resample(data, track.samplerate, rate, quality="HQ").astype(np.float32)
    wanted = int(round((stop - start) * rate))
    out = np.zeros((wanted, 2), np.float32)
    out[: min(wanted, data.shape[0])] = data[:wanted]
    return out
