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
   missing), against the same play without music; target <= 30 % of one core.
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

from tests.music_maker import drum_track  # noqa: E402

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("STRIDEBEAT_")}
EXE = str(Path(sys.executable).parent / "stridebeat")


def run(argv: Sequence[str], home: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([EXE, *argv], env={**CLEAN_ENV, "STRIDEBEAT_HOME": str(home)},
                          capture_output=True, text=True)  # fmt: skip
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
                          env={**CLEAN_ENV, "STRIDEBEAT_HOME": str(home)},
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


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--long-minutes", type=int, default=180)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-music-", dir=Path.cwd()))
    try:
        folder = work / "music"
        make_tracks(folder)
        base = ["render", "--spm", "172", "--duration", f"{args.seconds}s"]
        with_music = [*base, "--music", str(folder), "-o", str(work / "m.wav")]
        plain = [*base, "-o", str(work / "p.wav")]

        print("1. cold render with a folder of music (fresh cache)")
        colds = [run(with_music, Path(tempfile.mkdtemp(dir=work))) for _ in range(args.runs)]
        wall = statistics.median(w for w, _ in colds)
        cpu = statistics.median(c for _, c in colds)
        minutes = args.seconds / 60
        print(
            f"   {wall:.1f} s wall, {cpu:.1f} s CPU; {wall / minutes:.1f} s per minute of "
            f"music; target <= 30 s: {verdict(wall <= 30)}"
        )

        print("2. cached re-render against the plain render")
        home = Path(tempfile.mkdtemp(dir=work))
        run(with_music, home)
        run(plain, home)
        cached, bare = [], []
        for _ in range(args.runs):
            cached.append(run(with_music, home)[0])
            bare.append(run(plain, home)[0])
        ratio = statistics.median(cached) / statistics.median(bare)
        print(
            f"   cached {statistics.median(cached):.2f} s, plain {statistics.median(bare):.2f} s"
            f": {ratio:.2f}x; target <= 2x: {verdict(ratio <= 2)}"
        )

        print("3. peak memory of a cold render (the command's own max RSS)")
        long = work / "long.flac"
        make_long(long, args.long_minutes)
        for label, source in (("3-min track", next(folder.iterdir())),
                              (f"{args.long_minutes}-min track", long)):  # fmt: skip
            argv = [*base, "--music", str(source), "-o", str(work / "x.wav")]
            peak = peak_mib(argv, Path(tempfile.mkdtemp(dir=work)))
            shown = "n/a (no /usr/bin/time)" if peak is None else f"{peak:.0f} MiB"
            ok = peak is not None and peak <= 200
            print(f"   {label}: {shown}; target <= 200 MiB: {verdict(ok)}")
        print(
            "4. live CPU: measure with bench/live.py's JACK set-up (see the report in the "
            "issue); not automated here"
        )
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
