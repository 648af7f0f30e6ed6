"""The file sink: a renderer's audio streamed to WAV, FLAC, OGG or MP3 (by extension).

Audio goes to a hidden temporary file beside the target and is renamed over it only when
complete, so an interrupted render leaves any older file intact and no partial one. The
next block is rendered on a thread while one is written.

A plain WAV (16-bit, no tags) is written with the standard library, the same bytes
libsndfile writes, so the most common render never loads libsndfile; every other file goes
through libsndfile (python-soundfile).
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import shutil
import threading
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stridebeat.engine.render import Renderer
from stridebeat.errors import InputError, OutputError
from stridebeat.files import publish, temp_beside
from stridebeat.sinks.tags import Tags, embed_extras, set_info
from stridebeat.tomlfile import byte_size

# extension -> (libsndfile format, subtype)
FORMATS: dict[str, tuple[str, str]] = {
    ".wav": ("WAV", "PCM_16"),
    ".flac": ("FLAC", "PCM_16"),
    ".ogg": ("OGG", "VORBIS"),
    ".mp3": ("MP3", "MPEG_LAYER_III"),
}

# A plain WAV asks the kernel to start writing to disk after each this many bytes: the disk
# then works while later blocks are rendered, and the fsync at the end has little left to do.
WRITEBACK_BYTES = 8 << 20

# A RIFF header counts the bytes after its first 8 in 32 bits, and a 16-bit WAV's header is
# 44 bytes long: its audio data can be at most this long. A longer WAV is written as RF64.
RIFF_MAX_DATA = 0xFFFFFFFF - 36


def fits_riff(frames: int, channels: int) -> bool:
    """Whether ``frames`` of 16-bit audio fit a plain (RIFF) WAV file."""
    return frames * channels * 2 <= RIFF_MAX_DATA


def format_of(path: Path) -> tuple[str, str]:
    """The (format, subtype) for a target path, or an InputError naming the choices."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        given = f"'{path.suffix}'" if path.suffix else "no extension"
        raise InputError(
            f"cannot write {path.name}: {given} is not a known format; end the name with "
            + ", ".join(FORMATS)
        ) from None


def check_target(path: Path) -> None:
    """Refuse early, before any rendering, a target that cannot be written."""
    format_of(path)
    folder = path.parent
    if not folder.is_dir():
        raise InputError(
            f"cannot write {path}: the folder {folder} does not exist; create it first"
        )
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; give a file name such as run.wav")


_HEADROOM = 2**20  # headers, tags and lyrics


def size_bound(output: Path, rate: int, channels: int, seconds: float) -> int:
    """The most bytes ``output`` can take: 16-bit WAV exactly (plus headers), FLAC never more
    than its samples raw (plus frame headers), Ogg Vorbis under half of that, MP3 at most
    320 kbit/s."""
    raw = math.ceil(seconds * rate) * channels * 2
    data = {
        ".mp3": math.ceil(seconds * 320_000 / 8),
        ".ogg": raw // 2,
        ".flac": raw + raw // 64,
    }.get(output.suffix.lower(), raw)
    return data + _HEADROOM


def check_room(output: Path, rate: int, channels: int, seconds: float) -> None:
    """Refuse (exit 1) a render the disk has no room for, before rendering any of it."""
    folder = output.parent
    needed = size_bound(output, rate, channels, seconds)
    try:
        usage = shutil.disk_usage(folder)
    except OSError:
        return  # cannot tell: the write itself reports a full disk
    if not os.access(folder, os.W_OK) or usage.total == 0:
        return  # a folder we cannot write in, or no real disk: the write itself says so
    free = usage.free
    if needed > free:
        raise OutputError(
            f"cannot write {output}: it needs up to {byte_size(needed)} and {folder} has "
            f"{byte_size(free)} free; free some space, make it shorter, choose a smaller "
            "format (.mp3, .ogg) or another folder with -o"
        )


