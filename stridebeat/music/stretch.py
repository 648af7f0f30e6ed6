"""Stretching a placed track onto its output frames with the Rubber Band program.

Rubber Band (GPL) runs as a separate program, as espeak-ng does, never inside stridebeat.
Its ``--timemap`` takes the beat anchors, so each beat lands on its frame and the pitch
stays. A placement is cut into pieces of about PIECE_SECONDS that overlap by one beat
(crossfaded), so memory and temporary files stay small whatever the track's length.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stridebeat.errors import StridebeatError
from stridebeat.files import publish, temp_beside
from stridebeat.music.decode import open_track, source_blocks, stereo_excerpt
from stridebeat.music.mix import Placement

PIECE_SECONDS = 45.0
FORMAT = 1  # part of each piece's cache key


@dataclass(frozen=True)
class Piece:
    """A stretch of output made from one run of the stretcher (or a plain resample)."""

    path: Path  # the track
    key: str  # the track's content key
    source: tuple[float, ...]
    target: tuple[int, ...]
    gain: float
    fade_in: int
    fade_out: int
    matched: bool
    until: int = 0  # cut short here (a live change took over), fading out before it

    @property
    def start(self) -> int:
        return self.target[0]

    @property
    def end(self) -> int:
        return self.target[-1]

    @property
    def stop(self) -> int:
        return min(self.until, self.end) if self.until else self.end


def pieces_of(placement: Placement, rate: int, first_seconds: float = PIECE_SECONDS) -> list[Piece]:
    """The placement cut at beats into overlapping pieces of about PIECE_SECONDS (the first
    one ``first_seconds``: short after a live change, so it is ready at once)."""
    track = placement.track
    key = track_key(track.path)
    source, target = placement.source, placement.target
    if not placement.matched:
        return [
            Piece(
                track.path,
                key,
                source,
                target,
                placement.gain,
                placement.fade_in,
                placement.fade_out,
                False,
            )
        ]
    pieces: list[Piece] = []
    first = 0
    last = len(target) - 1
    while first < last:
        end = first + 1
        seconds = first_seconds if not pieces else PIECE_SECONDS
        while end < last and target[end] - target[first] < seconds * rate:
            end += 1
        if last - end < 8 and seconds == PIECE_SECONDS:
            end = last
        pieces.append(
            Piece(
                track.path,
                key,
                source[first : end + 1],
                target[first : end + 1],
                placement.gain,
                0,
                0,
                True,
            )
        )
        first = end if end == last else end - 1  # overlap by one beat
    faded: list[Piece] = []
    for n, piece in enumerate(pieces):
        fade_in = placement.fade_in if n == 0 else pieces[n - 1].end - piece.start
        fade_out = placement.fade_out if n == len(pieces) - 1 else piece.end - pieces[n + 1].start
        faded.append(
            Piece(
                piece.path,
                piece.key,
                piece.source,
                piece.target,
                piece.gain,
                max(0, fade_in),
                max(0, fade_out),
                True,
            )
        )
    return faded


_KEYS: dict[tuple[str, int, float], str] = {}


def track_key(path: Path) -> str:
    from stridebeat.music.cache import content_key

    info = path.stat()
    memo = (str(path), info.st_size, info.st_mtime)
    if memo not in _KEYS:
        _KEYS[memo] = content_key(path)
    return _KEYS[memo]


def make_piece(piece: Piece, rate: int, folder: Path) -> Path:
    """The piece's audio (stereo FLAC at ``rate``), from the cache or made now."""
    name = hashlib.blake2b(
        repr(
            (
                FORMAT,
                piece.key,
                rate,
                piece.source,
                [t - piece.start for t in piece.target],
                piece.matched,
            )
        ).encode(),
        digest_size=20,
    ).hexdigest()
    target = folder / f"{name}.flac"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(target).with_suffix(".flac")
    try:
        if piece.matched:
            _stretch(piece, rate, tmp)
        else:
            _resample(piece, rate, tmp)
        publish(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def rubberband_program() -> str:
    found = shutil.which("rubberband")
    if found is None:
        raise StridebeatError(
            "beat-matching music needs the Rubber Band program, which is not installed: "
            "install it (Debian/Ubuntu: apt install rubberband-cli; macOS: brew install "
            "rubberband), or add --no-music-match to play the music at its own tempo"
        )
    return found


def _stretch(piece: Piece, rate: int, out: Path) -> None:
    import soundfile

    program = rubberband_program()
    track = open_track(piece.path)
    with track:
        audio = stereo_excerpt(track, piece.source[0], piece.source[-1], rate)
    given = temp_beside(out).with_suffix(".wav")
    timemap = temp_beside(out).with_suffix(".txt")
    try:
        soundfile.write(str(given), audio, rate, subtype="FLOAT")
        del audio
        lines = [
            f"{round((s - piece.source[0]) * rate)} {t - piece.start}"
            for s, t in zip(piece.source, piece.target, strict=True)
        ]
        timemap.write_text("\n".join(lines) + "\n", encoding="ascii")
        seconds = (piece.end - piece.start) / rate
        run = subprocess.run(
            [
                program,
                "-q",
                "--timemap",
                str(timemap),
                "-D",
                f"{seconds:.6f}",
                str(given),
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "LC_ALL": "C"},
        )
        if run.returncode != 0 or not out.is_file():
            raise StridebeatError(
                f"Rubber Band could not stretch {piece.path.name}: "
                f"{(run.stderr or run.stdout).strip()[-300:]}"
            )
    finally:
        for left in (given, timemap):
            if left.exists():
                left.unlink()


def _resample(piece: Piece, rate: int, out: Path) -> None:
    """An unmatched track: its own tempo, only resampled to the output rate, in blocks."""
    import soundfile
    import soxr

    track = open_track(piece.path)
    wanted = piece.end - piece.start
    with (
        track,
        soundfile.SoundFile(str(out), "w", rate, 2, subtype="PCM_24", format="FLAC") as sink,
    ):
        stream = soxr.ResampleStream(track.samplerate, rate, 2, dtype="float32")
        written = 0
        for block in source_blocks(track):
            if block.shape[1] == 1:
                block = np.repeat(block, 2, axis=1)
            data = stream.resample_chunk(np.ascontiguousarray(block[:, :2]), last=False)
            data = np.clip(data[: wanted - written], -1, 1)
            sink.write(data)
            written += len(data)
            if written >= wanted:
                break
