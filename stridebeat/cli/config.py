"""``stridebeat config``: where the settings file is, and every setting with where it came from."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

import click
from click.core import ParameterSource

from stridebeat.cli.settings import (
    META_KEY,
    CommandPath,
    Settings,
    blame_config,
    command_options,
    leaf_commands,
    load_settings,
    not_a_setting,
)

_NO_DEFAULT = getattr(click.core, "UNSET", None)  # click 8.3+ marks "no default" with it

STARTER = """\
# stridebeat's settings: a default for any long option of any command.
# Keys are the option names (speech_rate or speech-rate). A flag on the command line wins,
# then a STRIDEBEAT_* variable, then this file, then the built-in default.
# 'stridebeat config' shows every value and where it comes from.

# sound = "beep"
# volume = 60
# cues = ["glutes", "cadence"]
# speech_rate = 160
# device = "system, JACK Audio Connection Kit"
# latency = "high"

# A table sets options of one command only, and wins over the lines above:
# [play]
# volume = 40
"""


@click.group(invoke_without_command=True)
@click.pass_context
def config(ctx: click.Context) -> None:
    """Show your settings: the settings file, and each option's value and where it comes from.

    The file is config.toml in the app folder (STRIDEBEAT_HOME, else the platform's config
    folder). It sets a default for any long option; a table such as [play] sets it for one
    command. A flag wins over a STRIDEBEAT_* variable, which wins over the file, which wins
    over the built-in default.

    \b
    Examples:
      stridebeat config               every setting: value, then where it comes from
      stridebeat config path          just the file's path
      stridebeat config edit          open it in $EDITOR (a commented starter if new)

    \b
    A config.toml:
      sound = "beep"
      volume = 60
      cues = ["glutes", "cadence"]
      [play]
      volume = 40
    """
    if ctx.invoked_subcommand is None:
        show_settings(ctx.find_root())


@config.command("path")
@click.pass_context
def config_path(ctx: click.Context) -> None:
    """Print the settings file's path (it may not exist yet).

    \b
    Example:
      cat "$(stridebeat config path)"
    """
    click.echo(str(_settings(ctx).path))


@config.command("edit")
@click.pass_context
def config_edit(ctx: click.Context) -> None:
    """Open the settings file in your editor ($VISUAL or $EDITOR), then check it.

    A missing file starts as a commented example.

    \b
    Example:
      EDITOR=nano stridebeat config edit
    """
    from stridebeat.files import write_text_atomically

    path = _settings(ctx).path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(path, STARTER)
    click.edit(filename=str(path))
    root = ctx.find_root()
    assert isinstance(root.command, click.Group)
    load_settings(root.command)  # a mistake is reported at its line, exit 2
    click.echo(f"{path} is fine.")


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.find_root().meta[META_KEY]
    assert isinstance(settings, Settings)
    return settings


def show_settings(root: click.Context) -> None:
    """Every setting: a line for the value most commands get, a [table] for the others."""
    settings = _settings(root)
    if settings.problem:
        raise settings.problem
    rows: dict[str, dict[CommandPath, tuple[str, str]]] = {}
    assert isinstance(root.command, click.Group)
    for path, command in leaf_commands(root.command):
        ctx = _context(root, path)
        for key, param in command_options(command).items():
            if not_a_setting(path, key):
                continue
            try:
                param.handle_parse_result(ctx, {}, [])  # checks the value as a command would
            except click.BadParameter as exc:
                raise blame_config(exc) or exc from None
            rows.setdefault(key, {})[path] = _shown(ctx, key, param, settings, path)
    state = "" if settings.found else " (there is none yet: create it to set defaults)"
    click.echo(f"# {settings.path}{state}")
    click.echo("# a flag wins, then STRIDEBEAT_* variables, then this file, then the defaults")
    per_command: dict[CommandPath, list[tuple[str, str]]] = {}
    lines = []
    for by_command in rows.values():
        usual = Counter(by_command.values()).most_common(1)[0][0]
        lines.append(usual)
        for path, shown in by_command.items():
            if shown != usual:
                per_command.setdefault(path, []).append(shown)
    _print(lines)
    for path, differing in per_command.items():
        click.echo(f"\n[{'.'.join(path)}]")
        _print(differing)


def _print(lines: list[tuple[str, str]]) -> None:
    width = max((len(text) for text, _ in lines), default=0)
    for text, source in lines:
        click.echo(f"{text.ljust(width)}  # {source}")


def _context(root: click.Context, path: CommandPath) -> click.Context:
    """A context for the command at ``path``, under ``root`` (so it reads the default_map)."""
    ctx = root
    for name in path:
        assert isinstance(ctx.command, click.Group)
        ctx = click.Context(ctx.command.commands[name], info_name=name, parent=ctx)
    return ctx


def _shown(
    ctx: click.Context, key: str, param: click.Option, settings: Settings, path: CommandPath
) -> tuple[str, str]:
    """The value as it was given (a TOML line), and where it came from."""
    source = ctx.get_parameter_source(param.name or "")
    if source is ParameterSource.ENVIRONMENT:
        names = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar or ())
        name = next(n for n in names if os.environ.get(n))
        return f"{key} = {_toml_value(_typed(os.environ[name]))}", f"env {name}"
    origin = settings.origin(path, param.name or "")
    if source is ParameterSource.DEFAULT_MAP and origin is not None:
        return f"{key} = {_toml_value(origin.value)}", origin.where(short=True)
    default = param.get_default(ctx, call=True)
    if default is None or default is _NO_DEFAULT or default == ():
        return f"# {key} is not set", "default"
    return f"{key} = {_toml_value(default)}", "default"


def _typed(text: str) -> Any:
    """A variable's text, shown as a number when it is one."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(str(value))
