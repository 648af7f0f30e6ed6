"""Where stridebeat's files are: the shipped data folders and the user's app folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from stridebeat.errors import InputError, StridebeatError

DataFolder = Literal["sounds", "cue_scripts"]


def data_dir(name: DataFolder) -> Path:
    """A shipped data folder: inside the installed package, or at the top of a checkout."""
    package = Path(__file__).resolve().parent
    for folder in (package / name, package.parent / name):  # installed; an editable checkout
        if folder.is_dir():
            return folder
    import importlib.resources  # an unusual install (a zip): ask the import system

    packaged = Path(str(importlib.resources.files("stridebeat") / name))
    if packaged.is_dir():
        return packaged
    raise StridebeatError(
        f"stridebeat's {name}/ folder is missing from this installation; reinstall stridebeat"
    )


def user_path(given: str) -> Path:
    """A path the user typed, with ``~`` and ``~user`` expanded where they name a home.

    ``Path.expanduser`` raises on a ``~name`` with no such user; such a path is kept as
    typed, so the caller reports it as missing like any other.
    """
    return Path(os.path.expanduser(given))


def app_dir() -> Path:
    """The user's stridebeat folder: ``STRIDEBEAT_HOME``, else the platform's config folder.

    That folder is the one stridebeat 0.1 used (click's app folder: ``~/.config/stridebeat``
    on Linux, ``~/Library/Application Support/stridebeat`` on macOS, ``%APPDATA%\\stridebeat``
    on Windows), so an existing plan, history and speech cache stay where they are.
    """
    home = os.environ.get("STRIDEBEAT_HOME")
    if home:
        folder = user_path(home)
        if _not_a_folder(folder):
            raise InputError(
                f"STRIDEBEAT_HOME is {folder}, which is a file, not a folder: set it to a "
                "folder (stridebeat makes it if it is missing), or unset it"
            )
        return folder
    import platformdirs

    folder = Path(platformdirs.user_config_dir("stridebeat", appauthor=False, roaming=True))
    if _not_a_folder(folder):
        raise StridebeatError(
            f"stridebeat's folder {folder} is a file, not a folder: move that file away, or "
            "set STRIDEBEAT_HOME to a folder"
        )
    return folder


def voices_dir() -> Path:
    """Where the runner puts Piper voices (``NAME.onnx`` with ``NAME.onnx.json``)."""
    return app_dir() / "voices"


def app_file(name: str, what: str, remedy: str) -> Path:
    """``name`` in the app folder; an error when something other than a file has that name
    (``what`` it should be, the command that makes a new one)."""
    path = app_dir() / name
    if path.exists() and not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file"
        raise StridebeatError(
            f"{path} is {kind}, not {what}: stridebeat cannot read or replace it. Move it "
            f"away (rename it), then run '{remedy}'"
        )
    return path


def _not_a_folder(path: Path) -> bool:
    """True when ``path`` (or a folder on the way to it) is something other than a folder."""
    for part in (path, *path.parents):
        try:
            if part.exists():
                return not part.is_dir()
        except OSError:
            return False  # unreadable or too long: the command that uses it says why
    return False
