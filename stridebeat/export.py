"""Prepared sessions to files for a phone: one rendering with its lyrics, or a whole plan.

A plan export renders each session to its own file (in parallel, one process per job),
with titles, track numbers and embedded lyrics, a ``.lrc`` beside each, and an ``.m3u``
playlist. A manifest in the folder records what each file was made from, so running the
export again skips files that are up to date and removes the ones it made that the plan no
longer has; files it did not make are never touched. Small files made beside the audio (the
watch workouts of ``plan export --watch``) are kept in the same manifest.

Every rendering but a plain WAV carries tags: title, artist, album, the lyrics and a chapter
per block (``sinks.tags``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import stat
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from stridebeat import __version__
from stridebeat.cues.settings import SpeechSettings
from stridebeat.engine.render import ClickSound
from stridebeat.engine.session import Session
from stridebeat.errors import InputError, OutputError, StridebeatError
from stridebeat.files import remove_parts_of, write_bytes_atomically, write_text_atomically
from stridebeat.music.settings import MusicSettings
from stridebeat.prepare import Prepared, Request, prepare
from stridebeat.sinks.file import FORMATS as AUDIO_FORMATS
from stridebeat.sinks.file import render_to_file
from stridebeat.sinks.tags import Tags, chapters_of

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

MANIFEST = ".stridebeat-export.json"
PLAYLIST = "stridebeat-plan.m3u"
FORMATS = tuple(extension[1:] for extension in AUDIO_FORMATS)  # "wav", "flac", ...
EXTRA_SUFFIXES = (".fit",)  # small files an export may make beside the audio
FILE_CONTENT = 2  # what an exported file holds; 2: chapters. A change makes every file again
PLAN_ALBUM = "stridebeat plan"
RENDER_ALBUM = "stridebeat"


@dataclass(frozen=True)
class Track:
    """One session to export: its file name (without extension), title and track number."""

    stem: str
    title: str
    number: int
    session: Session
    minutes: float


@dataclass(frozen=True)
class ExportOptions:
    format: str = "mp3"
    click: ClickSound = ClickSound()
    accent: int = 0
    rate: int = 44100
    speech: SpeechSettings = SpeechSettings()
    music: MusicSettings | None = None  # the runner's music under each session
    album: str = PLAN_ALBUM


@dataclass(frozen=True)
class ExportReport:
    written: tuple[str, ...]
    skipped: tuple[str, ...]
    removed: tuple[str, ...]


def write_rendering(
    prepared: Prepared,
    output: Path,
    lyrics: bool = True,
    tags: Tags | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Render to ``output`` (atomically) and, when there are cues, ``output.lrc`` beside it.

    With ``tags``, the file also carries the lyrics (unless ``lyrics`` is False) and a chapter
    per block."""
    from stridebeat.cues.lyrics import lrc_path, lrc_text

    renderer = prepared.renderer
    rate = renderer.timeline.rate
    text = lrc_text(prepared.cues, rate, prepared.session.title) if prepared.cues else ""
    if tags is not None:
        lyrics_tag = text if lyrics else tags.lyrics
        tags = replace(tags, lyrics=lyrics_tag, chapters=chapters_of(renderer.timeline))
    render_to_file(renderer, output, tags, progress)
    if text and lyrics:
        write_text_atomically(lrc_path(output), text)


def file_tags(output: Path, title: str, album: str = RENDER_ALBUM) -> Tags | None:
    """The tags of a single rendering; None for a WAV, which stays a plain WAV (the standard
    library writes it, and players read neither lyrics nor chapters there)."""
    if output.suffix.lower() == ".wav":
        return None
    return Tags(title or output.stem, album)


def render_session(
    session: Session,
    output: str | Path,
    *,
    cues: Sequence[str] = (),
    click: ClickSound | None = None,
    accent: int = 0,
    sample_rate: int = 44100,
    speech: SpeechSettings | None = None,
    lyrics: bool = True,
) -> Prepared:
    """Render ``session`` with the cue scripts ``cues`` to ``output`` (.wav, .flac, .ogg or
    .mp3), and its cues to ``output.lrc`` beside it; returns what was rendered.

    ``click`` defaults to ``ClickSound()`` (wood at 80%), ``speech`` to ``SpeechSettings()``
    (the first engine that works, its English voice, 175 words per minute).
    """
    request = Request(session=session, cues=tuple(cues))
    prepared = prepare(
        request, click or ClickSound(), accent, sample_rate, speech or SpeechSettings()
    )
    output = Path(output)
    write_rendering(prepared, output, lyrics, file_tags(output, session.title))
    return prepared


