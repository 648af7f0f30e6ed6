"""The ``stridebeat`` command: a thin layer over the library that turns errors into messages.

Heavy modules (numpy, soundfile, sounddevice, pyttsx3) are imported inside the commands, so
``stridebeat --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from stridebeat import __version__
from stridebeat.errors import StridebeatError
from stridebeat.units import MAX_SPM, MIN_SPM, format_clock, parse_duration, parse_ramp, parse_spm

if TYPE_CHECKING:
    from stridebeat.prepare import Prepared, Request, SpeechOptions
    from stridebeat.render import Voice
    from stridebeat.schedule import Cue
    from stridebeat.sinks.live import LivePlayer, Status, Summary

EXIT_INTERRUPTED = 130
FILE_RATE = 44100  # Hz, for files when --sample-rate is not given
SPEECH_ENGINES = ("auto", "espeak-ng", "pyttsx3")


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


def _cue_names(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    return tuple(n.strip() for item in value for n in item.split(",") if n.strip())


def _options(*options: Callable[[Any], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Apply a group of click options shared by several commands."""

    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


_session_options = _options(
    click.argument(
        "session_file",
        required=False,
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="[SESSION.toml]",
    ),
    click.option(
        "--spm",
        callback=_converter(parse_spm),
        metavar="SPM",
        help=f"Constant cadence in steps per minute ({MIN_SPM:g}-{MAX_SPM:g}).",
    ),
    click.option(
        "--ramp",
        callback=_converter(parse_ramp),
        metavar="START:END",
        help="Cadence changing linearly in time over the duration, e.g. 165:175.",
    ),
    click.option(
        "--duration",
        callback=_converter(_positive_duration),
        metavar="TIME",
        help="Length with --spm or --ramp: 45s, 30m, 1h5m, 1:05:00.",
    ),
    click.option(
        "--cues",
        multiple=True,
        callback=_cue_names,
        metavar="NAMES",
        envvar="STRIDEBEAT_CUES",
        help="Spoken cue scripts, e.g. glutes,cadence (see 'stridebeat cues list'). "
        "Scripts with a routine (activation, stance-check) play it first.",
    ),
)

_voice_options = _options(
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
)


_speech_options = _options(
    click.option(
        "--speech-engine",
        type=click.Choice(SPEECH_ENGINES),
        default="auto",
        show_default=True,
        envvar="STRIDEBEAT_SPEECH_ENGINE",
        help="Text-to-speech engine (auto: espeak-ng first on Linux, system voices elsewhere).",
    ),
    click.option(
        "--voice",
        envvar="STRIDEBEAT_VOICE",
        help="Speech voice (see 'stridebeat voices'); default: the engine's English voice.",
    ),
    click.option(
        "--speech-rate",
        type=click.IntRange(80, 450),
        default=175,
        show_default=True,
        envvar="STRIDEBEAT_SPEECH_RATE",
        help="Speaking rate in words per minute.",
    ),
)


def _speech(engine: str, voice: str | None, rate: int, enabled: bool = True) -> SpeechOptions:
    from stridebeat.prepare import SpeechOptions

    return SpeechOptions(enabled, engine, voice, rate)


@dataclass(frozen=True)
class _Sound:
    """The options every command that makes audio shares: clicks and speech."""

    voice: Voice
    accent: int
    sample_rate: int | None
    speech: SpeechOptions


