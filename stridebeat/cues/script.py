"""Cue scripts: TOML files of rules saying what to say and when (see cue_scripts/README.md).

A script is data: templates are filled by whitelist substitution of ``{name}`` placeholders,
so a script can never run code. Every error names file:line and what to change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stridebeat.engine.session import BLOCK_KINDS, Block, Session, parse_blocks, positive_duration
from stridebeat.errors import FileInputError, InputError
from stridebeat.paths import app_dir, data_dir, user_path
from stridebeat.tomlfile import KeyLines, Table, parse_toml, read_text, text_list
from stridebeat.units import parse_duration

PLACEHOLDERS = ("spm", "next_spm", "change", "block", "elapsed", "remaining", "rep")
EVENTS = ("start", "halfway", "rep")
ROLES = ("form", "structural")
CLICK_SOURCES = ("steady", "ramp", "rhythm", "none")
ORDERS = ("in-order", "shuffle", "rotate")
DEFAULT_MIN_GAP = 20.0
DEFAULT_QUIET_START = 30.0

_TOP_KEYS = ("name", "description", "min_gap", "quiet_start", "order", "seed", "cue", "block")
_CUE_KEYS = (
    "text", "audio", "label", "every", "at", "on", "before_end", "kinds", "blocks", "clicks",
    "role", "lead",
)  # fmt: skip
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class CueRule:
    """One ``[[cue]]``: what to say (phrasings or recordings), when, and in which blocks."""

    script: str
    where: str  # file:line, for messages
    texts: tuple[str, ...]  # templates; for recordings, their labels
    audio: tuple[Path, ...]
    every: float | None = None
    at: tuple[float, ...] = ()
    on: tuple[str, ...] = ()
    before_end: tuple[float, ...] = ()
    kinds: frozenset[str] | None = None
    blocks: frozenset[str] | None = None  # block names, lower case
    clicks: frozenset[str] | None = None
    role: str = "form"
    shuffle: bool = False
    seed: int = 0
    rotate: bool = False  # phrasings take turns through the whole session, from its rotation
    lead: int = 0  # rotate: the first ``lead`` phrasings open every session, in turn

    @property
    def structural(self) -> bool:
        return self.role == "structural"

    @property
    def tells_time(self) -> bool:
        """Said at a set time (halfway, before the end, at a time), so it must not be late."""
        return bool(self.at or self.before_end or "halfway" in self.on)

    def applies_to(self, block: Block) -> bool:
        source = type(block.clicks).__name__.lower() if block.clicks else "none"
        return (
            (self.kinds is None or block.kind in self.kinds)
            and (self.blocks is None or block.name.lower() in self.blocks)
            and (self.clicks is None or source in self.clicks)
        )


@dataclass(frozen=True)
class CueScript:
    name: str
    path: str
    description: str
    rules: tuple[CueRule, ...]
    routine: tuple[Block, ...] = ()  # blocks the script brings (a drill routine, a check)
    min_gap: float = DEFAULT_MIN_GAP  # between form cues, end to start
    quiet_start: float = DEFAULT_QUIET_START  # no form cue this early in a run block


def placeholders(template: str) -> list[str]:
    """The placeholders a template uses; ValueError for an unknown one or a stray brace."""
    names = []
    for match in _PLACEHOLDER.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            raise ValueError(f"stray {token!r} in {template!r}: write {{{{ or }}}} for a brace")
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise ValueError(f"unknown placeholder {{{name}}} in {template!r}; known: {known}")
        names.append(name)
    return names


def fill(template: str, values: dict[str, str]) -> str:
    """Substitute ``{name}`` placeholders from ``values`` (nothing else is evaluated)."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return values[match.group(1)]

    return _PLACEHOLDER.sub(replace, template)


# --- finding scripts ---------------------------------------------------------------------------


def user_scripts_dir() -> Path:
    return app_dir() / "cue_scripts"


def script_paths() -> dict[str, tuple[Path, bool]]:
    """Every script by name -> (path, built in); a user's script overrides a built-in one."""
    found: dict[str, tuple[Path, bool]] = {}
    for folder, builtin in ((data_dir("cue_scripts"), True), (user_scripts_dir(), False)):
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                found[path.stem] = (path, builtin)
    return found


def find_script(name: str) -> Path:
    """A script by name (user folder first, then built-in) or by path (``my/cues.toml``)."""
    if name.endswith(".toml") or "/" in name:
        path = user_path(name)
        if not path.is_file():
            raise InputError(f"no cue script at {path}")
        return path
    scripts = script_paths()
    if name not in scripts:
        raise InputError(
            f"no cue script named {name!r}; available: {', '.join(sorted(scripts))} "
            f"(or a path to a .toml file; your own go in {user_scripts_dir()})"
        )
    return scripts[name][0]


