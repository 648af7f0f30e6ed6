"""Which tracks ``--music PATH`` names: one file, a folder's audio files, or a playlist."""

from __future__ import annotations

import logging
from pathlib import Path

from stridebeat.errors import FileInputError, InputError
from stridebeat.paths import user_path
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
    try:
        with path.open("rb") as file:
            head = file.read(12)
    except OSError as exc:
        raise FileInputError(str(path), None, f"cannot open it ({exc.strerror})") from None
    if not looks_like_audio(head):
        # Checked here, so a text file named .mp3 never reaches the decoder, which would
        # print its own notes about lost MPEG headers before failing.
        raise FileInputError(
            str(path),
            None,
            "this is not an audio file (it does not start like an MP3, FLAC, OGG or WAV "
            "file); give a music file, or remove it from the folder or playlist",
        )


def looks_like_audio(head: bytes) -> bool:
    """Whether a file's first 12 bytes start an MP3, FLAC, Ogg or WAV file."""
    mpeg_frame = len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
    wav = head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE"
    return head.startswith((b"ID3", b"fLaC", b"OggS")) or mpeg_frame or wav


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
        entry = user_path(line)
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
