"""Benchmark ``stridebeat plan export``: parallel speed-up, time per audio minute, memory, no-op.

Run from the repository root::

    .venv/bin/python bench/export.py [--runs 3] [--quick] [--workdir DIR]

Each plan lives in a private ``STRIDEBEAT_HOME`` in the work dir, whose speech cache is filled
by one untimed export (WAV at 8 kHz, deleted) before anything is timed, so the timed exports
measure rendering and encoding (the benchmark checks that they leave the cache as it was).
The plans:

* main: ``plan init --baseline 160 --weeks 4 --days 2 --strength-days 1`` (12 sessions, about
  443 audio minutes; ``--quick``: ``--days 1 --strength-days 0``, 4 runs, about 168 min);
* week 1: the main plan cut to its first week (``--quick``: its first 2 weeks);
* 25-min run and 55-min run: one run session each (the shortest and longest a plan file
  allows), written as a plan file.

It measures, in one go:

1. the main plan's export at ``--jobs 2`` against ``--jobs 1`` (default format mp3, 44.1 kHz;
   ``--quick``: 8 kHz), median wall time of runs alternating with all the other exports
   (round-robin), each into a folder deleted just before it, so every file is rendered again;
2. seconds per audio minute (total minutes from ``plan show --json``) of every ``--jobs 1``
   export: the main plan against week 1, with a line fitted through all four (fixed cost +
   cost per minute);
3. memory: the peak RSS (``/usr/bin/time -f %M``) of the 25-min and the 55-min single-session
   exports, which render in-process (one session, or ``--jobs 1``); and, for every export, the
   peak (``VmHWM``) of the stridebeat process and of its pool workers, polled from ``/proc``;
4. a second export of the main plan into the folder of its last timed export, nothing changed
   (the default ``--jobs``): wall time, its "0 files written" line and that no file was
   touched, against ``stridebeat plan show --json`` (start-up and reading the plan).

The first round also checks the folders: one audio file and one ``.lrc`` per session, audio
lengths adding up to the plan's minutes, the playlist, and the same bytes from ``--jobs 1``
and ``--jobs 2``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import soundfile as sf

if __package__:  # python -m bench.export: bench/ on sys.path, as for python bench/export.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    CLEAN_ENV,
    GNU_TIME,
    BenchError,
    cache_state,
    median_s,
    section,
    stridebeat_exe,
    table,
    verdict,
)

PLAN_ARGS = ("--baseline", "160", "--weeks", "4", "--days", "2", "--strength-days", "1")
QUICK_PLAN_ARGS = ("--baseline", "160", "--weeks", "4", "--days", "1", "--strength-days", "0")
START = "2030-01-07"  # a fixed start: the same plan whatever the day
SUBSET_WEEKS = 1  # the smaller plan: the main plan's first weeks (2 with --quick)
SINGLE_MINUTES = (25, 55)  # a run lasts 25-55 min in a plan file
FORMAT = "mp3"  # the export's default
QUICK_RATE = 8000
WARM_ARGS = ("--format", "wav", "--sample-rate", "8000")  # the speech-cache warm-up export
MIB = 1024
POLL_S = 0.2
NOOP_RUNS = 5

TARGET_SPEEDUP = 1.6  # --jobs 1 time / --jobs 2 time on 2 cores
SCALE_SPREAD = 0.10  # s per audio minute: main plan and week 1 within 10 % of each other
RSS_SPREAD = 0.15  # "about the same": the 55-min peak within 15 % of the 25-min one
TARGET_NOOP_S = 0.5  # "near-instant": every file up to date

SINGLE_PLAN = """\
baseline_spm = 160.0
start = {start}
week_cadences = [165]

