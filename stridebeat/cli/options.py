"""Option groups and converters shared by the commands.

Ranges and choices come from the library's constants, so the CLI and the library agree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from stridebeat.cli.completion import cue_names, sound_names
from stridebeat.cli.sources import device_callback, gives_way, not_typed
from stridebeat.controls.remote import NEXT_ACTIONS
from stridebeat.cues.settings import ENGINES, RATE_RANGE, SpeechSettings
from stridebeat.units import (
    LONGEST_SESSION_SECONDS,
    MAX_SPM,
    MIN_SPM,
    parse_duration,
    parse_ramp,
    parse_spm,
    split_names,
)

if TYPE_CHECKING:
    from stridebeat.engine.render import ClickSound

EXIT_INTERRUPTED = 130
FILE_RATE = 44100  # Hz, for files when --sample-rate is not given
MAX_DURATION_S = LONGEST_SESSION_SECONDS  # as long as play's "until stopped"
MAX_FILE_SECONDS = 12 * 3600.0  # a rendered file: longer than any run, and a few GB at most


def converter(parse: Callable[[Any], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback that runs a units parser and turns its ValueError into BadParameter."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None

    return callback


class EnvOption(click.Option):
    """An option that may come from an environment variable: a bad value from there is
    reported under the variable's name, since the user never typed the option."""

    def process_value(self, ctx: click.Context, value: Any) -> Any:
        try:
            return super().process_value(ctx, value)
        except click.BadParameter as exc:
            raise from_environment(ctx, self, exc) from None


def from_environment(
    ctx: click.Context, param: click.Parameter, exc: click.BadParameter
) -> click.BadParameter:
    """``exc``, naming the environment variable when the option's value came from one."""
    source = ctx.get_parameter_source(param.name or "")
    envvar = param.resolve_envvar_value(ctx) if isinstance(param, click.Option) else None
    if source is not click.core.ParameterSource.ENVIRONMENT or envvar is None:
        return exc
    names = param.envvar if isinstance(param.envvar, str) else " or ".join(param.envvar or ())
    hint = f"{names} (for {param.get_error_hint(ctx)})"
    return click.BadParameter(
        f"{exc.message.rstrip('.')}. The value {envvar!r} comes from the environment: fix "
        f"{names} or unset it",
        ctx=ctx,
        param_hint=hint,
    )