def _sound_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--sound .. --speech-rate and --no-speech, handed to the command as one ``sound``."""

    @click.option(
        "--sample-rate",
        type=click.IntRange(8000, 192000),
        envvar="STRIDEBEAT_SAMPLE_RATE",
        help=f"Output rate in Hz (default: the device's when playing, {FILE_RATE} for files).",
    )
    @_voice_options
    @_speech_options
    @click.option(
        "--no-speech",
        is_flag=True,
        help="Leave the cues out of the audio; they still show on screen and in the lyrics.",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        sound: str,
        accent: int,
        stereo_steps: bool,
        volume: float,
        speech_engine: str,
        voice: str | None,
        speech_rate: int,
        no_speech: bool,
        sample_rate: int | None,
        **kwargs: Any,
    ) -> Any:
        from stridebeat.render import Voice

        chosen = _Sound(
            Voice(sound, volume, stereo_steps),
            accent,
            sample_rate,
            _speech(speech_engine, voice, speech_rate, not no_speech),
        )
        return func(*args, sound=chosen, **kwargs)

    return wrapper


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


@cli.command()
@_session_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write: .wav (16-bit), .flac, .ogg or .mp3.",
)
@_sound_options
@click.option("--no-lyrics", is_flag=True, help="Do not write the .lrc lyrics file.")
def render(
    session_file: Path | None,
    spm: float | None,
    ramp: tuple[float, float] | None,
    duration: float | None,
    cues: tuple[str, ...],
    output: Path,
    sound: _Sound,
    no_lyrics: bool,
) -> None:
    """Render a session to an audio file to carry on a phone.

    \b
    Examples:
      stridebeat render --spm 176 --duration 60m -o run.wav
      stridebeat render --ramp 165:175 --duration 60m -o ramp.wav
      stridebeat render --spm 172 --duration 20m --cues glutes,cadence -o run.mp3
      stridebeat render --cues activation -o warmup.mp3
      stridebeat render examples/session.toml -o session.mp3

    The first click starts at the file's first sample; every click sits at its exact
    position, however long the file. The file appears only when complete. With cues, a
    .lrc lyrics file beside it shows each cue on a phone's music player.
    """
    from stridebeat.prepare import Request

    _render_request(Request(session_file, spm, ramp, duration, cues), sound, output, not no_lyrics)


def _render_request(request: Request, sound: _Sound, output: Path, lyrics: bool) -> Prepared:
    from stridebeat.prepare import prepare
    from stridebeat.sinks.wav import check_target

    check_target(output)
    rate = sound.sample_rate or FILE_RATE
    prepared = prepare(request, sound.voice, sound.accent, rate, sound.speech)
    _render_file(prepared, output, lyrics)
    return prepared


def _render_file(prepared: Prepared, output: Path, lyrics: bool) -> None:
    from stridebeat.render_file import write_rendering

    renderer = prepared.renderer
    with _terminate_as_exit(), _progress(renderer.length, f"Rendering {output.name}") as step:
        write_rendering(prepared, output, lyrics, progress=step)
    if prepared.cues and not prepared.spoken:
        _print_cues(prepared.cues, renderer.timeline.rate)
    if sys.stderr.isatty():
        _summary(prepared, output)


@contextlib.contextmanager
def _progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (stderr); nothing at all when piped."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr, show_eta=True) as bar:
        yield bar.update


def _print_cues(cues: Sequence[Cue], rate: int) -> None:
    for cue in cues:
        click.echo(f"{format_clock(cue.frame / rate):>8}  {cue.text}")


def _summary(prepared: Prepared, output: Path) -> None:
    timeline = prepared.renderer.timeline
    clicks = len(timeline.clicks_between(0, timeline.length))
    layout = "stereo" if prepared.renderer.channels == 2 else "mono"
    cues = f", {len(prepared.cues)} cues" if prepared.cues else ""
    click.echo(
        f"Wrote {output}: {format_clock(timeline.length / timeline.rate)}, {clicks} clicks"
        f"{cues}, {timeline.rate} Hz {layout}.",
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
@_sound_options
def demo(output: Path, no_play: bool, sound: _Sound) -> None:
    """Render a one-minute demo with spoken cues and play it if a sound device exists.

    The demo runs easy at 164 spm, ramps to 172, then holds 172 (the 'demo' cue script).
    """
    from stridebeat.prepare import Request

    accented = sound if sound.accent else dataclasses.replace(sound, accent=4)
    _render_request(Request(cues=("demo",)), accented, output, lyrics=True)
    click.echo(f"Demo written to {output}: easy at 164 spm, a ramp to 172, then 172.")
    if no_play:
        return
    from stridebeat.errors import DeviceError
    from stridebeat.sinks.live import play_file

    try:
        play_file(output)
    except DeviceError as exc:
        reason = str(exc).split(";")[0]  # without the hint to render: that is done already
        click.echo(f"Not playing: {reason}. Play {output} with any audio player or on a phone.")


def _latency(text: str) -> float | str:
    if text in ("low", "high"):
        return text
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a latency: give seconds (0.05) or low or high") from None
    if not 0 < seconds <= 2:
        raise ValueError(f"{text!r}: give a latency above 0 and at most 2 seconds")
    return seconds


def _start_at(text: str) -> float:
    return parse_duration(text)


@dataclass(frozen=True)
class _Live:
    """Where and how to play live: --start-at, --device, --latency, --blocksize."""

    start_at: float | None
    device: str | None
    latency: float | str
    blocksize: int


def _live_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The live-play options, handed to the command as one ``live``."""

    @click.option(
        "--start-at",
        callback=_converter(_start_at),
        metavar="TIME",
        help="Start part-way, e.g. 12:30 to resume an interrupted run (on the next step).",
    )
    @click.option(
        "--device",
        envvar="STRIDEBEAT_DEVICE",
        help="Output device: a number or part of a name from 'stridebeat devices'.",
    )
    @click.option(
        "--latency",
        default="0.05",
        show_default=True,
        envvar="STRIDEBEAT_LATENCY",
        callback=_converter(_latency),
        help="Output latency in seconds, or low/high (0.05 plays smoothly on a Raspberry Pi).",
    )
    @click.option(
        "--blocksize",
        type=click.IntRange(0, 8192),
        default=0,
        show_default=True,
        envvar="STRIDEBEAT_BLOCKSIZE",
        help="Frames per audio callback (0: let the device choose).",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        start_at: float | None,
        device: str | None,
        latency: float | str,
        blocksize: int,
        **kwargs: Any,
    ) -> Any:
        return func(*args, live=_Live(start_at, device, latency, blocksize), **kwargs)

    return wrapper


