"""``config.toml`` in the app folder: a default for any long option of any command.

The keys are the commands' long option names (``speech_rate`` or ``speech-rate``), read from
the commands themselves, so an option added to a command is a key at once. A top-level key
applies to every command with that option; a table (``[play]``, ``[plan.export]``) to one
command or group, and wins over the top level. The values become click's ``default_map``, so
click keeps the order (a flag, then a ``STRIDEBEAT_*`` variable, then the file, then the
built-in default) and every value goes through the option's own type, range and callback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from stridebeat.errors import FileInputError, StridebeatError
from stridebeat.paths import app_file
from stridebeat.tomlfile import parse_toml, read_text, unknown_key

CONFIG_NAME = "config.toml"
META_KEY = "stridebeat.settings"

# Options that say what one run does, not how stridebeat should behave every time.
NOT_SETTINGS: dict[str, str] = {
    "output": "names the one file a command writes: give -o each time",
    "fit": "names the one watch file a command writes: give --fit each time",
    "save": "saves one result: give --save each time",
    "force": "replaces your plan: give --force each time you mean it",
    "json": "changes what a command prints for programs: give --json each time",
    "start_at": "is where one run resumes: give --start-at each time",
    "on": "is the day of one run: give --on each time",
    "start": "is the first day of one plan: give --start to 'plan init'",
    "baseline": "is a cadence you measured: give it to 'plan init' each time",
    "tap": "starts a tap test: give --tap each time",
    "count": "is a count you measured: give it to 'check' each time",
    "stance": "is what you saw in one stance check: give it to 'check' each time",
    "pain": "is what you felt on one day: give it to 'check' each time",
    "where": "is what you felt on one day: give it to 'check' each time",
}
# The same, for an option name that is a setting in other commands.
NOT_SETTINGS_IN: dict[tuple[str, str], str] = {
    ("baseline", "spm"): "is a cadence you measured: give --spm to 'baseline' each time",
}

CommandPath = tuple[str, ...]


def option_key(param: click.Parameter) -> str | None:
    """The config key of an option: its long name with underscores; None for arguments."""
    if not isinstance(param, click.Option) or param.hidden or not param.expose_value:
        return None
    long = next((opt for opt in param.opts if opt.startswith("--")), None)
    return long[2:].replace("-", "_") if long else None


def not_a_setting(path: CommandPath, key: str) -> str | None:
    """Why ``key`` cannot come from config.toml for the command at ``path`` (None: it can)."""
    return NOT_SETTINGS.get(key) or NOT_SETTINGS_IN.get((" ".join(path), key))


def leaf_commands(
    command: click.Command, path: CommandPath = ()
) -> Iterator[tuple[CommandPath, click.Command]]:
    """Every command that runs (not a group) under ``command``, with its path of names."""
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from leaf_commands(sub, (*path, name))
    else:
        yield path, command


def command_options(command: click.Command) -> dict[str, click.Option]:
    """A command's options by config key."""
    found: dict[str, click.Option] = {}
    for param in command.params:
        key = option_key(param)
        if key is not None and isinstance(param, click.Option) and param.name != "help":
            found[key] = param
    return found


@dataclass(frozen=True)
class Origin:
    """Where a value in config.toml is: its key as written, its line, its value."""

    path: Path
    line: int | None
    key: str
    value: Any

    def where(self, short: bool = False) -> str:
        name = CONFIG_NAME if short else str(self.path)
        return f"{name}:{self.line}" if self.line else name


@dataclass
class Settings:
    """config.toml, read and checked: the default_map and where each value came from."""

    path: Path
    found: bool = False
    problem: StridebeatError | None = None  # why the file could not be used
    default_map: dict[str, Any] = field(default_factory=dict)
    # (command path, parameter name) -> origin, with the depth of the table it came from
    origins: dict[tuple[CommandPath, str], tuple[int, Origin]] = field(default_factory=dict)

    def origin(self, path: CommandPath, name: str) -> Origin | None:
        found = self.origins.get((path, name))
        return found[1] if found else None

    def _set(self, path: CommandPath, param: click.Option, depth: int, origin: Origin) -> None:
        name = param.name or ""
        earlier = self.origins.get((path, name))
        if earlier is not None and earlier[0] > depth:
            return  # a command's own table wins over the tables above it
        self.origins[(path, name)] = (depth, origin)
        table = self.default_map
        for part in path:
            table = table.setdefault(part, {})
        table[name] = click_value(param, origin)


def config_path() -> Path:
    return app_file(CONFIG_NAME, "the settings file", "stridebeat config edit")


def load_settings(root: click.Group, broken_ok: bool = False) -> Settings:
    """config.toml checked against ``root``'s commands; an empty one when there is none.

    A mistake in it is raised, or with ``broken_ok`` kept as the settings' ``problem``."""
    path = config_path()
    settings = Settings(path)
    if not path.exists():
        return settings
    settings.found = True
    try:
        text = read_text(path, "settings file")
        _Reader(settings, _key_lines(text)).table(parse_toml(text, str(path)), root, ())
    except StridebeatError as exc:
        if not broken_ok:
            raise
        return Settings(path, found=True, problem=exc)
    return settings


