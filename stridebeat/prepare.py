"""From what the runner asked for to a ready renderer: session, cue scripts, speech, schedule.

``render`` and ``play`` both start here, so a file and the live stream are the same samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stridebeat.cues.settings import SpeechSettings
from stridebeat.engine.render import ClickSound, Renderer, SpokenCue
from stridebeat.engine.session import Session
from stridebeat.engine.synth import Wave
from stridebeat.errors import InputError
from stridebeat.music.settings import MusicSettings
from stridebeat.units import LONGEST_SESSION_SECONDS

if TYPE_CHECKING:
    from stridebeat.cues.schedule import Cue
    from stridebeat.cues.speech import Speech
    from stridebeat.engine.timeline import Timeline


@dataclass(frozen=True)
class Request:
    """What to play: a session file, or a steady or ramped cadence for a duration; cue scripts."""

    session_file: Path | None = None
    spm: float | None = None
    ramp: tuple[float, float] | None = None
    duration: float | None = None
    cues: tuple[str, ...] = ()
    open_ended: bool = False  # --spm without --duration plays until stopped (live only)
    session: Session | None = None  # a session already in hand (a plan's), instead of a file
    music: MusicSettings | None = None  # the runner's tracks under the click

    @property
    def plays_until_stopped(self) -> bool:
        return self.open_ended and self.spm is not None and self.duration is None


OPEN_ENDED_SECONDS = LONGEST_SESSION_SECONDS  # "until stopped"


@dataclass(frozen=True)
class Prepared:
    session: Session
    renderer: Renderer
    cues: tuple[Cue, ...]
    spoken: bool  # whether the cues are in the audio (False with --no-speech)
    # given the renderer after a live cadence change, its cues placed and spoken afresh;
    # None without cues (handed to the live player, which knows nothing of cue scripts)
    cues_for: Callable[[Renderer], list[SpokenCue]] | None = None
    # a phrase asked for while playing (the spoken status), spoken at the output rate;
    # None with --no-speech
    say: Callable[[str], Wave | None] | None = None


def requested_session(request: Request) -> Session | None:
    """The session the options describe, or None when only cue scripts were named."""
    from stridebeat.engine.session import load_session, ramp_session, steady_session

    if request.session is not None:
        return request.session
    if request.spm is not None and request.ramp is not None:
        raise InputError("give either --spm or --ramp, not both")
    if request.session_file is not None:
        if request.spm is not None or request.ramp is not None or request.duration is not None:
            raise InputError(
                "a session file sets its own cadence and durations: drop --spm, --ramp and "
                "--duration, or drop the file"
            )
        return load_session(request.session_file)
    if request.spm is None and request.ramp is None:
        if request.duration is not None:
            raise InputError("--duration needs --spm or --ramp, e.g. --spm 172 --duration 30m")
        return None
    if request.plays_until_stopped:
        assert request.spm is not None
        return steady_session(request.spm, OPEN_ENDED_SECONDS)
    if request.duration is None:
        wanted = "--ramp needs --duration" if request.ramp else "--duration is required with --spm"
        raise InputError(f"{wanted}, e.g. --duration 30m")
    if request.ramp is not None:
        return ramp_session(*request.ramp, request.duration)
    assert request.spm is not None
    return steady_session(request.spm, request.duration)


def prepare(
    request: Request, click: ClickSound, accent: int, rate: int, speech: SpeechSettings
) -> Prepared:
    from stridebeat.engine.timeline import Timeline

    wanted = requested_session(request)
    say = _sayer(speech, rate)
    if wanted is not None and not _names_cues(request, wanted):
        timeline = Timeline(wanted, rate, accent)
        return Prepared(wanted, _renderer(request, timeline, click), (), False, say=say)

    # only sessions with cues need the cue machinery (and its import time)
    from stridebeat.cues.audio import CueSounds
    from stridebeat.cues.schedule import assemble, schedule_cues
    from stridebeat.cues.script import load_cue_scripts, named_scripts

    scripts = load_cue_scripts(request.cues, wanted)  # each file read once, here
    given = named_scripts(scripts, request.cues)
    session, block_scripts = assemble(wanted, given, scripts)
    timeline = Timeline(session, rate, accent)
    if not any(block_scripts):
        return Prepared(session, _renderer(request, timeline, click), (), False, say=say)

    sounds = CueSounds(rate, _speech(speech), speech.rate_wpm)
    open_end = request.plays_until_stopped
    cues = schedule_cues(timeline, block_scripts, sounds.measure, open_end)
    renderer = _renderer(request, timeline, click, sounds.spoken(cues))

    def cues_for(changed: Renderer) -> list[SpokenCue]:
        placed = schedule_cues(changed.timeline, block_scripts, sounds.measure, open_end)
        return sounds.spoken(placed)

    def say_with_cues(text: str) -> Wave | None:
        return sounds.wave(text, None)  # the cues' speech and cache

    return Prepared(
        session, renderer, cues, speech.enabled, cues_for, say_with_cues if say else None
    )


def _renderer(
    request: Request, timeline: Timeline, click: ClickSound, cues: Sequence[SpokenCue] = ()
) -> Renderer:
    """The renderer, with the runner's music stretched onto the timeline's steps if asked."""
    music = request.music
    source = None if music is None else music.source
    if music is None or source is None:
        return Renderer(timeline, click, cues)
    from stridebeat.music.setup import music_bed

    bed = music_bed(source, timeline, music.volume, music.match)
    return Renderer(timeline, click, cues, bed)


def _names_cues(request: Request, session: Session) -> bool:
    return bool(request.cues or session.cues or any(b.cues for b in session.blocks))


def _sayer(settings: SpeechSettings, rate: int) -> Callable[[str], Wave | None] | None:
    """Speaks a phrase asked for while playing; its engine starts at the first phrase."""
    if not settings.enabled:
        return None
    engines: list[Speech] = []

    def say(text: str) -> Wave:
        from stridebeat.cues.speech import Speech

        if not engines:
            engines.append(Speech(settings))
        return engines[0].phrase(text, rate)

    return say


def _speech(settings: SpeechSettings) -> Speech | None:
    if not settings.enabled:
        return None
    from stridebeat.cues.speech import Speech

    return Speech(settings)