[[session]]
week = 1
number = 1
date = {start}
kind = "run"
cadence_spm = 165
minutes = {minutes}
metronome = "on"
retention_check = false
"""
# "1 file written" for a single session
SUMMARY = re.compile(r"(\d+) files? written, (\d+) up to date, (\d+) removed")


# --- plans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanHome:
    name: str
    home: Path  # its STRIDEBEAT_HOME: plan.toml and the speech cache
    minutes: tuple[float, ...]  # per session, from plan show --json

    @property
    def total(self) -> float:
        return sum(self.minutes)

    @property
    def env(self) -> dict[str, str]:
        return {**CLEAN_ENV, "STRIDEBEAT_HOME": str(self.home)}

    @property
    def cache(self) -> Path:
        return self.home / "cache" / "speech"


def run_cli(args: Sequence[str], home: Path) -> str:
    """Run ``stridebeat ARGS`` with ``home`` as STRIDEBEAT_HOME; its stdout."""
    env = {**CLEAN_ENV, "STRIDEBEAT_HOME": str(home)}
    proc = subprocess.run(
        [stridebeat_exe(), *args], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise BenchError(f"stridebeat {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc.stdout


def plan_minutes(home: Path) -> tuple[float, ...]:
    import json

    return tuple(float(r["minutes"]) for r in json.loads(run_cli(["plan", "show", "--json"], home)))


def make_plans(workdir: Path, plan_args: Sequence[str], subset_weeks: int) -> list[PlanHome]:
    """The main plan, its first weeks, and the two single-run plans, each in its own home."""
    from stridebeat.training.planfile import load_plan, save_plan

    main = workdir / "home-main"
    run_cli(["plan", "init", *plan_args, "--start", START], main)
    subset = workdir / "home-subset"
    made = load_plan(main / "plan.toml")
    kept = tuple(s for s in made.sessions if s.week <= subset_weeks)
    save_plan(replace(made, sessions=kept), subset / "plan.toml")
    homes = [("main", main), (f"week{'s 1-' if subset_weeks > 1 else ' '}{subset_weeks}", subset)]
    for minutes in SINGLE_MINUTES:
        home = workdir / f"home-{minutes}"
        home.mkdir()
        text = SINGLE_PLAN.format(start=START, minutes=minutes)
        (home / "plan.toml").write_text(text, encoding="utf-8")
        homes.append((f"{minutes}-min run", home))
    return [PlanHome(name, home, plan_minutes(home)) for name, home in homes]


def warm_cache(plan: PlanHome, workdir: Path) -> tuple[float, int]:
    """Fill the plan's speech cache with a cheap export; (seconds, cached phrases)."""
    out = workdir / f"warm-{plan.home.name}"
    started = time.perf_counter()
    run_cli(["plan", "export", str(out), *WARM_ARGS], plan.home)
    seconds = time.perf_counter() - started
    shutil.rmtree(out)
    return seconds, len(cache_state(plan.cache))


# --- running and watching exports ----------------------------------------------------------


def descendants(root: int) -> list[int]:
    """Every process under ``root``, from the parent pids in /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the name in (...) may hold spaces
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def proc_kind(pid: int) -> str:
    """main (the stridebeat command), worker (a spawned pool process), tracker or other."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "other"
    text = b" ".join(argv).decode(errors="replace")
    if "resource_tracker" in text:
        return "tracker"
    if "multiprocessing" in text:
        return "worker"
    return "main" if "stridebeat" in text else "other"


def vm_hwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


