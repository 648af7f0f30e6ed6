"""Benchmark ``stridebeat render`` against a bare silence writer, klick and sox.

Run from the repository root::

    .venv/bin/python bench/render.py [--minutes 60] [--runs 5] [--quick]

It measures, in one go:

1. render time (median of alternating runs, round-robin) of
   a. ``stridebeat render --spm 176 --duration 60m -o X.wav``,
   b. a bare python-soundfile script writing as many frames of silence the way stridebeat
      writes (65536-frame float32 blocks to a PCM_16 WAV),
   c. ``klick -W X.wav -r 44100 -e 2640 4/4 176`` (skipped if klick is not installed),
   d. ``sox`` synthesising one click period and repeating it (skipped if sox is missing);
2. the ratios of those times, against their targets;
3. stridebeat's peak memory (the command's own max RSS, via ``/usr/bin/time -f %M``) for
   10 min and 3 h;
4. onset accuracy of every click in the 60-min files (steady and ramp for stridebeat, steady for
   klick and sox), by cross-correlation with the click waveform;
5. ``stridebeat --help`` start-up time against ``python -c pass``;
6. spoken cues:
   a. render time of the 60-min file with a cue every 30 s (about 120 cues, from a cue script
      written to the work dir) against the same render without ``--cues``, alternating runs,
      with a warm speech cache of its own (``STRIDEBEAT_HOME`` in the work dir, filled by one
      warm-up render); the cue count is checked in the ``.lrc`` file the render writes,
   b. cold speech: ms per phrase for 30 distinct short phrases, in-process
      (``Speech(...).phrase``) on a fresh cache, for espeak-ng, pyttsx3 and the default engine
      order ("auto"); the first call probes the engine, so it is reported on its own,
   c. warm speech: a second ``Speech`` on the same cache says the same phrases with no TTS call.

``--quick`` shrinks everything (1-minute files, 2 runs, 10 phrases) for a smoke test;
``--time-only`` runs section 1 alone (render time and its ratios).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf
from numpy.typing import NDArray

if __package__:  # python -m bench.render: bench/ on sys.path, as for python bench/render.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    GNU_TIME,
    MEASURED_ENV,
    BenchError,
    cache_state,
    median_s,
    section,
    stridebeat_exe,
    table,
    verdict,
)

REPO = Path(__file__).resolve().parent.parent
RATE = 44100
SPM = 176
RAMP = (165, 175)
VOLUME = 0.8  # stridebeat's default --volume 80
SOUND = "wood"  # stridebeat's default --sound
SOX_CLICK = 44  # samples of 1 kHz sine: one cycle, about 1 ms
MIB = 1024 * 1024

TARGET_VS_SILENCE = 1.3
TARGET_VS_KLICK = 0.7
TARGET_RSS_MIB = 80.0
RSS_SPREAD = 0.10  # "about the same": the 3 h peak within 10 % of the 10 min one
TARGET_STARTUP_S = 0.15
TARGET_CUE_RATIO = 1.15  # render with cues (warm speech cache) / the same render without
TARGET_COLD_MS = 50.0  # median ms per phrase, fresh cache, default engine order
SPEECH_ENGINE = "espeak-ng"  # the cue renders' --speech-engine
SPEECH_ENGINES = ("espeak-ng", "pyttsx3", "auto")  # measured in-process, cold and warm
COLD_TARGETED = ("espeak-ng", "auto")  # the default order on Linux: espeak-ng first
CUE_EVERY_S = 30
COLD_PHRASES = 30  # distinct phrases timed per engine (10 with --quick)
CUE_SPREAD = 0.05  # "about 120 cues": the .lrc count within 5 % (at least 1) of the expected
CUE_PHRASES = (
    "Push the ground back.",
    "Squeeze at push-off.",
    "Lean from the ankles.",
    "Run tall.",
    "Quick, light steps.",
    "Drive from the hips.",
)
# A cue every 30 s from 0:30 on, in run blocks (all of a --spm render); quiet_start 0 and
# min_gap 20 s leave the 30 s spacing alone. JSON strings are valid TOML basic strings.
CUE_SCRIPT = f"""\
min_gap = "20s"
quiet_start = "0s"
order = "shuffle"
[[cue]]
every = "{CUE_EVERY_S}s"
kinds = ["run"]
text = [{", ".join(json.dumps(p) for p in CUE_PHRASES)}]
"""
LRC_CUE = re.compile(r"\[(\d+):(\d\d)\.(\d\d)\](.+)")
LRC_TAG = re.compile(r"\[[a-z]+:.*\]")
STARTUP_RUNS = 10
EDGE_CLICKS = 500  # drift compares the mean error of the last and first this many clicks
ONSET_HEADERS = (
    "file",
    "clicks",
    "worst smp",
    "worst ms",
    "drift smp",
    "drift ms",
    "mean smp",
    "trend ms/h",
    "edge",
)

# The baseline: only the file writing stridebeat does, with nothing rendered.
# The same writer stridebeat uses for 16-bit files: python-soundfile fed int16 blocks of the
# same size (stridebeat rounds to 16 bits itself; libsndfile's float conversion is slower).
SILENCE_SCRIPT = """\
import sys
import numpy as np
import soundfile as sf
path, total = sys.argv[1], int(sys.argv[2])
size = 1 << 18
block = np.zeros((size, 1), dtype=np.int16)
with sf.SoundFile(path, "w", samplerate=44100, channels=1, format="WAV", subtype="PCM_16") as f:
    for start in range(0, total, size):
        f.write(block[: min(size, total - start)])
