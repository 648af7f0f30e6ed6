"""From ``--music PATH`` and a timeline to a music bed the renderer mixes in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from stridebeat.engine.timeline import Timeline
from stridebeat.music.analysis import TrackAnalysis
from stridebeat.music.bed import MusicBed
from stridebeat.music.cache import cached_analysis, music_cache_dir
from stridebeat.music.mix import plan_music
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
    tracks = music_tracks(source)
    if match:
        rubberband_program()  # missing: say so before any work
    grid = timeline.clicks_between(0, timeline.length).positions.astype(np.float64)
    analyse: Callable[[Path], TrackAnalysis] = cache(cached_analysis)
    placements = plan_music(tracks, analyse, grid, timeline.length, timeline.rate, volume, match)
    return MusicBed(placements, timeline.rate, music_cache_dir() / "pieces", report)