@cli.command()
@_session_options
@_sound_options
@_live_options
def play(
    session_file: Path | None,
    spm: float | None,
    ramp: tuple[float, float] | None,
    duration: float | None,
    cues: tuple[str, ...],
    sound: _Sound,
    live: _Live,
) -> None:
    """Play a session live, e.g. into earbuds while you run.

    \b
    Examples:
      stridebeat play --spm 172                      until you press q
      stridebeat play --ramp 165:172 --duration 20m --cues glutes,cadence
      stridebeat play session.toml --start-at 12:30  resume a run part-way

    \b
    Keys (on a terminal): space pause/resume, + and - cadence by 1 spm,
    c cues on/off, q quit. Ctrl-C fades out and stops.
    """
    from stridebeat.prepare import Request

    request = Request(session_file, spm, ramp, duration, cues, open_ended=True)
    _play_live(request, sound, live)


def _play_live(
    request: Request,
    sound: _Sound,
    live: _Live,
    source: str = "play",
    slot: tuple[int, int] | None = None,
) -> None:
    """Play, then report and record in the history (Ctrl-C records a partial session)."""
    from stridebeat.prepare import prepare
    from stridebeat.sinks.live import LivePlayer, find_device
    from stridebeat.units import seconds_to_frames

    output = find_device(live.device)
    rate = sound.sample_rate or output.default_rate
    prepared = prepare(request, sound.voice, sound.accent, rate, sound.speech)
    renderer = prepared.renderer
    start = 0
    if live.start_at:
        start = seconds_to_frames(live.start_at, rate)
        if start >= renderer.length:
            total = format_clock(renderer.length / rate)
            raise click.BadParameter(f"the session is only {total} long", param_hint="--start-at")
        beats = renderer.timeline.clicks_between(start, renderer.length)
        start = int(beats.positions[0]) if len(beats) else start
    player = LivePlayer(
        renderer,
        output,
        start=start,
        blocksize=live.blocksize,
        latency=live.latency,
        reschedule=prepared.reschedule,
    )
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    show: Callable[[Status], None] = (
        _StatusLine(request.plays_until_stopped) if interactive else _PlainLog(prepared, start)
    )
    click.echo(f"Playing on {output.name} at {rate} Hz.")
    started = datetime.now().astimezone()
    planned = None if request.plays_until_stopped else (renderer.length - start) / rate / 60
    try:
        if interactive:
            from stridebeat.keys import KeyReader

            with KeyReader(_key_handler(player)):
                summary = player.play(show)
        else:
            summary = player.play(show)
    except KeyboardInterrupt:
        click.echo("")
        _report(player.summary(), interrupted=True)
        _remember(player.summary(), started, planned, source, slot)
        sys.exit(EXIT_INTERRUPTED)
    if interactive:
        click.echo("")
    _report(summary, interrupted=False)
    _remember(summary, started, planned, source, slot)


