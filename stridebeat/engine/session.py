"""Sessions: a list of blocks, each with a kind, a duration and a click source.

A session file is TOML (see ``examples/session.toml``); errors point at file:line and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from stridebeat.errors import FileInputError
from stridebeat.tomlfile import KeyLines, Table, parse_toml, read_text, text_list
from stridebeat.units import parse_duration, parse_ramp, parse_spm, split_names

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


METRONOME_ON = Metronome()
METRONOME_OFF = Metronome(on=0.0, off=0.0)


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    duration: float
    clicks: ClickSource | None
    name: str = ""
    metronome: Metronome = METRONOME_ON
    cues: tuple[str, ...] = ()  # cue scripts for this block, besides the session's

    @property
    def label(self) -> str:
        return self.name or self.kind

    @property
    def cadence_ends(self) -> tuple[float, float] | None:
        """The cadence in spm at the block's start and at its end (the same for a steady
        block), or None for a block without one (a rhythm, or no clicks)."""
        if isinstance(self.clicks, Steady):
            return self.clicks.spm, self.clicks.spm
        if isinstance(self.clicks, Ramp):
            return self.clicks.start_spm, self.clicks.end_spm
        return None


@dataclass(frozen=True)
class Session:
    blocks: tuple[Block, ...]
    title: str = ""
    source: str = field(default="", compare=False)
    cues: tuple[str, ...] = ()  # cue scripts for every block
    rotation: int = 0  # where rotating cue phrasings start (cues/schedule.py); plans number runs

    @property
    def duration(self) -> float:
        return sum(b.duration for b in self.blocks)


def steady_session(spm: float, duration: float) -> Session:
    """One run block at a constant cadence (``render --spm``)."""
    return Session((Block("run", duration, Steady(spm), "Steady run"),), title=f"{spm:g} spm")


def ramp_session(start_spm: float, end_spm: float, duration: float) -> Session:
    """One run block ramping linearly in time (``render --ramp``)."""
    return Session(
        (Block("run", duration, Ramp(start_spm, end_spm), "Cadence build"),),
        title=f"{start_spm:g} to {end_spm:g} spm",
    )


# --- session files -------------------------------------------------------------------------

_TOP_KEYS = ("title", "cues", "rotation", "block")
BLOCK_KEYS = ("kind", "duration", "spm", "ramp", "rhythm", "name", "metronome", "cues")


def load_session(path: str | Path) -> Session:
    """Read a session file; raise ``FileInputError`` with file:line for anything wrong."""
    path = Path(path)
    return parse_session(read_text(path, "session file"), str(path))


def parse_session(text: str, source: str = "<session>") -> Session:
    data = parse_toml(text, source)
    top = Table(data, source, KeyLines(text, "block"), None, "")
    top.check_keys(_TOP_KEYS)
    cues = top.get("cues", script_names, 'write cues = ["glutes", "cadence"]', ())
    blocks = parse_blocks(data.get("block"), source, KeyLines(text, "block"))
    if not blocks:
        raise FileInputError(
            source, None, "the session has no blocks: add at least one [[block]] with a duration"
        )
    rotation = top.get("rotation", _rotation, "write rotation = 3 (a whole number, 0 or more)", 0)
    return Session(blocks, title=top.text("title"), source=source, cues=cues, rotation=rotation)


def _rotation(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise TypeError
    return raw


def parse_blocks(raw_blocks: Any, source: str, lines: KeyLines) -> tuple[Block, ...]:
    """The ``[[block]]`` tables of a session file (or of a cue script's routine)."""
    if raw_blocks is None:
        return ()
    if not isinstance(raw_blocks, list):
        raise FileInputError(source, lines.line(None, "block"), "write blocks as [[block]] tables")
    return tuple(
        _parse_block(Table(raw, source, lines, i, f"block {i + 1}"))
        for i, raw in enumerate(raw_blocks)
    )


def _parse_block(table: Table) -> Block:
    table.check_keys(BLOCK_KEYS)
    raw = table.data
    kind = raw.get("kind", "run")
    if kind not in BLOCK_KINDS:
        import difflib

        close = difflib.get_close_matches(str(kind), BLOCK_KINDS, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(BLOCK_KINDS)}"
        raise table.fail("kind", f"unknown kind {kind!r}; {hint}")
    if "duration" not in raw:
        raise table.fail(None, 'missing duration: add a line such as duration = "10m"')
    duration = table.get("duration", positive_duration, 'write it in quotes, e.g. "10m"')

    sources = [k for k in ("spm", "ramp", "rhythm") if k in raw]
    if len(sources) > 1:
        raise table.fail(sources[1], f"both {sources[0]} and {sources[1]}: keep one")
    clicks: ClickSource | None = None
    if "spm" in raw:
        clicks = Steady(table.get("spm", _spm_value, "give steps per minute, e.g. spm = 172"))
    elif "ramp" in raw:
        clicks = table.get("ramp", _ramp_value, 'write ramp = "165:172"')
    elif "rhythm" in raw:
        clicks = table.get("rhythm", _rhythm_value, 'write rhythm = ["2s", "1s"]')
    elif kind in GRID_KINDS:
        raise table.fail(None, f'a {kind} block needs a cadence: add spm = 172 or ramp = "165:172"')
    metronome = table.get(
        "metronome", parse_metronome, 'write metronome = "on", "off" or "3m/1m"', METRONOME_ON
    )
    cues = table.get("cues", script_names, 'write cues = ["glutes"]', ())
    return Block(kind, duration, clicks, table.text("name"), metronome, cues)


def script_names(raw: Any) -> tuple[str, ...]:
    """Cue script names: a list, or one string with commas (``"glutes,cadence"``)."""
    items = text_list(raw)
    names = split_names(items)
    if not names:
        raise ValueError('no cue script named: give names such as "glutes"')
    return names


def positive_duration(raw: Any) -> float:
    """A duration string that must be longer than zero."""
    if not isinstance(raw, str):
        raise TypeError
    seconds = parse_duration(raw)
    if seconds <= 0:
        raise ValueError(f"{raw!r} is zero: give a duration longer than that")
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
    return Rhythm(tuple(positive_duration(item) for item in raw))


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


# --- writing session files -----------------------------------------------------------------


def session_to_toml(session: Session) -> str:
    """A session file that ``parse_session`` reads back to an equal Session."""
    lines = []
    if session.title:
        lines.append(f"title = {toml_string(session.title)}")
    if session.cues:
        lines.append(f"cues = {_toml_strings(session.cues)}")
    if session.rotation:
        lines.append(f"rotation = {session.rotation}")
    for block in session.blocks:
        lines += ["", "[[block]]", *_block_lines(block)]
    return "\n".join(lines) + "\n"


def _block_lines(block: Block) -> list[str]:
    lines = [f"kind = {toml_string(block.kind)}"]
    if block.name:
        lines.append(f"name = {toml_string(block.name)}")
    lines.append(f"duration = {toml_string(duration_text(block.duration))}")
    if isinstance(block.clicks, Steady):
        lines.append(f"spm = {block.clicks.spm!r}")
    elif isinstance(block.clicks, Ramp):
        lines.append(f"ramp = [{block.clicks.start_spm!r}, {block.clicks.end_spm!r}]")
    elif isinstance(block.clicks, Rhythm):
        lines.append(f"rhythm = {_toml_strings(tuple(map(duration_text, block.clicks.intervals)))}")
    if block.metronome != METRONOME_ON:
        lines.append(f"metronome = {toml_string(metronome_text(block.metronome))}")
    if block.cues:
        lines.append(f"cues = {_toml_strings(block.cues)}")
    return lines


def duration_text(seconds: float) -> str:
    """A duration as a session file writes it: ``7m34s``, ``1h5m``, ``12.5s``.

    ``parse_duration`` reads it back to the same number of seconds.
    """
    if seconds != int(seconds):
        return f"{float(seconds)!r}s" if "e" not in repr(float(seconds)) else f"{seconds:.9f}s"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n]
    return "".join(parts) or "0s"


def metronome_text(metronome: Metronome) -> str:
    """``on``, ``off`` or ``3m/1m``, as ``parse_metronome`` reads it."""
    if metronome.always:
        return "on"
    if metronome.never or metronome.on is None:
        return "off"
    return f"{duration_text(metronome.on)}/{duration_text(metronome.off)}"


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif char == "\t":
            escaped.append(char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _toml_strings(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(map(toml_string, items)) + "]"
