"""``standby``: wait as a stopped media player; Play starts a session, then it waits again."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stridebeat.cli.live import run_live
from stridebeat.cli.options import (
    EXIT_INTERRUPTED,
    Live,
    Sound,
    live_options,
    session_options,
    sound_options,
)
from stridebeat.cli.remote import remote_controls
from stridebeat.errors import InputError, StridebeatError

if TYPE_CHECKING:
    from stridebeat.prepare import Request
    from stridebeat.training.plan import PlannedSession

WAIT_SECONDS = 0.5  # how often the waiting loop looks up (Ctrl-C gets in between)


@click.command()
@session_options
@sound_options
@live_options
def standby(
    session_file: Path | None,
    spm: float | None,
    ramp: tuple[float, float] | None,
    duration: float | None,
    cues: tuple[str, ...],
    sound: Sound,
    live: Live,
) -> None:
    """Wait for Play (earbuds, media keys, a button, space), play a session, wait again.

    Without a session it plays today's session of your plan; each one is recorded in
    your history as usual. At start it says what Play will play. For a Raspberry Pi in a
    running vest: pair the earbuds, run BlueZ's mpris-proxy, and start this at boot.

    \b
    Examples:
      stridebeat standby                          today's plan session on Play
      stridebeat standby --spm 172 --cues cadence until you press stop
      stridebeat standby --buttons 17:play-pause,27:status
      stridebeat standby --next-action block      Next skips to the next block

    \b
    Play/Pause pauses and resumes, Stop ends the session (recorded) and waits again.
    Keys (on a terminal): space play/pause, + - s c, q stop (waiting: q quits).
    """
    from stridebeat.prepare import Request, requested_session

    given = None
    if session_file is not None or spm is not None or ramp is not None or duration or cues:
        given = Request(session_file, spm, ramp, duration, cues, open_ended=True)
        requested_session(given)  # a bad file or option: said now, not at the first Play
    ready = _ready_line(given)  # no plan: said before anything starts
    wake, leave = threading.Event(), threading.Event()
    with remote_controls(live, start=wake.set, quit=leave.set) as remote:
        _say(ready, sound, live)
        while not leave.is_set():
            try:
                if not wake.wait(WAIT_SECONDS):
                    continue
            except KeyboardInterrupt:
                return
            wake.clear()
            source, slot = "play", None
            if given is None:
                planned = _todays()
                if isinstance(planned, str):
                    _say(planned, sound, live)
                    continue
                click.echo(f"{planned.session.title}, {planned.minutes:.0f} min.")
                request = Request(session=planned.session)
                source, slot = "today", (planned.week, planned.number)
            else:
                request = given
            try:
                run_live(request, sound, live, remote, source, slot)
            except KeyboardInterrupt:
                raise SystemExit(EXIT_INTERRUPTED) from None
            except InputError:
                raise
            except StridebeatError as exc:  # no device now (earbuds off): wait for the next Play
                click.echo(f"Error: {exc}", err=True)
            click.echo("Waiting: press play.")


def _todays() -> PlannedSession | str:
    """Today's plan session, or what to say when there is none to play."""
    from stridebeat.cli.plan import load_plan, local_today
    from stridebeat.training.plan import session_on
    from stridebeat.training.standing import recorded_done

    made = load_plan()
    planned = session_on(made, local_today())
    if planned is None:
        return "Rest day today."
    if recorded_done(made, planned) is not None:
        return "Today's session is done."
    return planned


def _ready_line(given: Request | None) -> str:
    """ "Ready. Today: 33 minutes at 172. Press play." (or what was given)."""
    from stridebeat.prepare import requested_session
    from stridebeat.units import spoken_duration

    if given is not None:
        session = requested_session(given)
        if session is None or given.plays_until_stopped:
            return "Ready. Press play."
        return f"Ready. {spoken_duration(session.duration)}. Press play."
    planned = _todays()
    if isinstance(planned, str):
        return f"Ready. {planned}"
    at = f" at {planned.cadence_spm}" if planned.cadence_spm is not None else ""
    return f"Ready. Today: {spoken_duration(planned.minutes * 60)}{at}. Press play."


def _say(text: str, sound: Sound, live: Live) -> None:
    """Print ``text`` and speak it on the output (nothing spoken with --no-speech or no
    output now: standby waits on all the same)."""
    click.echo(text)
    if not sound.speech.enabled:
        return
    from stridebeat.cues.speech import Speech
    from stridebeat.sinks.devices import find_device, play_wave

    try:
        output = find_device(live.device)
        rate = sound.sample_rate or output.default_rate
        play_wave(Speech(sound.speech).phrase(text, rate), rate, live.device)
    except InputError:
        raise
    except StridebeatError as exc:
        click.echo(f"(not spoken: {exc})", err=True)