"""

Floats = NDArray[np.float64]

STRIDEBEAT_COMMAND = ""  # --stridebeat: another build to time; the venv's own when empty


# --- running and timing commands -----------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_kib: int  # the command's own peak resident set, in KiB
    cpu_seconds: float = 0.0  # user + system CPU time of the command (and its children)


def run_measured(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Run:
    """Run a command to completion (in MEASURED_ENV unless told): its wall time, peak RSS and
    CPU time (steadier than wall time on a busy machine)."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        wrapped = [GNU_TIME, "-f", "%M", "-o", rss.name, *argv] if GNU_TIME else list(argv)
        start = time.perf_counter()
        proc = subprocess.Popen(
            wrapped,
            cwd=cwd,
            env=MEASURED_ENV if env is None else env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace").strip()
            raise BenchError(f"{' '.join(argv)!r} exited with {proc.returncode}: {message}")
        peak = int(rss.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    return Run(elapsed, peak, usage.ru_utime + usage.ru_stime)


@dataclass(frozen=True)
class Tool:
    name: str
    command: Callable[[Path], list[str]]  # argv writing the benchmark file to the given path
    shown: str = ""  # how to print the command, if not its argv
    env: Mapping[str, str] | None = None  # the command's environment, if not MEASURED_ENV

    def show(self) -> str:
        return self.shown or " ".join(self.command(Path("X.wav")))


def stridebeat_tool(
    seconds: int,
    extra: Sequence[str] = ("--spm", str(SPM)),
    name: str = "stridebeat",
    env: Mapping[str, str] | None = None,
) -> Tool:
    exe = STRIDEBEAT_COMMAND or stridebeat_exe()
    return Tool(
        name,
        lambda out: [exe, "render", *extra, "--duration", duration_arg(seconds), "-o", str(out)],
        env=env,
    )


def duration_arg(seconds: int) -> str:
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"


def silence_tool(total: int) -> Tool:
    return Tool(
        "silence",
        lambda out: [sys.executable, "-c", SILENCE_SCRIPT, str(out), str(total)],
        f"{sys.executable} -c <SILENCE_SCRIPT> X.wav {total}",
    )


def klick_tool(seconds: int) -> Tool | None:
    exe = shutil.which("klick")
    if exe is None:
        return None
    beats = Fraction(SPM * seconds, 60)
    if beats.denominator != 1 or beats.numerator % 4:
        raise BenchError(f"{seconds} s at {SPM} spm is not a whole number of 4/4 bars")
    bars = beats.numerator // 4
    # -e: no emphasised first beats, so every click is the same waveform (the accent is a
    # different sample; it would not change the cost, only spoil the cross-correlation).
    return Tool(
        "klick",
        lambda out: [exe, "-W", str(out), "-r", str(RATE), "-e", str(bars), "4/4", str(SPM)],
    )


def sox_tool(total: int) -> Tool | None:
    """One click period (a 1 kHz sine cycle + silence), repeated, padded to the exact length.

    sox works in whole samples, so the period is rounded (15034.09 -> 15034 at 176 spm): its
    clicks drift by the rounding error times the click number.
    """
    exe = shutil.which("sox")
    if exe is None:
        return None
    period = round(Fraction(60 * RATE, SPM))
    count = click_count(total)
    tail = total - count * period
    fit = ["pad", "0", f"{tail}s"] if tail > 0 else ["trim", "0", f"{total}s"] if tail else []
    # -r/-c before -n: the synth runs at 44.1 kHz mono (after it, only the output would be,
    # and sox would synthesise at 48 kHz stereo and resample). -D: no dither, whose noise
    # would fill the silence.
    head = [exe, "-D", "-r", str(RATE), "-c", "1", "-n", "-b", "16"]
    synth = ["synth", f"{SOX_CLICK}s", "sine", "1000", "pad", "0", f"{period - SOX_CLICK}s"]
    return Tool("sox", lambda out: [*head, str(out), *synth, "repeat", str(count - 1), *fit])


def describe_file(path: Path, total: int) -> str:
    info = sf.info(str(path))
    ok = (
        abs(info.frames - total) <= max(1, total // 10000)
        and info.samplerate == RATE
        and info.channels == 1
        and info.subtype == "PCM_16"
    )
    return (
        f"{info.frames} frames = {info.frames / RATE / 60:.4f} min, {info.samplerate} Hz, "
        f"{info.channels} ch, {info.subtype}" + ("" if ok else f"  <-- expected {total} frames")
    )


def time_round_robin(
    tools: Sequence[Tool], runs: int, workdir: Path, total: int
) -> dict[str, list[Run]]:
    """Run the tools A, B, C, D, A, B, C, D, ...; each output (and any .lrc beside it) is
    deleted before the next run. An untimed warm-up run of each comes first (bytecode, the
    programs and libraries in the page cache)."""
    results: dict[str, list[Run]] = {tool.name: [] for tool in tools}
    for tool in tools:
        out = workdir / f"{tool.name}.wav"
        run = run_measured(tool.command(out), workdir, tool.env)
        print(f"  {tool.name:<10} {describe_file(out, total)} (warm-up {run.seconds:.2f} s)")
        out.unlink()
        out.with_suffix(".lrc").unlink(missing_ok=True)
    for round_ in range(runs):
        for tool in tools:
            out = workdir / f"{tool.name}.wav"
            os.sync()  # start each run with no dirty pages of earlier runs being written back
            results[tool.name].append(run_measured(tool.command(out), workdir, tool.env))
            out.unlink()
            out.with_suffix(".lrc").unlink(missing_ok=True)
        print(
            f"  round {round_ + 1}/{runs}: "
            + ", ".join(f"{name} {times[-1].seconds:.2f} s" for name, times in results.items())
        )
    return results


# --- onset accuracy ------------------------------------------------------------------------


def click_count(total: int, spm: int = SPM) -> int:
    """Clicks k = 0, 1, ... whose ideal frame 60·RATE·k/spm is before ``total``."""
    return math.ceil(Fraction(total * spm, 60 * RATE))


def ideal_steady(total: int, spm: int = SPM) -> Floats:
    return np.arange(click_count(total, spm), dtype=np.float64) * (60 * RATE) / spm


def ideal_ramp(c0: int, c1: int, seconds: int) -> Floats:
    """Click k where steps n(t) = (c0·t + (c1 - c0)·t²/(2T)) / 60 reach k, in frames."""
    steps = Fraction(c0 + c1, 2) * seconds / 60  # n(T)
    k = np.arange(math.ceil(steps), dtype=np.float64)
    a = (c1 - c0) / (120.0 * seconds)
    b = c0 / 60.0
    # a·t² + b·t - k = 0, in the form that stays exact for a -> 0.
    t = 2.0 * k / (b + np.sqrt(b * b + 4.0 * a * k))
    frames: Floats = t * RATE
    return frames


def first_click(path: Path, period: float) -> NDArray[np.float32]:
    """A tool's own click: its file's first samples, up to where the first period goes silent."""
    data, _ = sf.read(str(path), frames=int(period * 0.9), dtype="int16")
    sound = np.flatnonzero(data)
    if sound.size == 0:
        raise BenchError(f"{path.name} starts with silence: no first click to use as reference")
    click: NDArray[np.float32] = (data[: sound[-1] + 1] / 32768.0).astype(np.float32)
    return click


def count_clicks(path: Path, gap: int) -> int:
    """Bursts of non-zero samples separated by at least ``gap`` zero samples."""
    count, last, base = 0, -gap - 1, 0
    with sf.SoundFile(str(path)) as f:
        for block in f.blocks(blocksize=1 << 20, dtype="int16"):
            nonzero = np.flatnonzero(block) + base
            if nonzero.size:
                count += int(np.count_nonzero(np.diff(nonzero, prepend=last) > gap))
                last = int(nonzero[-1])
            base += len(block)
    return count


@dataclass(frozen=True)
class Onsets:
    label: str
    expected: int
    counted: int  # bursts of sound in the file
    ideal: Floats  # ideal positions, in frames
    errors: Floats  # measured minus ideal position, in samples, per click
    at_edge: int  # clicks whose correlation peak sat at the search window's edge (unreliable)
    seconds: float  # time the measurement took

    @property
    def worst(self) -> float:
        return float(np.max(np.abs(self.errors)))

    @property
    def edge_clicks(self) -> int:
        """How many clicks at each end the drift compares: 500, fewer in short files."""
        return max(1, min(EDGE_CLICKS, len(self.errors) // 3))

    @property
    def drift(self) -> float:
        edge = self.edge_clicks
        return float(np.mean(self.errors[-edge:]) - np.mean(self.errors[:edge]))

    @property
    def trend_ms_per_hour(self) -> float:
        """Slope of a line fitted through the errors, in ms per hour of audio."""
        if len(self.errors) < 2:
            return 0.0
        hours = self.ideal / (RATE * 3600)
        return float(np.polyfit(hours, self.errors / RATE * 1000, 1)[0])


def measure_file(
    label: str, path: Path, reference: NDArray[np.float32], ideal: Floats, search: int = 6
) -> Onsets:
    """Measure every click of ``path`` near its ideal position, reading the file in pieces.

    Clicks are taken in groups of 32; each group's search windows are centred on the ideal
    positions plus the error trend (a line fitted through the previous group), so a steady
    drift such as sox's, hundreds of samples by the end, is followed.
    """
    from tests.onsets import measure_onsets

    started = time.perf_counter()
    group = 32
    n = len(reference)
    errors = np.empty(len(ideal))
    at_edge = 0
    slope, intercept = 0.0, 0.0
    with sf.SoundFile(str(path)) as f:
        frames = f.frames
        for first in range(0, len(ideal), group):
            k = np.arange(first, min(first + group, len(ideal)))
            expected = ideal[k] + intercept + slope * k
            lo = max(math.floor(expected[0]) - search - 2, 0)
            hi = min(math.ceil(expected[-1]) + n + search + 2, frames)
            f.seek(lo)
            piece = f.read(hi - lo, dtype="float32")
            found = measure_onsets(piece, reference, expected - lo, search) + lo
            at_edge += int(np.count_nonzero(np.abs(found - np.round(expected)) >= search - 2))
            errors[k] = found - ideal[k]
            if len(k) >= 2:
                slope, intercept = (float(v) for v in np.polyfit(k, errors[k], 1))
            else:
                intercept = float(errors[k[-1]]) - slope * float(k[-1])
    gap = int(np.min(np.diff(ideal)) / 2) if len(ideal) > 1 else RATE
    return Onsets(
        label,
        len(ideal),
        count_clicks(path, gap),
        ideal,
        errors,
        at_edge,
        time.perf_counter() - started,
    )


def measure_onsets_all(workdir: Path, seconds: int, tools: dict[str, Tool | None]) -> list[Onsets]:
    from stridebeat.engine.synth import load_sound

    total = seconds * RATE
    period = 60 * RATE / SPM
    results: list[Onsets] = []
    jobs: list[tuple[str, Tool, Callable[[Path], NDArray[np.float32]], Floats]] = []
    own = load_sound(SOUND, RATE) * VOLUME
    jobs.append((f"stridebeat {SPM}", stridebeat_tool(seconds), lambda _: own, ideal_steady(total)))
    ramp = stridebeat_tool(seconds, ("--ramp", f"{RAMP[0]}:{RAMP[1]}"))
    jobs.append(
        (f"stridebeat {RAMP[0]}:{RAMP[1]}", ramp, lambda _: own, ideal_ramp(*RAMP, seconds))
    )
    for name in ("klick", "sox"):
        tool = tools.get(name)
        if tool is not None:
            jobs.append(
                (f"{name} {SPM}", tool, lambda p: first_click(p, period), ideal_steady(total))
            )
    for label, tool, reference, ideal in jobs:
        out = workdir / "onsets.wav"
        run_measured(tool.command(out), workdir)
        wave = reference(out)
        result = measure_file(label, out, wave, ideal)
        out.unlink()
        print(
            f"  {label:<20} reference {len(wave)} samples, {result.expected} clicks measured "
            f"in {result.seconds:.1f} s"
        )
        results.append(result)
    return results


# --- spoken cues ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CueRenders:
    seconds: int
    times: dict[str, list[Run]]  # "cues" and "no cues"
    cues: int  # cue lines in the .lrc of the warm-up render
    expected: int  # a cue every CUE_EVERY_S from CUE_EVERY_S on
    cache_files: int  # phrases in the private speech cache after the warm-up
    cache_unchanged: bool  # the timed renders neither added nor rewrote a cached phrase

    @property
    def count_ok(self) -> bool:
        return abs(self.cues - self.expected) <= max(1, round(CUE_SPREAD * self.expected))

    @property
    def ratio(self) -> float:
        return median_s(self.times["cues"]) / median_s(self.times["no cues"])


@dataclass(frozen=True)
class SpeechTiming:
    engine: str  # as asked: espeak-ng, pyttsx3 or auto
    used: str  # the engine that spoke the phrases
    problem: str  # why the engine could not speak here ("" when it could)
    first_ms: float  # the first cold call, which includes the engine's one-off probe
    cold_ms: list[float]  # the other cold calls, one per distinct phrase
    cold_calls: int  # TTS calls for the cold phrases after the first (1 each, no retries)
    warm_ms: list[float]  # every phrase again, from a second Speech on the same cache
    warm_calls: int  # TTS calls of that second Speech: 0 when every phrase is a cache hit


def count_lrc_cues(path: Path) -> int:
    """Cue lines ``[mm:ss.xx]text`` of a .lrc file, checking the rest are header tags."""
    if not path.is_file():
        raise BenchError(f"the render with cues wrote no {path.name}")
    cues = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        cue = LRC_CUE.fullmatch(line)
        if cue is not None and cue[4] in CUE_PHRASES:
            cues += 1
        elif cues or LRC_TAG.fullmatch(line) is None:
            raise BenchError(f"unexpected line in {path.name}: {line!r}")
    return cues


def measure_cue_renders(workdir: Path, seconds: int, runs: int) -> CueRenders:
    script = workdir / "cues.toml"
    script.write_text(CUE_SCRIPT, encoding="utf-8")
    home = workdir / "home"
    env = {**MEASURED_ENV, "STRIDEBEAT_HOME": str(home)}
    cache = home / "cache" / "speech"
    engine = ("--speech-engine", SPEECH_ENGINE)
    plain = ("--spm", str(SPM), *engine)
    tools = [
        stridebeat_tool(seconds, (*plain, "--cues", str(script)), "cues", env),
        stridebeat_tool(seconds, plain, "no cues", env),
    ]
    print(f"  cue script {script}: every {CUE_EVERY_S} s, {len(CUE_PHRASES)} phrasings")
    print(f"  STRIDEBEAT_HOME={home}")
    for tool in tools:
        print(f"  {tool.name:<10} $ {tool.show()}")

    out = workdir / "warmup.wav"
    run = run_measured(tools[0].command(out), workdir, env)
    cues = count_lrc_cues(out.with_suffix(".lrc"))
    expected = math.ceil(seconds / CUE_EVERY_S) - 1
    out.unlink()
    out.with_suffix(".lrc").unlink()
    before = cache_state(cache)
    print(
        f"  warm-up render with cues: {run.seconds:.2f} s, {cues} cues in its .lrc "
        f"(expected about {expected}), {len(before)} phrases now in the speech cache"
    )
    if not before:
        raise BenchError(f"the warm-up render left no speech cache in {cache}")

    times = time_round_robin(tools, runs, workdir, seconds * RATE)
    unchanged = cache_state(cache) == before
    return CueRenders(seconds, times, cues, expected, len(before), unchanged)


def cold_phrases(count: int) -> list[str]:
    """``count`` distinct short phrases, plus one more for the first (probing) call."""
    return [f"Cadence {150 + i}." for i in range(count + 1)]


def time_phrases(speak: Callable[[str, int], object], phrases: Sequence[str]) -> list[float]:
    """Milliseconds per call of ``speak(text, RATE)``."""
    spent = []
    for text in phrases:
        started = time.perf_counter()
        speak(text, RATE)
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def measure_speech(workdir: Path, engine: str, phrases: Sequence[str]) -> SpeechTiming:
    """Cold: each phrase once on a fresh cache; warm: all again from a second Speech."""
    from stridebeat.cues.settings import SpeechSettings
    from stridebeat.cues.speech import Speech
    from stridebeat.errors import SpeechFailed, SpeechUnavailable

    cache = Path(tempfile.mkdtemp(prefix=f"speech-{engine}-", dir=workdir))
    settings = SpeechSettings(engine)
    cold = Speech(settings, cache_dir=cache)
    try:
        first = time_phrases(cold.phrase, phrases[:1])[0]
        after_first = cold.tts_calls
        cold_ms = time_phrases(cold.phrase, phrases[1:])
    except (SpeechUnavailable, SpeechFailed) as exc:
        return SpeechTiming(engine, "", str(exc), math.nan, [], 0, [], 0)
    cold_calls = cold.tts_calls - after_first
    warm = Speech(settings, cache_dir=cache)
    warm_ms = time_phrases(warm.phrase, phrases)
    return SpeechTiming(
        engine, cold.engine_used, "", first, cold_ms, cold_calls, warm_ms, warm.tts_calls
    )


def measure_speech_all(workdir: Path, count: int) -> list[SpeechTiming]:
    phrases = cold_phrases(count)
    print(
        f"  {count} distinct phrases ({phrases[1]!r} ... {phrases[-1]!r}) at {RATE} Hz, "
        f"after a first call ({phrases[0]!r}) that also probes the engine"
    )
    results = []
    for engine in SPEECH_ENGINES:
        result = measure_speech(workdir, engine, phrases)
        if result.problem:
            print(f"  {engine:<10} cannot speak here: {result.problem}")
        else:
            print(
                f"  {engine:<10} ({result.used}) cold {statistics.median(result.cold_ms):.1f} ms, "
                f"warm {statistics.median(result.warm_ms):.2f} ms per phrase"
            )
        results.append(result)
    return results


# --- reporting -----------------------------------------------------------------------------


def span(seconds: int) -> str:
    """10 s, 3 min, 3 h."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def fs_of(path: Path) -> tuple[str, str]:
    """(mount point, filesystem type) holding ``path``, from /proc/mounts."""
    best = ("/", "?")
    resolved = str(path.resolve())
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return best
    for entry in lines:
        fields = entry.split()
        if len(fields) < 3:
            continue
        mount = fields[1]
        inside = resolved == mount or resolved.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best[0]):
            best = (mount, fields[2])
    return best


def pick_workdir(requested: Path | None) -> Path:
    """A fresh folder on the repository's own disk: the temp dir if it is there, else bench/."""
    if requested is not None:
        base = requested
    else:
        tmp = Path(tempfile.gettempdir())
        same_disk = tmp.stat().st_dev == REPO.stat().st_dev and fs_of(tmp)[1] != "tmpfs"
        base = tmp if same_disk else REPO / "bench"
    return Path(tempfile.mkdtemp(prefix=".stridebeat-bench-", dir=base))


def time_row(name: str, runs: Sequence[Run]) -> list[str]:
    """A row of a render-time table: median, min and max s, median CPU s, median peak RSS in
    MiB."""
    return [
        name,
        f"{median_s(runs):.3f}",
        f"{min(x.seconds for x in runs):.3f}",
        f"{max(x.seconds for x in runs):.3f}",
        f"{statistics.median(x.cpu_seconds for x in runs):.3f}",
        f"{statistics.median(x.max_rss_kib for x in runs) / 1024:.1f}",
    ]


TIME_HEADERS = ("median s", "min s", "max s", "median CPU s", "peak RSS MiB")


def report_cues(cues: CueRenders, runs: int) -> list[list[str]]:
    """Print the cue render times; their target rows."""
    print(
        f"\nSpoken cues: {span(cues.seconds)} render, cues in its .lrc: {cues.cues} "
        f"(--speech-engine {SPEECH_ENGINE}), median of {runs} alternating runs"
    )
    rows = [time_row(name, r) for name, r in cues.times.items()]
    print(table(["render", *TIME_HEADERS], rows))
    print(
        f"(cues cost {median_s(cues.times['cues']) - median_s(cues.times['no cues']):+.3f} s; "
        f"phrases in the speech cache: {cues.cache_files}, "
        + ("untouched by the timed renders)" if cues.cache_unchanged else "CHANGED during them)")
    )
    return [
        [
            f"cues in the {span(cues.seconds)} .lrc",
            str(cues.cues),
            f"about {cues.expected}",
            verdict(cues.count_ok),
        ],
        [
            "speech cache in timed renders",
            "warm" if cues.cache_unchanged else "changed",
            "warm",
            verdict(cues.cache_unchanged),
        ],
        [
            "time with/without cues",
            f"{cues.ratio:.2f}",
            f"<= {TARGET_CUE_RATIO:g}",
            verdict(cues.ratio <= TARGET_CUE_RATIO),
        ],
    ]


def report_speech(speech: list[SpeechTiming]) -> list[list[str]]:
    """Print the cold and warm speech timings; their target rows."""
    print(
        "\nSpeech per phrase, in-process (cold: fresh cache, one TTS call each; first: the "
        "first call,\nwhich also probes the engine, left out of the cold figures; warm: every "
        "phrase again from\na second Speech on the same cache)"
    )
    headers = [
        "engine",
        "spoke",
        "first ms",
        "cold med ms",
        "cold min ms",
        "cold max ms",
        "TTS calls",
        "warm med ms",
        "warm TTS",
    ]
    rows = []
    targets = []
    for s in speech:
        if s.problem:
            rows.append([s.engine, "-", *["-"] * (len(headers) - 2)])
            print(f"  {s.engine}: {s.problem}")
            if s.engine in COLD_TARGETED:
                targets.append(
                    [f"cold phrase, {s.engine}", "unavailable", f"<= {TARGET_COLD_MS:g} ms", "FAIL"]
                )
            continue
        cold = statistics.median(s.cold_ms)
        rows.append(
            [
                s.engine,
                s.used,
                f"{s.first_ms:.1f}",
                f"{cold:.1f}",
                f"{min(s.cold_ms):.1f}",
                f"{max(s.cold_ms):.1f}",
                f"{s.cold_calls}/{len(s.cold_ms)}",
                f"{statistics.median(s.warm_ms):.2f}",
                f"{s.warm_calls}/{len(s.warm_ms)}",
            ]
        )
        # pyttsx3 starts a child process per phrase: reported, but the target is for the
        # default engine order, espeak-ng first on Linux.
        targeted = s.engine in COLD_TARGETED
        targets.append(
            [
                f"cold phrase, {s.engine}" + (f" ({s.used})" if s.engine == "auto" else ""),
                f"{cold:.1f} ms",
                f"<= {TARGET_COLD_MS:g} ms" if targeted else "-",
                verdict(cold <= TARGET_COLD_MS) if targeted else "-",
            ]
        )
        targets.append(
            [
                f"warm TTS calls, {s.engine}",
                f"{s.warm_calls} ({statistics.median(s.warm_ms):.2f} ms)",
                "0",
                verdict(s.warm_calls == 0),
            ]
        )
    print(table(headers, rows))
    return targets


# --- main ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=int, help="length of the timed files (default 60)")
    parser.add_argument("--runs", type=int, help="alternating runs per tool (default 5)")
    parser.add_argument(
        "--quick", action="store_true", help="1-minute files, 2 runs, 10 spoken phrases"
    )
    parser.add_argument("--workdir", type=Path, help="where to write (default: on the repo's disk)")
    parser.add_argument(
        "--time-only", action="store_true", help="only the render times (section 1) and ratios"
    )
    parser.add_argument(
        "--stridebeat",
        metavar="PATH",
        help="the stridebeat command to measure, e.g. another checkout's (default: this venv's)",
    )
    args = parser.parse_args(argv)
    global STRIDEBEAT_COMMAND
    STRIDEBEAT_COMMAND = args.stridebeat or ""
    minutes: int = args.minutes or (1 if args.quick else 60)
    runs: int = args.runs or (2 if args.quick else 5)
    if minutes < 1 or runs < 1:
        parser.error("--minutes and --runs must be at least 1")
    # Memory: 10 min and 3 h, or 10 s and 3 min for --quick.
    memory_lengths = (10, 180) if args.quick else (600, 10800)
    phrases = 10 if args.quick else COLD_PHRASES

    sys.path.insert(0, str(REPO))  # for tests.onsets
    sys.dont_write_bytecode = True  # leave no __pycache__ in tests/
    workdir = pick_workdir(args.workdir)
    mount, fstype = fs_of(workdir)
    free = shutil.disk_usage(workdir).free
    need = memory_lengths[1] * RATE * 2 + 64 * MIB
    print(f"stridebeat render benchmark: {minutes} min at {SPM} spm, {RATE} Hz mono 16-bit")
    print(f"python {sys.executable}; {os.cpu_count()} CPUs")
    if GNU_TIME is None:
        print("note: no /usr/bin/time; peak RSS from os.wait4 includes this script's own RSS")
    print(f"work dir {workdir} ({fstype} on {mount}, {free / 1e9:.0f} GB free)")
    if free < need:
        print(f"WARNING: the {memory_lengths[1] // 60}-min render needs {need / 1e9:.1f} GB")

    try:
        return run_all(workdir, minutes, runs, memory_lengths, phrases, args.time_only)
    except BenchError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_all(
    workdir: Path,
    minutes: int,
    runs: int,
    memory_lengths: tuple[int, int],
    phrases: int,
    time_only: bool = False,
) -> int:
    seconds = minutes * 60
    total = seconds * RATE
    optional = {"klick": klick_tool(seconds), "sox": sox_tool(total)}
    tools = [stridebeat_tool(seconds), silence_tool(total)]
    for name, tool in optional.items():
        if tool is None:
            print(f"note: {name} is not installed; skipping it")
        else:
            tools.append(tool)

    section(f"1. Render time, {runs} alternating runs each")
    for tool in tools:
        print(f"  {tool.name:<10} $ {tool.show()}")
    times = time_round_robin(tools, runs, workdir, total)
    if time_only:
        section(f"Results: {minutes} min at {SPM} spm, {RATE} Hz mono 16-bit")
        targets = report_times(runs, times)
        print("\nTargets")
        print(table(["measure", "value", "target", "result"], targets))
        return 0

    section("2. Peak memory of stridebeat render")
    memory: list[tuple[int, Run]] = []
    for length in memory_lengths:
        out = workdir / "memory.wav"
        run = run_measured(stridebeat_tool(length).command(out), workdir)
        size = out.stat().st_size
        out.unlink()
        memory.append((length, run))
        print(
            f"  {span(length)}: {run.max_rss_kib / 1024:.1f} MiB peak RSS, "
            f"{run.seconds:.2f} s, {size / 1e6:.0f} MB written (deleted)"
        )

    section("3. Onset accuracy (every click, cross-correlated with the click waveform)")
    onsets = measure_onsets_all(workdir, seconds, optional)

    section("4. Start-up time (median of 10 alternating runs)")
    startup: dict[str, list[Run]] = {"stridebeat --help": [], "python -c pass": []}
    commands = {
        "stridebeat --help": [STRIDEBEAT_COMMAND or stridebeat_exe(), "--help"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    for _ in range(STARTUP_RUNS):
        for name, argv in commands.items():
            startup[name].append(run_measured(argv, workdir))
    print("  done")

    section(f"5. Spoken cues: render time, {runs} alternating runs each, warm speech cache")
    cues = measure_cue_renders(workdir, seconds, runs)
    section(f"6. Spoken cues: cold and warm speech, in-process, {phrases} phrases per engine")
    speech = measure_speech_all(workdir, phrases)

    report(minutes, runs, times, memory, onsets, startup, cues, speech)
    return 0


def report_times(runs: int, times: dict[str, list[Run]]) -> list[list[str]]:
    """Print the render times; the target rows of their ratios."""
    rows = [time_row(name, r) for name, r in times.items()]
    print(f"\nRender time, median of {runs} alternating runs")
    print(table(["tool", *TIME_HEADERS], rows))
    targets: list[list[str]] = []
    own = median_s(times["stridebeat"])
    for other, target in (
        ("silence", TARGET_VS_SILENCE),
        ("klick", TARGET_VS_KLICK),
        ("sox", None),
    ):
        label = f"time stridebeat/{other}"
        if other not in times:
            targets.append([label, "skipped", f"<= {target:g}" if target else "-", "-"])
            continue
        ratio = own / median_s(times[other])
        if target is None:
            targets.append([label, f"{ratio:.2f}", "-", "-"])
        else:
            targets.append([label, f"{ratio:.2f}", f"<= {target:g}", verdict(ratio <= target)])
    return targets


def report(
    minutes: int,
    runs: int,
    times: dict[str, list[Run]],
    memory: list[tuple[int, Run]],
    onsets: list[Onsets],
    startup: dict[str, list[Run]],
    cues: CueRenders,
    speech: list[SpeechTiming],
) -> None:
    section(f"Results: {minutes} min at {SPM} spm, {RATE} Hz mono 16-bit")
    targets = report_times(runs, times)
    peaks = [run.max_rss_kib / 1024 for _, run in memory]
    same = abs(peaks[1] - peaks[0]) <= RSS_SPREAD * peaks[0]
    for (length, _), peak in zip(memory, peaks, strict=True):
        targets.append(
            [
                f"peak RSS, {span(length)}",
                f"{peak:.1f} MiB",
                f"<= {TARGET_RSS_MIB:g} MiB",
                verdict(peak <= TARGET_RSS_MIB),
            ]
        )
    targets.append(
        [
            f"peak RSS, {span(memory[1][0])} vs {span(memory[0][0])}",
            f"{peaks[1] - peaks[0]:+.1f} MiB",
            f"within {RSS_SPREAD:.0%}",
            verdict(same),
        ]
    )

    print(
        "\nOnset accuracy (error = measured - ideal; drift = mean error of the last N clicks "
        f"minus the first N, N = min({EDGE_CLICKS}, clicks / 3))"
    )
    rows = [
        [
            o.label,
            f"{o.counted}/{o.expected}",
            f"{o.worst:.3f}",
            f"{o.worst / RATE * 1000:.3f}",
            f"{o.drift:+.3f}",
            f"{o.drift / RATE * 1000:+.3f}",
            f"{np.mean(o.errors):+.3f}",
            f"{o.trend_ms_per_hour:+.3f}",
            str(o.at_edge),
        ]
        for o in onsets
    ]
    print(table(ONSET_HEADERS, rows))
    print("(clicks: bursts of sound found in the file / ideal clicks; trend: slope of a line fit")
    print(" through the errors; edge: correlation peaks near the edge of the search window,")
    print(" i.e. clicks possibly not found)")

    help_s = median_s(startup["stridebeat --help"])
    bare_s = median_s(startup["python -c pass"])
    print("\nStart-up, median of 10 alternating runs")
    print(
        table(
            ["command", "median s", "peak RSS MiB"],
            [
                [
                    name,
                    f"{median_s(r):.3f}",
                    f"{statistics.median(x.max_rss_kib for x in r) / 1024:.1f}",
                ]
                for name, r in startup.items()
            ],
        )
    )
    print(f"(stridebeat --help costs {help_s - bare_s:.3f} s over a bare interpreter)")
    targets.append(
        [
            "stridebeat --help",
            f"{help_s:.3f} s",
            f"<= {TARGET_STARTUP_S:g} s",
            verdict(help_s <= TARGET_STARTUP_S),
        ]
    )

    targets += report_cues(cues, runs)
    targets += report_speech(speech)

    print("\nTargets")
    print(table(["measure", "value", "target", "result"], targets))


if __name__ == "__main__":
    sys.exit(main())