def env_option(*decls: str, **attrs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``click.option`` for an option that also reads an environment variable."""
    return click.option(*decls, cls=EnvOption, **attrs)


def positive_duration(text: str) -> float:
    seconds = parse_duration(text)
    if seconds <= 0:
        raise ValueError(f"{text!r} is zero: give a duration longer than that, such as 30m")
    if seconds > MAX_DURATION_S:
        raise ValueError(
            f"{text!r} is longer than {MAX_DURATION_S / 3600:g}h: give at most "
            f"{MAX_DURATION_S / 3600:g}h ({MAX_FILE_SECONDS / 3600:g}h for a file)"
        )
    return seconds


def _volume(value: float) -> float:
    from stridebeat.units import parse_volume

    return parse_volume(value)


def _cue_names(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    names = split_names(value)
    if not_typed(ctx, param):
        # Checked here so that a bad name is blamed on the variable or file, not on --cues.
        from stridebeat.cues.script import find_script
        from stridebeat.errors import InputError

        for name in names:
            try:
                find_script(name)
            except InputError as exc:
                raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return names


def _sound(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not_typed(ctx, param):
        # Loaded here once so that a bad sound is blamed on the variable or file, not --sound.
        from stridebeat.engine.synth import load_sound
        from stridebeat.errors import SoundError

        try:
            load_sound(value, FILE_RATE)
        except SoundError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return value


def options(*given: Callable[[Any], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Apply a group of click options shared by several commands."""

    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(given):
            func = option(func)
        return func

    return apply


spm_callback = gives_way(converter(parse_spm), "session_file", "ramp")
ramp_callback = gives_way(converter(parse_ramp), "session_file", "spm")
duration_callback = gives_way(converter(positive_duration), "session_file", needs=("spm", "ramp"))

session_options = options(
    click.argument(
        "session_file",
        required=False,
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="[SESSION.toml]",
    ),
    click.option(
        "--spm",
        callback=spm_callback,
        metavar="SPM",
        help=f"Constant cadence in steps per minute ({MIN_SPM:g}-{MAX_SPM:g}).",
    ),
    click.option(
        "--ramp",
        callback=ramp_callback,
        metavar="START:END",
        help="Cadence changing linearly in time over the duration, e.g. 165:175.",
    ),
    click.option(
        "--duration",
        callback=duration_callback,
        metavar="TIME",
        help="Length with --spm or --ramp: 45s, 30m, 1h5m, 1:05:00 (at most "
        f"{MAX_DURATION_S / 3600:g}h; {MAX_FILE_SECONDS / 3600:g}h for a file).",
    ),
    env_option(
        "--cues",
        multiple=True,
        callback=_cue_names,
        shell_complete=cue_names,
        metavar="NAMES",
        envvar="STRIDEBEAT_CUES",
        help="Spoken cue scripts, e.g. glutes,cadence (see 'stridebeat cues list'). "
        "Scripts with a routine (activation, stance-check) play it first.",
    ),
)

_voice_options = options(
    env_option(
        "--sound",
        default="wood",
        show_default=True,
        envvar="STRIDEBEAT_SOUND",
        callback=_sound,
        shell_complete=sound_names,
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
    env_option(
        "--volume",
        type=float,
        default=80.0,
        show_default=True,
        envvar="STRIDEBEAT_VOLUME",
        callback=converter(_volume),
        help="Click peak level in percent of full scale (0-100).",
    ),
)


speech_options = options(
    env_option(
        "--speech-engine",
        type=click.Choice(ENGINES),
        default=SpeechSettings.engine,
        show_default=True,
        envvar="STRIDEBEAT_SPEECH_ENGINE",
        help="Text-to-speech engine (auto: espeak-ng first on Linux, system voices elsewhere; "
        "piper: a Piper neural voice, with stridebeat[piper]).",
    ),
    env_option(
        "--voice",
        envvar="STRIDEBEAT_VOICE",
        help="Speech voice (see 'stridebeat voices'); default: the engine's English voice. "
        "For piper: a voice's .onnx file, or its name in the app folder's voices/.",
    ),
    env_option(
        "--speech-rate",
        type=click.IntRange(*RATE_RANGE),
        default=SpeechSettings.rate_wpm,
        show_default=True,
        envvar="STRIDEBEAT_SPEECH_RATE",
        help="Speaking rate in words per minute.",
    ),
)


@dataclass(frozen=True)
class Sound:
    """The options every command that makes audio shares: clicks and speech."""

    click: ClickSound
    accent: int
    sample_rate: int | None
    speech: SpeechSettings


def sound_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--sound .. --speech-rate and --no-speech, handed to the command as one ``sound``."""

    @env_option(
        "--sample-rate",
        type=click.IntRange(8000, 192000),
        envvar="STRIDEBEAT_SAMPLE_RATE",
        help=f"Output rate in Hz (default: the device's when playing, {FILE_RATE} for files).",
    )
    @_voice_options
    @speech_options
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
        from stridebeat.engine.render import ClickSound

        chosen = Sound(
            ClickSound(sound, volume, stereo_steps),
            accent,
            sample_rate,
            SpeechSettings(speech_engine, voice, speech_rate, enabled=not no_speech),
        )
        return func(*args, sound=chosen, **kwargs)

    return wrapper


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


def _buttons(text: str) -> dict[int, str]:
    from stridebeat.controls.buttons import parse_buttons

    return parse_buttons(text)


@dataclass(frozen=True)
class Live:
    """Where and how to play live: --start-at, --device, --latency, --blocksize; and what
    steers it: --next-action, --buttons."""

    start_at: float | None
    device: str | None
    latency: float | str
    blocksize: int
    next_action: str = "spm"
    buttons: dict[int, str] | None = None


def live_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The live-play options, handed to the command as one ``live``."""

    @click.option(
        "--start-at",
        callback=converter(parse_duration),
        metavar="TIME",
        help="Start part-way, e.g. 12:30 to resume an interrupted run (on the next step).",
    )
    @env_option(
        "--device",
        envvar="STRIDEBEAT_DEVICE",
        callback=device_callback,
        help="Output device from 'stridebeat devices': its number, its \"name, host API\", "
        "or words of those in order (as sounddevice matches them).",
    )
    @env_option(
        "--latency",
        default="0.05",
        show_default=True,
        envvar="STRIDEBEAT_LATENCY",
        callback=converter(_latency),
        help="Output latency in seconds, or low/high (0.05 plays smoothly on a Raspberry Pi).",
    )
    @env_option(
        "--blocksize",
        type=click.IntRange(0, 8192),
        default=0,
        show_default=True,
        envvar="STRIDEBEAT_BLOCKSIZE",
        help="Frames per audio callback (0: let the device choose).",
    )
    @env_option(
        "--next-action",
        type=click.Choice(NEXT_ACTIONS),
        default="spm",
        show_default=True,
        envvar="STRIDEBEAT_NEXT_ACTION",
        help="What a media Next/Previous press does: +1/-1 spm, skip to the next block, or "
        "speak the status.",
    )
    @env_option(
        "--buttons",
        callback=converter(_buttons),
        metavar="PIN:ACTION,...",
        envvar="STRIDEBEAT_BUTTONS",
        help="Raspberry Pi GPIO buttons (BCM pins, to ground), e.g. 17:play-pause,27:faster,"
        "22:slower,23:status (also stop, next-block, cues). Needs stridebeat[pi].",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        start_at: float | None,
        device: str | None,
        latency: float | str,
        blocksize: int,
        next_action: str,
        buttons: dict[int, str] | None,
        **kwargs: Any,
    ) -> Any:
        live = Live(start_at, device, latency, blocksize, next_action, buttons)
        return func(*args, live=live, **kwargs)

    return wrapper
