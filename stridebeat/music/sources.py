"""Which tracks ``--music PATH`` names: one file, a folder's audio files, or a playlist."""

from __future__ import annotations

import logging
from pathlib import Path

from stridebeat.errors import FileInputError, InputError
from stridebeat.tomlfile import read_text, regular_file

log = logging.getLogger(__name__)

# what libsndfile reads; M4A/AAC needs a decoder stridebeat does not ship
AUDIO_SUFFIXES = (".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav")
PLAYLIST_SUFFIXES = (".m3u", ".m3u8")
MAX_PLAYLIST_BYTES = 2**20


def music_tracks(path: Path) -> list[Path]:
    """The tracks in playing order; InputError (exit 2) when there are none to play."""
    if path.is_dir():
        tracks = sorted(
            (p for p in path.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file()),
            key=lambda p: p.name,
        )
        if not tracks:
            kinds = ", ".join(s.lstrip(".") for s in AUDIO_SUFFIXES)
            raise InputError(f"{path}: this folder holds no music files ({kinds}); give another")
        return tracks
    if path.suffix.lower() in PLAYLIST_SUFFIXES:
        return _playlist(path)
    check_track(path)
    return [path]


def check_track(path: Path) -> None:
    """A track the user named is a regular file of a kind stridebeat reads."""
    regular_file(path, "music file")
    suffix = path.suffix.lower()
    if suffix in (".m4a", ".aac", ".mp4", ".wma"):
        raise FileInputError(
            str(path), None, f"{suffix} files cannot be read here; convert it to MP3, FLAC or OGG"
        )


def _playlist(path: Path) -> list[Path]:
    """A .m3u/.m3u8 playlist's entries (relative to its folder); missing ones are skipped."""
    text = read_text(path, "playlist", MAX_PLAYLIST_BYTES)
    tracks: list[Path] = []
    missing: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        if "://" in line:
            missing.append((number, line))
            log.warning("%s:%d: %s is not a local file; skipped", path, number, line)
            continue
        entry = Path(line).expanduser()
        entry = entry if entry.is_absolute() else path.parent / entry
        if entry.is_file() and entry.suffix.lower() in AUDIO_SUFFIXES:
            tracks.append(entry)
        else:
            missing.append((number, line))
            log.warning("%s:%d: %s is missing or not a music file; skipped", path, number, line)
    if not tracks:
        if not missing:
            raise FileInputError(str(path), None, "this playlist names no tracks")
        number, line = missing[0]
        raise FileInputError(
            str(path),
            number,
            f"none of the playlist's {len(missing)} entries is a music file here (the first "
            f"is {line}); fix the paths (relative ones count from the playlist's folder)",
        )
    return tracks
