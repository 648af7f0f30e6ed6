"""Text → waveform with the ``espeak-ng`` command or pyttsx3, cached on disk.

pyttsx3 runs only in a child process (``speech_worker.py``), one per phrase, so its crashes,
hangs and prints cannot reach stridebeat. Every phrase from either engine is checked (not
empty, not silent, a plausible length); a bad one is tried again, then the next engine is.
A checked phrase is cached under a hash of (text, voice, rate, engine), with a checksum so a
damaged file is a miss, and written atomically so several renders can share the folder.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import io
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stridebeat.engine.synth import Wave, resample
from stridebeat.errors import InputError, OutputError, SpeechFailed, SpeechUnavailable
from stridebeat.files import publish, temp_beside
from stridebeat.paths import app_dir

ENGINES = ("auto", "espeak-ng", "pyttsx3")
RATE_RANGE = (80, 450)  # words per minute that both engines honour
ESPEAK_DEFAULT_VOICE = "en"

# How the engines are started; tests point these at fakes.
ESPEAK_COMMAND = "espeak-ng"
WORKER_COMMAND: tuple[str, ...] = (
    sys.executable,
    "-P",  # keep stridebeat/ off the child's sys.path: its modules must not shadow others
    str(Path(__file__).with_name("speech_worker.py")),
)

ATTEMPTS = 3  # per phrase and engine: the first call and two retries
_CACHE_FORMAT = 1  # part of every cache key: bump it when what is stored changes
_SILENT = 1e-3  # a phrase whose peak is below this (-60 dBFS) is silence
_TRIM = 3e-3  # samples below this share of the peak (-50 dB) are trimmed from the ends
_KEEP = 0.010  # seconds of the trimmed silence kept at each end
_PROBE_TIMEOUT = 10.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpeechSettings:
    """Which engine speaks (one of ENGINES), with which voice, how many words per minute."""

    engine: str = "auto"
    voice: str | None = None  # engine-specific id or name; None is the engine's default
    rate_wpm: int = 175


@dataclass(frozen=True)
class VoiceInfo:
    """A voice an engine offers; ``id`` is what SpeechSettings.voice takes."""

    engine: str
    id: str
    name: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class _Audio:
    """A checked phrase at the engine's own sample rate: trimmed, not yet normalised."""

    samples: Wave
    rate: int