def _remember(
    summary: Summary,
    started: datetime,
    planned_minutes: float | None,
    source: str,
    slot: tuple[int, int] | None,
) -> None:
    """Add the session to the history; a history that cannot be written costs a warning only."""
    from stridebeat.history import History, HistoryError

    played = summary.seconds_played / 60
    week, number = slot if slot else (None, None)
    try:
        with History() as history:
            history.record_session(
                started=started,
                ended=datetime.now().astimezone(),
                planned_minutes=played if planned_minutes is None else planned_minutes,
                completed_minutes=played,
                cadence_spm=summary.cadence,
                underruns=summary.underruns,
                finished=summary.finished,
                week=week,
                number=number,
                source=source,
            )
    except HistoryError as exc:
        click.echo(f"Warning: this session was not added to your history: {exc}", err=True)


def _key_handler(player: LivePlayer) -> Callable[[str], None]:
    def handle(key: str) -> None:
        if key == " ":
            player.toggle_pause()
        elif key in "+=":
            player.change_cadence(1)
        elif key in "-_":
            player.change_cadence(-1)
        elif key in "cC":
            player.toggle_cues()
        elif key in "qQ":
            import os

            os.kill(os.getpid(), signal.SIGINT)

    return handle


class _StatusLine:
    """One line, rewritten in place: time, cadence, block, next cue, underruns."""

    def __init__(self, endless: bool) -> None:
        self.endless = endless
        self.width = 0

    def __call__(self, status: Status) -> None:
        seconds = status.frame / status.rate
        remaining = (
            "" if self.endless else f" / -{format_clock(status.length / status.rate - seconds)}"
        )
        cadence = f"{status.cadence:.0f} spm" if status.cadence is not None else "no beat"
        cue = "cues off" if status.cues_muted else "no more cues"
        if status.next_cue and not status.cues_muted:
            at, text = status.next_cue
            cue = f"next {format_clock(at / status.rate)} {text[:30]}"
        state = "PAUSED  " if status.paused else ""
        line = (
            f"{state}{format_clock(seconds)}{remaining}  {cadence}  {status.block}  {cue}  "
            f"underruns {status.underruns}   [space +/- c q]"
        )
        click.echo("\r" + line.ljust(self.width), nl=False)
        self.width = len(line)


class _PlainLog:
    """Without a terminal (a Pi started by a service): block changes and cues, one per line."""

    def __init__(self, prepared: Prepared, start: int) -> None:
        self.frame = start
        self.label = ""
        self.cues = list(prepared.cues)

    def __call__(self, status: Status) -> None:
        rate = status.rate
        if status.block != self.label:
            self.label = status.block
            cadence = f" at {status.cadence:.0f} spm" if status.cadence is not None else ""
            click.echo(f"{format_clock(status.frame / rate)}  {status.block}{cadence}")
        for cue in self.cues:
            if self.frame <= cue.frame < status.frame:
                click.echo(f"{format_clock(cue.frame / rate)}  cue: {cue.text}")
        self.frame = status.frame


def _report(summary: Summary, interrupted: bool) -> None:
    cadence = f" at {summary.cadence:.0f} spm" if summary.cadence is not None else ""
    ended = "Stopped" if interrupted or not summary.finished else "Finished"
    click.echo(
        f"{ended} after {format_clock(summary.seconds_played)} "
        f"(at {format_clock(summary.frame / summary.rate)} of the session){cadence}; "
        f"{summary.underruns} underruns."
    )
    if not summary.finished:
        click.echo(f"Resume with --start-at {format_clock(summary.frame / summary.rate)}.")


@cli.command()
def devices() -> None:
    """List the sound outputs you can give to 'play --device'."""
    from stridebeat.sinks.live import output_devices

    found = output_devices()
    if not found:
        click.echo("No sound output device found; 'stridebeat render' makes files instead.")
        return
    for device in found:
        mark = "*" if device.is_default else " "
        click.echo(
            f"{mark} {device.index:>3}  {device.name}  ({device.host_api}, "
            f"{device.channels} ch, {device.default_rate} Hz)"
        )


@cli.command()
def sounds() -> None:
    """List the built-in click sounds (use one with --sound NAME)."""
    from stridebeat.synth import sound_names

    for name in sound_names():
        click.echo(name)


@cli.group()
def cues() -> None:
    """List cue scripts and check your own."""


