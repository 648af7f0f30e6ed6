"""Commands that make files or inspect what goes into them: render, demo, sounds, cues, say,
voices."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stridebeat.cli.music import music_options
from stridebeat.cli.options import (
    FILE_RATE,
    MAX_FILE_SECONDS,
    Sound,
    duration_callback,
    ramp_callback,
    session_options,
    sound_options,
    speech_options,
    spm_callback,
)
from stridebeat.cli.terminal import print_cues, progress, terminate_as_exit
from stridebeat.cues.settings import SpeechSettings
from stridebeat.errors import InputError, StridebeatError
from stridebeat.music.settings import MusicSettings
from stridebeat.units import format_clock

if TYPE_CHECKING:
    from stridebeat.prepare import Prepared, Request


@click.command()
@session_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write: .wav (16-bit), .flac, .ogg or .mp3.",
)
@sound_options
@music_options
@click.option("--no-lyrics", is_flag=True, help="No lyrics: no .lrc file, none in the tags.")
def render(
    session_file: Path | None,
    spm: float | None,
    ramp: tuple[float, float] | None,
    duration: float | None,
    cues: tuple[str, ...],
    output: Path,
    sound: Sound,
    music: MusicSettings,
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
      stridebeat render --spm 172 --duration 30m --music ~/Music/runs -o run.mp3

    The first click starts at the file's first sample; every click sits at its exact
    position, however long the file. The file appears only when complete. With cues, a
    .lrc lyrics file beside it shows each cue on a phone's music player. An .mp3, .flac or
    .ogg also carries a title and a chapter per block.
    """
    from stridebeat.prepare import Request

    request = Request(session_file, spm, ramp, duration, cues, music=music)
    render_request(request, sound, output, not no_lyrics)


def files_to_keep(inputs: Mapping[Path, str] | None = None) -> dict[Path, str]:
    """What no output may replace: the plan, the history, and the command's own ``inputs``."""
    from stridebeat.runner.database import history_path
    from stridebeat.training.planfile import plan_path

    keep: dict[Path, str] = {}
    for where, what in ((plan_path, "your plan"), (history_path, "your history")):
        try:
            keep[where()] = what
        except StridebeatError:
            continue  # no usable app folder: nothing of it to overwrite
    keep.update(inputs or {})
    return keep


def request_inputs(request: Request, sound: Sound) -> dict[Path, str]:
    """The files a render reads: the session file, a --sound WAV, cue scripts given as paths."""
    found: dict[Path, str] = {}
    if request.session_file is not None:
        found[request.session_file] = "the session file"
    click_path = Path(sound.click.sound)
    if click_path.is_file():
        found[click_path] = "the click sound given to --sound"
    if request.music is not None and request.music.source and request.music.source.is_file():
        found[request.music.source] = "the music given to --music"
    for name in request.cues:
        if Path(name).is_file():
            found[Path(name)] = "a cue script given to --cues"
    return found


def check_audio_output(output: Path, keep: Mapping[Path, str], lyrics: bool) -> None:
    """Refuse, before any work, an audio target (and its .lrc) that cannot or must not be
    written."""
    from stridebeat.cues.lyrics import lrc_path
    from stridebeat.files import check_output
    from stridebeat.sinks.file import check_target

    check_output(output, keep)
    check_target(output)
    if lyrics:
        check_output(lrc_path(output), keep)


def render_request(
    request: Request, sound: Sound, output: Path, lyrics: bool, title: str = "", album: str = ""
) -> Prepared:
    """Prepare ``request`` and render it to ``output``, with a progress bar on a terminal;
    tagged (but a WAV) with ``title`` (default: the session's) and ``album``."""
    from stridebeat.export import RENDER_ALBUM, file_tags, write_rendering
    from stridebeat.prepare import prepare, requested_session
    from stridebeat.sinks.file import check_room

    check_audio_output(output, files_to_keep(request_inputs(request, sound)), lyrics)
    wanted = requested_session(request)  # its length, before any cue is placed
    if wanted is not None:
        _check_file_length(wanted.duration)
    rate = sound.sample_rate or FILE_RATE
    prepared = prepare(request, sound.click, sound.accent, rate, sound.speech)
    renderer = prepared.renderer
    _check_file_length(renderer.length / rate)
    check_room(output, rate, renderer.channels, renderer.length / rate)
    with terminate_as_exit(), progress(renderer.length, f"Rendering {output.name}") as step:
        tags = file_tags(output, title or prepared.session.title, album or RENDER_ALBUM)
        write_rendering(prepared, output, lyrics, tags, step)
    if prepared.cues and not prepared.spoken:
        print_cues(prepared.cues, renderer.timeline.rate)
    if sys.stderr.isatty():
        _summary(prepared, output)
    return prepared


def _check_file_length(seconds: float) -> None:
    if seconds > MAX_FILE_SECONDS:
        raise InputError(
            f"this session lasts {format_clock(seconds)}; a rendered file is at most "
            f"{MAX_FILE_SECONDS / 3600:g} hours: shorten it, or play it live with 'stridebeat play'"
        )


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