class TreeWatch:
    """Poll the peak resident set (VmHWM) of every process under a pid, until stopped."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.kinds: dict[int, str] = {}
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            for pid in descendants(self.root):
                if pid not in self.kinds:
                    self.kinds[pid] = proc_kind(pid)
                peak = vm_hwm_kib(pid)
                if peak is not None:
                    self.peaks[pid] = max(peak, self.peaks.get(pid, 0))
            if self._stop.wait(POLL_S):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, kind: str) -> tuple[int, int]:
        """(how many processes of that kind, their largest VmHWM in KiB)."""
        peaks = [p for pid, p in self.peaks.items() if self.kinds.get(pid) == kind]
        return len(peaks), max(peaks, default=0)


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_kib: int  # /usr/bin/time -f %M: the largest process of the tree it waited for
    main_kib: int  # VmHWM of the stridebeat process, polled
    workers: int  # pool worker processes seen
    worker_kib: int  # their largest VmHWM, polled
    summary: str  # "N files written, M up to date, K removed"
    written: int


def run_export(argv: Sequence[str], env: dict[str, str], cwd: Path) -> Run:
    """Run an export to completion: wall time, peak memory and its summary line."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as rss:
        wrapped = [GNU_TIME, "-f", "%M", "-o", rss.name, *argv] if GNU_TIME else list(argv)
        start = time.perf_counter()
        proc = subprocess.Popen(
            wrapped, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
        watch = TreeWatch(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        watch.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace").strip()
        if proc.returncode != 0:
            raise BenchError(f"{' '.join(argv)!r} exited with {proc.returncode}: {text}")
        peak = int(rss.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    found = SUMMARY.search(text)
    if found is None:
        raise BenchError(f"{' '.join(argv)!r} printed no summary line: {text!r}")
    workers, worker_kib = watch.peak("worker")
    _, main_kib = watch.peak("main")
    written = int(found[1])
    return Run(elapsed, peak, main_kib, workers, worker_kib, found[0], written)


@dataclass(frozen=True)
class Export:
    name: str
    plan: PlanHome
    jobs: int
    extra: tuple[str, ...]
    folder: Path

    def argv(self, folder: Path | None = None, jobs: bool = True) -> list[str]:
        target = str(folder or self.folder)
        more = ["--jobs", str(self.jobs)] if jobs else []
        return [stridebeat_exe(), "plan", "export", target, *more, *self.extra]


@dataclass
class Folder:
    """What an export left: checked in the first round."""

    files: int = 0
    lrc: int = 0
    playlist: int = 0
    audio_min: float = 0.0
    megabytes: float = 0.0
    hashes: dict[str, str] = field(default_factory=dict)


def check_folder(export: Export, fmt: str) -> Folder:
    audio = sorted(export.folder.glob(f"*.{fmt}"))
    playlist = export.folder / "stridebeat-plan.m3u"
    entries = [
        line for line in playlist.read_text(encoding="utf-8").splitlines() if line.endswith(fmt)
    ]
    seen = Folder(len(audio), len(list(export.folder.glob("*.lrc"))), len(entries))
    for path in audio:
        info = sf.info(str(path))
        seen.audio_min += info.frames / info.samplerate / 60
        seen.megabytes += path.stat().st_size / 1e6
        seen.hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    sessions = len(export.plan.minutes)
    # plan show rounds each session to 0.1 min
    if not seen.files == seen.lrc == seen.playlist == sessions:
        raise BenchError(
            f"{export.name}: {seen.files} audio files, {seen.lrc} .lrc, {seen.playlist} playlist "
            f"entries for {sessions} sessions"
        )
    if abs(seen.audio_min - export.plan.total) > 0.05 * sessions + 0.01:
        raise BenchError(
            f"{export.name}: {seen.audio_min:.2f} audio minutes, the plan has "
            f"{export.plan.total:.1f}"
        )
    return seen


def time_round_robin(
    exports: Sequence[Export], runs: int, workdir: Path, fmt: str
) -> tuple[dict[str, list[Run]], dict[str, Folder]]:
    """Run the exports A, B, C, ..., A, B, C, ...; each into a folder deleted just before."""
    results: dict[str, list[Run]] = {e.name: [] for e in exports}
    folders: dict[str, Folder] = {}
    for round_ in range(runs):
        for export in exports:
            shutil.rmtree(export.folder, ignore_errors=True)
            os.sync()  # start each run with no dirty pages of earlier runs being written back
            run = run_export(export.argv(), export.plan.env, workdir)
            if run.written != len(export.plan.minutes):
                raise BenchError(f"{export.name}: {run.summary}: not every file was rendered")
            results[export.name].append(run)
            if round_ == 0:
                seen = check_folder(export, fmt)
                folders[export.name] = seen
                print(
                    f"  {export.name:<19} {seen.files} {fmt} + {seen.lrc} .lrc, "
                    f"{seen.audio_min:.2f} audio min, {seen.megabytes:.0f} MB; {run.summary}"
                )
        print(
            f"  round {round_ + 1}/{runs}: "
            + ", ".join(f"{name} {times[-1].seconds:.1f} s" for name, times in results.items())
        )
    return results, folders


def files_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


@dataclass(frozen=True)
class Noop:
    export: list[Run]
    show: list[Run]  # stridebeat plan show --json, for scale
    untouched: bool  # no file of the folder changed size or modification time


def measure_noop(export: Export, workdir: Path) -> Noop:
    """Export again into the last export's folder, nothing changed, alternating with plan show."""
    before = files_state(export.folder)
    again = export.argv(jobs=False)  # the default --jobs
    show = [stridebeat_exe(), "plan", "show", "--json"]
    print(f"  $ {' '.join(again)}")
    print(f"  $ {' '.join(show)}")
    noop: list[Run] = []
    shows: list[Run] = []
    for _ in range(NOOP_RUNS):
        noop.append(run_export(again, export.plan.env, workdir))
        shows.append(time_show(show, export.plan.env, workdir))
    # plan show prints no summary; the manifest and playlist are rewritten with the same text
    after = files_state(export.folder)
    audio = {k: v for k, v in before.items() if not k.endswith((".json", ".m3u"))}
    untouched = all(after.get(k) == v for k, v in audio.items()) and set(after) == set(before)
    return Noop(noop, shows, untouched)


def time_show(argv: Sequence[str], env: dict[str, str], cwd: Path) -> Run:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=True)
    return Run(time.perf_counter() - start, 0, 0, 0, 0, "", 0)


# --- reporting -----------------------------------------------------------------------------


def mib(kib: float) -> str:
    return f"{kib / MIB:.1f}" if kib else "-"


def spread(a: float, b: float) -> float:
    """How far b is from a, as a share of a."""
    return (b - a) / a


# --- main ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, help="alternating runs per export (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="4-run plan at 8 kHz, 2 runs: a smoke test"
    )
    parser.add_argument("--workdir", type=Path, help="where to write (default: the temp dir)")
    args = parser.parse_args(argv)
    runs: int = args.runs or (2 if args.quick else 3)
    if runs < 1:
        parser.error("--runs must be at least 1")
    plan_args = QUICK_PLAN_ARGS if args.quick else PLAN_ARGS
    subset_weeks = 2 if args.quick else SUBSET_WEEKS
    extra = ("--sample-rate", str(QUICK_RATE)) if args.quick else ()

    workdir = Path(tempfile.mkdtemp(prefix=".stridebeat-export-bench-", dir=args.workdir))
    rate = f"{QUICK_RATE} Hz" if args.quick else "44.1 kHz (the default)"
    print(f"stridebeat plan export benchmark: {FORMAT} (the default format), {rate}, {runs} runs")
    print(f"python {sys.executable}; {os.cpu_count()} CPUs; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    if GNU_TIME is None:
        print("note: no /usr/bin/time; peak RSS from os.wait4 includes this script's own RSS")
    print(f"work dir {workdir} ({shutil.disk_usage(workdir).free / 1e9:.0f} GB free)")
    try:
        return run_all(workdir, runs, plan_args, subset_weeks, extra)
    except BenchError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_all(
    workdir: Path,
    runs: int,
    plan_args: Sequence[str],
    subset_weeks: int,
    extra: tuple[str, ...],
) -> int:
    section("1. Plans, each in its own STRIDEBEAT_HOME")
    print(f"  main: stridebeat plan init {' '.join(plan_args)} --start {START}")
    plans = make_plans(workdir, plan_args, subset_weeks)
    for plan in plans:
        lengths = ", ".join(f"{m:g}" for m in plan.minutes)
        count = len(plan.minutes)
        print(f"  {plan.name:<10} {count:>2} session{'s' if count > 1 else ' '}, "
              f"{plan.total:6.1f} min ({lengths})")  # fmt: skip

    section(f"2. Speech cache warm-up: plan export DIR {' '.join(WARM_ARGS)} (deleted)")
    caches: dict[str, dict[str, int]] = {}
    for plan in plans:
        seconds, cached = warm_cache(plan, workdir)
        caches[plan.name] = cache_state(plan.cache)
        print(f"  {plan.name:<10} {seconds:.2f} s, {cached} phrases in its speech cache")
        if not cached:
            raise BenchError(f"the warm-up export left no speech cache in {plan.cache}")

    main, subset, short, long_ = plans
    exports = [
        Export("main --jobs 1", main, 1, extra, workdir / "out-main-1"),
        Export("main --jobs 2", main, 2, extra, workdir / "out-main-2"),
        Export(f"{subset.name} --jobs 1", subset, 1, extra, workdir / "out-subset"),
        Export(f"{short.name} --jobs 1", short, 1, extra, workdir / "out-short"),
        Export(f"{long_.name} --jobs 1", long_, 1, extra, workdir / "out-long"),
    ]
    section(f"3. Export time, {runs} alternating runs each (output folder deleted before each)")
    for export in exports:
        print(f"  {export.name:<19} $ {' '.join(export.argv())}")
    times, folders = time_round_robin(exports, runs, workdir, FORMAT)
    warm = all(cache_state(p.cache) == caches[p.name] for p in plans)

    section(f"4. Export again, nothing changed ({NOOP_RUNS} runs, alternating with plan show)")
    noop = measure_noop(exports[1], workdir)
    print(f"  {noop.export[-1].summary}")

    report(exports, times, folders, noop, warm, runs)
    return 0


def report(
    exports: Sequence[Export],
    times: dict[str, list[Run]],
    folders: dict[str, Folder],
    noop: Noop,
    warm: bool,
    runs: int,
) -> None:
    section(f"Results: {FORMAT}, {os.cpu_count()} CPUs")
    print(f"\nExport time and memory, median of {runs} alternating runs")
    rows = []
    for export in exports:
        r = times[export.name]
        rows.append(
            [
                export.name,
                str(len(export.plan.minutes)),
                f"{export.plan.total:.1f}",
                f"{median_s(r):.2f}",
                f"{min(x.seconds for x in r):.2f}",
                f"{max(x.seconds for x in r):.2f}",
                f"{median_s(r) / export.plan.total:.4f}",
                mib(statistics.median(x.max_rss_kib for x in r)),
                mib(statistics.median(x.main_kib for x in r)),
                mib(max(x.worker_kib for x in r)),
            ]
        )
    headers = ["export", "sessions", "audio min", "median s", "min s", "max s", "s/audio min",
               "peak RSS MiB", "main MiB", "worker MiB"]  # fmt: skip
    print(table(headers, rows))
    workers = max(x.workers for x in times[exports[1].name])
    print(f"(peak RSS: /usr/bin/time -f %M; main, worker: VmHWM polled every {POLL_S:g} s, main "
          f"the stridebeat process, worker the largest of its {workers} pool workers)")  # fmt: skip

    one = [e for e in exports if e.jobs == 1]
    minutes = np.array([e.plan.total for e in one])
    seconds = np.array([median_s(times[e.name]) for e in one])
    slope, fixed = (float(v) for v in np.polyfit(minutes, seconds, 1))
    print(f"(--jobs 1 exports fit {fixed:.2f} s + {slope:.4f} s per audio minute; largest "
          f"residual {np.max(np.abs(seconds - (fixed + slope * minutes))):.2f} s)")  # fmt: skip
    same = folders[exports[0].name].hashes == folders[exports[1].name].hashes
    print(f"(main plan files from --jobs 1 and --jobs 2: {'identical' if same else 'DIFFERENT'})")

    print(f"\nExport again, nothing changed, median of {NOOP_RUNS}")
    noop_s = median_s(noop.export)
    rows = [
        [name, f"{median_s(r):.3f}", f"{min(x.seconds for x in r):.3f}",
         f"{max(x.seconds for x in r):.3f}", output]
        for name, r, output in (
            ("plan export (default --jobs)", noop.export, noop.export[-1].summary),
            ("plan show --json", noop.show, "-"),
        )
    ]  # fmt: skip
    print(table(["command", "median s", "min s", "max s", "output"], rows))

    j1, j2 = (median_s(times[e.name]) for e in exports[:2])
    speedup = j1 / j2
    main_rate, subset_rate = (median_s(times[e.name]) / e.plan.total for e in exports[0:3:2])
    scale = spread(main_rate, subset_rate)
    short, long_ = (statistics.median(x.max_rss_kib for x in times[e.name]) for e in exports[3:])
    rss = spread(short, long_)
    sessions = len(exports[1].plan.minutes)
    summaries = {r.summary for r in noop.export}
    quiet = summaries == {f"0 files written, {sessions} up to date, 0 removed"}
    rendered = sum(len(r) for r in times.values())
    targets = [
        [f"--jobs 2 speed-up ({j1:.1f} s / {j2:.1f} s)", f"{speedup:.2f}x",
         f">= {TARGET_SPEEDUP:g}x", verdict(speedup >= TARGET_SPEEDUP)],
        [f"s/audio min, {exports[2].plan.name} vs main ({subset_rate:.4f} vs {main_rate:.4f})",
         f"{scale:+.1%}", f"within {SCALE_SPREAD:.0%}", verdict(abs(scale) <= SCALE_SPREAD)],
        [f"peak RSS, 55-min vs 25-min run ({mib(long_)} vs {mib(short)} MiB)", f"{rss:+.1%}",
         f"within {RSS_SPREAD:.0%}", verdict(abs(rss) <= RSS_SPREAD)],
        ["export again, nothing changed", f"{noop_s:.3f} s", f"<= {TARGET_NOOP_S:g} s",
         verdict(noop_s <= TARGET_NOOP_S)],
        ["  its output", "; ".join(s.split(",")[0] for s in sorted(summaries)),
         "0 files written", verdict(quiet)],
        ["  files touched", "none" if noop.untouched else "SOME", "none",
         verdict(noop.untouched)],
        ["timed exports that rendered every file", f"{rendered}/{rendered}", "all", "PASS"],
        ["speech cache in timed exports", "warm" if warm else "changed", "warm", verdict(warm)],
        ["main plan, --jobs 1 and --jobs 2 files", "identical" if same else "different", "-",
         "-"],
    ]  # fmt: skip
    print("\nTargets")
    print(table(["measure", "value", "target", "result"], targets))
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())