class AudioFileSink:
    """Write frames in chunks to ``path``; ``commit()`` makes the file appear.

    ``frames`` is how many frames will come, when known: a WAV longer than a RIFF file can
    hold is then written as RF64 (without it, such a WAV is refused when it gets too long).
    """

    def __init__(
        self,
        path: str | Path,
        rate: int,
        channels: int,
        tags: Tags | None = None,
        frames: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.rate = rate
        self.channels = channels
        self.tags = tags
        self.format, self.subtype = format_of(self.path)
        if self.format == "WAV" and frames is not None and not fits_riff(frames, channels):
            self.format = "RF64"
        self.pcm16 = self.subtype == "PCM_16"  # takes int16 blocks as they are: the fast path
        self.frames = frames
        self.frames_written = 0
        self._tmp: Path | None = None
        self._file: Any = None

    @property
    def plain_wav(self) -> bool:
        """Whether the standard library writes this file (a WAV without tags)."""
        return self.format == "WAV" and self.tags is None

    def __enter__(self) -> AudioFileSink:
        check_target(self.path)
        self._tmp = temp_beside(self.path)
        try:
            return self._open()
        except BaseException:  # Ctrl-C or SIGTERM while opening: no part is left behind
            self._discard()
            raise

    def _open(self) -> AudioFileSink:
        assert self._tmp is not None
        if self.plain_wav:
            try:
                self._file = PlainWav(self._tmp, self.rate, self.channels, self.frames)
            except OSError as exc:
                self._discard()
                raise self._write_failed(exc) from None
            return self
        import soundfile as sf

        try:
            self._file = sf.SoundFile(
                str(self._tmp),
                "w",
                samplerate=self.rate,
                channels=self.channels,
                format=self.format,
                subtype=self.subtype,
            )
            if self.tags is not None:
                set_info(self._file, self.tags)
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            self._discard()
            raise InputError(
                f"cannot write {self.format} at {self.rate} Hz with {self.channels} channel(s) "
                f"({exc}); choose another --sample-rate or format"
            ) from None
        return self

    def write(self, frames: NDArray[Any]) -> None:
        if self.plain_wav and not fits_riff(self.frames_written + len(frames), self.channels):
            raise InputError(
                f"cannot write {self.path}: over 4 GiB of audio does not fit a WAV file; "
                "end the name with .flac instead"
            )
        try:
            self._file.write(frames)
        except (RuntimeError, OSError) as exc:
            raise self._write_failed(exc) from None
        self.frames_written += len(frames)

    def commit(self) -> None:
        assert self._tmp is not None
        try:
            self._file.close()
            if self.tags is not None:
                embed_extras(self._tmp, self.format, self.tags)
            publish(self._tmp, self.path)
        except (RuntimeError, OSError) as exc:
            self._discard()
            raise self._write_failed(exc) from None
        self._tmp = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._tmp is not None:
            self._discard()

    def _discard(self) -> None:
        if self._file is not None:
            with contextlib.suppress(Exception):
                (self._file.abandon if isinstance(self._file, PlainWav) else self._file.close)()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()
        self._tmp = None

    def _write_failed(self, exc: BaseException) -> OutputError:
        reason = getattr(exc, "strerror", None) or str(exc)
        if reason.startswith("System error"):  # all libsndfile says when a write fails
            reason = "the system refused to write more (the disk is probably full)"
        return OutputError(
            f"writing {self.path} failed: {reason}. Nothing was written there; free some disk "
            "space or choose another folder"
        )


class PlainWav:
    """A 16-bit PCM WAV file written with the standard library (``wave`` makes its header).

    Its bytes are those libsndfile writes for the same audio: a 44-byte header, then the
    samples, 16-bit ones straight from the arrays. ``frames``, when known, goes in the header
    at once, so the header is written once.
    """

    def __init__(self, path: Path, rate: int, channels: int, frames: int | None) -> None:
        self._out = open(path, "wb")  # noqa: SIM115 (closed by close or abandon)
        self._wav = wave.open(self._out, "wb")
        self._wav.setnchannels(channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(rate)
        if frames:
            self._wav.setnframes(frames)
        self._on_disk = 0  # bytes from the start whose writing to disk has been started

    def write(self, frames: NDArray[Any]) -> None:
        if frames.dtype != np.int16:
            frames = _pcm16_like_libsndfile(frames)
        self._wav.writeframesraw(np.ascontiguousarray(frames).data)
        written = self._out.tell()
        if written - self._on_disk >= WRITEBACK_BYTES and hasattr(os, "posix_fadvise"):
            # DONTNEED starts writing the range back now (and lets its pages leave the cache
            # once on disk); without it the kernel would wait, and close() with it.
            with contextlib.suppress(OSError):
                length = written - self._on_disk
                os.posix_fadvise(self._out.fileno(), self._on_disk, length, os.POSIX_FADV_DONTNEED)
            self._on_disk = written

    def close(self) -> None:
        """Complete the header (if the length was not known) and flush the file to disk, as
        libsndfile does when it closes a file, before it is renamed into place."""
        try:
            self._wav.close()
            self._out.flush()
            os.fsync(self._out.fileno())
        finally:
            self._out.close()

    def abandon(self) -> None:
        """Close without waiting for the disk: the file is about to be deleted."""
        try:
            self._wav.close()
        finally:
            self._out.close()


def _pcm16_like_libsndfile(samples: NDArray[Any]) -> NDArray[np.int16]:
    """Floats in 16 bits as libsndfile (1.2) writes them: rounded to 32-bit integers with
    clipping, then their upper 16 bits."""
    wide = np.rint(np.asarray(samples, dtype=np.float64) * 2.0**31)
    np.clip(wide, -(2.0**31), 2.0**31 - 1, out=wide)
    return (wide.astype(np.int32) >> 16).astype(np.int16)


def render_to_file(
    renderer: Renderer,
    path: Path,
    tags: Tags | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Render the whole timeline into ``path`` (atomically); returns the frames written.

    16-bit formats take the renderer's 16-bit blocks as they are (the fast path)."""
    rate, channels, frames = renderer.timeline.rate, renderer.channels, renderer.length
    with AudioFileSink(path, rate, channels, tags, frames) as sink:
        # three buffers: one being written, one waiting in the queue, one being rendered
        blocks: Iterator[NDArray[Any]] = (
            renderer.pcm16_chunks(buffers=3) if sink.pcm16 else renderer.chunks(buffers=3)
        )
        for block in _ahead(blocks):
            sink.write(block)
            if progress is not None:
                progress(len(block))
        sink.commit()
        return sink.frames_written


_END = object()


def _ahead(items: Iterator[Any]) -> Iterator[Any]:
    """Run ``items`` one step ahead in a thread (numpy and libsndfile release the GIL)."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        handoff.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(_END)
        except BaseException as exc:  # handed to the consumer, which raises it
            handoff.put(exc)

    worker = threading.Thread(target=produce, name="stridebeat-render", daemon=True)
    worker.start()
    try:
        while (item := handoff.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
