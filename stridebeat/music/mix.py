"""Where each track plays: its beats mapped onto the session's step frames.

Pure arithmetic on frame positions; ``stretch.py`` makes the audio. A track's beat j lands on
step k0 + m·j (m = 1, one beat per step, or 2, half-time: whichever needs less stretch), so
between two beats the stretch is constant and the phase holds over the whole track, through
ramps and block changes. Consecutive tracks overlap by a few beats, crossfaded on the grid.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from stridebeat.music.analysis import TrackAnalysis

STRETCH_LIMIT = 0.15  # at most 15 % faster or slower than the track's own tempo
BEAT_SLACK = 0.05  # a single beat gap may differ this much more (detection jitter)
CROSSFADE_BEATS = 4
MIN_BEATS = 8  # fewer matched beats than this: the track plays unmatched
UNMATCHED_CROSSFADE = 3.0  # seconds
TARGET_LUFS = -18.0  # every track's level at --music-volume 100


@dataclass(frozen=True)
class Track:
    path: Path
    analysis: TrackAnalysis


@dataclass(frozen=True)
class Placement:
    """One stretch of one track in the session: source seconds → output frames."""

    track: Track
    source: tuple[float, ...]  # anchor times in the track (seconds), increasing
    target: tuple[int, ...]  # the output frame of each anchor
    gain: float
    fade_in: int  # frames from target[0]
    fade_out: int  # frames before target[-1]
    matched: bool
    steps_per_beat: int = 0
    note: str = field(default="", compare=False)
    turn: int = 0  # which turn of the track list this is (the list repeats)

    @property
    def start(self) -> int:
        return self.target[0]

    @property
    def end(self) -> int:
        return self.target[-1]


def level_gain(analysis: TrackAnalysis, volume: float) -> float:
    """Linear gain that brings the track to TARGET_LUFS, scaled by ``volume`` percent."""
    if analysis.lufs is None or volume <= 0:
        return 0.0
    return float(10 ** ((TARGET_LUFS - analysis.lufs) / 20) * volume / 100)


def plan_music(
    tracks: Sequence[Path],
    analysis_of: Callable[[Path], TrackAnalysis],
    grid: NDArray[np.float64],
    length: int,
    rate: int,
    volume: float,
    match: bool = True,
    cursor: int = 0,
    turn: int = 0,
    fade: int = 0,
) -> Iterator[Placement]:
    """Tracks one after another (the list repeating) until ``length`` frames are covered;
    each track is analysed only when its turn comes."""
    played_nothing = 0
    while cursor < length and tracks:
        path = tracks[turn % len(tracks)]
        track = Track(path, analysis_of(path))
        placed = _matched(track, grid, cursor, rate, volume, fade) if match else None
        if not isinstance(placed, Placement):
            placed = _unmatched(track, cursor, length, rate, volume, fade, placed)
        placed = replace(placed, turn=turn)
        turn += 1
        if placed.end <= cursor + rate:  # a track too short to carry on with
            played_nothing += 1
            if played_nothing >= len(tracks):
                return
            continue
        played_nothing = 0
        last_step = float(grid[-1] - grid[-2]) if len(grid) > 1 else 0.0
        reach = placed.end + placed.steps_per_beat * last_step + 0.5
        if placed.matched and reach >= grid[-1] and placed.end >= length - 2 * rate:
            yield replace(placed, fade_out=min(placed.fade_out, length - placed.end))
            return  # the steps end here: let the music end with them
        yield placed
        fade = placed.fade_out
        cursor = placed.end - fade


def continue_music(
    current: Placement,
    after: int,
    tracks: Sequence[Path],
    analysis_of: Callable[[Path], TrackAnalysis],
    grid: NDArray[np.float64],
    length: int,
    rate: int,
    volume: float,
) -> Iterator[Placement]:
    """After a live cadence change: the playing track from its first beat after frame
    ``after``, on the new ``grid`` (crossfaded over one beat), then the tracks that follow."""
    source, target = np.asarray(current.source), np.asarray(current.target, dtype=np.float64)
    first = int(np.searchsorted(target, after))
    if first >= len(target) - MIN_BEATS:
        yield from plan_music(tracks, analysis_of, grid, length, rate, volume,
                              cursor=current.end - current.fade_out, turn=current.turn + 1,
                              fade=current.fade_out)  # fmt: skip
        return
    beats = np.asarray(current.track.analysis.beats)
    later = beats[beats >= source[first] - 1e-6]
    rest = Track(current.track.path, replace(current.track.analysis, beats=tuple(later.tolist())))
    step = float(np.median(np.diff(grid[:3]))) if len(grid) > 2 else 0.0
    beat = int(target[first] - target[first - 1]) if first else int(step)
    placed = _matched(rest, grid, int(target[first] - step / 2), rate, volume, beat)
    if not isinstance(placed, Placement):
        return  # the old plan goes on (a change near the end of the steps)
    placed = replace(placed, turn=current.turn, gain=current.gain)
    yield placed
    yield from plan_music(tracks, analysis_of, grid, length, rate, volume,
                          cursor=placed.end - placed.fade_out, turn=current.turn + 1,
                          fade=placed.fade_out)  # fmt: skip


def _matched(
    track: Track, grid: NDArray[np.float64], cursor: int, rate: int, volume: float, fade: int
) -> Placement | str:
    """The track on the steps from ``cursor``, or why it cannot be."""
    beats = np.asarray(track.analysis.beats)
    if not track.analysis.has_beat:
        return "no clear beat"
    k0 = int(np.searchsorted(grid, cursor - 0.5))
    if k0 + 2 * MIN_BEATS >= len(grid):
        return "too few steps left to match"
    step = grid[k0 + 1] - grid[k0]
    if grid[k0] - cursor > 2 * step:
        return "no steps here"  # a drill, a rest: play the track as it is
    period = float(np.median(np.diff(beats[:17]))) * rate
    m = min((1, 2), key=lambda n: abs(math.log(n * step / period)))
    if abs(m * step / period - 1) > STRETCH_LIMIT:
        limit = round(STRETCH_LIMIT * 100)
        return f"{track.analysis.tempo:.0f} BPM would need more than {limit} % stretch here"
    source, target = [float(beats[0])], [int(round(grid[k0]))]
    j = 0
    while j + 1 < len(beats) and k0 + m * (j + 1) < len(grid):
        out_gap = grid[k0 + m * (j + 1)] - grid[k0 + m * j]
        in_gap = (beats[j + 1] - beats[j]) * rate
        if abs(out_gap / in_gap - 1) > STRETCH_LIMIT + BEAT_SLACK:
            break
        j += 1
        source.append(float(beats[j]))
        target.append(int(round(grid[k0 + m * j])))
    if j < MIN_BEATS:
        return "its beats do not follow the steps here"
    overlap = min(CROSSFADE_BEATS, j // 4)
    return Placement(
        track,
        tuple(source),
        tuple(target),
        level_gain(track.analysis, volume),
        fade,
        target[-1] - target[-1 - overlap],
        True,
        m,
    )


def _unmatched(
    track: Track, cursor: int, length: int, rate: int, volume: float, fade: int, why: str | None
) -> Placement:
    # Only as much as the session still needs (with room for the fade past its end), so a
    # long track under a short session is not resampled and cached whole.
    needed = (length - cursor) / rate + UNMATCHED_CROSSFADE
    duration = min(track.analysis.duration, needed)
    end = cursor + int(round(duration * rate))
    note = "at its own tempo (--no-music-match)" if why is None else f"unmatched: {why}"
    overlap = min(int(UNMATCHED_CROSSFADE * rate), (end - cursor) // 4)
    return Placement(
        track,
        (0.0, duration),
        (cursor, end),
        level_gain(track.analysis, volume),
        fade,
        overlap,
        False,
        0,
        note,
    )


def describe(placement: Placement, rate: int) -> str:
    """One line for the screen or the log."""
    at = placement.start / rate
    name = placement.track.path.name
    when = f"{int(at // 60)}:{int(at % 60):02d}"
    if placement.matched:
        ratio = (
            (placement.end - placement.start) / rate / (placement.source[-1] - placement.source[0])
        )
        beat = "one beat a step" if placement.steps_per_beat == 1 else "one beat every two steps"
        tempo = placement.track.analysis.tempo
        return f"music {when} {name}: {tempo:.0f} BPM, {beat}, stretched x{ratio:.3f}"
    return f"music {when} {name}: {placement.note}"
