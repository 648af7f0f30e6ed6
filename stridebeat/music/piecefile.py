"""Stretched music pieces on disk: 16-bit stereo frames in a NumPy ``.npy`` file.

A render reads them with a seek and one read per block (no decoding); 16 bits keep them a
quarter of the size float32 would be. Written in blocks beside the target, then renamed,
so memory stays flat and a cache entry is whole or absent.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from stridebeat.files import publish, temp_beside

SUFFIX = ".npy"
CHANNELS = 2
_DTYPE = np.dtype("<i2")
_FRAME_BYTES = CHANNELS * _DTYPE.itemsize
_SCALE = 32767.0


def write_piece(target: Path, frames: int, blocks: Iterable[NDArray[np.float32]]) -> None:
    """Write exactly ``frames`` stereo frames (cut or padded with silence) from float
    ``blocks`` in [-1, 1] to ``target``, atomically."""
    import numpy.lib.format as npy

    tmp = temp_beside(target)
    try:
        with tmp.open("wb") as sink:
            header = {"descr": _DTYPE.str, "fortran_order": False, "shape": (frames, CHANNELS)}
            npy.write_array_header_1_0(sink, header)
            written = 0
            for block in blocks:
                take = block[: frames - written]
                scaled = np.clip(take, -1.0, 1.0) * np.float32(_SCALE)
                sink.write(np.rint(scaled).astype(_DTYPE).tobytes())
                written += take.shape[0]
                if written >= frames:
                    break
            if written < frames:
                sink.write(bytes((frames - written) * _FRAME_BYTES))
        publish(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class PieceReader:
    """Reads frames of one piece file; blocks that follow on need no seek."""

    def __init__(self, path: Path) -> None:
        self._file: BinaryIO = path.open("rb")
        try:
            self.frames, self._data = _check_header(self._file, path)
        except BaseException:
            self._file.close()
            raise
        self._at = 0

    def read(self, first: int, count: int) -> NDArray[np.int16]:
        """Frames [first, first + count) (fewer at the end) as (frames × 2) int16."""
        count = max(0, min(count, self.frames - first))
        if first != self._at:
            self._file.seek(self._data + first * _FRAME_BYTES)
        data = np.fromfile(self._file, dtype=_DTYPE, count=count * CHANNELS)
        self._at = first + data.size // CHANNELS
        return data.reshape(-1, CHANNELS)

    def close(self) -> None:
        self._file.close()


# gain for a piece's 16-bit samples: a sample of 32767 is full scale
def sample_gain(gain: float) -> float:
    return gain / _SCALE


def is_whole(path: Path) -> bool:
    """Whether ``path`` is a complete piece file (a damaged one is made again)."""
    try:
        with path.open("rb") as file:
            _check_header(file, path)
    except (OSError, ValueError):
        return False
    return True


def _check_header(file: BinaryIO, path: Path) -> tuple[int, int]:
    """(frames, offset of the samples) of an open piece file, or ValueError."""
    import numpy.lib.format as npy

    version = npy.read_magic(file)
    if version != (1, 0):
        raise ValueError(f"{path}: not a version 1.0 .npy file")
    shape, fortran, dtype = npy.read_array_header_1_0(file)
    if dtype != _DTYPE or fortran or len(shape) != 2 or shape[1] != CHANNELS:
        raise ValueError(f"{path}: not 16-bit stereo frames")
    offset = file.tell()
    if os.fstat(file.fileno()).st_size != offset + shape[0] * _FRAME_BYTES:
        raise ValueError(f"{path}: cut short")
    return int(shape[0]), offset
