"""Speech engines and how they are run: the ``espeak-ng`` command and pyttsx3.

Each engine runs as a separate process with a timeout, so a crash, a hang or a stray print
cannot reach stridebeat: espeak-ng as its own command, pyttsx3 in ``speech_worker.py`` (the
only module that imports it), one child per phrase. (Piper, a kept-warm child, is in
``speech_piper.py``.) An engine is probed once before use; a call that gives no usable audio
raises ``EngineFailure``.
"""

from __future__ import annotations

import contextlib
import io
import json
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

from stridebeat.engine.synth import Wave

ESPEAK_DEFAULT_VOICE = "en"

# How the engines are started; tests point these at fakes.
ESPEAK_COMMAND = "espeak-ng"
WORKER_COMMAND: tuple[str, ...] = (
    sys.executable,
    "-P",  # keep stridebeat/ off the child's sys.path: its modules must not shadow others
    str(Path(__file__).with_name("speech_worker.py")),
)

PROBE_TIMEOUT = 10.0


@dataclass(frozen=True)
class VoiceInfo:
    """A voice an engine offers; ``id`` is what SpeechSettings.voice takes."""

    engine: str
    id: str
    name: str
    languages: tuple[str, ...]


class EngineFailure(Exception):
    """One engine call gave no usable phrase; ``retry`` is False when trying again is futile."""

    def __init__(self, reason: str, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


def read_audio(source: bytes | Path) -> tuple[NDArray[np.float32], int]:
    """Mono float32 samples and their rate from a WAV/AIFF file or its bytes."""
    import soundfile as sf

    if isinstance(source, bytes) and not source:
        raise EngineFailure("no audio at all")
    try:
        data, rate = sf.read(
            io.BytesIO(source) if isinstance(source, bytes) else str(source),
            dtype="float32",
            always_2d=True,
        )
    except (RuntimeError, ValueError, TypeError, OSError) as exc:
        raise EngineFailure(f"unreadable audio ({exc})") from None
    mono = data[:, 0] if data.shape[1] == 1 else data.mean(axis=1)
    return np.ascontiguousarray(mono, dtype=np.float32), int(rate)


def run_command(args: list[str], data: bytes, timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run a command with ``data`` on stdin; a hung one is killed with anything it started."""
    pipe = subprocess.PIPE
    try:
        # In its own session, so a timeout can kill its whole process group.
        proc = subprocess.Popen(
            args, stdin=pipe, stdout=pipe, stderr=pipe, start_new_session=os.name == "posix"
        )
    except OSError as exc:
        raise EngineFailure(f"cannot run {args[0]} ({exc.strerror or exc})", retry=False) from None
    try:
        out, err = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        proc.communicate()
        raise EngineFailure(f"no answer within {timeout:.0f} s", retry=False) from None
    except BaseException:  # e.g. Ctrl-C: the child is in another session and did not get it
        kill_group(proc)
        proc.wait()
        raise
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill a child started in its own session, with anything it started."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.kill()


def last_said(stderr: bytes, returncode: int) -> str:
    """What a failed command said last, or its exit status."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    said = [line for line in lines if line]
    return said[-1][:200] if said else f"exit status {returncode}"


def phrase_timeout(text: str) -> float:
    """Seconds an engine may take to say ``text`` before it is given up as hung."""
    return 10.0 + 0.1 * len(text)


class SpeechEngine:
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

    def cache_voice(self, voice: str | None) -> str:
        """What stands for ``voice`` in a cache key (None: the engine's default voice)."""
        return voice or self.default_voice

    def implied_voice(self) -> str | None:
        """The voice to check and use when none is chosen; None leaves it to the engine."""
        return None

    def voice_advice(self) -> str:
        """What to do instead of a voice this engine cannot use."""
        return f"choose one of: {', '.join(self.voice_choices())}"

    def close(self) -> None:
        """Stop anything kept running between phrases (nothing, unless an engine says so)."""

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


class _EspeakNg(SpeechEngine):
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
            done = run_command([exe, "-q", "x"], b"", PROBE_TIMEOUT)
        except EngineFailure as exc:
            return f"`{self._command} -q x` failed: {exc.reason}"
        if done.returncode != 0:
            return f"`{self._command} -q x` failed: {last_said(done.stderr, done.returncode)}"
        return None

    def _check_voice(self, voice: str) -> str | None:
        try:
            done = run_command([self._exe, "-v", voice, "-q", "x"], b"", PROBE_TIMEOUT)
        except EngineFailure as exc:
            return exc.reason
        return None if done.returncode == 0 else last_said(done.stderr, done.returncode)

    def synthesise(self, text: str, voice: str | None, rate_wpm: int) -> tuple[Wave, int]:
        # Text on stdin, so a phrase starting with "-" is not read as an option.
        args = [self._exe, "-b", "1", "-v", voice or self.default_voice, "-s", str(rate_wpm)]
        done = run_command(
            [*args, "--stdout", "--stdin"], text.encode("utf-8"), phrase_timeout(text)
        )
        if done.returncode != 0:
            raise EngineFailure(last_said(done.stderr, done.returncode))
        return read_audio(done.stdout)

    def voices(self) -> list[VoiceInfo]:
        if self._voice_list is None:
            try:
                done = run_command([self._exe, "--voices"], b"", PROBE_TIMEOUT)
            except EngineFailure:
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


class _Pyttsx3(SpeechEngine):
    """pyttsx3 (the system voices on macOS and Windows, libespeak on Linux), in a child."""

    name = "pyttsx3"

    def __init__(self, command: tuple[str, ...]) -> None:
        super().__init__()
        self._command = command
        self._voice_list: list[VoiceInfo] = []

    def _ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        done = run_command(list(self._command), json.dumps(request).encode("utf-8"), timeout)
        try:
            answer = json.loads(done.stdout.decode("utf-8", "replace") or "null")
        except ValueError:
            answer = None
        if done.returncode == 0 and isinstance(answer, dict) and "error" not in answer:
            return answer
        if isinstance(answer, dict) and "error" in answer:
            raise EngineFailure(str(answer["error"])[:200])
        raise EngineFailure(f"the pyttsx3 worker failed: {last_said(done.stderr, done.returncode)}")

    def _probe(self) -> str | None:
        try:
            answer = self._ask({"op": "voices"}, PROBE_TIMEOUT)
        except EngineFailure as exc:
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
            self._ask({**request, "out": str(out)}, phrase_timeout(text))
            if not out.is_file():
                raise EngineFailure("pyttsx3 wrote no audio file")
            return read_audio(out)

    def voices(self) -> list[VoiceInfo]:
        self.problem()
        return list(self._voice_list)

    def voice_choices(self) -> list[str]:
        return [v.id for v in self.voices()]


def engine_order(engine: str) -> tuple[str, ...]:
    """The engines to try, first to last, for one of ENGINES."""
    if engine != "auto":
        return (engine,)
    if sys.platform == "darwin" or sys.platform.startswith("win"):
        return ("pyttsx3", "espeak-ng")  # the system voices
    return ("espeak-ng", "pyttsx3")


def make_engine(name: str) -> SpeechEngine:
    """The engine called ``name`` ("espeak-ng" or "pyttsx3"; Piper is ``speech_piper``),
    not yet probed."""
    return _EspeakNg(ESPEAK_COMMAND) if name == "espeak-ng" else _Pyttsx3(WORKER_COMMAND)
