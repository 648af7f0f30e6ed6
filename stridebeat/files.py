"""Files that appear whole or not at all: write beside the target, then rename over it.

An interrupted write leaves any older file with that name intact and no partial one. The
temporary file has a short name of its own (``.stridebeat-PID-XXXXXXXX.part``), so a target
name of any legal length works; parts that a killed process left behind (its PID is gone
and the part is untouched for a while) are removed on the next write to that folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Protocol

from stridebeat.errors import InputError, OutputError

PART_PREFIX = ".stridebeat-"
PART_SUFFIX = ".part"
_OURS = re.compile(r"\.stridebeat-(\d+)-[a-z0-9_]{8}\.part")
# the naming before (``.run.wav.XXXXXXXX.part``): only for the files stridebeat writes
_LEGACY = re.compile(r"\..+\.(?i:wav|flac|ogg|mp3|lrc|toml|m3u|json)\.[a-z0-9_]{8}\.part")
STALE_AFTER = 30.0  # seconds a part must be untouched (writers touch theirs constantly)
LEGACY_STALE_AFTER = 3600.0
_swept: set[Path] = set()


def temp_beside(target: Path) -> Path:
    """A new hidden temporary file in the target's folder (so the final rename is atomic)."""
    remove_stale_parts(target.parent)
    try:
        fd, name = tempfile.mkstemp(
            dir=target.parent, prefix=f"{PART_PREFIX}{os.getpid()}-", suffix=PART_SUFFIX
        )
    except OSError as exc:
        raise OutputError(
            f"cannot write in {target.parent}: {exc.strerror}; choose another folder"
        ) from None
    os.close(fd)
    return Path(name)


def remove_stale_parts(folder: Path, now: float | None = None) -> list[str]:
    """Remove temporary parts that interrupted stridebeat writes left in ``folder``.

    Only our own names, only regular files, only when the writing process is gone (or, for
    the older naming without a PID, untouched for an hour); once per folder per process.
    Returns the names removed.
    """
    key = Path(os.path.abspath(folder))
    if now is None and key in _swept:
        return []
    _swept.add(key)
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if _is_stale(entry, now):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed


def remove_parts_of(folder: Path, pids: Collection[int]) -> None:
    """Remove the parts that the processes ``pids``, which have ended, left in ``folder``."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            ours = _OURS.fullmatch(entry.name)
            if ours and int(ours.group(1)) in pids and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _is_stale(entry: os.DirEntry[str], now: float) -> bool:
    ours = _OURS.fullmatch(entry.name)
    if ours is None and not _LEGACY.fullmatch(entry.name):
        return False
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    age = now - info.st_mtime
    if ours is None:
        return age > LEGACY_STALE_AFTER
    return age > STALE_AFTER and not _alive(int(ours.group(1)))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process (or we cannot tell): leave its part alone
    return True


class Digest(Protocol):
    """A hashlib object, as far as feeding it goes."""

    def update(self, data: bytes, /) -> None: ...


def digest_file(digest: Digest, path: Path) -> None:
    """Feed a file's bytes to ``digest`` in 1 MiB pieces (a long track never sits in memory)."""
    with path.open("rb") as file:
        while piece := file.read(1 << 20):
            digest.update(piece)


def publish(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the permissions a plain open() would, then rename it over ``target``."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


def write_text_atomically(target: Path, text: str) -> None:
    """Write a small text file (e.g. lyrics) so that it appears whole or not at all."""
    write_bytes_atomically(target, text.encode("utf-8"))


def write_bytes_atomically(target: Path, data: bytes) -> None:
    """Write a small file (a watch workout) so that it appears whole or not at all."""
    tmp = temp_beside(target)
    try:
        tmp.write_bytes(data)
        publish(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError(f"writing {target} failed: {exc.strerror}") from None


def check_output(target: Path, keep: Mapping[Path, str], option: str | None = "-o") -> None:
    """Refuse (exit 2) an output that cannot be named so, or that is a file to keep.

    ``keep`` maps each file the command reads or must never replace (the plan, the history,
    its own inputs) to what it is; a match is found through symlinks and hard links too.
    ``option`` is what named the output (None: a name the command made, in a folder given).
    """
    name = os.fsencode(target.name)
    limit = _name_max(target.parent)
    if len(name) > limit:
        raise InputError(
            f"cannot write {target}: its name is {len(name)} bytes and this folder allows at "
            f"most {limit}; "
            + (f"give {option} a shorter name" if option else "choose another folder")
        )
    for path, what in keep.items():
        if _same_file(target, path):
            raise InputError(
                f"cannot write {target}: it is {what} ({path}), which would be lost; "
                + (f"give {option} another name" if option else "choose another folder")
            )


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder if folder.is_dir() else ".", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        pass  # one of them does not exist (yet): compare where they would be
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return os.path.abspath(a) == os.path.abspath(b)