def export_tracks(
    tracks: Sequence[Track],
    folder: Path,
    options: ExportOptions,
    jobs: int,
    progress: Callable[[float], None] | None = None,
    extra: Mapping[str, bytes] | None = None,
) -> ExportReport:
    """Render ``tracks`` into ``folder``; ``progress`` gets each finished track's minutes.
    ``extra``: small files to write beside them (name: content), e.g. watch workouts.

    Interrupted (Ctrl-C, a failure), it stops the renders still running, and the manifest
    records the files finished so far, so the next export does not make them again.
    """
    if options.format not in FORMATS:
        raise InputError(f"unknown format {options.format!r}: use one of {', '.join(FORMATS)}")
    extra = extra or {}
    if not all(removable_name(name) for name in extra):
        raise ValueError(f"not a plain file name for an export: {sorted(extra)}")
    _prepare_folder(folder)
    old = _read_manifest(folder)
    keys = {_file_name(t, options): _key(t, options) for t in tracks}
    todo = [t for t in tracks if not _up_to_date(folder, _file_name(t, options), keys, old)]
    for track in tracks:
        if track not in todo and progress is not None:
            progress(track.minutes)
    finished: list[str] = []
    started = time.time()
    try:
        _render_all(todo, folder, options, jobs, progress, finished)
    except BaseException:
        done = set(finished) | _written_since(folder, started, keys)
        recorded = {**old, **{name: keys[name] for name in done}}
        with contextlib.suppress(StridebeatError):
            _write_manifest(folder, recorded)
        raise
    extra_keys = {name: hashlib.sha256(data).hexdigest() for name, data in extra.items()}
    made = [name for name in extra if not _up_to_date(folder, name, extra_keys, old)]
    for name in made:
        write_bytes_atomically(folder / name, extra[name])
    keys.update(extra_keys)
    removed = _remove_stale(folder, old, keys)
    write_text_atomically(folder / PLAYLIST, _playlist(tracks, options))
    _write_manifest(folder, keys)
    written = (*(_file_name(t, options) for t in todo), *made)
    skipped = tuple(name for name in keys if name not in written)
    return ExportReport(written, skipped, removed)


def _write_manifest(folder: Path, files: dict[str, str]) -> None:
    write_text_atomically(folder / MANIFEST, json.dumps({"files": files}, indent=1) + "\n")


def _written_since(folder: Path, started: float, keys: dict[str, str]) -> set[str]:
    """Files of this export that a worker finished as it was stopped (renamed in whole)."""
    found = set()
    for name in keys:
        try:
            info = (folder / name).lstat()
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_mtime >= started:
            found.add(name)
    return found


def _prepare_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file: give a folder to export into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create {folder}: {exc.strerror}; choose another folder"
        ) from None
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write in {folder}; choose another folder")


def _file_name(track: Track, options: ExportOptions) -> str:
    return f"{track.stem}.{options.format}"


def _key(track: Track, options: ExportOptions) -> str:
    """What a file is made from: if any of it changes, the file is made again."""
    made_from = repr((track, options, __version__, FILE_CONTENT))
    return hashlib.sha256(made_from.encode()).hexdigest()


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # no manifest, or a damaged one: everything is made again


def _up_to_date(folder: Path, name: str, keys: dict[str, str], old: dict[str, str]) -> bool:
    return old.get(name) == keys[name] and (folder / name).is_file()


def _remove_stale(folder: Path, old: dict[str, str], keys: dict[str, str]) -> tuple[str, ...]:
    """Remove the files of sessions the plan no longer has: only what the exporter made."""
    removed = []
    for name in sorted(set(old) - set(keys)):
        if not removable_name(name):
            continue  # a damaged or crafted manifest: never a path, a folder or a link
        for path in (folder / name, (folder / name).with_suffix(".lrc")):
            with contextlib.suppress(OSError):
                if stat.S_ISREG(path.lstat().st_mode):
                    path.unlink()
        removed.append(name)
    return tuple(removed)


