"""Titles, track numbers, embedded lyrics and chapters for rendered files.

Title, artist, album and track go in through libsndfile (WAV INFO, Vorbis comments, ID3).
Lyrics and chapters need tags libsndfile cannot write, so mutagen adds them to the finished
file:

- MP3: an ID3 USLT frame (lyrics); a CHAP frame per block (its name in a TIT2 sub-frame,
  start and end in milliseconds) and a CTOC frame listing them in order, top-level (the ID3v2
  chapter addendum, which podcast players read);
- FLAC and OGG: a LYRICS comment; CHAPTER001=HH:MM:SS.mmm and CHAPTER001NAME comments (the
  Vorbis chapter extension);
- WAV: none of them: players look neither for lyrics nor for chapters there (its .lrc file
  carries the cues).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stridebeat.units import frames_to_ms

if TYPE_CHECKING:
    from stridebeat.engine.timeline import Timeline

MAX_VORBIS_CHAPTERS = 999  # CHAPTERxxx: three digits


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Tags:
    title: str = ""
    album: str = ""
    track: int | None = None
    lyrics: str = ""  # LRC text: players that read timed lyrics show each cue as it comes
    artist: str = "stridebeat"
    chapters: tuple[Chapter, ...] = ()


def set_info(sound_file: Any, tags: Tags) -> None:
    """Write the plain tags into an open soundfile.SoundFile, before any audio."""
    for name, value in (("title", tags.title), ("album", tags.album), ("artist", tags.artist)):
        if value:
            setattr(sound_file, name, value)
    if tags.track is not None:
        sound_file.tracknumber = str(tags.track)


def chapters_of(timeline: Timeline) -> tuple[Chapter, ...]:
    """A chapter per block of the timeline (routines' blocks included), named after it, from
    its first frame to the next block's, in milliseconds; blocks of no length have none."""
    rate = timeline.rate
    return tuple(
        Chapter(span.block.label, frames_to_ms(span.start, rate), frames_to_ms(span.end, rate))
        for span in timeline.spans
        if span.end > span.start
    )


def embed_extras(path: Path, container: str, tags: Tags) -> None:
    """Add the lyrics and chapters of ``tags`` to a finished file of the given libsndfile
    format (MP3, FLAC, OGG; a WAV gets neither)."""
    if not tags.lyrics and not tags.chapters:
        return
    if container == "MP3":
        _embed_id3(path, tags.lyrics, tags.chapters)
    elif container in ("FLAC", "OGG"):
        from mutagen.flac import FLAC
        from mutagen.oggvorbis import OggVorbis

        tagged = FLAC(str(path)) if container == "FLAC" else OggVorbis(str(path))
        if tags.lyrics:
            tagged["LYRICS"] = tags.lyrics
        for name, value in vorbis_chapters(tags.chapters).items():
            tagged[name] = value
        tagged.save()


def _embed_id3(path: Path, lyrics: str, chapters: Sequence[Chapter]) -> None:
    from mutagen.id3 import CHAP, CTOC, ID3, TIT2, USLT, CTOCFlags, ID3NoHeaderError

    try:
        id3 = ID3(str(path))
    except ID3NoHeaderError:
        id3 = ID3()
    if lyrics:
        id3.add(USLT(encoding=3, lang="eng", desc="", text=lyrics))
    ids = [f"chp{n}" for n in range(1, len(chapters) + 1)]
    for element_id, chapter in zip(ids, chapters, strict=True):
        title = TIT2(encoding=3, text=[chapter.title])
        id3.add(CHAP(element_id=element_id, start_time=chapter.start_ms,
                     end_time=chapter.end_ms, sub_frames=[title]))  # fmt: skip
    if chapters:
        flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
        id3.add(CTOC(element_id="toc", flags=flags, child_element_ids=ids,
                     sub_frames=[TIT2(encoding=3, text=["Chapters"])]))  # fmt: skip
    id3.save(str(path))


def vorbis_chapters(chapters: Sequence[Chapter]) -> dict[str, str]:
    """The Vorbis comments of the chapter extension: CHAPTER001=00:05:00.000 and
    CHAPTER001NAME=Part one, ... (the first 999 chapters: the numbers have three digits)."""
    comments = {}
    for n, chapter in enumerate(chapters[:MAX_VORBIS_CHAPTERS], start=1):
        comments[f"CHAPTER{n:03d}"] = _clock_ms(chapter.start_ms)
        comments[f"CHAPTER{n:03d}NAME"] = chapter.title
    return comments


def _clock_ms(ms: int) -> str:
    """``HH:MM:SS.mmm``, as the chapter extension writes a time."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"
