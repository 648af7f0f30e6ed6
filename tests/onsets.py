"""Measure click onsets in rendered audio by cross-correlating with the click itself."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def measure_onsets(
    audio: NDArray[np.floating],
    click: NDArray[np.floating],
    expected: NDArray[np.float64],
    search: int = 6,
) -> NDArray[np.float64]:
    """Position of the click nearest each expected position, to a fraction of a sample.

    The cross-correlation peak is found at whole lags within ``search`` samples, then refined by
    fitting a parabola through the peak and its neighbours.
    """
    signal = np.asarray(audio, dtype=np.float64)
    if signal.ndim == 2:
        signal = signal.sum(axis=1)
    ref = np.asarray(click, dtype=np.float64)
    n = len(ref)
    padded = np.concatenate([np.zeros(search + 1), signal, np.zeros(n + search + 1)])
    found = np.empty(len(expected))
    for i, position in enumerate(expected):
        centre = int(round(position))
        lags = np.arange(centre - search, centre + search + 1)
        scores = np.array([padded[lag + search + 1 : lag + search + 1 + n] @ ref for lag in lags])
        best = int(np.argmax(scores))
        best = min(max(best, 1), len(lags) - 2)
        left, mid, right = scores[best - 1 : best + 2]
        denom = left - 2 * mid + right
        shift = 0.5 * (left - right) / denom if denom else 0.0
        found[i] = lags[best] + shift
    return found