def removable_name(name: str) -> bool:
    """A name the exporter could have written: a plain, visible audio (or watch workout) file
    name in the folder."""
    plain = (
        name not in ("", ".", "..")
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and "\0" not in name
        and os.path.basename(name) == name
        and not os.path.isabs(name)
    )
    suffix = Path(name).suffix
    return plain and (suffix in AUDIO_FORMATS or suffix in EXTRA_SUFFIXES) and name != MANIFEST


def _playlist(tracks: Sequence[Track], options: ExportOptions) -> str:
    lines = ["#EXTM3U"]
    for track in tracks:
        lines += [f"#EXTINF:{round(track.minutes * 60)},{track.title}", _file_name(track, options)]
    return "\n".join(lines) + "\n"


def _render_all(
    tracks: Sequence[Track],
    folder: Path,
    options: ExportOptions,
    jobs: int,
    progress: Callable[[float], None] | None,
    finished: list[str],
) -> None:
    """Render ``tracks``, appending each finished file's name to ``finished``."""
    if not tracks:
        return
    if jobs <= 1 or len(tracks) == 1:
        for track in tracks:
            _raise_failure(_render_track(track, folder, options))
            _finished(track, options, progress, finished)
        return
    from multiprocessing import active_children

    pool = _start_pool(min(jobs, len(tracks)))
    try:
        work = [(index, track, folder, options) for index, track in enumerate(tracks)]
        for index, failure in pool.imap_unordered(_render_numbered, work):
            _raise_failure(failure)
            _finished(tracks[index], options, progress, finished)
        pool.close()
    except BaseException:
        # queued work is dropped; each running worker gets SIGTERM and removes its part
        workers = {child.pid for child in active_children() if child.pid is not None}
        pool.terminate()
        pool.join()
        remove_parts_of(folder, workers)  # one stopped before it could tidy up
        raise
    pool.join()


def _finished(
    track: Track,
    options: ExportOptions,
    progress: Callable[[float], None] | None,
    finished: list[str],
) -> None:
    finished.append(_file_name(track, options))
    if progress is not None:
        progress(track.minutes)


def _start_pool(jobs: int) -> Pool:
    """Worker processes that leave Ctrl-C and a hang-up (SIGHUP) to this one.

    The terminal sends those to every process of the command. The workers (and the helper
    process multiprocessing starts) are made with them blocked, so only this process acts:
    it stops the workers itself.
    """
    from multiprocessing import get_context

    # "spawn": a clean process per job, whatever threads this one has running
    context = get_context("spawn")
    names = ("SIGINT", "SIGHUP")
    quiet = {getattr(signal, name) for name in names if hasattr(signal, name)}
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no process groups to worry about
        return context.Pool(jobs, initializer=_worker_started)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, quiet)
    try:
        return context.Pool(jobs, initializer=_worker_started)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _worker_started() -> None:
    """In a worker: Ctrl-C and a hang-up are the main process's to handle; its SIGTERM
    unwinds quietly, removing a half-written file on the way."""

    def stop(signum: int, frame: object) -> NoReturn:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):  # a closed terminal hangs up on the workers too
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)


def _render_numbered(
    work: tuple[int, Track, Path, ExportOptions],
) -> tuple[int, tuple[int, str] | None]:
    index, track, folder, options = work
    return index, _render_track(track, folder, options)


def _render_track(track: Track, folder: Path, options: ExportOptions) -> tuple[int, str] | None:
    """Render one track (in a worker process); a failure comes back as (exit code, message)."""
    try:
        prepared = prepare(
            Request(session=track.session, music=options.music), options.click, options.accent,
            options.rate, options.speech,
        )  # fmt: skip
        tags = Tags(track.title, options.album, track.number)
        write_rendering(prepared, folder / _file_name(track, options), tags=tags)
    except StridebeatError as exc:  # our exceptions do not all survive pickling: send text
        return exc.exit_code, f"{track.stem}: {exc}"
    return None


def _raise_failure(failure: tuple[int, str] | None) -> None:
    if failure is not None:
        code, message = failure
        raise (InputError if code == 2 else OutputError)(message)
