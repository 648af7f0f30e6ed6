"""Piper voice files: finding the one ``--voice`` names, reading its settings, listing them.

A Piper voice is two files: ``NAME.onnx`` (the neural network) and ``NAME.onnx.json`` (its
settings: sample rate, language, quality, phonemes). ``--voice`` takes the path of the
``.onnx`` file or the NAME of a voice in the app folder's ``voices/``. Only the settings are
read here; the network is loaded by piper itself, in its own process (``speech_piper.py``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stridebeat.errors import FileInputError
from stridebeat.paths import user_path
from stridebeat.tomlfile import read_text, regular_file

SUFFIX = ".onnx"
SETTINGS_SUFFIX = ".onnx.json"
MAX_SETTINGS_BYTES = 8 * 2**20  # a voice with hundreds of speakers has a few hundred kB


@dataclass(frozen=True)
class PiperVoiceFile:
    """A Piper voice whose settings were read: where it is and what its settings say."""

    model: Path
    settings: Path
    sample_rate: int
    length_scale: float  # the voice's own speed: larger is slower
    language: str  # "en_US", or espeak-ng's voice when the settings name no language
    quality: str  # x_low, low, medium, high; "" when not said
    dataset: str  # the voice's name, e.g. "joe"

    @property
    def name(self) -> str:
        """What ``--voice`` takes for this voice when it is in ``voices/``."""
        return self.model.name.removesuffix(SUFFIX)


def locate(voice: str, folder: Path) -> Path:
    """The ``.onnx`` file ``voice`` names: a path, or the name of a voice in ``folder``.

    A bare name is looked up in ``folder``; a bare ``NAME.onnx`` also there first, then in
    the current folder. Naming the settings file (``.onnx.json``) means its voice.
    """
    given = voice.removesuffix(".json") if voice.endswith(SETTINGS_SUFFIX) else voice
    separators = [sep for sep in (os.sep, os.altsep) if sep]
    if given.startswith("~") or any(sep in given for sep in separators):
        return user_path(given)
    in_folder = folder / (given if given.endswith(SUFFIX) else given + SUFFIX)
    if in_folder.exists() or not given.endswith(SUFFIX):
        return in_folder
    return Path(given)


def read_voice(model: Path) -> PiperVoiceFile:
    """The voice whose network is ``model``, with its settings read and checked.

    A FileInputError says what is wrong: no such file, no settings file beside it, or
    settings that are not a Piper voice's (at their line when the JSON is broken).
    """
    regular_file(model, "Piper voice (.onnx)")
    settings = model.with_name(model.name + ".json")
    if not settings.exists():
        raise FileInputError(
            str(model),
            None,
            f"its settings file {settings.name} is missing: a Piper voice comes as two files, "
            f"NAME{SUFFIX} and NAME{SETTINGS_SUFFIX}; put both in the same folder",
        )
    text = read_text(settings, "Piper voice settings file", MAX_SETTINGS_BYTES)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileInputError(str(settings), exc.lineno, f"not valid JSON: {exc.msg}") from None
    return _voice_file(model, settings, raw)


def _voice_file(model: Path, settings: Path, raw: Any) -> PiperVoiceFile:
    def wrong(what: str) -> FileInputError:
        return FileInputError(
            str(settings), None, f"not a Piper voice's settings: {what}; get the file again"
        )

    if not isinstance(raw, dict):
        raise wrong("it is not a JSON object")
    audio = raw.get("audio")
    rate = audio.get("sample_rate") if isinstance(audio, dict) else None
    if not isinstance(rate, int) or isinstance(rate, bool) or not 8000 <= rate <= 192000:
        raise wrong("audio.sample_rate is missing or not a sample rate in Hz")
    for key in ("phoneme_id_map", "num_symbols", "num_speakers"):
        if key not in raw:
            raise wrong(f"it has no {key}")
    inference = raw.get("inference")
    scale = inference.get("length_scale", 1.0) if isinstance(inference, dict) else 1.0
    if not isinstance(scale, int | float) or isinstance(scale, bool) or not 0.1 <= scale <= 10:
        raise wrong("inference.length_scale is not a number from 0.1 to 10")
    espeak = raw.get("espeak")
    language = raw.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(code, str):
        code = espeak.get("voice") if isinstance(espeak, dict) else None
    quality = audio.get("quality") if isinstance(audio, dict) else None
    dataset = raw.get("dataset")
    return PiperVoiceFile(
        model,
        settings,
        rate,
        float(scale),
        code if isinstance(code, str) else "",
        quality if isinstance(quality, str) else "",
        dataset if isinstance(dataset, str) else model.name.removesuffix(SUFFIX),
    )


def voice_files(folder: Path) -> list[Path]:
    """The ``.onnx`` files in ``folder`` (not its subfolders), by name; none if it is missing."""
    try:
        found = [p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file()]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.name)
