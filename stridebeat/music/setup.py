"""From ``--music PATH`` and a timeline to a music bed the renderer mixes in."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from stridebeat.engine.timeline import Timeline
from stridebeat.errors import StridebeatError
from stridebeat.music.analysis import TrackAnalysis
from stridebeat.music.bed import MusicBed
from stridebeat.music.cache import cached_analysis, music_cache_dir
from stridebeat.music.mix import Placement, continue_music, plan_music
from stridebeat.music.sources import music_tracks
from stridebeat.music.stretch import rubberband_program

log = logging.getLogger(__name__)


def music_bed(
    source: Path,
    timeline: Timeline,
    volume: float,
    match: bool = True,
    report: Callable[[str], None] | None = None,
) -> MusicBed:
    """The music for ``timeline``: each track's beats on the step frames (every click,
    sounding or muted, so the music keeps the beat where the metronome fades)."""
    tracks = readable(music_tracks(source))
    if match:
        rubberband_program()  # missing: say so before any work
    analyse: Callable[[Path], TrackAnalysis] = cache(cached_analysis)
    grid = _steps(timeline)
    placements = plan_music(tracks, analyse, grid, timeline.length, timeline.rate, volume, match)

    def replan(changed: Timeline, playing: Placement, after: int) -> Iterator[Placement] | None:
        if not match:
            return None  # the music never followed the steps
        steps = _steps(changed)
        return continue_music(
            playing, after, tracks, analyse, steps, changed.length, changed.rate, volume
        )

    return MusicBed(placements, timeline.rate, music_cache_dir() / "pieces", report, replan)


def _steps(timeline: Timeline) -> NDArray[np.float64]:
    positions: NDArray[np.float64] = timeline.clicks_between(0, timeline.length).positions
    return positions.astype(np.float64)


def readable(tracks: list[Path]) -> list[Path]:
    """The tracks libsndfile can open (their headers only); with several, a bad one is
    skipped with a warning; none left (or a single bad one) is the error."""
    from stridebeat.music.decode import open_track

    good: list[Path] = []
    first: StridebeatError | None = None
    for path in tracks:
        try:
            open_track(path).close()
        except StridebeatError as exc:
            first = first or exc
            if len(tracks) > 1:
                log.warning("%s; skipped", exc)
            continue
        good.append(path)
    if not good and first is not None:
        raise first
    return good
