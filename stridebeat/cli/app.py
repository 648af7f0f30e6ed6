"""The ``stridebeat`` command group: the commands, and errors turned into exit codes.

Every command module imports heavy libraries (numpy, soundfile, sounddevice) inside its
commands, so ``stridebeat --help`` starts fast.
"""

from __future__ import annotations

from typing import Any

import click

from stridebeat import __version__
from stridebeat.cli import config, files, live, plan, runner, standby
from stridebeat.cli.completion import completion
from stridebeat.cli.options import EXIT_INTERRUPTED
from stridebeat.cli.settings import META_KEY, blame_config, load_settings
from stridebeat.errors import StridebeatError


class _BadInput(click.ClickException):
    """Something the user gave is wrong: ``Error: message``, exit code 2."""

    exit_code = 2


class _Group(click.Group):
    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if not ctx.resilient_parsing:  # running a command, not completing one
            # config.toml becomes the commands' default_map; 'config' and 'completion' still
            # run with a broken file ('config path' and 'config edit' help to mend it)
            settings = load_settings(self, broken_ok=command in (config.config, completion))
            ctx.meta[META_KEY] = settings
            ctx.default_map = settings.default_map
        return name, command, rest

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.BadParameter as exc:
            blamed = blame_config(exc)
            if blamed is None:
                raise
            raise _BadInput(str(blamed)) from None
        except StridebeatError as exc:
            failure = _BadInput if exc.exit_code == 2 else click.ClickException
            raise failure(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("\nStopped.", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stridebeat")
def cli() -> None:
    """stridebeat: a running-cadence metronome with spoken form cues, offline.

    \b
    Quick start:
      stridebeat demo                                     render and play a 1-minute demo
      stridebeat render --spm 172 --duration 30m -o run.wav
      stridebeat render --ramp 165:175 --duration 20m --cues glutes,cadence -o ramp.mp3
      stridebeat render --cues activation -o warmup.mp3   the pre-run glute drills
      stridebeat render my-session.toml -o session.wav

    Cadence is in steps per minute (spm); durations look like 45s, 30m, 1h5m or 1:05:00.
    """


for _command in (
    files.render,
    files.demo,
    live.play,
    live.devices,
    files.sounds,
    files.cues,
    files.say,
    files.voices,
    plan.plan,
    plan.today,
    plan.session,
    standby.standby,
    runner.baseline,
    runner.done,
    runner.check,
    runner.log_command,
    config.config,
    completion,
):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="stridebeat")
