"""Checked phrases on disk, so the same text, voice, rate and engine give the same samples.

A phrase is stored under a hash of (format, engine, voice, rate, text) as a float WAV whose
comment holds a checksum of its samples, so a truncated or damaged file is a miss. Files are
written atomically, so several renders can share the folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from pathlib import Path

import numpy as np

from stridebeat.cues.speech_check import Audio
from stridebeat.engine.synth import Wave
from stridebeat.errors import OutputError
from stridebeat.files import publish, temp_beside
from stridebeat.paths import app_dir

_CACHE_FORMAT = 1  # part of every cache key: bump it when what is stored changes

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """The speech cache in the app folder."""
    return app_dir() / "cache" / "speech"


def phrase_path(folder: Path, engine: str, voice: str, rate_wpm: int, text: str) -> Path:
    """Where ``folder`` keeps ``text`` as ``engine`` says it with ``voice`` at ``rate_wpm``."""
    key = [_CACHE_FORMAT, engine, voice, rate_wpm, text]
    name = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()
    return folder / f"{name}.wav"


def _stamp(samples: Wave, rate: int) -> str:
    """The checksum a cache file carries, so a truncated or damaged one is a miss."""
    digest = hashlib.sha256(f"{rate}:".encode())
    digest.update(np.ascontiguousarray(samples, dtype="<f4").tobytes())
    return digest.hexdigest()


def load_phrase(path: Path) -> Audio | None:
    """A cached phrase, or None when there is none or it is damaged."""
    import soundfile as sf

    if not path.is_file():
        return None
    try:
        with sf.SoundFile(str(path)) as f:
            stamp, rate, channels = f.comment, int(f.samplerate), f.channels
            samples = f.read(dtype="float32")
    except (RuntimeError, ValueError, TypeError, OSError):
        return None
    if channels != 1 or stamp != _stamp(samples, rate):
        return None
    return Audio(samples, rate)


def store_phrase(path: Path, audio: Audio) -> None:
    """Cache a phrase atomically; a cache that cannot be written only costs time."""
    import soundfile as sf

    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_beside(path)
        with sf.SoundFile(
            str(tmp), "w", samplerate=audio.rate, channels=1, format="WAV", subtype="FLOAT"
        ) as f:
            f.comment = _stamp(audio.samples, audio.rate)  # set before writing: goes in the header
            f.write(audio.samples)
        publish(tmp, path)
    except (OutputError, RuntimeError, ValueError, OSError) as exc:
        log.warning("cannot cache a spoken phrase in %s: %s", path.parent, exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
