"""The sound devices, through sounddevice; the only module that imports it.

Loading PortAudio, listing the outputs, finding one by number or name, opening an output
stream for live play, and playing a short finished sound (``demo``, ``say``). Every failure of
the sound system becomes a ``DeviceError`` (or an ``InputError`` for a device name that
matches nothing) that points to ``render``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stridebeat.errors import DeviceError, InputError

RENDER_HINT = "use 'stridebeat render' to make a file instead"
DEFAULT_LATENCY = 0.05  # seconds; PortAudio's low default is choppy on a Raspberry Pi

# PortAudio's callback: (outdata, frames, time_info, status); it fills all of outdata
AudioCallback = Callable[[NDArray[np.float32], int, Any, Any], None]


def load_sounddevice() -> Any:
    """The sounddevice module, or a DeviceError if PortAudio is missing."""
    try:
        import sounddevice
    except OSError:
        raise DeviceError(
            "the PortAudio library is not installed (Debian: apt-get install libportaudio2); "
            f"{RENDER_HINT}"
        ) from None
    return sounddevice


@dataclass(frozen=True)
class OutputDevice:
    index: int
    name: str
    host_api: str
    channels: int
    default_rate: int
    is_default: bool = False

    @property
    def full_name(self) -> str:
        """ "name, host API", as sounddevice prints and matches it."""
        return f"{self.name}, {self.host_api}"


def output_devices() -> list[OutputDevice]:
    """Every device that can play, as PortAudio sees it now."""
    sd = load_sounddevice()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default = sd.default.device[1]
    except sd.PortAudioError as exc:
        raise DeviceError(f"cannot list sound devices ({exc}); {RENDER_HINT}") from None
    return [
        OutputDevice(
            d["index"],
            d["name"],
            apis[d["hostapi"]]["name"],
            d["max_output_channels"],
            round(d["default_samplerate"]),
            d["index"] == default,
        )
        for d in devices
        if d["max_output_channels"] > 0
    ]


def find_device(wanted: str | None) -> OutputDevice:
    """The output to play on: as ``match_device`` finds it, or the default."""
    devices = output_devices()
    if not devices:
        raise DeviceError(f"no sound output device found; {RENDER_HINT}")
    if wanted is None or wanted.strip() == "":
        return next((d for d in devices if d.is_default), devices[0])
    return match_device(wanted, devices)


def match_device(wanted: str, devices: Sequence[OutputDevice]) -> OutputDevice:
    """The device ``wanted`` names, by sounddevice's rules, or an InputError listing them.

    A number is a device's index. Otherwise the words of ``wanted`` must appear in that
    order, ignoring case, in the device's "name, host API" (what ``python -m sounddevice``
    and ``stridebeat devices`` print); when several devices match, one whose name or
    "name, host API" is exactly ``wanted`` wins, and otherwise it is ambiguous.
    """
    text = wanted.strip()
    if text.isdigit():
        matches = [d for d in devices if d.index == int(text)]
    else:
        words = text.lower().split()
        matches = [d for d in devices if _in_order(words, d.full_name.lower())]
    if len(matches) == 1:
        return matches[0]
    exact = [d for d in matches if text.lower() in (d.name.lower(), d.full_name.lower())]
    if len(exact) == 1:
        return exact[0]
    how = "Give --device its number or \"name, host API\" as 'stridebeat devices' shows it"
    if matches:
        raise InputError(
            f"{wanted!r} matches {len(matches)} output devices: {_listing(matches)}. {how}"
        )
    raise InputError(
        f"no output device matches {wanted!r}. Available: {_listing(devices)}. {how}, "
        f"or {RENDER_HINT}"
    )


def _in_order(words: Sequence[str], text: str) -> bool:
    position = 0
    for word in words:
        position = text.find(word, position)
        if position < 0:
            return False
        position += len(word)
    return True


def _listing(devices: Sequence[OutputDevice]) -> str:
    return "; ".join(f"{d.index}: {d.full_name}" for d in devices)


class OutputStream:
    """A float32 output stream on a device whose ``callback`` supplies every block."""

    def __init__(
        self,
        device: OutputDevice,
        *,
        rate: int,
        channels: int,
        blocksize: int,
        latency: float | str,
        callback: AudioCallback,
    ) -> None:
        sd = load_sounddevice()
        self._errors: type[Exception] = sd.PortAudioError
        try:
            self._stream = sd.OutputStream(
                samplerate=rate,
                channels=channels,
                dtype="float32",
                device=device.index,
                blocksize=blocksize,
                latency=latency,
                callback=callback,
            )
        except (sd.PortAudioError, ValueError) as exc:
            raise DeviceError(f"cannot open {device.name} ({exc}); {RENDER_HINT}") from None

    def start(self) -> None:
        """Start calling the callback."""
        self._stream.start()

    def close(self, abort: bool = False) -> None:
        """Stop (after the blocks already handed over have played, or at once with ``abort``)
        and close; a device that has gone away by now is no error."""
        try:
            if abort:
                self._stream.abort()
            else:
                self._stream.stop()
            self._stream.close()
        except self._errors:
            pass


def play_file(path: Path) -> None:
    """Play a short rendered file on the default output and wait until it ends."""
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    play_wave(data, rate)


def play_wave(wave: NDArray[np.float32], rate: int, wanted: str | None = None) -> None:
    """Play a short array (frames, or frames × channels) on ``wanted`` (as ``find_device``
    takes it; None: the default output) and wait until it ends."""
    sd = load_sounddevice()
    device = find_device(wanted)
    try:
        sd.play(wave, rate, device=device.index)
        sd.wait()
    except (sd.PortAudioError, ValueError) as exc:
        raise DeviceError(f"{device.name} could not play ({exc}); {RENDER_HINT}") from None