def load_cue_scripts(names: Sequence[str], session: Session | None) -> dict[str, CueScript]:
    """Every cue script that plays with ``session``, by name, each read once: those in
    ``names``, those the session names, and those named by the blocks that play (the
    blocks of the routines those scripts bring, and the session's own blocks)."""
    loaded: dict[str, CueScript] = {}

    def load(wanted: Sequence[str], named_at: str = "") -> list[CueScript]:
        for name in wanted:
            if name not in loaded:
                try:
                    path = find_script(name)
                except InputError as exc:
                    if not named_at:
                        raise
                    raise InputError(f"{named_at}: {exc}") from None
                loaded[name] = load_script(path)
        return [loaded[name] for name in wanted]

    playing = load(names)
    if session is not None:
        playing += load(session.cues, session.cues_at)
    for script in playing:
        for block in script.routine:
            load(block.cues, block.cues_at)
    for block in session.blocks if session is not None else ():
        load(block.cues, block.cues_at)
    return loaded


def named_scripts(loaded: Mapping[str, CueScript], names: Sequence[str]) -> tuple[CueScript, ...]:
    """The scripts called ``names``, each with rules of its own.

    The schedule takes a rule's phrasings in turn, counting per rule; so each place that
    names a script (the command line, the session, one block) starts from its first
    phrasing, as it would with the script read there anew.
    """
    return tuple(
        replace(script, rules=tuple(replace(rule) for rule in script.rules))
        for script in (loaded[name] for name in names)
    )


def load_script(path: Path) -> CueScript:
    return parse_script(read_text(path, "cue script"), str(path), path.stem, path.parent)


# --- parsing -----------------------------------------------------------------------------------


def parse_script(text: str, source: str, default_name: str, base: Path) -> CueScript:
    data = parse_toml(text, source)
    cue_lines = KeyLines(text, "cue")
    top = Table(data, source, cue_lines, None, "")
    top.check_keys(_TOP_KEYS)
    name = top.text("name", default_name)
    order = top.get("order", _choice(ORDERS), 'write order = "shuffle"', "in-order")
    seed = top.get("seed", _int, "write seed = 7", 0)
    min_gap = top.get("min_gap", _span, 'write min_gap = "20s"', DEFAULT_MIN_GAP)
    quiet_start = top.get("quiet_start", _span, 'write quiet_start = "30s"', DEFAULT_QUIET_START)
    raw_cues = data.get("cue", [])
    if not isinstance(raw_cues, list):
        raise top.fail("cue", "write cues as [[cue]] tables")
    routine = parse_blocks(data.get("block"), source, KeyLines(text, "block"))
    if not raw_cues and not routine:
        raise FileInputError(source, None, "the script has no [[cue]]: add at least one")
    context = _Context(name, base, order, seed, min_gap, quiet_start)
    rules = tuple(
        _parse_rule(Table(raw, source, cue_lines, i, f"cue {i + 1}"), context, i)
        for i, raw in enumerate(raw_cues)
    )
    return CueScript(name, source, top.text("description"), rules, routine, min_gap, quiet_start)


@dataclass(frozen=True)
class _Context:
    script: str
    base: Path
    order: str
    seed: int
    min_gap: float
    quiet_start: float


