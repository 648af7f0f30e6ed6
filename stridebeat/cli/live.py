"""Live play: ``play`` and ``devices``, and the live loop the plan's commands share."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stridebeat.cli.live_options import Live, live_options
from stridebeat.cli.music import music_options
from stridebeat.cli.options import Sound, session_options, sound_options
from stridebeat.cli.remote import remote_controls, terminal
from stridebeat.cli.terminal import interrupted_exit_code
from stridebeat.music.settings import MusicSettings
from stridebeat.units import format_clock

if TYPE_CHECKING:
    from stridebeat.controls.remote import Remote
    from stridebeat.prepare import Prepared, Request
    from stridebeat.sinks.live import Status, Summary


@click.command()
@session_options
@sound_options
@music_options
@live_options
def play(
    session_file: Path | None,
    spm: float | None,
    ramp: tuple[float, float] | None,
    duration: float | None,
    cues: tuple[str, ...],
    sound: Sound,
    music: MusicSettings,
    live: Live,
) -> None:
    """Play a session live, e.g. into earbuds while you run.

    \b
    Examples:
      stridebeat play --spm 172                      until you press q
      stridebeat play --ramp 165:172 --duration 20m --cues glutes,cadence
      stridebeat play session.toml --start-at 12:30  resume a run part-way
      stridebeat play --spm 170 --duration 30m --music ~/Music/runs

    \b
    Keys (on a terminal): space pause/resume, + and - cadence by 1 spm,
    c cues on/off, s spoken status, q stop. Ctrl-C fades out and stops,
    records the partial run and prints how to resume; so does a service stop
    (SIGTERM, exit 143) or a closed terminal (SIGHUP, exit 129).
    Media keys and earbud buttons work too (MPRIS): Next/Previous +1/-1 spm
    (--next-action block or status changes that). If the earbuds drop out,
    play pauses on the beat and goes on when they are back (--device-wait).
    """
    from stridebeat.prepare import Request

    request = Request(session_file, spm, ramp, duration, cues, open_ended=True, music=music)
    play_live(request, sound, live)


def play_live(
    request: Request,
    sound: Sound,
    live: Live,
    source: str = "play",
    slot: tuple[int, int] | None = None,
) -> None:
    """Play with every control open, then report and record in the history.

    q, MPRIS Stop or a stop button end it normally (exit 0); Ctrl-C records a partial
    session and exits 130 (SIGTERM 143, SIGHUP 129)."""
    with remote_controls(live) as remote:
        try:
            run_live(request, sound, live, remote, source, slot)
        except KeyboardInterrupt as stop:
            sys.exit(interrupted_exit_code(stop))


def run_live(
    request: Request,
    sound: Sound,
    live: Live,
    remote: Remote,
    source: str,
    slot: tuple[int, int] | None = None,
) -> Summary:
    """One session on the output, steered through ``remote`` while it plays; reported and
    recorded when it ends (Ctrl-C, SIGTERM, SIGHUP or an output that did not come back:
    recorded as a partial session, then re-raised)."""
    from stridebeat.prepare import prepare
    from stridebeat.sinks.devices import find_device
    from stridebeat.sinks.live import LivePlayer
    from stridebeat.sinks.output import DeviceLost
    from stridebeat.units import seconds_to_frames

    output = find_device(live.device)
    rate = sound.sample_rate or output.default_rate
    prepared = prepare(request, sound.click, sound.accent, rate, sound.speech)
    renderer = prepared.renderer
    start = 0
    if live.start_at:
        start = seconds_to_frames(live.start_at, rate)
        if start >= renderer.length:
            total = format_clock(renderer.length / rate)
            raise click.BadParameter(f"the session is only {total} long", param_hint="--start-at")
        beats = renderer.timeline.clicks_between(start, renderer.length)
        start = int(beats.positions[0]) if len(beats) else start
    if renderer.music is not None:  # stretch the first piece of music before the sound starts
        import numpy as np

        renderer.render(start, np.zeros((256, renderer.channels), np.float32))
    interactive = terminal()
    player = LivePlayer(
        renderer,
        output,
        start=start,
        blocksize=live.blocksize,
        latency=live.latency,
        cues_for=prepared.cues_for,
        say=prepared.say,
        device_wait=live.device_wait,
        notify=lambda message: click.echo(("\n" if interactive else "") + message),
    )
    show: Callable[[Status], None] = (
        _StatusLine(request.plays_until_stopped) if interactive else _PlainLog(prepared, start)
    )
    click.echo(f"Playing on {output.name} at {rate} Hz.")
    started = datetime.now().astimezone()
    planned = None if request.plays_until_stopped else (renderer.length - start) / rate / 60
    remote.attach(player, prepared.session.title or "stridebeat", request.plays_until_stopped)
    try:  # a remote sees Stopped once the session is recorded
        try:
            summary = player.play(show)
        except (KeyboardInterrupt, DeviceLost):
            # the history first: after SIGHUP the terminal may take no more text
            _remember(player.summary(), started, planned, source, slot)
            with contextlib.suppress(OSError):
                click.echo("")
                _report(player.summary(), interrupted=True)
            raise
        if interactive:
            click.echo("")
        _report(summary, interrupted=False)
        _remember(summary, started, planned, source, slot)
    finally:
        remote.detach()
    return summary


def _remember(
    summary: Summary,
    started: datetime,
    planned_minutes: float | None,
    source: str,
    slot: tuple[int, int] | None,
) -> None:
    """Add the session to the history; a history that cannot be written costs a warning only."""
    from stridebeat.runner.database import HistoryError
    from stridebeat.runner.history import History

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
            f"underruns {status.underruns}   [space +/- c s q]"
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


@click.command()
def devices() -> None:
    """List the sound outputs you can give to 'play --device'."""
    from stridebeat.sinks.devices import output_devices

    found = output_devices()
    if not found:
        click.echo("No sound output device found; 'stridebeat render' makes files instead.")
        return
    for device in found:
        mark = "*" if device.is_default else " "
        click.echo(
            f"{mark} {device.index:>3}  {device.full_name}  "
            f"({device.channels} ch, {device.default_rate} Hz)"
        )