@click.command()
@click.option(
    "-o",
    "--output",
    default=Path("demo.wav"),
    show_default=True,
    type=click.Path(path_type=Path),
    help="Where to write the demo.",
)
@click.option("--no-play", is_flag=True, help="Only write the file.")
@sound_options
def demo(output: Path, no_play: bool, sound: Sound) -> None:
    """Render a one-minute demo with spoken cues and play it if a sound device exists.

    The demo runs easy at 164 spm, ramps to 172, then holds 172 (the 'demo' cue script).
    """
    from stridebeat.prepare import Request

    accented = sound if sound.accent else dataclasses.replace(sound, accent=4)
    render_request(Request(cues=("demo",)), accented, output, lyrics=True)
    click.echo(f"Demo written to {output}: easy at 164 spm, a ramp to 172, then 172.")
    if no_play:
        return
    from stridebeat.errors import DeviceError
    from stridebeat.sinks.devices import play_file

    try:
        play_file(output)
    except DeviceError as exc:
        reason = str(exc).split(";")[0]  # without the hint to render: that is done already
        click.echo(f"Not playing: {reason}. Play {output} with any audio player or on a phone.")


@click.command()
def sounds() -> None:
    """List the built-in click sounds (use one with --sound NAME)."""
    from stridebeat.engine.synth import sound_names

    for name in sound_names():
        click.echo(name)


@click.group()
def cues() -> None:
    """List cue scripts and check your own."""


@cues.command("list")
def cues_list() -> None:
    """List the cue scripts: built-in ones and yours (yours win on a shared name)."""
    from stridebeat.cues.script import load_script, script_paths, user_scripts_dir

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
@click.option("--spm", callback=spm_callback, metavar="SPM", help="Cadence to try it on.")
@click.option("--ramp", callback=ramp_callback, metavar="START:END", help="Or a ramp.")
@click.option(
    "--duration",
    callback=duration_callback,
    metavar="TIME",
    help="How long a run to try it on (default 20m at 170 spm for scripts without a routine).",
)
@click.option("--no-speech", is_flag=True, help="Estimate phrase lengths instead of speaking.")
@speech_options
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
    from stridebeat.cues.script import find_script, load_script
    from stridebeat.engine.render import ClickSound
    from stridebeat.prepare import Request, prepare

    path = find_script(script)
    loaded = load_script(path)
    if spm is None and ramp is None and not loaded.routine:
        spm, duration = 170.0, duration or 20 * 60.0
    prepared = prepare(
        Request(None, spm, ramp, duration, (str(path),)),
        ClickSound(),
        0,
        FILE_RATE,
        SpeechSettings(speech_engine, voice, speech_rate, enabled=not no_speech),
    )
    rate = prepared.renderer.timeline.rate
    total = format_clock(prepared.renderer.length / rate)
    click.echo(f"{path}: {len(loaded.rules)} rules, {len(prepared.cues)} cues in {total}")
    for cue in prepared.cues:
        role = "structural" if cue.structural else "form"
        click.echo(f"{format_clock(cue.frame / rate):>8}  {role:<10}  {cue.text}")


@click.command()
@click.argument("text")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the phrase to this file (.wav, .flac, .ogg, .mp3) instead of playing it.",
)
@click.option(
    "--sample-rate", type=click.IntRange(8000, 192000), default=FILE_RATE, show_default=True
)
@speech_options
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
    from stridebeat.cues.speech import Speech
    from stridebeat.engine.render import SPEECH_PEAK

    if not text.strip():
        raise click.BadParameter("give some words to say", param_hint="TEXT")
    spoken = Speech(SpeechSettings(speech_engine, voice, speech_rate))
    wave = SPEECH_PEAK * spoken.phrase(text, sample_rate)
    if output is not None:
        from stridebeat.sinks.file import AudioFileSink

        check_audio_output(output, files_to_keep(), lyrics=False)
        with AudioFileSink(output, sample_rate, 1) as sink:
            sink.write(wave[:, None])
            sink.commit()
        click.echo(f"Wrote {output} ({len(wave) / sample_rate:.1f} s, {spoken.engine_used}).")
        return
    from stridebeat.sinks.devices import play_wave

    play_wave(wave, sample_rate)


@click.command()
@speech_options
def voices(speech_engine: str, voice: str | None, speech_rate: int) -> None:
    """List the speech voices you can give to --voice, with their languages.

    Piper voices are the NAME.onnx files (each with its NAME.onnx.json beside it) in the
    voices/ folder of stridebeat's app folder; they speak with --speech-engine piper.

    \b
    Examples:
      stridebeat voices
      stridebeat voices --speech-engine piper
      stridebeat say "Push the ground back" --speech-engine piper --voice en_US-joe-medium
    """
    from stridebeat.cues.speech import Speech
    from stridebeat.cues.speech_piper import PiperEngine
    from stridebeat.paths import voices_dir

    found = []
    if speech_engine != "piper":
        found = Speech(SpeechSettings(speech_engine, None, speech_rate)).voices()
    notes = []
    if speech_engine in ("auto", "piper"):
        piper = PiperEngine()
        listed = piper.voices()
        found += listed
        if listed and piper.problem() is not None:
            notes.append(
                f"The Piper voices need piper-tts ({piper.problem()}): "
                "install stridebeat[piper] (pip install 'stridebeat[piper]')."
            )
        elif not listed and speech_engine == "piper":
            notes.append(f"No Piper voices in {voices_dir()}: {piper.voice_advice()}.")
    for info in found:
        languages = ",".join(info.languages)
        click.echo(f"{info.engine:<10} {info.id:<28} {info.name:<24} {languages}")
    for note in notes:
        click.echo(note, err=True)
