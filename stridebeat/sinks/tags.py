"""Titles, track numbers and embedded lyrics for exported files.

Title, artist, album and track go in through libsndfile (WAV INFO, Vorbis comments, ID3).
Lyrics need a tag libsndfile cannot write, so mutagen embeds them: an ID3 USLT frame in MP3,
a LYRICS comment in FLAC and OGG (WAV has no place phones look for lyrics; its .lrc file
does that job).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Tags:
    title: str = ""
    album: str = ""
    track: int | None = None
    lyrics: str = ""  # LRC text: players that read timed lyrics show each cue as it comes
    artist: str = "stridebeat"


def set_info(sound_file: Any, tags: Tags) -> None:
    """Write the plain tags into an open soundfile.SoundFile, before any audio."""
    for name, value in (("title", tags.title), ("album", tags.album), ("artist", tags.artist)):
        if value:
            setattr(sound_file, name, value)
    if tags.track is not None:
        sound_file.tracknumber = str(tags.track)


def embed_lyrics(path: Path, container: str, lyrics: str) -> None:
    """Add lyrics to a finished file of the given libsndfile format (MP3, FLAC, OGG)."""
    if not lyrics:
        return
    if container == "MP3":
        from mutagen.id3 import ID3, USLT, ID3NoHeaderError

        try:
            id3 = ID3(str(path))
        except ID3NoHeaderError:
            id3 = ID3()
        id3.add(USLT(encoding=3, lang="eng", desc="", text=lyrics))
        id3.save(str(path))
    elif container in ("FLAC", "OGG"):
        from mutagen.flac import FLAC
        from mutagen.oggvorbis import OggVorbis

        tagged = FLAC(str(path)) if container == "FLAC" else OggVorbis(str(path))
        tagged["LYRICS"] = lyrics
        tagged.save()