def _parse_rule(table: Table, context: _Context, index: int) -> CueRule:
    if not isinstance(table.data, dict):
        raise table.fail(None, "write each cue as a [[cue]] table")
    table.check_keys(_CUE_KEYS)
    raw = table.data
    if ("text" in raw) == ("audio" in raw):
        raise table.fail(None, 'give either text = "..." or audio = "file.wav" (one of them)')
    when = [k for k in ("every", "at", "on", "before_end") if k in raw]
    if not when:
        raise table.fail(None, 'say when: every = "90s", at = ["0:30"], on = "start" or '
                               'before_end = "10s"')  # fmt: skip
    texts: tuple[str, ...]
    audio: tuple[Path, ...] = ()
    if "text" in raw:
        texts = table.get("text", _templates, 'write text = "..." or a list of phrasings')
    else:
        audio = table.get("audio", _audio_files(context.base), 'write audio = "my-cue.wav"')
        labels = table.get("label", text_list, 'write label = "what the recording says"', None)
        texts = labels or tuple(p.stem.replace("-", " ").replace("_", " ") for p in audio)

    every = table.get("every", _duration, 'write every = "90s"')
    at = table.get("at", _durations, 'write at = ["0:30", "5:00"]', ())
    on = table.get("on", _choices(EVENTS), 'write on = "start"', ())
    before_end = table.get("before_end", _durations, 'write before_end = ["30s", "10s"]', ())
    kinds = table.get("kinds", _choice_set(BLOCK_KINDS), 'write kinds = ["run"]')
    blocks = table.get("blocks", _names, 'write blocks = ["clamshells"]')
    clicks = table.get("clicks", _choice_set(CLICK_SOURCES), 'write clicks = ["ramp"]')
    default_role = "structural" if (on or before_end) and not (every or at) else "form"
    role = table.get("role", _choice(ROLES), 'write role = "structural"', default_role)
    lead = table.get("lead", _int, "write lead = 3", 0)
    if lead and context.order != "rotate":
        raise table.fail("lead", 'lead works with order = "rotate" at the top: add that line')
    if not 0 <= lead <= len(texts):
        raise table.fail(
            "lead", f"lead = {lead}, but the cue has {len(texts)} phrasings: give 0 to {len(texts)}"
        )
    rule = CueRule(
        context.script, table.where(), texts, audio, every,
        at, on, before_end, kinds, blocks, clicks, role, context.order == "shuffle",
        context.seed + index, context.order == "rotate", lead,
    )  # fmt: skip
    _check_fits(rule, table, context)
    return rule


def _check_fits(rule: CueRule, table: Table, context: _Context) -> None:
    """Refuse rules that could never play as written."""
    if rule.structural:
        return
    if rule.every is not None and rule.every < context.min_gap:
        raise table.fail(
            "every",
            f"every {rule.every:g}s is shorter than the {context.min_gap:g}s kept between form "
            f"cues, so this cue can never keep its spacing: use every = "
            f'"{context.min_gap * 2:g}s" or more, lower min_gap, or set role = "structural"',
        )
    only_runs = rule.kinds is not None and rule.kinds <= {"run"}
    early = [t for t in rule.at if t < context.quiet_start]
    if only_runs and early:
        raise table.fail(
            "at",
            f"at {early[0]:g}s falls in the first {context.quiet_start:g}s of a run block, where "
            f'form cues stay quiet: move it later, lower quiet_start, or set role = "structural"',
        )


def _duration(raw: Any) -> float:
    return positive_duration(raw)


def _span(raw: Any) -> float:
    """A duration that may be zero ("0s")."""
    if not isinstance(raw, str):
        raise TypeError
    return parse_duration(raw)


def _templates(raw: Any) -> tuple[str, ...]:
    texts = text_list(raw)
    for template in texts:
        if not template.strip():
            raise ValueError('an empty phrasing says nothing: give it some words, e.g. "Tall hips"')
        placeholders(template)
    return texts


def _durations(raw: Any) -> tuple[float, ...]:
    items = text_list(raw)
    return tuple(parse_duration(item) for item in items)


def _int(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise TypeError
    return raw


def _names(raw: Any) -> frozenset[str]:
    return frozenset(n.lower() for n in text_list(raw))


def _choice(options: tuple[str, ...]) -> Any:
    def parse(raw: Any) -> str:
        if not isinstance(raw, str):
            raise TypeError
        if raw not in options:
            raise ValueError(f"{raw!r} is not one of {', '.join(options)}")
        return raw

    return parse


def _choices(options: tuple[str, ...]) -> Any:
    one = _choice(options)
    return lambda raw: tuple(one(item) for item in text_list(raw))


def _choice_set(options: tuple[str, ...]) -> Any:
    many = _choices(options)
    return lambda raw: frozenset(many(raw))


def _audio_files(base: Path) -> Any:
    def parse(raw: Any) -> tuple[Path, ...]:
        paths = tuple((base / item).resolve() for item in text_list(raw))
        for path in paths:
            try:
                found = path.is_file()
            except OSError as exc:
                raise ValueError(f"cannot use the path {path} ({exc.strerror})") from None
            if not found:
                raise ValueError(f"no recording at {path}: check the path (relative to the script)")
            _check_recording(path)
        return paths

    return parse


def _check_recording(path: Path) -> None:
    """ValueError unless ``path`` is a sound file soundfile can read (its header only)."""
    import soundfile

    try:
        info = soundfile.info(str(path))
    except (RuntimeError, OSError) as exc:
        why = getattr(exc, "error_string", None) or getattr(exc, "strerror", None) or exc
        raise ValueError(
            f"cannot read the recording {path} ({why}): give a WAV, FLAC or OGG file"
        ) from None
    if info.frames <= 0:
        raise ValueError(f"the recording {path} is empty: record the cue again")