@cues.command("list")
def cues_list() -> None:
    """List the cue scripts: built-in ones and yours (yours win on a shared name)."""
    from stridebeat.cuescript import load_script, script_paths, user_scripts_dir

    for name, (path, builtin) in sorted(script_paths().items()):
        try:
            description = load_script(path).description
        except StridebeatError as exc:
            description = f"(broken: {exc})"
        origin = "built-in" if builtin else "yours"
        click.echo(f"{name:<14} {origin:<9} {description}")
    click.echo(f"\nYour own scripts go in {user_scripts_dir()} (see cue_scripts/README.md).")


@cues.command("check")
@click.argument("script", metavar="SCRIPT")
@click.option("--spm", callback=_converter(parse_spm), metavar="SPM", help="Cadence to try it on.")
@click.option("--ramp", callback=_converter(parse_ramp), metavar="START:END", help="Or a ramp.")
@click.option(
    "--duration",
    callback=_converter(_positive_duration),
    metavar="TIME",
    help="How long a run to try it on (default 20m at 170 spm for scripts without a routine).",
)
@click.option("--no-speech", is_flag=True, help="Estimate phrase lengths instead of speaking.")
@_speech_options
def cues_check(
    script: str,
    spm: float | None,
    ramp: tuple[float, float] | None,
    duration: float | None,
    no_speech: bool,
    speech_engine: str,
    voice: str | None,
    speech_rate: int,
) -> None:
    """Validate a cue script (a name or a .toml path) and print the cues it would give.

    \b
    Examples:
      stridebeat cues check glutes --spm 172 --duration 20m
      stridebeat cues check ~/my-cues.toml --ramp 165:172 --duration 30m
    """
    from stridebeat.cuescript import find_script, load_script
    from stridebeat.prepare import Request, prepare
    from stridebeat.render import Voice

    path = find_script(script)
    loaded = load_script(path)
    if spm is None and ramp is None and not loaded.routine:
        spm, duration = 170.0, duration or 20 * 60.0
    prepared = prepare(
        Request(None, spm, ramp, duration, (str(path),)),
        Voice(),
        0,
        44100,
        _speech(speech_engine, voice, speech_rate, not no_speech),
    )
    rate = prepared.renderer.timeline.rate
    total = format_clock(prepared.renderer.length / rate)
    click.echo(f"{path}: {len(loaded.rules)} rules, {len(prepared.cues)} cues in {total}")
    for cue in prepared.cues:
        role = "structural" if cue.structural else "form"
        click.echo(f"{format_clock(cue.frame / rate):>8}  {role:<10}  {cue.text}")


@cli.command()
@click.argument("text")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the phrase to this file (.wav, .flac, .ogg, .mp3) instead of playing it.",
)
@click.option("--sample-rate", type=click.IntRange(8000, 192000), default=44100, show_default=True)
@_speech_options
def say(
    text: str,
    output: Path | None,
    sample_rate: int,
    speech_engine: str,
    voice: str | None,
    speech_rate: int,
) -> None:
    """Speak TEXT with the cue voice, to try a voice or a rate.

    \b
    Examples:
      stridebeat say "Push the ground back"
      stridebeat say "Lean from the ankles" --voice en-gb --speech-rate 160 -o lean.wav
    """
    from stridebeat.render import SPEECH_PEAK
    from stridebeat.speech import Speech, SpeechSettings

    if not text.strip():
        raise click.BadParameter("give some words to say", param_hint="TEXT")
    speech = Speech(SpeechSettings(speech_engine, voice, speech_rate))
    wave = SPEECH_PEAK * speech.phrase(text, sample_rate)
    if output is not None:
        from stridebeat.sinks.wav import AudioFileSink, check_target

        check_target(output)
        with AudioFileSink(output, sample_rate, 1) as sink:
            sink.write(wave[:, None])
            sink.commit()
        click.echo(f"Wrote {output} ({len(wave) / sample_rate:.1f} s, {speech.engine_used}).")
        return
    from stridebeat.sinks.live import play_wave

    play_wave(wave, sample_rate)


@cli.command()
@_speech_options
def voices(speech_engine: str, voice: str | None, speech_rate: int) -> None:
    """List the speech voices you can give to --voice."""
    from stridebeat.speech import Speech, SpeechSettings

    found = Speech(SpeechSettings(speech_engine, None, speech_rate)).voices()
    for info in found:
        languages = ",".join(info.languages)
        click.echo(f"{info.engine:<10} {info.id:<28} {info.name:<24} {languages}")


def main() -> None:
    cli(prog_name="stridebeat")


from stridebeat import plan_cli, runner_cli  # noqa: E402, F401  (register their commands)
