"""Make the shipped click sounds in sounds/ from simple recipes (reproducible, no licence doubt).

    python tools/make_sounds.py            # writes sounds/{wood,beep,tick,bell}.wav

Each sound rises within 0.3 ms (a short, sharp onset a cross-correlation can lock onto) and
fades out cleanly. Noise is seeded, so the files are the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 48000
SOUNDS = Path(__file__).resolve().parent.parent / "sounds"


def _time(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE)) / RATE


def _envelope(t: np.ndarray, decay: float, rise: float = 0.0003) -> np.ndarray:
    attack = np.clip(t / rise, 0.0, 1.0)
    return attack * np.exp(-t / decay)


def _fade_tail(wave: np.ndarray, seconds: float = 0.005) -> np.ndarray:
    n = int(seconds * RATE)
    wave[-n:] *= np.cos(np.linspace(0, np.pi / 2, n)) ** 2
    return wave


def wood(rng: np.random.Generator) -> np.ndarray:
    """A wood block: a few damped resonances with a short knock of noise."""
    t = _time(0.08)
    wave = sum(
        amp * np.sin(2 * np.pi * freq * t) * _envelope(t, decay)
        for freq, amp, decay in ((1150, 1.0, 0.012), (2350, 0.5, 0.007), (3900, 0.25, 0.004))
    )
    knock = rng.standard_normal(len(t)) * _envelope(t, 0.0015) * 0.3
    return _fade_tail(wave + knock)


def beep(rng: np.random.Generator) -> np.ndarray:
    """A clean 1 kHz beep, 45 ms."""
    t = _time(0.045)
    wave = np.sin(2 * np.pi * 1000 * t) * np.clip(t / 0.0003, 0, 1)
    return _fade_tail(wave, 0.008)


def tick(rng: np.random.Generator) -> np.ndarray:
    """A short, bright tick: high-passed noise and a 4.2 kHz ping, 20 ms."""
    t = _time(0.02)
    noise = np.diff(rng.standard_normal(len(t) + 1)) * _envelope(t, 0.0012)
    ping = np.sin(2 * np.pi * 4200 * t) * _envelope(t, 0.003)
    return _fade_tail(0.6 * noise + ping, 0.003)


def bell(rng: np.random.Generator) -> np.ndarray:
    """A small bell: inharmonic partials that ring for a quarter of a second."""
    t = _time(0.25)
    wave = sum(
        amp * np.sin(2 * np.pi * 1320 * ratio * t) * _envelope(t, decay)
        for ratio, amp, decay in (
            (1.0, 1.0, 0.09),
            (2.4, 0.6, 0.06),
            (3.9, 0.35, 0.035),
            (5.4, 0.2, 0.02),
        )
    )
    return _fade_tail(wave, 0.02)


RECIPES = {"wood": wood, "beep": beep, "tick": tick, "bell": bell}


def main() -> None:
    SOUNDS.mkdir(exist_ok=True)
    for name, recipe in RECIPES.items():
        wave = recipe(np.random.default_rng(7))
        wave = 0.95 * wave / np.max(np.abs(wave))
        sf.write(SOUNDS / f"{name}.wav", wave.astype(np.float32), RATE, subtype="FLOAT")
        print(f"sounds/{name}.wav  {len(wave) / RATE * 1000:.0f} ms")


if __name__ == "__main__":
    main()
