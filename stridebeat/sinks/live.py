"""Live output through sounddevice; the only module that imports it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from stridebeat.errors import DeviceError

_RENDER_HINT = "use 'stridebeat render' to make a file instead"


def _sounddevice() -> object:
    try:
        import sounddevice
    except OSError:
        raise DeviceError(
            f"the PortAudio library is not installed (Debian: apt-get install libportaudio2); "
            f"{_RENDER_HINT}"
        ) from None
    return sounddevice


def play_file(path: Path) -> None:
    """Play a short rendered file on the default output and wait until it ends."""
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    play_wave(data, rate)


def play_wave(wave: NDArray[np.float32], rate: int) -> None:
    """Play a short array (frames, or frames × channels) and wait until it ends."""
    sd = _sounddevice()
    try:
        sd.play(wave, rate)  # type: ignore[attr-defined]
        sd.wait()  # type: ignore[attr-defined]
    except (sd.PortAudioError, ValueError) as exc:  # type: ignore[attr-defined]
        raise DeviceError(
            f"no sound output device could be opened ({exc}); {_RENDER_HINT}"
        ) from None
