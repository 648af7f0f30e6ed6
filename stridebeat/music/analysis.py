"""A track's tempo, beat times and loudness, read in blocks (memory stays flat).

The beat tracker is the dynamic-programming one of Ellis (2007), as librosa implements it:
an onset-strength envelope (log spectral flux), a global tempo from its autocorrelation with
a log-normal prior around 120 BPM, then the best chain of onsets spaced about one period
apart. Each beat is then moved to the sharpest rise of a fine energy envelope near it, so
beat times are good to a few milliseconds rather than one analysis frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from stridebeat.music.decode import mono_at, open_track, source_blocks
from stridebeat.music.loudness import LoudnessMeter

RATE = 11025  # analysis rate
N_FFT = 512  # 46 ms windows
HOP = 256  # onset envelope: 43 frames a second
FINE_HOP = 32  # energy envelope for placing beats: 2.9 ms
MIN_BPM, MAX_BPM, PRIOR_BPM = 60.0, 200.0, 120.0
TIGHTNESS = 100.0
CLEAR_BEAT = 0.2  # autocorrelation at the beat period, against lag 0, for a clear beat
LOUDNESS_SECONDS = 600.0  # loudness is measured over (at most) a track's first 10 minutes
REFINE_SECONDS = 0.03


@dataclass(frozen=True)
class TrackAnalysis:
    """What the mix needs to know about a track."""

    duration: float  # seconds
    tempo: float  # BPM, 0 when there is no clear beat
    beats: tuple[float, ...]  # seconds, increasing; empty when there is no clear beat
    lufs: float | None  # integrated loudness; None for silence
    clarity: float  # how periodic the onsets are (0-1)

    @property
    def has_beat(self) -> bool:
        return self.tempo > 0 and len(self.beats) >= 4


class _Envelopes:
    """Onset strength (per HOP) and fine energy (per FINE_HOP), fed mono blocks in order."""

    def __init__(self) -> None:
        self._tail = np.zeros(N_FFT - HOP, np.float32)
        self._window = np.hanning(N_FFT).astype(np.float32)
        self._previous: NDArray[np.float32] | None = None
        self._onsets: list[NDArray[np.float32]] = []
        self._fine: list[NDArray[np.float32]] = []
        self._fine_tail = np.zeros(0, np.float32)
        self._last_sample = np.float32(0)

    def feed(self, mono: NDArray[np.float32]) -> None:
        data = np.concatenate([self._tail, mono])
        count = (len(data) - N_FFT) // HOP + 1
        if count > 0:
            frames = np.lib.stride_tricks.sliding_window_view(data, N_FFT)[::HOP][:count]
            spectra = np.log1p(100 * np.abs(np.fft.rfft(frames * self._window, axis=1)))
            spectra = spectra.astype(np.float32)
            before = np.vstack(
                [spectra[:1] if self._previous is None else self._previous, spectra[:-1]]
            )
            flux = np.maximum(spectra - before, 0).mean(axis=1)
            self._onsets.append(flux.astype(np.float32))
            self._previous = spectra[-1:]
            self._tail = data[count * HOP :]
        else:
            self._tail = data
        diff = np.diff(mono, prepend=self._last_sample)
        if len(mono):
            self._last_sample = mono[-1]
        fine = np.concatenate([self._fine_tail, diff * diff])
        whole = len(fine) // FINE_HOP * FINE_HOP
        if whole:
            self._fine.append(fine[:whole].reshape(-1, FINE_HOP).sum(axis=1))
        self._fine_tail = fine[whole:]

    def onsets(self) -> NDArray[np.float32]:
        return np.concatenate(self._onsets) if self._onsets else np.zeros(0, np.float32)

    def fine(self) -> NDArray[np.float32]:
        return np.concatenate(self._fine) if self._fine else np.zeros(0, np.float32)


def analyse(path: Path) -> TrackAnalysis:
    """Read ``path`` once, in blocks, and find its tempo, beats and loudness."""
    track = open_track(path)
    with track:
        duration = track.frames / track.samplerate
        meter = LoudnessMeter(track.samplerate)
        limit = int(LOUDNESS_SECONDS * track.samplerate)
        for block in source_blocks(track):
            meter.feed(block[: max(0, limit)])
            limit -= block.shape[0]
            if limit <= 0:
                break
        envelopes = _Envelopes()
        for mono in mono_at(track, RATE):
            envelopes.feed(mono)
    return beats_of(envelopes.onsets(), envelopes.fine(), duration, meter.lufs)


def beats_of(
    onsets: NDArray[np.float32], fine: NDArray[np.float32], duration: float, lufs: float | None
) -> TrackAnalysis:
    fps = RATE / HOP
    tempo, clarity = estimate_tempo(onsets, fps)
    if tempo <= 0 or clarity < CLEAR_BEAT:
        return TrackAnalysis(duration, 0.0, (), lufs, clarity)
    frames = track_beats(onsets, fps * 60 / tempo)
    times = refine(frames / fps, fine)
    return TrackAnalysis(duration, tempo, tuple(times.tolist()), lufs, clarity)


def estimate_tempo(onsets: NDArray[np.float32], fps: float) -> tuple[float, float]:
    """(BPM, clarity): the autocorrelation peak of the onset envelope, weighted by a prior."""
    window = int(16 * fps)
    if len(onsets) < int(4 * fps):
        return 0.0, 0.0
    total = np.zeros(window)
    for start in range(0, max(1, len(onsets) - window // 2), window // 2):
        piece = onsets[start : start + window].astype(np.float64)
        if len(piece) < window // 2:
            break
        piece = piece - piece.mean()
        spectrum = np.fft.rfft(piece, 2 * window)
        total += np.fft.irfft(np.abs(spectrum) ** 2)[:window]
    if total[0] <= 0:
        return 0.0, 0.0
    lags = np.arange(window, dtype=np.float64)
    with np.errstate(divide="ignore"):
        bpm = 60 * fps / lags
    usable = (bpm >= MIN_BPM) & (bpm <= MAX_BPM)
    prior = np.exp(-0.5 * (np.log2(np.where(usable, bpm, 1) / PRIOR_BPM)) ** 2)
    score = np.where(usable, np.maximum(total, 0) * prior, 0)
    best = int(np.argmax(score))
    if best <= 0 or best >= window - 1:
        return 0.0, 0.0
    left, mid, right = total[best - 1 : best + 2]
    denom = left - 2 * mid + right
    shift = 0.5 * (left - right) / denom if denom else 0.0
    return 60 * fps / (best + shift), float(total[best] / total[0])


def track_beats(onsets: NDArray[np.float32], period: float) -> NDArray[np.float64]:
    """Beat positions (envelope frames): Ellis's dynamic programme at a fixed period."""
    env = onsets.astype(np.float64)
    env = env / (env.std() or 1.0)
    count = len(env)
    lo, hi = max(1, int(round(period / 2))), int(round(2 * period))
    offsets = np.arange(-hi, -lo + 1)
    penalty = -TIGHTNESS * np.log(-offsets / period) ** 2
    score = np.zeros(count)
    back = np.full(count, -1, dtype=np.int64)
    for t in range(count):
        first = t - hi
        if first < 0:
            score[t] = env[t]
            continue
        candidates = score[first : t - lo + 1] + penalty
        best = int(np.argmax(candidates))
        score[t] = env[t] + candidates[best]
        back[t] = first + best
    # the last beat: the best score near the end that is a local peak of strong scores
    tail = score[max(0, count - hi) :]
    t = max(0, count - hi) + int(np.argmax(tail))
    chain: list[int] = []
    while t >= 0:
        chain.append(t)
        t = int(back[t])
    beats = np.array(chain[::-1], dtype=np.float64)
    strong = env[beats.astype(np.int64)] > 0.1 * env.std() if len(beats) else beats > 0
    if strong.any():  # drop leading and trailing beats in silence
        first_on, last_on = int(np.argmax(strong)), len(strong) - int(np.argmax(strong[::-1]))
        beats = beats[first_on:last_on]
    return beats


def refine(times: NDArray[np.float64], fine: NDArray[np.float32]) -> NDArray[np.float64]:
    """Each beat moved to the sharpest energy rise within REFINE_SECONDS of it."""
    per_second = RATE / FINE_HOP
    reach = int(REFINE_SECONDS * per_second)
    refined = times.copy()
    for i, t in enumerate(times):
        centre = int(round(t * per_second))
        lo, hi = max(0, centre - reach - 1), min(len(fine), centre + reach + 1)
        if hi - lo < 3:
            continue
        level = np.log(fine[lo:hi].astype(np.float64) + 1e-10)
        refined[i] = (lo + 1 + int(np.argmax(np.diff(level)))) / per_second
    kept = np.concatenate([[True], np.diff(refined) > 0.1])
    out: NDArray[np.float64] = refined[kept]
    return out