class _Failure(Exception):
    """One engine call gave no usable phrase; ``retry`` is False when trying again is futile."""

    def __init__(self, reason: str, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


def estimate_seconds(text: str, rate_wpm: int = 175) -> float:
    """Roughly how long ``text`` takes to say at ``rate_wpm``, for timing cues without speech.

    Calibrated on espeak-ng: about six characters a word; a digit or symbol costs about five
    letters (172 is "one hundred and seventy-two"); punctuation adds a short pause.
    """
    _check_rate(rate_wpm)
    said = text.strip()
    pauses = sum(c in ",.;:!?" for c in said)
    letters = sum(_is_plain(c) for c in said)
    others = len(said) - letters - pauses
    return (10.0 * letters + 50.0 * others + 35.0 * pauses) / rate_wpm


def _is_plain(char: str) -> bool:
    """A character spoken as part of a word (not spelled out as one)."""
    return (char.isascii() and char.isalpha()) or char.isspace() or char in "'-"


def _plausible_seconds(text: str, rate_wpm: int) -> tuple[float, float]:
    """The shortest and longest trimmed phrase an engine could rightly make of ``text``."""
    slower = 175.0 / rate_wpm
    plain = sum(_is_plain(c) for c in text)
    longest = 3.0 + 0.3 * plain + 0.8 * (len(text) - plain)
    return 0.15 * min(1.0, slower), longest * max(1.0, slower)


def _check_rate(rate_wpm: int) -> None:
    low, high = RATE_RANGE
    if not low <= rate_wpm <= high:
        raise InputError(
            f"a speech rate of {rate_wpm} words per minute is out of range: give {low} to {high}"
        )


def _checked(samples: NDArray[np.float32], rate: int, text: str, rate_wpm: int) -> _Audio:
    """The phrase trimmed, or a _Failure saying why an engine's output is not speech."""
    if samples.size == 0:
        raise _Failure("empty audio")
    if not np.all(np.isfinite(samples)):
        raise _Failure("audio with invalid samples")
    peak = float(np.max(np.abs(samples)))
    if peak < _SILENT:
        raise _Failure("silent audio")
    loud = np.flatnonzero(np.abs(samples) >= peak * _TRIM)
    keep = round(_KEEP * rate)
    start, end = max(0, int(loud[0]) - keep), min(len(samples), int(loud[-1]) + 1 + keep)
    trimmed = np.ascontiguousarray(samples[start:end], dtype=np.float32)
    seconds = len(trimmed) / rate
    shortest, longest = _plausible_seconds(text, rate_wpm)
    if not shortest <= seconds <= longest:
        raise _Failure(f"{seconds:.2f} s of audio where {shortest:.2f} to {longest:.1f} s fits")
    return _Audio(trimmed, rate)


def _read_audio(source: bytes | Path) -> tuple[NDArray[np.float32], int]:
    """Mono float32 samples and their rate from a WAV/AIFF file or its bytes."""
    import soundfile as sf

    if isinstance(source, bytes) and not source:
        raise _Failure("no audio at all")
    try:
        data, rate = sf.read(
            io.BytesIO(source) if isinstance(source, bytes) else str(source),
            dtype="float32",
            always_2d=True,
        )
    except (RuntimeError, ValueError, TypeError, OSError) as exc:
        raise _Failure(f"unreadable audio ({exc})") from None
    mono = data[:, 0] if data.shape[1] == 1 else data.mean(axis=1)
    return np.ascontiguousarray(mono, dtype=np.float32), int(rate)


def _run(args: list[str], data: bytes, timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run a command with ``data`` on stdin; a hung one is killed with anything it started."""
    pipe = subprocess.PIPE
    try:
        # In its own session, so a timeout can kill its whole process group.
        proc = subprocess.Popen(
            args, stdin=pipe, stdout=pipe, stderr=pipe, start_new_session=os.name == "posix"
        )
    except OSError as exc:
        raise _Failure(f"cannot run {args[0]} ({exc.strerror or exc})", retry=False) from None
    try:
        out, err = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        raise _Failure(f"no answer within {timeout:.0f} s", retry=False) from None
    except BaseException:  # e.g. Ctrl-C: the child is in another session and did not get it
        _kill(proc)
        proc.wait()
        raise
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.kill()


def _tail(stderr: bytes, returncode: int) -> str:
    """What a failed command said last, or its exit status."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    said = [line for line in lines if line]
    return said[-1][:200] if said else f"exit status {returncode}"


def _timeout(text: str) -> float:
    return 10.0 + 0.1 * len(text)


class _Engine:
    """A speech engine, probed once; subclasses do the talking."""

    name = ""
    default_voice = ""  # the voice a cache key names when none is chosen

    def __init__(self) -> None:
        self._probed = False
        self._problem: str | None = None
        self._voice_problems: dict[str, str | None] = {}

    def problem(self) -> str | None:
        """Why this engine cannot run here, or None when it can."""
        if not self._probed:
            self._problem = self._probe()
            self._probed = True
        return self._problem

    def voice_problem(self, voice: str) -> str | None:
        """Why this engine cannot use ``voice``, or None when it can."""
        if voice not in self._voice_problems:
            self._voice_problems[voice] = self._check_voice(voice)
        return self._voice_problems[voice]

    def _probe(self) -> str | None:
        raise NotImplementedError

    def _check_voice(self, voice: str) -> str | None:
        raise NotImplementedError

    def voices(self) -> list[VoiceInfo]:
        raise NotImplementedError

    def voice_choices(self) -> list[str]:
        raise NotImplementedError

    def synthesise(self, text: str, voice: str | None, rate_wpm: int) -> tuple[Wave, int]:
        raise NotImplementedError


class _EspeakNg(_Engine):
    """The ``espeak-ng`` command: fast, deterministic, and it cannot take stridebeat down."""

    name = "espeak-ng"
    default_voice = ESPEAK_DEFAULT_VOICE

    def __init__(self, command: str) -> None:
        super().__init__()
        self._command = command
        self._exe = command
        self._voice_list: list[VoiceInfo] | None = None

    def _probe(self) -> str | None:
        exe = shutil.which(self._command)
        if exe is None:
            return f"the {self._command} command is not installed"
        self._exe = exe
        # Without its data files espeak-ng exits instead of speaking: find out before use.
        try:
            done = _run([exe, "-q", "x"], b"", _PROBE_TIMEOUT)
        except _Failure as exc:
            return f"`{self._command} -q x` failed: {exc.reason}"
        if done.returncode != 0:
            return f"`{self._command} -q x` failed: {_tail(done.stderr, done.returncode)}"
        return None

    def _check_voice(self, voice: str) -> str | None:
        try:
            done = _run([self._exe, "-v", voice, "-q", "x"], b"", _PROBE_TIMEOUT)
        except _Failure as exc:
            return exc.reason
        return None if done.returncode == 0 else _tail(done.stderr, done.returncode)

    def synthesise(self, text: str, voice: str | None, rate_wpm: int) -> tuple[Wave, int]:
        # Text on stdin, so a phrase starting with "-" is not read as an option.
        args = [self._exe, "-b", "1", "-v", voice or self.default_voice, "-s", str(rate_wpm)]
        done = _run([*args, "--stdout", "--stdin"], text.encode("utf-8"), _timeout(text))
        if done.returncode != 0:
            raise _Failure(_tail(done.stderr, done.returncode))
        return _read_audio(done.stdout)

    def voices(self) -> list[VoiceInfo]:
        if self._voice_list is None:
            try:
                done = _run([self._exe, "--voices"], b"", _PROBE_TIMEOUT)
            except _Failure:
                return []
            listing = done.stdout.decode("utf-8", "replace").splitlines()[1:]
            self._voice_list = [v for v in map(_espeak_voice, listing) if v is not None]
        return list(self._voice_list)

    def voice_choices(self) -> list[str]:
        # MBROLA voices ("mb/...") need a separate synthesiser that is rarely installed.
        return sorted(
            {v.languages[0] for v in self.voices() if v.languages and not v.id.startswith("mb/")}
        )


def _espeak_voice(line: str) -> VoiceInfo | None:
    """One row of ``espeak-ng --voices``: Pty, Language, Age/Gender, VoiceName, File, Other."""
    fields = line.split(None, 5)
    if len(fields) < 5:
        return None
    others = fields[5].replace(")", " ").split("(") if len(fields) > 5 else []
    extra = [other.split()[0] for other in others if other.strip()]
    return VoiceInfo(
        "espeak-ng", fields[4], fields[3].replace("_", " "), tuple([fields[1], *extra])
    )


class _Pyttsx3(_Engine):
    """pyttsx3 (the system voices on macOS and Windows, libespeak on Linux), in a child."""

    name = "pyttsx3"

    def __init__(self, command: tuple[str, ...]) -> None:
        super().__init__()
        self._command = command
        self._voice_list: list[VoiceInfo] = []

    def _ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        done = _run(list(self._command), json.dumps(request).encode("utf-8"), timeout)
        try:
            answer = json.loads(done.stdout.decode("utf-8", "replace") or "null")
        except ValueError:
            answer = None
        if done.returncode == 0 and isinstance(answer, dict) and "error" not in answer:
            return answer
        if isinstance(answer, dict) and "error" in answer:
            raise _Failure(str(answer["error"])[:200])
        raise _Failure(f"the pyttsx3 worker failed: {_tail(done.stderr, done.returncode)}")

    def _probe(self) -> str | None:
        try:
            answer = self._ask({"op": "voices"}, _PROBE_TIMEOUT)
        except _Failure as exc:
            return exc.reason
        self._voice_list = [
            VoiceInfo("pyttsx3", str(v["id"]), str(v["name"]), tuple(map(str, v["languages"])))
            for v in answer.get("voices", [])
        ]
        return None if self._voice_list else "pyttsx3 found no voices"

    def _resolve(self, voice: str) -> str | None:
        """The id of the voice named by its id, its name or its language (pyttsx3 ignores
        a voice it does not know, so an unresolved name must never reach it)."""
        wanted = voice.casefold().replace("_", "-")
        for field in ("id", "name", "languages"):
            for info in self._voice_list:
                values = info.languages if field == "languages" else (getattr(info, field),)
                if any(v.casefold().replace("_", "-") == wanted for v in values):
                    return info.id
        return None

    def _check_voice(self, voice: str) -> str | None:
        problem = self.problem()
        if problem is not None:
            return problem
        return (
            None if self._resolve(voice) is not None else "no voice has that id, name or language"
        )

    def synthesise(self, text: str, voice: str | None, rate_wpm: int) -> tuple[Wave, int]:
        voice_id = self._resolve(voice) if voice else None
        with tempfile.TemporaryDirectory(prefix="stridebeat-speech-") as folder:
            out = Path(folder) / "phrase.wav"
            request = {"op": "say", "text": text, "voice": voice_id, "rate_wpm": rate_wpm}
            self._ask({**request, "out": str(out)}, _timeout(text))
            if not out.is_file():
                raise _Failure("pyttsx3 wrote no audio file")
            return _read_audio(out)

    def voices(self) -> list[VoiceInfo]:
        self.problem()
        return list(self._voice_list)

    def voice_choices(self) -> list[str]:
        return [v.id for v in self.voices()]


def _engine_order(engine: str) -> tuple[str, ...]:
    if engine != "auto":
        return (engine,)
    if sys.platform == "darwin" or sys.platform.startswith("win"):
        return ("pyttsx3", "espeak-ng")  # the system voices
    return ("espeak-ng", "pyttsx3")


def _make_engine(name: str) -> _Engine:
    return _EspeakNg(ESPEAK_COMMAND) if name == "espeak-ng" else _Pyttsx3(WORKER_COMMAND)


_INSTALL = {
    "espeak-ng": "install espeak-ng (Debian/Ubuntu: sudo apt-get install espeak-ng)",
    "pyttsx3": "install pyttsx3 (pip install pyttsx3)",
}


def _unavailable(engines: list[_Engine], forced: bool) -> SpeechUnavailable:
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


def _unknown_voice(voice: str, engines: list[_Engine]) -> InputError:
    parts = []
    for engine in engines:
        choices = engine.voice_choices()
        close = difflib.get_close_matches(voice, choices, n=3)
        hint = f"; closest: {', '.join(close)}" if close else ""
        parts.append(
            f"{engine.name} cannot use the voice {voice!r} ({engine.voice_problem(voice)}){hint}; "
            f"choose one of: {', '.join(choices)}"
        )
    return InputError(". ".join(parts))


def _stamp(samples: Wave, rate: int) -> str:
    """The checksum a cache file carries, so a truncated or damaged one is a miss."""
    digest = hashlib.sha256(f"{rate}:".encode())
    digest.update(np.ascontiguousarray(samples, dtype="<f4").tobytes())
    return digest.hexdigest()


def _load(path: Path) -> _Audio | None:
    """A cached phrase, or None when there is none or it is damaged."""
    import soundfile as sf

    if not path.is_file():
        return None
    try:
        with sf.SoundFile(str(path)) as f:
            stamp, rate, channels = f.comment, int(f.samplerate), f.channels
            samples = f.read(dtype="float32")
    except (RuntimeError, ValueError, TypeError, OSError):
        return None
    if channels != 1 or stamp != _stamp(samples, rate):
        return None
    return _Audio(samples, rate)


def _store(path: Path, audio: _Audio) -> None:
    """Cache a phrase atomically; a cache that cannot be written only costs time."""
    import soundfile as sf

    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_beside(path)
        with sf.SoundFile(
            str(tmp), "w", samplerate=audio.rate, channels=1, format="WAV", subtype="FLOAT"
        ) as f:
            f.comment = _stamp(audio.samples, audio.rate)  # set before writing: goes in the header
            f.write(audio.samples)
        publish(tmp, path)
    except (OutputError, RuntimeError, ValueError, OSError) as exc:
        log.warning("cannot cache a spoken phrase in %s: %s", path.parent, exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


class Speech:
    """Phrases as waveforms, from the first engine that gives a good one, cached on disk.

    ``engine_used`` is the engine that made the last phrase (before any, the first to try);
    ``tts_calls`` counts engine invocations (cache hits are free). One Speech per thread;
    several processes may share one cache folder.
    """

    def __init__(self, settings: SpeechSettings, cache_dir: Path | None = None) -> None:
        if settings.engine not in ENGINES:
            raise InputError(
                f"unknown speech engine {settings.engine!r}: choose one of {', '.join(ENGINES)}"
            )
        _check_rate(settings.rate_wpm)
        self.settings = settings
        self.cache_dir = cache_dir if cache_dir is not None else app_dir() / "cache" / "speech"
        self._voice = settings.voice or None
        self._engines = [_make_engine(name) for name in _engine_order(settings.engine)]
        self.engine_used = self._engines[0].name
        self.tts_calls = 0
        self._native: dict[str, tuple[str, _Audio]] = {}
        self._ready: dict[tuple[str, int], tuple[str, Wave]] = {}
        if self._voice is not None:
            self._check_voice(self._voice)

    def phrase(self, text: str, rate: int) -> Wave:
        """``text`` spoken: mono float32 at ``rate`` Hz, ends trimmed to ~10 ms, peak 1.

        The array is shared and read-only: copy it to change it.
        """
        if not text.strip():
            raise InputError("a spoken cue has no text: give it some words")
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

    def _cache_path(self, engine: _Engine, text: str) -> Path:
        voice = self._voice or engine.default_voice
        key = [_CACHE_FORMAT, engine.name, voice, self.settings.rate_wpm, text]
        name = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()
        return self.cache_dir / f"{name}.wav"

    def _cached(self, text: str) -> tuple[str, _Audio] | None:
        for engine in self._engines:
            audio = _load(self._cache_path(engine, text))
            if audio is not None:
                return engine.name, audio
        return None

    def _synthesised(self, text: str) -> tuple[str, _Audio]:
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
            except _Failure as exc:
                failures.append(f"{engine.name}: {exc.reason}")
                continue
            _store(self._cache_path(engine, text), audio)
            return engine.name, audio
        if not failures:
            raise _unavailable(self._engines, self.settings.engine != "auto")
        reasons = "; ".join(failures + skipped)
        raise SpeechFailed(
            f"could not speak {text!r} ({reasons}); reword it, choose another --speech-engine "
            "or voice, or run with --no-speech"
        )

    def _attempts(self, engine: _Engine, text: str) -> _Audio:
        reasons: list[str] = []
        for _ in range(ATTEMPTS):
            self.tts_calls += 1
            try:
                samples, rate = engine.synthesise(text, self._voice, self.settings.rate_wpm)
                return _checked(samples, rate, text, self.settings.rate_wpm)
            except _Failure as exc:
                reasons.append(exc.reason)
                if not exc.retry:
                    break
        tries = f"{len(reasons)} tries" if len(reasons) > 1 else "1 try"
        raise _Failure(f"{', then '.join(dict.fromkeys(reasons))} ({tries})")
