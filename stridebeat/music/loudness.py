"""Integrated loudness (ITU-R BS.1770-4, as EBU R128 uses it), measured block by block.

K-weighting is applied in the frequency domain to each 100 ms piece: the two filters'
magnitude responses (the usual pre-filter and RLB high-pass designs, as pyloudnorm builds
them for any rate) weight the piece's spectrum, and Parseval gives its mean square. Four
consecutive pieces make a 400 ms gating block with 75 % overlap.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
PIECE_SECONDS = 0.1


def _biquad_power(
    b: tuple[float, ...], a: tuple[float, ...], freqs: NDArray[np.float64], rate: int
) -> NDArray[np.float64]:
    z = np.exp(-2j * np.pi * freqs / rate)
    num = b[0] + b[1] * z + b[2] * z * z
    den = a[0] + a[1] * z + a[2] * z * z
    power: NDArray[np.float64] = np.abs(num / den) ** 2
    return power


def k_weights(rate: int, size: int) -> NDArray[np.float64]:
    """|H(f)|² of the K-weighting filters at the rfft bins of ``size`` samples."""
    freqs = np.fft.rfftfreq(size, 1 / rate).astype(np.float64)
    gain_db, q, fc = 4.0, 1 / math.sqrt(2), 1500.0
    big_a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * fc / rate
    alpha = math.sin(w0) / (2 * q)
    cos = math.cos(w0)
    root = 2 * math.sqrt(big_a) * alpha
    shelf_b = (
        big_a * ((big_a + 1) + (big_a - 1) * cos + root),
        -2 * big_a * ((big_a - 1) + (big_a + 1) * cos),
        big_a * ((big_a + 1) + (big_a - 1) * cos - root),
    )
    shelf_a = (
        (big_a + 1) - (big_a - 1) * cos + root,
        2 * ((big_a - 1) - (big_a + 1) * cos),
        (big_a + 1) - (big_a - 1) * cos - root,
    )
    w0 = 2 * math.pi * 38.0 / rate
    alpha, cos = math.sin(w0) / (2 * 0.5), math.cos(w0)
    pass_b = ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2)
    pass_a = (1 + alpha, -2 * cos, 1 - alpha)
    shelf = _biquad_power(shelf_b, shelf_a, freqs, rate)
    high_pass = _biquad_power(pass_b, pass_a, freqs, rate)
    weights: NDArray[np.float64] = np.multiply(shelf, high_pass)
    return weights


class LoudnessMeter:
    """Feed (frames × channels) blocks in order; ``lufs`` is the integrated loudness so far."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._size = max(16, int(PIECE_SECONDS * rate))
        self._weights = k_weights(rate, self._size)
        self._weights[1:-1] *= 2  # one-sided spectrum
        self._pending = np.zeros((0, 1), np.float32)
        self._pieces: list[float] = []  # channel-summed mean square of each 100 ms piece

    def feed(self, block: NDArray[np.float32]) -> None:
        pending = self._pending
        data = np.concatenate([pending, block]) if pending.shape[1] == block.shape[1] else block
        whole = data.shape[0] // self._size * self._size
        if whole:
            pieces = data[:whole].reshape(-1, self._size, data.shape[1])
            spectra = np.abs(np.fft.rfft(pieces, axis=1)) ** 2
            power = (spectra * self._weights[None, :, None]).sum(axis=(1, 2)) / self._size**2
            self._pieces.extend(power.tolist())
        self._pending = data[whole:]

    @property
    def lufs(self) -> float | None:
        """Integrated loudness in LUFS, or None for silence (every block under -70 LUFS)."""
        pieces = np.asarray(self._pieces)
        if len(pieces) < 4:
            return None
        blocks = np.convolve(pieces, np.full(4, 0.25), mode="valid")
        with np.errstate(divide="ignore"):
            loud = -0.691 + 10 * np.log10(blocks)
        kept = blocks[loud > ABSOLUTE_GATE]
        if not len(kept):
            return None
        gate = -0.691 + 10 * math.log10(kept.mean()) + RELATIVE_GATE
        kept = blocks[(loud > ABSOLUTE_GATE) & (loud > gate)]
        return -0.691 + 10 * math.log10(kept.mean())
