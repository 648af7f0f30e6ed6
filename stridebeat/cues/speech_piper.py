"""Piper, the neural voice: the ``piper`` program, kept running while a session speaks.

piper-tts (``stridebeat[piper]``) is GPL-3.0 since 1.3 and stridebeat is MIT, so stridebeat
never imports it: piper runs as its own program (``python -m piper`` from stridebeat's
environment, else a ``piper`` command on PATH), the way espeak-ng does. Loading a voice takes
seconds and a phrase a fraction of one, so one piper process per voice and speed stays up
for all of a Speech's phrases: each phrase goes in as a line on its stdin, and piper writes
one WAV file per line into a private folder and logs ``Wrote PATH`` on stderr when it is
complete. A piper that stops or hangs is given up, and the next phrase starts a new one.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections import deque
from pathlib import Path
from typing import IO

from stridebeat.cues.piper_voices import (
    SETTINGS_SUFFIX,
    SUFFIX,
    PiperVoiceFile,
    locate,
    read_voice,
    voice_files,
)
from stridebeat.cues.settings import DEFAULT_RATE_WPM
from stridebeat.cues.speech_engines import (
    PROBE_TIMEOUT,
    EngineFailure,
    SpeechEngine,
    VoiceInfo,
    kill_group,
    last_said,
    phrase_timeout,
    read_audio,
    run_command,
)
from stridebeat.engine.synth import Wave
from stridebeat.errors import FileInputError
from stridebeat.files import digest_file
from stridebeat.paths import voices_dir

# The piper program; None finds it (piper-tts in this environment, else `piper` on PATH).
# Tests point it at a fake.
PIPER_COMMAND: tuple[str, ...] | None = None
LOAD_TIMEOUT = 120.0  # seconds a new piper may take to load its voice (a Pi, a large voice)
_CLOSE_TIMEOUT = 2.0
_WROTE = re.compile(r"\bWrote (.+\.wav)\s*$")


def piper_command() -> tuple[str, ...] | None:
    """How to start piper here, or None when it is not installed."""
    if PIPER_COMMAND is not None:
        return PIPER_COMMAND
    try:
        importlib.metadata.distribution("piper-tts")
    except importlib.metadata.PackageNotFoundError:
        found = shutil.which("piper")
        return (found,) if found else None
    return (sys.executable, "-P", "-m", "piper")


class PiperEngine(SpeechEngine):
    """Piper voices (``.onnx`` with ``.onnx.json``), said by one kept-warm piper process."""

    name = "piper"

    def __init__(self) -> None:
        super().__init__()
        self._command: tuple[str, ...] = ()
        self._files: dict[str, PiperVoiceFile] = {}
        self._identities: dict[str, str] = {}
        self._process: _PiperProcess | None = None
        self._lock = threading.Lock()  # one phrase at a time through the one process
        self.starts = 0  # piper processes started (each loads its voice)

    def _probe(self) -> str | None:
        command = piper_command()
        if command is None:
            return "piper-tts is not installed"
        shown = " ".join(command)
        try:
            done = run_command([*command, "--help"], b"", PROBE_TIMEOUT)
        except EngineFailure as exc:
            return f"`{shown} --help` failed: {exc.reason}"
        if done.returncode != 0:
            return f"`{shown} --help` failed: {last_said(done.stderr, done.returncode)}"
        if b"--output-dir" not in done.stdout:
            return f"`{shown}` is not piper-tts 1.3 or later (it has no --output-dir)"
        self._command = command
        return None

    def voice_file(self, voice: str) -> PiperVoiceFile:
        """The voice ``voice`` names, its settings read (a FileInputError if it cannot be)."""
        if voice not in self._files:
            self._files[voice] = read_voice(locate(voice, voices_dir()))
        return self._files[voice]

    def _check_voice(self, voice: str) -> str | None:
        if not voice:
            return f"no --voice was given, and {voices_dir()} holds no Piper voice"
        try:
            self.voice_file(voice)
        except FileInputError as exc:
            return str(exc)
        return None

    def implied_voice(self) -> str | None:
        names = self.voice_choices()
        return names[0] if names else ""

    def cache_voice(self, voice: str | None) -> str:
        # The files' contents, not their path: a voice replaced under the same name is new.
        chosen = voice or ""
        if chosen not in self._identities:
            found = self.voice_file(chosen)
            self._identities[chosen] = f"{found.name}:{_digest(found)}"
        return self._identities[chosen]

    def voice_advice(self) -> str:
        if self.voice_choices():
            return super().voice_advice()
        return (
            f"put a Piper voice (NAME{SUFFIX} with its NAME{SETTINGS_SUFFIX}) in "
            f"{voices_dir()}, or give --voice PATH{SUFFIX}"
        )

    def voices(self) -> list[VoiceInfo]:
        found = []
        for model in voice_files(voices_dir()):
            name = model.name.removesuffix(SUFFIX)
            try:
                voice = self.voice_file(name)
            except FileInputError:
                found.append(VoiceInfo(self.name, name, "(unreadable: try --voice)", ()))
                continue
            described = f"{voice.dataset} ({voice.quality})" if voice.quality else voice.dataset
            found.append(VoiceInfo(self.name, name, described, (voice.language,)))
        return found

    def voice_choices(self) -> list[str]:
        return [model.name.removesuffix(SUFFIX) for model in voice_files(voices_dir())]

    def synthesise(self, text: str, voice: str | None, rate_wpm: int) -> tuple[Wave, int]:
        chosen = self.voice_file(voice or self.implied_voice() or "")
        # Piper's speed is a length scale: the voice's own, stretched to the words per minute.
        scale = round(chosen.length_scale * DEFAULT_RATE_WPM / rate_wpm, 4)
        with self._lock:
            process = self._process
            if process is None or process.key != (chosen.model, scale):
                if process is not None:
                    process.close()
                self._process = None
                process = _PiperProcess(self._command, chosen, scale)
                self._process = process
                self.starts += 1
            try:
                wav = process.say(text, phrase_timeout(text))
            except BaseException:  # stopped, hung or interrupted: its answers no longer match
                process.close()
                self._process = None
                raise
        try:
            return read_audio(wav)
        finally:
            with contextlib.suppress(OSError):
                wav.unlink()

    def close(self) -> None:
        """Stop the piper process, if one is running (it stops by itself at exit too)."""
        with self._lock:
            if self._process is not None:
                self._process.close()
                self._process = None


class _PiperProcess:
    """One running piper, for one voice at one length scale."""

    def __init__(self, command: tuple[str, ...], voice: PiperVoiceFile, scale: float) -> None:
        self.key = (voice.model, scale)
        self.model = voice.model
        self.phrases = 0
        self._folder = Path(tempfile.mkdtemp(prefix="stridebeat-piper-"))
        args = [
            *command,
            "--model",
            str(voice.model),
            "--config",
            str(voice.settings),
            "--length-scale",
            f"{scale:g}",
            "--output-dir",
            str(self._folder),
        ]
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
        try:
            # In its own session: Ctrl-C is stridebeat's to handle; piper ends with its stdin.
            proc = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=os.name == "posix",
            )
        except OSError as exc:
            shutil.rmtree(self._folder, ignore_errors=True)
            reason = f"cannot run {command[0] if command else 'piper'} ({exc.strerror or exc})"
            raise EngineFailure(reason, retry=False) from None
        self._proc = proc
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._said: deque[str] = deque(maxlen=40)
        assert proc.stderr is not None
        reader = threading.Thread(
            target=_forward_lines, args=(proc.stderr, self._lines), daemon=True
        )
        reader.start()
        self._finalizer = weakref.finalize(self, _shut_down, proc, self._folder)

    def say(self, text: str, timeout: float) -> Path:
        """The WAV file piper wrote for ``text``."""
        assert self._proc.stdin is not None
        if self.phrases == 0:
            timeout += LOAD_TIMEOUT
        try:
            # One line, one phrase: piper reads each line as a phrase of its own.
            self._proc.stdin.write(" ".join(text.split()).encode("utf-8") + b"\n")
            self._proc.stdin.flush()
        except OSError:
            pass  # it has stopped: its last words are on stderr
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.close()
                reason = f"piper gave no answer within {timeout:.0f} s"
                raise EngineFailure(reason, retry=False) from None
            if line is None:
                raise self._stopped()
            wrote = _WROTE.search(line)
            if wrote:
                self.phrases += 1
                return Path(wrote.group(1))
            self._said.append(line)

    def _stopped(self) -> Exception:
        """What a piper that stopped (before answering) tells: a voice it could not load,
        or a failure with this phrase."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(_CLOSE_TIMEOUT)
        status = self._proc.returncode
        said = [line.strip() for line in self._said if line.strip()]
        last = said[-1][:200] if said else f"exit status {status}"
        self.close()
        # piper loads its voice before it reads any text; the traceback names that call
        if self.phrases == 0 and any("PiperVoice.load" in line for line in said):
            return FileInputError(
                str(self.model),
                None,
                f"piper cannot load this voice ({last}); the file may be damaged, cut "
                "short or not a Piper voice: get it again",
            )
        return EngineFailure(f"piper stopped: {last}", retry=False)

    def close(self) -> None:
        self._finalizer()


def _forward_lines(stream: IO[bytes], lines: queue.Queue[str | None]) -> None:
    """Pass what piper says on stderr on, line by line; None when it has stopped."""
    with contextlib.suppress(OSError, ValueError), stream:
        for raw in stream:
            lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
    lines.put(None)


def _shut_down(proc: subprocess.Popen[bytes], folder: Path) -> None:
    """Let piper finish (it ends when its stdin closes), kill it if it does not, tidy up."""
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    try:
        proc.wait(_CLOSE_TIMEOUT)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        proc.wait()
    shutil.rmtree(folder, ignore_errors=True)


def _digest(voice: PiperVoiceFile) -> str:
    """A short hash of a voice's two files."""
    digest = hashlib.sha256()
    for path in (voice.settings, voice.model):
        digest_file(digest, path)
    return digest.hexdigest()[:16]
