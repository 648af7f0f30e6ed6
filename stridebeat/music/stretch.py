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
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stridebeat.errors import StridebeatError
from stridebeat.music.cache import content_key
from stridebeat.music.decode import as_stereo, open_track, source_blocks, stereo_excerpt
from stridebeat.music.mix import Placement
from stridebeat.music.piecefile import SUFFIX, is_whole, write_piece

PIECE_SECONDS = 45.0
FORMAT = 2  # part of each piece's cache key (1: FLAC pieces)


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
    key = content_key(track.path)
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


def make_piece(piece: Piece, rate: int, folder: Path) -> Path:
    """The piece's audio (16-bit stereo at ``rate``, see piecefile.py), from the cache or
    made now. Entries of an older format have other names and are left alone."""
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
    target = folder / f"{name}{SUFFIX}"
    if is_whole(target):
        return target
    folder.mkdir(parents=True, exist_ok=True)
    if piece.matched:
        _stretch(piece, rate, target)
    else:
        _resample(piece, rate, target)
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


def _stretch(piece: Piece, rate: int, target: Path) -> None:
    import soundfile

    program = rubberband_program()
    track = open_track(piece.path)
    with track:
        audio = stereo_excerpt(track, piece.source[0], piece.source[-1], rate)
    with tempfile.TemporaryDirectory(prefix="stridebeat-stretch-") as scratch:
        given, out = Path(scratch) / "in.wav", Path(scratch) / "out.wav"
        timemap = Path(scratch) / "timemap.txt"
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
        with soundfile.SoundFile(str(out)) as made:
            write_piece(target, piece.end - piece.start, map(as_stereo, source_blocks(made)))


def _resample(piece: Piece, rate: int, target: Path) -> None:
    """An unmatched track: its own tempo, only resampled to the output rate, in blocks."""
    import soxr

    track = open_track(piece.path)
    with track:
        stream = soxr.ResampleStream(track.samplerate, rate, 2, dtype="float32")
        blocks = (
            stream.resample_chunk(np.ascontiguousarray(block), last=False)
            for block in map(as_stereo, source_blocks(track))
        )
        write_piece(target, piece.end - piece.start, blocks)
