"""Files that appear whole or not at all: write beside the target, then rename over it.

An interrupted write leaves any older file with that name intact and no partial one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from stridebeat.errors import OutputError


def temp_beside(target: Path) -> Path:
    """A new hidden temporary file in the target's folder (so the final rename is atomic)."""
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError(
            f"cannot write in {target.parent}: {exc.strerror}; choose another folder with -o"
        ) from None
    os.close(fd)
    return Path(name)


def publish(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the permissions a plain open() would, then rename it over ``target``."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


def write_text_atomically(target: Path, text: str) -> None:
    """Write a small text file (e.g. lyrics) so that it appears whole or not at all."""
    tmp = temp_beside(target)
    try:
        tmp.write_text(text, encoding="utf-8")
        publish(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError(f"writing {target} failed: {exc.strerror}") from None