class _Reader:
    def __init__(self, settings: Settings, lines: dict[tuple[str, ...], int]) -> None:
        self.settings = settings
        self.lines = lines

    def line(self, where: tuple[str, ...]) -> int | None:
        for end in range(len(where), 0, -1):  # the key's line, else its table's
            if line := self.lines.get(where[:end]):
                return line
        return None

    def fail(self, where: tuple[str, ...], message: str) -> FileInputError:
        return FileInputError(str(self.settings.path), self.line(where), message)

    def table(self, data: dict[str, Any], command: click.Command, path: CommandPath) -> None:
        leaves = list(leaf_commands(command, path))
        by_key: dict[str, list[tuple[CommandPath, click.Option]]] = {}
        for leaf_path, leaf in leaves:
            for key, param in command_options(leaf).items():
                by_key.setdefault(key, []).append((leaf_path, param))
        subcommands = command.commands if isinstance(command, click.Group) else {}
        for written, value in data.items():
            where = (*path, written)
            if isinstance(value, dict) and written in subcommands:
                self.table(value, subcommands[written], where)
                continue
            key = written.replace("-", "_")
            if written in subcommands and key not in by_key:
                table = ".".join((*path, written))
                raise self.fail(where, f"{written!r} is a command: set its options in [{table}]")
            if key not in by_key:
                known = tuple(sorted({*by_key, *subcommands}))
                hint = unknown_key(written, known) if known else f"unknown key {written!r}"
                if not known:
                    hint += f": 'stridebeat {' '.join(path)}' has no options to set"
                raise self.fail(where, f"{_label(path)}{hint}")
            targets = [(p, o) for p, o in by_key[key] if not not_a_setting(p, key)]
            if not targets:
                reason = not_a_setting(by_key[key][0][0], key)
                raise self.fail(where, f"{written!r} cannot be set in {CONFIG_NAME}: it {reason}")
            origin = Origin(self.settings.path, self.line(where), written, value)
            for leaf_path, param in targets:
                problem = _toml_type_problem(param, value)
                if problem:
                    raise self.fail(where, f"{written} {problem}")
                self.settings._set(leaf_path, param, len(path), origin)


def _label(path: CommandPath) -> str:
    return f"[{'.'.join(path)}]: " if path else ""


def _toml_type_problem(param: click.Option, value: Any) -> str | None:
    """What is wrong with a TOML value's kind for this option (its text is checked by click)."""
    if isinstance(value, dict):
        return "is a table; give a value, e.g. " + example(param)
    if param.is_flag and not param.multiple:
        return None if isinstance(value, bool) else "is on or off: write true or false"
    if isinstance(value, bool):
        return "is not on or off: give a value, e.g. " + example(param)
    if isinstance(value, list):
        if not param.multiple:
            return "takes one value, not a list: e.g. " + example(param)
        if any(isinstance(item, (list, dict, bool)) for item in value):
            return 'takes names: give text or a list of texts, e.g. ["glutes", "cadence"]'
    return None


def example(param: click.Option) -> str:
    key = option_key(param)
    if param.multiple:
        return f'{key} = ["..."]'
    if isinstance(param.type, click.Choice):
        return f'{key} = "{param.type.choices[0]}"'
    if isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType)):
        return f"{key} = 1"
    return f'{key} = "..."'


def click_value(param: click.Option, origin: Origin) -> Any:
    """A TOML value as click takes it: text, as if typed, so the option's converter runs."""
    value = origin.value
    if param.is_flag and not param.multiple:
        return value
    if param.multiple:
        return tuple(str(item) for item in (value if isinstance(value, list) else [value]))
    return str(value)


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_PART = r"""(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each table header and key, by its full dotted path."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            table = _dotted(header.group(1))
            lines.setdefault(table, number)
        elif key := _KEY.match(line):
            lines.setdefault((*table, *_dotted(key.group(1))), number)
    return lines


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


def blame_config(exc: click.BadParameter) -> FileInputError | None:
    """A bad value that came from config.toml, at its line with the option's own message."""
    ctx, param = exc.ctx, exc.param
    if ctx is None or param is None or not param.name:
        return None
    if ctx.get_parameter_source(param.name) is not ParameterSource.DEFAULT_MAP:
        return None
    settings = ctx.find_root().meta.get(META_KEY)
    origin = settings.origin(command_path(ctx), param.name) if settings else None
    if origin is None:
        return None
    return FileInputError(str(origin.path), origin.line, f"{origin.key}: {exc.message}")


def command_path(ctx: click.Context) -> CommandPath:
    """The names of the commands from the top one down to ``ctx``'s."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return tuple(reversed(names))
