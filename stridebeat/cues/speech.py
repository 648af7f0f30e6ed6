"""Text → waveform: the engines in order, retried, checked, cached on disk.

The front door to speech. It tries the engines of ``speech_engines`` in the order that suits
the platform (on Linux the ``espeak-ng`` command first, then pyttsx3 in a child process), or
the one engine chosen (such as Piper, ``speech_piper``), checks every phrase
(``speech_check``), tries a bad one again, then the next engine, and keeps each checked
phrase in the disk cache (``speech_cache``) so a later render reuses it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np

from stridebeat.cues.settings import SpeechSettings, check_engine, check_rate
from stridebeat.cues.speech_cache import (
    default_cache_dir,
    load_phrase,
    phrase_path,
    store_phrase,
)
from stridebeat.cues.speech_check import Audio, check_phrase, checked
from stridebeat.cues.speech_engines import (
    EngineFailure,
    SpeechEngine,
    VoiceInfo,
    engine_order,
    make_engine,
)
from stridebeat.cues.speech_piper import PiperEngine
from stridebeat.engine.synth import Wave, resample
from stridebeat.errors import InputError, SpeechFailed, SpeechUnavailable

ATTEMPTS = 3  # per phrase and engine: the first call and two retries

_INSTALL = {
    "espeak-ng": "install espeak-ng (Debian/Ubuntu: sudo apt-get install espeak-ng)",
    "pyttsx3": "install pyttsx3 (pip install pyttsx3)",
    "piper": "install stridebeat[piper] (pip install 'stridebeat[piper]') for piper-tts",
}


class Speech:
    """Phrases as waveforms, from the first engine that gives a good one, cached on disk.

    ``engine_used`` is the engine that made the last phrase (before any, the first to try);
    ``tts_calls`` counts engine invocations (cache hits are free). One Speech per thread;
    several processes may share one cache folder.
    """

    def __init__(self, settings: SpeechSettings, cache_dir: Path | None = None) -> None:
        check_engine(settings.engine)
        check_rate(settings.rate_wpm)
        self.settings = settings
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self._engines = [_engine(name) for name in engine_order(settings.engine)]
        self._voice = settings.voice or self._engines[0].implied_voice()
        self.engine_used = self._engines[0].name
        self.tts_calls = 0
        self._native: dict[str, tuple[str, Audio]] = {}
        self._ready: dict[tuple[str, int], tuple[str, Wave]] = {}
        if self._voice is not None:
            self._check_voice(self._voice)

    def phrase(self, text: str, rate: int) -> Wave:
        """``text`` spoken: mono float32 at ``rate`` Hz, ends trimmed to ~10 ms, peak 1.

        The array is shared and read-only: copy it to change it.
        """
        if not text.strip():
            raise InputError("a spoken cue has no text: give it some words")
        check_phrase(text)
        if rate <= 0:
            raise InputError(f"a sample rate of {rate} Hz is impossible")
        ready = self._ready.get((text, rate))
        if ready is None:
            if text not in self._native:
                self._native[text] = self._cached(text) or self._synthesised(text)
            engine, audio = self._native[text]
            wave = resample(audio.samples, audio.rate, rate)
            wave /= np.max(np.abs(wave))
            ready = self._ready[(text, rate)] = (engine, wave)
        self.engine_used = ready[0]
        shared = ready[1].view()  # one copy per phrase in memory, however often it is used
        shared.flags.writeable = False
        return shared

    def voices(self) -> list[VoiceInfo]:
        """The voices of this Speech's engines that work here (both engines for "auto")."""
        return [v for e in self._engines if e.problem() is None for v in e.voices()]

    def _check_voice(self, voice: str) -> None:
        """Refuse, before any speaking, a voice that no working engine has."""
        working = [e for e in self._engines if e.problem() is None]
        if not working:
            raise _unavailable(self._engines, self.settings.engine != "auto")
        if all(e.voice_problem(voice) is not None for e in working):
            raise _unknown_voice(voice, working)

    def close(self) -> None:
        """Stop any engine process kept running between phrases (a later phrase restarts it)."""
        for engine in self._engines:
            engine.close()

    def _cache_path(self, engine: SpeechEngine, text: str) -> Path:
        voice = engine.cache_voice(self._voice)
        return phrase_path(self.cache_dir, engine.name, voice, self.settings.rate_wpm, text)

    def _cached(self, text: str) -> tuple[str, Audio] | None:
        for engine in self._engines:
            audio = load_phrase(self._cache_path(engine, text))
            if audio is not None:
                return engine.name, audio
        return None

    def _synthesised(self, text: str) -> tuple[str, Audio]:
        failures: list[str] = []
        skipped: list[str] = []
        for engine in self._engines:
            if engine.problem() is not None:
                skipped.append(f"{engine.name}: {engine.problem()}")
                continue
            if self._voice is not None and engine.voice_problem(self._voice) is not None:
                failures.append(f"{engine.name}: {engine.voice_problem(self._voice)}")
                continue
            try:
                audio = self._attempts(engine, text)
            except EngineFailure as exc:
                failures.append(f"{engine.name}: {exc.reason}")
                continue
            store_phrase(self._cache_path(engine, text), audio)
            return engine.name, audio
        if not failures:
            raise _unavailable(self._engines, self.settings.engine != "auto")
        reasons = "; ".join(failures + skipped)
        raise SpeechFailed(
            f"could not speak {text!r} ({reasons}); reword it, choose another --speech-engine "
            "or voice, or run with --no-speech"
        )

    def _attempts(self, engine: SpeechEngine, text: str) -> Audio:
        reasons: list[str] = []
        for _ in range(ATTEMPTS):
            self.tts_calls += 1
            try:
                samples, rate = engine.synthesise(text, self._voice, self.settings.rate_wpm)
                return checked(samples, rate, text, self.settings.rate_wpm)
            except EngineFailure as exc:
                reasons.append(exc.reason)
                if not exc.retry:
                    break
        tries = f"{len(reasons)} tries" if len(reasons) > 1 else "1 try"
        raise EngineFailure(f"{', then '.join(dict.fromkeys(reasons))} ({tries})")


def _engine(name: str) -> SpeechEngine:
    return PiperEngine() if name == "piper" else make_engine(name)


def _unavailable(engines: list[SpeechEngine], forced: bool) -> SpeechUnavailable:
    problems = "; ".join(f"{e.name}: {e.problem()}" for e in engines)
    if forced:
        return SpeechUnavailable(
            f"the {engines[0].name} speech engine does not work here ({problems}); "
            f"{_INSTALL[engines[0].name]}, choose another --speech-engine, or run with "
            "--no-speech to leave out the spoken cues"
        )
    return SpeechUnavailable(
        f"no speech engine works here ({problems}); {' or '.join(_INSTALL.values())}, "
        "or run with --no-speech to leave out the spoken cues"
    )


def _unknown_voice(voice: str, engines: list[SpeechEngine]) -> InputError:
    parts = []
    for engine in engines:
        choices = engine.voice_choices()
        close = difflib.get_close_matches(voice, choices, n=3)
        hint = f"; closest: {', '.join(close)}" if close else ""
        which = f"the voice {voice!r}" if voice else "a voice"
        parts.append(
            f"{engine.name} cannot use {which} ({engine.voice_problem(voice)}){hint}; "
            f"{engine.voice_advice()}"
        )
    return InputError(". ".join(parts))
