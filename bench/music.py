"""Benchmark music under the click: cold analysis + stretch, cached re-render, peak memory.

Run from the repository root::

    .venv/bin/python bench/music.py [--seconds 150] [--runs 3] [--long-minutes 180]

It makes a folder of four synthetic 3-minute tracks (drum patterns at 88-176 BPM) and, in a
fresh app folder each time a cold figure is wanted:

1. cold: ``stridebeat render --spm 172 --duration 150s --music FOLDER`` with an empty cache
   (analysis + stretch + mix): wall and CPU seconds, per minute of music; target <= 30 s;
2. cached: the same render again (analysis and stretched pieces from the cache) against the
   same render without ``--music``, alternating runs, medians; target <= 2x;
3. peak memory (the command's own max RSS, GNU time) of a cold render with one long track
   (``--long-minutes``, default 180) and with a 3-minute one; target <= 200 MiB;
4. live: CPU share of ``play --music`` for 30 s into a JACK dummy server (skipped if jackd is
   missing), after a first play that fills the cache for the device's rate, against the same
   play without music; target <= 30 % of one core.

``--only N`` (repeatable) runs only those parts.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import soundfile  # noqa: E402
from common import MEASURED_ENV, verdict  # noqa: E402

from tests.jack import OUTPUT, JackServer  # noqa: E402
from tests.music_maker import drum_track  # noqa: E402

LIVE_SECONDS = 30
EXE = str(Path(sys.executable).parent / "stridebeat")


def run(argv: Sequence[str], home: Path, jack: str = "") -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children); ``jack``: a server name."""
    env = {**MEASURED_ENV, "STRIDEBEAT_HOME": str(home)}
    if jack:
        env["JACK_DEFAULT_SERVER"] = jack
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [EXE, *argv], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def peak_mib(argv: Sequence[str], home: Path) -> float | None:
    if not os.access("/usr/bin/time", os.X_OK):
        return None
    done = subprocess.run(["/usr/bin/time", "-f", "%M", EXE, *argv],
                          env={**MEASURED_ENV, "STRIDEBEAT_HOME": str(home)},
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def make_tracks(folder: Path) -> None:
    folder.mkdir()
    for n, bpm in enumerate((170.0, 88.0, 176.0, 166.0)):
        audio, _ = drum_track(bpm, 180)
        soundfile.write(str(folder / f"{n:02d}-{bpm:.0f}.flac"), audio, 44100)


def make_long(path: Path, minutes: int) -> None:
    loop, _ = drum_track(172, 60)
    with soundfile.SoundFile(str(path), "w", 44100, 2, format="FLAC") as sink:
        for _ in range(minutes):
            sink.write(loop)


def live_cpu(folder: Path, work: Path) -> None:
    """CPU share of ``play --music`` against the same play without music (warm caches)."""
    if shutil.which("jackd") is None or shutil.which("jack_lsp") is None:
        print("   skipped: jackd is not installed (bash scripts/setup.sh --test installs it)")
        return
    server = JackServer(f"stridebeat-music-bench-{os.getpid()}", work / "jackd.log")
    if not server.start():
        print(f"   skipped: jackd would not start (see {work / 'jackd.log'})")
        return
    try:
        home = Path(tempfile.mkdtemp(dir=work))
        base = ["play", "--spm", "172", "--duration", f"{LIVE_SECONDS}s", "--device", OUTPUT]
        with_music = [*base, "--music", str(folder)]
        cold_wall, cold_cpu = run(
            with_music, home, server.name
        )  # analyses and stretches for this rate
        shares = {}
        for label, argv in (("with music", with_music), ("without", base)):
            wall, cpu = run(argv, home, server.name)
            shares[label] = 100 * cpu / wall
        print(
            f"   first play (cold cache) {100 * cold_cpu / cold_wall:.1f} % of a core; warm: "
            f"{shares['with music']:.1f} % with music, {shares['without']:.1f} % without "
            f"({shares['with music'] / shares['without']:.2f}x); target <= 30 %: "
            f"{verdict(shares['with music'] <= 30)}"
        )
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--long-minutes", type=int, default=180)
    parser.add_argument(
        "--only", type=int, choices=(1, 2, 3, 4), action="append", help="run only this part"
    )
    args = parser.parse_args()
    parts = set(args.only or (1, 2, 3, 4))
    work = Path(tempfile.mkdtemp(prefix="bench-music-", dir=Path.cwd()))
    try:
        folder = work / "music"
        make_tracks(folder)
        base = ["render", "--spm", "172", "--duration", f"{args.seconds}s"]
        with_music = [*base, "--music", str(folder), "-o", str(work / "m.wav")]
        plain = [*base, "-o", str(work / "p.wav")]
        if 1 in parts:
            print("1. cold render with a folder of music (fresh cache)")
            cold_render(with_music, work, args.runs, args.seconds)
        if 2 in parts:
            print("2. cached re-render against the plain render")
            cached_render(with_music, plain, work, args.runs)
        if 3 in parts:
            print("3. peak memory of a cold render (the command's own max RSS)")
            memory(base, folder, work, args.long_minutes)
        if 4 in parts:
            print(f"4. live: {LIVE_SECONDS} s of play into a JACK dummy server, CPU of the command")
            live_cpu(folder, work)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cold_render(with_music: list[str], work: Path, runs: int, seconds: int) -> None:
    colds = [run(with_music, Path(tempfile.mkdtemp(dir=work))) for _ in range(runs)]
    wall = statistics.median(w for w, _ in colds)
    cpu = statistics.median(c for _, c in colds)
    minutes = seconds / 60
    print(
        f"   {wall:.1f} s wall, {cpu:.1f} s CPU; {wall / minutes:.1f} s per minute of "
        f"music; target <= 30 s: {verdict(wall <= 30)}"
    )


def cached_render(with_music: list[str], plain: list[str], work: Path, runs: int) -> None:
    home = Path(tempfile.mkdtemp(dir=work))
    run(with_music, home)
    run(plain, home)
    cached, bare = [], []
    for _ in range(runs):
        cached.append(run(with_music, home)[0])
        bare.append(run(plain, home)[0])
    ratio = statistics.median(cached) / statistics.median(bare)
    print(
        f"   cached {statistics.median(cached):.2f} s, plain {statistics.median(bare):.2f} s"
        f": {ratio:.2f}x; target <= 2x: {verdict(ratio <= 2)}"
    )


def memory(base: list[str], folder: Path, work: Path, long_minutes: int) -> None:
    long = work / "long.flac"
    make_long(long, long_minutes)
    for label, source in (("3-min track", next(folder.iterdir())),
                          (f"{long_minutes}-min track", long)):  # fmt: skip
        argv = [*base, "--music", str(source), "-o", str(work / "x.wav")]
        peak = peak_mib(argv, Path(tempfile.mkdtemp(dir=work)))
        shown = "n/a (no /usr/bin/time)" if peak is None else f"{peak:.0f} MiB"
        ok = peak is not None and peak <= 200
        print(f"   {label}: {shown}; target <= 200 MiB: {verdict(ok)}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
