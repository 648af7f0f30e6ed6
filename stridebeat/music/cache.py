"""Track analyses kept in the app folder, keyed by the file's content, so a second render
with the same music reads no audio to analyse it."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from stridebeat.errors import StridebeatError
from stridebeat.files import digest_file, write_text_atomically
from stridebeat.music.analysis import TrackAnalysis, analyse
from stridebeat.paths import app_dir

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the analysis changes, so old entries are not used


def music_cache_dir() -> Path:
    return app_dir() / "cache" / "music"


_KEYS: dict[tuple[str, int, int], str] = {}


def content_key(path: Path) -> str:
    """A digest of the file's bytes (read in 1 MiB pieces), worked out once per process
    for a file whose size and time have not changed."""
    try:
        info = path.stat()
    except OSError:
        return ""  # analyse() reports what is wrong with the file
    memo = (str(path), info.st_size, info.st_mtime_ns)
    if memo not in _KEYS:
        key = _digest(path)
        if not key:
            return key
        _KEYS[memo] = key
    return _KEYS[memo]


def _digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"v{FORMAT}".encode())
    try:
        digest_file(digest, path)
    except OSError:
        return ""  # analyse() reports what is wrong with the file
    return digest.hexdigest()


def cached_analysis(path: Path, folder: Path | None = None) -> TrackAnalysis:
    """The track's analysis from the cache, or analysed now and stored."""
    folder = music_cache_dir() if folder is None else folder
    key = content_key(path)
    entry = folder / f"{key}.json"
    if key and entry.is_file():
        found = _load(entry)
        if found is not None:
            return found
    result = analyse(path)
    if key:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_text_atomically(entry, json.dumps(_as_dict(result)))
        except (OSError, StridebeatError) as exc:
            log.warning("cannot cache the analysis of %s in %s: %s", path, folder, exc)
    return result


def _as_dict(result: TrackAnalysis) -> dict[str, object]:
    return {
        "duration": result.duration,
        "tempo": result.tempo,
        "beats": list(result.beats),
        "lufs": result.lufs,
        "clarity": result.clarity,
    }


def _load(entry: Path) -> TrackAnalysis | None:
    try:
        raw = json.loads(entry.read_text(encoding="utf-8"))
        lufs = raw["lufs"]
        return TrackAnalysis(
            duration=float(raw["duration"]),
            tempo=float(raw["tempo"]),
            beats=tuple(float(b) for b in raw["beats"]),
            lufs=None if lufs is None else float(lufs),
            clarity=float(raw["clarity"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # damaged: analyse again
