"""The file sink: a renderer's audio streamed to WAV, FLAC, OGG or MP3 (by extension).

Audio goes to a hidden temporary file beside the target and is renamed over it only when
complete, so an interrupted render leaves any older file intact and no partial one. The
next block is rendered on a thread while one is written.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from numpy.typing import NDArray

from stridebeat.engine.render import Renderer
from stridebeat.errors import InputError, OutputError
from stridebeat.files import publish, temp_beside
from stridebeat.sinks.tags import Tags, embed_lyrics, set_info

# extension -> (libsndfile format, subtype)
FORMATS: dict[str, tuple[str, str]] = {
    ".wav": ("WAV", "PCM_16"),
    ".flac": ("FLAC", "PCM_16"),
    ".ogg": ("OGG", "VORBIS"),
    ".mp3": ("MP3", "MPEG_LAYER_III"),
}


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


class AudioFileSink:
    """Write frames in chunks to ``path``; ``commit()`` makes the file appear."""

    def __init__(
        self, path: str | Path, rate: int, channels: int, tags: Tags | None = None
    ) -> None:
        self.path = Path(path)
        self.rate = rate
        self.channels = channels
        self.tags = tags
        self.format, self.subtype = format_of(self.path)
        self.pcm16 = self.subtype == "PCM_16"  # takes int16 blocks as they are: the fast path
        self.frames_written = 0
        self._tmp: Path | None = None
        self._file: Any = None

    def __enter__(self) -> AudioFileSink:
        import soundfile as sf

        check_target(self.path)
        self._tmp = temp_beside(self.path)
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
                embed_lyrics(self._tmp, self.format, self.tags.lyrics)
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
                self._file.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()
        self._tmp = None

    def _write_failed(self, exc: BaseException) -> OutputError:
        reason = getattr(exc, "strerror", None) or str(exc)
        return OutputError(
            f"writing {self.path} failed: {reason}. Nothing was written there; free some disk "
            "space or choose another folder with -o"
        )


def render_to_file(
    renderer: Renderer,
    path: Path,
    tags: Tags | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Render the whole timeline into ``path`` (atomically); returns the frames written.

    16-bit formats take the renderer's 16-bit blocks as they are (the fast path)."""
    with AudioFileSink(path, renderer.timeline.rate, renderer.channels, tags) as sink:
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
