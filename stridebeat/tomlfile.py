"""Reading user-edited TOML files (sessions, cue scripts) with messages that say file:line.

Every file a user names (a session, a cue script, an activity, a sound, the plan) is read
through ``regular_file`` or ``read_bytes``: regular files only, never a pipe or a device such
as /dev/zero (reading those can block or never end), and never more than a size cap.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stridebeat.errors import FileInputError

_ERROR_AT = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")
_TABLE = re.compile(r"^\s*\[")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")


MAX_TEXT_BYTES = 2**20  # a session, cue script or plan is a few kB; 1 MiB is none of them


def read_text(path: Path, what: str, limit: int = MAX_TEXT_BYTES) -> str:
    """A user's file as text, or a FileInputError saying why it cannot be read."""
    try:
        return read_bytes(path, what, limit).decode("utf-8")
    except UnicodeDecodeError:
        raise FileInputError(str(path), None, f"the {what} is not UTF-8 text") from None


def read_bytes(path: Path, what: str, limit: int) -> bytes:
    """A user's regular file, whole, if it has at most ``limit`` bytes; else FileInputError.

    The file is opened without blocking and checked before anything is read, so a FIFO or
    a device is refused at once; at most ``limit + 1`` bytes are ever read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _unreadable(path, what, exc) from None
    try:
        info = os.fstat(fd)
        _check_regular(path, what, info)
        if info.st_size > limit:
            raise _too_big(path, what, byte_size(info.st_size), limit)
        with os.fdopen(os.dup(fd), "rb") as file:
            data = file.read(limit + 1)
    except OSError as exc:
        raise _unreadable(path, what, exc) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise _too_big(path, what, f"more than {byte_size(limit)}", limit)
    return data


def _too_big(path: Path, what: str, size: str, limit: int) -> FileInputError:
    return FileInputError(
        str(path), None, f"is {size}; a {what} is at most {byte_size(limit)}, so this is not one"
    )


def regular_file(path: Path, what: str) -> int:
    """The size of a user's file, after checking it is a regular file (FileInputError if not).

    For readers that open the path themselves (e.g. libsndfile)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise _unreadable(path, what, exc) from None
    _check_regular(path, what, info)
    return info.st_size


def _check_regular(path: Path, what: str, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise FileInputError(str(path), None, f"this is a folder; give the {what}'s path")
    if not stat.S_ISREG(info.st_mode):
        kind = "a pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise FileInputError(
            str(path),
            None,
            f"this is {kind}, not a file; save the {what} to a file and give its path",
        )


def _unreadable(path: Path, what: str, exc: OSError) -> FileInputError:
    if isinstance(exc, FileNotFoundError):
        return FileInputError(str(path), None, f"no such {what}")
    if isinstance(exc, IsADirectoryError):
        return FileInputError(str(path), None, f"this is a folder; give the {what}'s path")
    return FileInputError(str(path), None, f"cannot read the {what} ({exc.strerror or exc})")


def byte_size(count: int) -> str:
    """``1 MiB``, ``4.5 GiB``, ``700 bytes``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML; a syntax error becomes a FileInputError at its line."""
    import tomllib

    try:
        return tomllib.loads(text)
    except RecursionError:
        raise FileInputError(
            source,
            nesting_line(text, MAX_NESTING) or 1,
            "arrays or inline tables nested too deep to read: keep them to a few levels",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        found = _ERROR_AT.search(str(exc))
        if found and found.group(1):
            line: int | None = int(found.group(1))
        else:
            line = max(len(text.splitlines()), 1) if found else None
        message = _ERROR_AT.sub("", str(exc))
        raise FileInputError(source, line, f"not valid TOML: {message}") from None


MAX_NESTING = 32  # a file too deep to read is blamed on the line where nesting passes this


def nesting_line(text: str, limit: int) -> int | None:
    """The line where brackets and braces outside strings and comments first nest deeper than
    ``limit``, or None. A rough reading of TOML, only to say where a value is too deep."""
    depth, line, quote, i = 0, 1, "", 0
    while i < len(text):
        char = text[i]
        if char == "\n":
            line += 1
        if quote:
            if text.startswith(quote, i):
                i += len(quote)
                quote = ""
                continue
            if char == "\\" and quote[0] == '"':
                i += 1
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, i) else char
            i += len(quote)
            continue
        elif char == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


def unknown_key(key: str, known: tuple[str, ...]) -> str:
    """``unknown key 'duraton'; did you mean 'duration'?``"""
    import difflib

    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
    return f"unknown key {key!r}; {hint}"


class KeyLines:
    """Where each key sits: top-level keys, and keys of each ``[[table]]`` entry in order."""

    def __init__(self, text: str, table: str) -> None:
        header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
        self.top: dict[str, int] = {}
        self.headers: list[int] = []
        self.entries: list[dict[str, int]] = []
        current = self.top
        for number, line in enumerate(text.splitlines(), start=1):
            if header.match(line):
                self.headers.append(number)
                current = {}
                self.entries.append(current)
            elif _TABLE.match(line):
                current = {}
            elif key := _KEY.match(line):
                current.setdefault(key.group(1).strip('"'), number)

    def line(self, entry: int | None, key: str | None = None) -> int | None:
        """The line of ``key`` in ``entry`` (None: top level); else the entry's header line."""
        if entry is None:
            return self.top.get(key) if key else None
        if entry >= len(self.entries):
            return None
        if key is None:
            return self.headers[entry]
        return self.entries[entry].get(key, self.headers[entry])


class Table:
    """One table of a user's TOML file (the top level or one ``[[entry]]``), read key by key.

    Each value goes through a parser; a ValueError becomes "file:line: <label>, key: message",
    any other failure the given hint.
    """

    def __init__(
        self, data: dict[str, Any], source: str, lines: KeyLines, index: int | None, label: str
    ) -> None:
        self.data = data
        self.source = source
        self.lines = lines
        self.index = index
        self.label = label

    def fail(self, key: str | None, message: str) -> FileInputError:
        prefix = f"{self.label}: " if self.label else ""
        return FileInputError(self.source, self.lines.line(self.index, key), prefix + message)

    def where(self, key: str | None = None) -> str:
        line = self.lines.line(self.index, key)
        return f"{self.source}:{line}" if line else self.source

    def check_keys(self, known: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in known:
                raise self.fail(key, unknown_key(key, known))

    def get(self, key: str, parse: Callable[[Any], Any], hint: str, default: Any = None) -> Any:
        if key not in self.data:
            return default
        try:
            return parse(self.data[key])
        except ValueError as exc:
            raise self.fail(key, f"{key}: {exc}") from None
        except (TypeError, AttributeError):
            raise self.fail(key, f"{key}: {hint}") from None

    def text(self, key: str, default: str = "") -> str:
        return str(
            self.get(key, _text, f'{key} must be text in quotes, e.g. {key} = "..."', default)
        )


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError
    return raw


def text_list(raw: Any) -> tuple[str, ...]:
    """A string or a non-empty list of strings, as a tuple."""
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise TypeError
    return tuple(items)
