"""The sound of each cue: synthesised speech for text, the runner's own recordings for audio."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from stridebeat.cues.schedule import Cue
from stridebeat.cues.settings import DEFAULT_RATE_WPM
from stridebeat.cues.speech import Speech
from stridebeat.cues.speech_check import estimate_seconds
from stridebeat.engine.render import SpokenCue
from stridebeat.engine.synth import Wave, load_clip
from stridebeat.units import seconds_to_frames

MAX_RECORDING_SECONDS = 30.0


class CueSounds:
    """Waveforms at the output rate, made once per phrase; lengths for scheduling.

    Without speech (``--no-speech``) text cues have no sound, only an estimated length, so
    they still get a place in the schedule, the lyrics and the screen.
    """

    def __init__(
        self, rate: int, speech: Speech | None, speech_wpm: int = DEFAULT_RATE_WPM
    ) -> None:
        self.rate = rate
        self.speech = speech
        self.speech_wpm = speech_wpm
        self._waves: dict[tuple[str, Path | None], Wave | None] = {}

    def wave(self, text: str, audio: Path | None) -> Wave | None:
        key = (text, audio)
        if key not in self._waves:
            if audio is not None:
                self._waves[key] = load_clip(
                    audio, self.rate, "recording", MAX_RECORDING_SECONDS, ""
                )
            elif self.speech is not None:
                self._waves[key] = self.speech.phrase(text, self.rate)
            else:
                self._waves[key] = None
        return self._waves[key]

    def measure(self, text: str, audio: Path | None) -> int:
        """Frames the cue will last."""
        wave = self.wave(text, audio)
        if wave is None:
            return seconds_to_frames(estimate_seconds(text, self.speech_wpm), self.rate)
        return len(wave)

    def spoken(self, cues: Sequence[Cue]) -> list[SpokenCue]:
        """The cues that have a sound, ready for the renderer."""
        found = []
        for cue in cues:
            wave = self.wave(cue.text if cue.audio is None else "", cue.audio)
            if wave is not None:
                found.append(SpokenCue(cue.frame, wave, cue.text))
        return found
