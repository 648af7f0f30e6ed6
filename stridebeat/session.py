"""Sessions: a list of blocks, each with a kind, a duration and a click source.

A session file is TOML (see ``examples/session.toml``); errors point at file:line and key.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from stridebeat.errors import FileInputError
from stridebeat.tomlfile import KeyLines, parse_toml, read_text, unknown_key
from stridebeat.units import parse_duration, parse_ramp, parse_spm

BlockKind = Literal["run", "drill", "strength", "rest", "check"]
BLOCK_KINDS: tuple[str, ...] = get_args(BlockKind)
# Blocks of these kinds share one beat grid with their neighbours of the same kinds.
GRID_KINDS = frozenset({"run", "check"})


@dataclass(frozen=True)
class Steady:
    """A constant cadence."""

    spm: float


@dataclass(frozen=True)
class Ramp:
    """A cadence changing linearly in time from ``start_spm`` to ``end_spm`` over the block."""

    start_spm: float
    end_spm: float


@dataclass(frozen=True)
class Rhythm:
    """A repeating cycle of intervals in seconds (rep tempo: 2 s down, 1 s up -> (2.0, 1.0)).

    A click starts each interval; the first of each cycle is accented.
    """

    intervals: tuple[float, ...]

    @property
    def cycle(self) -> float:
        return sum(self.intervals)


ClickSource = Steady | Ramp | Rhythm


@dataclass(frozen=True)
class Metronome:
    """When clicks are audible: always, never, or ``on`` seconds then ``off`` seconds, repeating.

    The beat grid keeps running while muted, so clicks come back in phase.
    """

    on: float | None = None
    off: float = 0.0

    @property
    def always(self) -> bool:
        return self.on is None and self.off == 0.0

    @property
    def never(self) -> bool:
        return self.on == 0.0

    def describe(self) -> str:
        if self.always:
            return "on"
        if self.never:
            return "off"
        return f"{self.on:g}s on / {self.off:g}s off"


METRONOME_ON = Metronome()
METRONOME_OFF = Metronome(on=0.0, off=0.0)


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    duration: float
    clicks: ClickSource | None
    name: str = ""
    metronome: Metronome = METRONOME_ON

    @property
    def label(self) -> str:
        return self.name or self.kind


@dataclass(frozen=True)
class Session:
    blocks: tuple[Block, ...]
    title: str = ""
    source: str = field(default="", compare=False)

    @property
    def duration(self) -> float:
        return sum(b.duration for b in self.blocks)


def steady_session(spm: float, duration: float) -> Session:
    """One run block at a constant cadence (``render --spm``)."""
    return Session((Block("run", duration, Steady(spm)),), title=f"{spm:g} spm")


def ramp_session(start_spm: float, end_spm: float, duration: float) -> Session:
    """One run block ramping linearly in time (``render --ramp``)."""
    return Session(
        (Block("run", duration, Ramp(start_spm, end_spm)),),
        title=f"{start_spm:g} to {end_spm:g} spm",
    )


# --- session files -------------------------------------------------------------------------

_TOP_KEYS = ("title", "block")
_BLOCK_KEYS = ("kind", "duration", "spm", "ramp", "rhythm", "name", "metronome")
_Fail = Callable[[int | None, str | None, str], FileInputError]


def load_session(path: str | Path) -> Session:
    """Read a session file; raise ``FileInputError`` with file:line for anything wrong."""
    path = Path(path)
    return parse_session(read_text(path, "session file"), str(path))


def parse_session(text: str, source: str = "<session>") -> Session:
    data = parse_toml(text, source)
    lines = KeyLines(text, "block")

    def fail(block: int | None, key: str | None, message: str) -> FileInputError:
        return FileInputError(source, lines.line(block, key), message)

    for key in data:
        if key not in _TOP_KEYS:
            raise fail(None, key, unknown_key(key, _TOP_KEYS))
    title = data.get("title", "")
    if not isinstance(title, str):
        raise fail(None, "title", 'title must be text in quotes, e.g. title = "Easy run"')
    raw_blocks = data.get("block")
    if not raw_blocks:
        raise FileInputError(
            source, None, "the session has no blocks: add at least one [[block]] with a duration"
        )
    if not isinstance(raw_blocks, list):
        raise fail(None, "block", "write blocks as [[block]] tables")
    blocks = tuple(_parse_block(i, raw, fail) for i, raw in enumerate(raw_blocks))
    return Session(blocks, title=title, source=source)


def _parse_block(index: int, raw: Any, fail: _Fail) -> Block:
    number = index + 1
    if not isinstance(raw, dict):
        raise fail(index, None, f"block {number} must be a [[block]] table")
    for key in raw:
        if key not in _BLOCK_KEYS:
            raise fail(index, key, f"block {number}: {unknown_key(key, _BLOCK_KEYS)}")

    def value(key: str, parse: Any, hint: str) -> Any:
        try:
            return parse(raw[key])
        except (ValueError, TypeError, AttributeError) as exc:
            detail = str(exc) if isinstance(exc, ValueError) else hint
            raise fail(index, key, f"block {number}, {key}: {detail}") from None

    kind = raw.get("kind", "run")
    if kind not in BLOCK_KINDS:
        close = difflib.get_close_matches(str(kind), BLOCK_KINDS, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(BLOCK_KINDS)}"
        raise fail(index, "kind", f"block {number}: unknown kind {kind!r}; {hint}")
    if "duration" not in raw:
        raise fail(
            index, None, f'block {number} has no duration: add a line such as duration = "10m"'
        )
    duration = value("duration", _positive_duration, 'write the duration in quotes, e.g. "10m"')

    sources = [k for k in ("spm", "ramp", "rhythm") if k in raw]
    if len(sources) > 1:
        raise fail(
            index, sources[1], f"block {number} has both {sources[0]} and {sources[1]}: keep one"
        )
    clicks: ClickSource | None = None
    if "spm" in raw:
        clicks = Steady(value("spm", _spm_value, "give steps per minute, e.g. spm = 172"))
    elif "ramp" in raw:
        clicks = value("ramp", _ramp_value, 'write ramp = "165:172"')
    elif "rhythm" in raw:
        clicks = value("rhythm", _rhythm_value, 'write rhythm = ["2s", "1s"]')
    elif kind in GRID_KINDS:
        raise fail(
            index,
            None,
            f'block {number} ({kind}) needs a cadence: add spm = 172 or ramp = "165:172"',
        )

    name = raw.get("name", "")
    if not isinstance(name, str):
        raise fail(index, "name", f"block {number}: name must be text in quotes")
    metronome = METRONOME_ON
    if "metronome" in raw:
        metronome = value("metronome", parse_metronome, 'write metronome = "on", "off" or "3m/1m"')
    return Block(kind, duration, clicks, name, metronome)


def _positive_duration(raw: Any) -> float:
    if not isinstance(raw, str):
        raise TypeError
    seconds = parse_duration(raw)
    if seconds <= 0:
        raise ValueError(f"{raw!r} is zero: a block must last longer than that")
    return seconds


def _spm_value(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise TypeError
    return parse_spm(raw)


def _ramp_value(raw: Any) -> Ramp:
    if isinstance(raw, str):
        return Ramp(*parse_ramp(raw))
    if isinstance(raw, list) and len(raw) == 2:
        return Ramp(_spm_value(raw[0]), _spm_value(raw[1]))
    raise TypeError


def _rhythm_value(raw: Any) -> Rhythm:
    if not isinstance(raw, list) or not raw:
        raise TypeError
    return Rhythm(tuple(_positive_duration(item) for item in raw))


def parse_metronome(text: str) -> Metronome:
    """``"on"``, ``"off"`` or ``"ON/OFF"`` durations such as ``"3m/1m"``."""
    cleaned = text.strip().lower()
    if cleaned == "on":
        return METRONOME_ON
    if cleaned == "off":
        return METRONOME_OFF
    parts = cleaned.split("/")
    if len(parts) != 2:
        raise ValueError(f'{text!r} is not a metronome setting: use "on", "off" or "3m/1m"')
    on, off = parse_duration(parts[0]), parse_duration(parts[1])
    if on <= 0 or off <= 0:
        raise ValueError(f'{text!r}: both parts must be longer than zero, e.g. "3m/1m"')
    return Metronome(on=on, off=off)
