"""The ``stridebeat`` command: a thin layer over the library that turns errors into messages.

Heavy modules (numpy, soundfile, sounddevice) are imported inside the commands, so
``stridebeat --help`` starts fast.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from stridebeat import __version__
from stridebeat.errors import StridebeatError
from stridebeat.units import MAX_SPM, MIN_SPM, format_clock, parse_duration, parse_ramp, parse_spm

if TYPE_CHECKING:
    from stridebeat.render import Renderer
    from stridebeat.session import Session

EXIT_INTERRUPTED = 130


class _BadInput(click.ClickException):
    """Something the user gave is wrong: ``Error: message``, exit code 2."""

    exit_code = 2


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StridebeatError as exc:
            failure = _BadInput if exc.exit_code == 2 else click.ClickException
            raise failure(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("\nStopped.", err=True)
            ctx.exit(EXIT_INTERRUPTED)


def _converter(parse: Callable[[Any], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback that runs a units parser and turns its ValueError into BadParameter."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None

    return callback


def _positive_duration(text: str) -> float:
    seconds = parse_duration(text)
    if seconds <= 0:
        raise ValueError(f"{text!r} is zero: give a duration longer than that, such as 30m")
    return seconds


def _volume(value: float) -> float:
    from stridebeat.units import parse_volume

    return parse_volume(value)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stridebeat")
def cli() -> None:
    """stridebeat: a running-cadence metronome with spoken form cues, offline.

    \b
    Quick start:
      stridebeat demo                                    render and play a short demo
      stridebeat render --spm 172 --duration 30m -o run.wav
      stridebeat render --ramp 165:175 --duration 20m -o ramp.mp3
      stridebeat render my-session.toml -o session.wav

    Cadence is in steps per minute (spm); durations look like 45s, 30m, 1h5m or 1:05:00.
    """


def _voice_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that makes clicks."""
    options = [
        click.option(
            "--sound",
            default="wood",
            show_default=True,
            envvar="STRIDEBEAT_SOUND",
            help="Click sound: wood, beep, tick, bell, or the path of a WAV file.",
        ),
        click.option(
            "--accent",
            type=click.IntRange(0, 64),
            default=0,
            metavar="N",
            help="Accent every Nth step with a higher click (0: off).",
        ),
        click.option(
            "--stereo-steps",
            is_flag=True,
            help="Pan alternate steps left and right (not fully: one earbud still "
            "hears every step). Output becomes stereo.",
        ),
        click.option(
            "--volume",
            type=float,
            default=80.0,
            show_default=True,
            envvar="STRIDEBEAT_VOLUME",
            callback=_converter(_volume),
            help="Click peak level in percent of full scale (0-100).",
        ),
        click.option(
            "--sample-rate",
            type=click.IntRange(8000, 192000),
            default=44100,
            show_default=True,
            envvar="STRIDEBEAT_SAMPLE_RATE",
            help="Output rate in Hz.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command()
@click.argument(
    "session_file",
    required=False,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="[SESSION.toml]",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write: .wav (16-bit), .flac, .ogg or .mp3.",
)
@click.option(
    "--spm",
    callback=_converter(parse_spm),
    metavar="SPM",
    help=f"Constant cadence in steps per minute ({MIN_SPM:g}-{MAX_SPM:g}).",
)
@click.option(
    "--ramp",
    callback=_converter(parse_ramp),
    metavar="START:END",
    help="Cadence rising (or falling) linearly in time over the duration, e.g. 165:175.",
)
@click.option(
    "--duration",
    callback=_converter(_positive_duration),
    metavar="TIME",
    help="Length with --spm or --ramp: 45s, 30m, 1h5m, 1:05:00.",
)
@_voice_options
def render(
    session_file: Path | None,
    output: Path,
    spm: float | None,
    ramp: tuple[float, float] | None,
    duration: float | None,
    sound: str,
    accent: int,
    stereo_steps: bool,
    volume: float,
    sample_rate: int,
) -> None:
    """Render a session to an audio file to carry on a phone.

    \b
    Examples:
      stridebeat render --spm 176 --duration 60m -o run.wav
      stridebeat render --ramp 165:175 --duration 60m -o ramp.wav
      stridebeat render examples/session.toml -o session.mp3

    The first click starts at the file's first sample; every click sits at its exact
    position, however long the file. The file appears only when complete.
    """
    session = _session_from(session_file, spm, ramp, duration)
    from stridebeat.render import Voice

    _render_file(session, output, Voice(sound, volume, stereo_steps), accent, sample_rate)


def _session_from(
    session_file: Path | None,
    spm: float | None,
    ramp: tuple[float, float] | None,
    duration: float | None,
) -> Session:
    from stridebeat.session import load_session, ramp_session, steady_session

    if spm is not None and ramp is not None:
        raise click.UsageError("give either --spm or --ramp, not both")
    if session_file is not None:
        if spm is not None or ramp is not None or duration is not None:
            raise click.UsageError(
                "a session file sets its own cadence and durations: drop --spm, --ramp and "
                "--duration, or drop the file"
            )
        return load_session(session_file)
    if spm is None and ramp is None:
        raise click.UsageError(
            "say what to play: --spm 172, --ramp 165:175, or a SESSION.toml file"
        )
    if duration is None:
        raise click.UsageError("--duration is required with --spm and --ramp, e.g. --duration 30m")
    if ramp is not None:
        return ramp_session(ramp[0], ramp[1], duration)
    assert spm is not None
    return steady_session(spm, duration)


def _render_file(session: Session, output: Path, voice: Any, accent: int, rate: int) -> None:
    from stridebeat.render import Renderer, render_to
    from stridebeat.sinks.wav import AudioFileSink, check_target
    from stridebeat.timeline import Timeline

    check_target(output)
    renderer = Renderer(Timeline(session, rate, accent), voice)
    interactive = sys.stderr.isatty()
    with _terminate_as_exit(), AudioFileSink(output, rate, renderer.channels) as sink:
        if interactive:
            with click.progressbar(
                length=renderer.length,
                label=f"Rendering {output.name}",
                file=sys.stderr,
                show_eta=True,
            ) as bar:
                render_to(sink.write, renderer, bar.update)
        else:
            render_to(sink.write, renderer)
        sink.commit()
    if interactive:
        _summary(renderer, output)


def _summary(renderer: Renderer, output: Path) -> None:
    timeline = renderer.timeline
    clicks = len(timeline.clicks_between(0, timeline.length))
    layout = "stereo" if renderer.channels == 2 else "mono"
    click.echo(
        f"Wrote {output}: {format_clock(timeline.length / timeline.rate)}, {clicks} clicks, "
        f"{timeline.rate} Hz {layout}.",
        err=True,
    )


class _terminate_as_exit:
    """Let SIGTERM unwind like Ctrl-C, so temporary files are removed."""

    def __enter__(self) -> None:
        self._previous = signal.signal(signal.SIGTERM, self._raise)

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGTERM, self._previous)

    @staticmethod
    def _raise(signum: int, frame: object) -> NoReturn:
        raise KeyboardInterrupt


DEMO_SESSION = """\
title = "stridebeat demo"

[[block]]
name = "easy"
duration = "12s"
spm = 164

[[block]]
name = "build"
duration = "12s"
ramp = "164:172"

[[block]]
name = "target"
duration = "12s"
spm = 172
"""


@cli.command()
@click.option(
    "-o",
    "--output",
    default=Path("demo.wav"),
    show_default=True,
    type=click.Path(path_type=Path),
    help="Where to write the demo.",
)
@click.option("--no-play", is_flag=True, help="Only write the file.")
@_voice_options
def demo(
    output: Path,
    no_play: bool,
    sound: str,
    accent: int,
    stereo_steps: bool,
    volume: float,
    sample_rate: int,
) -> None:
    """Render a 36-second demo (steady, ramp, steady) and play it if a sound device exists."""
    from stridebeat.render import Voice
    from stridebeat.session import parse_session

    session = parse_session(DEMO_SESSION, "demo")
    _render_file(session, output, Voice(sound, volume, stereo_steps), accent or 4, sample_rate)
    click.echo(f"Demo written to {output} (164 spm, ramp to 172, then 172).")
    if no_play:
        return
    from stridebeat.errors import DeviceError
    from stridebeat.sinks.live import play_file

    try:
        play_file(output)
    except DeviceError as exc:
        click.echo(
            f"Not playing: {exc}. Play {output} with any audio player, or copy it to a phone."
        )


@cli.command()
def sounds() -> None:
    """List the built-in click sounds (use one with --sound NAME)."""
    from stridebeat.synth import sound_names

    for name in sound_names():
        click.echo(name)


def main() -> None:
    cli(prog_name="stridebeat")
