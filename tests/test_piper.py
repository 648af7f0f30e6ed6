"""--speech-engine piper with a stand-in piper program: voice files, the kept-warm process,
the cache and every failure, without loading a neural voice (tests/test_piper_voice.py
speaks with a real one).

The stand-in answers like piper-tts's own command: --help, then one text line in, one WAV
file out in --output-dir, logged as "Wrote PATH" on stderr. What it does is driven by the
fake voice file's content ("ok", "broken", "hang") and by the phrase ("crash").
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from stridebeat.cli.app import cli
from stridebeat.cues import speech_piper
from stridebeat.cues.piper_voices import locate, read_voice
from stridebeat.cues.settings import SpeechSettings
from stridebeat.cues.speech import Speech
from stridebeat.cues.speech_piper import PiperEngine
from stridebeat.errors import FileInputError, InputError, SpeechFailed, SpeechUnavailable
from stridebeat.paths import user_path

CUE = "push the ground back"

FAKE_PIPER = r"""
import argparse, math, os, struct, sys, time, wave

if "--help" in sys.argv:
    print("usage: piper [-h] -m MODEL [-c CONFIG] [-d OUTPUT_DIR] [--length-scale S]")
    print("  -d OUTPUT_DIR, --output-dir OUTPUT_DIR   Path to output directory")
    sys.exit(0)
parser = argparse.ArgumentParser()
parser.add_argument("--model"); parser.add_argument("--config")
parser.add_argument("--length-scale", type=float); parser.add_argument("--output-dir")
args = parser.parse_args()
with open(args.model + ".log", "a") as log:
    log.write(f"start {os.getpid()} {args.length_scale} {args.config}\n")
kind = open(args.model).read().strip()
if kind == "broken":
    print("Traceback (most recent call last):", file=sys.stderr)
    print("    voice = PiperVoice.load(model_path, use_cuda=args.cuda)", file=sys.stderr)
    print("onnxruntime.InvalidProtobuf: Load model failed: Protobuf parsing failed.",
          file=sys.stderr)
    sys.exit(1)
import json
rate = json.load(open(args.config))["audio"]["sample_rate"]
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    with open(args.model + ".log", "a") as log:
        log.write(f"say {line}\n")
    if kind == "hang" or "hang" in line:
        time.sleep(600)
    if "crash" in line:
        print("ValueError: cannot say that", file=sys.stderr)
        sys.exit(1)
    frames = int(0.06 * len(line) * args.length_scale * rate)
    path = os.path.join(args.output_dir, f"{time.monotonic_ns()}.wav")
    with wave.open(path, "wb") as out:
        out.setnchannels(1); out.setsampwidth(2); out.setframerate(rate)
        out.writeframes(b"".join(
            struct.pack("<h", int(12000 * math.sin(2 * math.pi * 220 * i / rate)))
            for i in range(frames)))
    print(f"INFO:__main__:Wrote {path}", file=sys.stderr, flush=True)
"""


def settings(
    rate: int = 16000, quality: str = "low", code: str = "en_GB", scale: float = 1.0
) -> dict[str, object]:
    return {
        "audio": {"sample_rate": rate, "quality": quality},
        "espeak": {"voice": "en-gb"},
        "inference": {"noise_scale": 0.667, "length_scale": scale, "noise_w": 0.8},
        "language": {"code": code},
        "dataset": "fake",
        "num_symbols": 256,
        "num_speakers": 1,
        "phoneme_id_map": {"_": [0]},
    }


def make_voice(folder: Path, name: str, kind: str = "ok", **config: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / f"{name}.onnx"
    model.write_text(kind)
    (folder / f"{name}.onnx.json").write_text(json.dumps(settings(**config), indent=2))  # type: ignore[arg-type]
    return model


def log_of(model: Path) -> list[str]:
    log = model.with_name(model.name + ".log")
    return log.read_text().splitlines() if log.exists() else []


def starts(model: Path) -> list[list[str]]:
    return [line.split() for line in log_of(model) if line.startswith("start ")]


@pytest.fixture
def fake_piper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "fake_piper.py"
    script.write_text(FAKE_PIPER)
    monkeypatch.setattr(speech_piper, "PIPER_COMMAND", (sys.executable, str(script)))
    return script


@pytest.fixture
def voices(_app_home: Path) -> Path:
    return _app_home / "voices"


def piper(cache: Path, voice: str | None = None, rate_wpm: int = 175) -> Speech:
    return Speech(SpeechSettings("piper", voice, rate_wpm), cache)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# finding and reading voices


def test_a_name_is_looked_up_in_the_voices_folder_and_a_path_is_taken_as_it_is(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "voices"
    assert locate("en", folder) == folder / "en.onnx"
    assert locate("x/en.onnx", folder) == Path("x/en.onnx")
    assert locate("x/en.onnx.json", folder) == Path("x/en.onnx")
    assert locate("~/en.onnx", folder) == Path.home() / "en.onnx"
    assert locate("en.onnx", folder) == Path("en.onnx")  # not in the folder: the current one
    assert locate("en.onnx.json", folder) == Path("en.onnx")
    make_voice(folder, "en")
    assert locate("en.onnx", folder) == folder / "en.onnx"
    assert locate("en.onnx.json", folder) == folder / "en.onnx"


@given(
    st.one_of(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
        st.sampled_from(["~", "~/x.onnx.json", "a/.onnx", ".onnx", ".onnx.json", "x.json"]),
    )
)
def test_locating_any_name_gives_an_onnx_file_or_what_was_given(voice: str) -> None:
    found = locate(voice, Path("/voices"))
    given = voice.removesuffix(".json") if voice.endswith(".onnx.json") else voice
    in_folder = found.parent == Path("/voices") and found.name.endswith(".onnx")
    assert in_folder or found == user_path(given)


def test_a_voice_reads_its_language_quality_and_rate(tmp_path: Path) -> None:
    model = make_voice(tmp_path, "de_DE-fake-x_low", rate=22050, quality="x_low", code="de_DE")
    voice = read_voice(model)
    assert (voice.name, voice.language, voice.quality, voice.sample_rate) == (
        "de_DE-fake-x_low",
        "de_DE",
        "x_low",
        22050,
    )
    assert voice.settings == tmp_path / "de_DE-fake-x_low.onnx.json"


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("no settings", "en.onnx: its settings file en.onnx.json is missing"),
        ("bad json", "en.onnx.json:3: not valid JSON"),
        ("no rate", "audio.sample_rate is missing"),
        ("no phonemes", "it has no phoneme_id_map"),
        ("a list", "it is not a JSON object"),
        ("no model", "en.onnx: no such Piper voice (.onnx)"),
    ],
)
def test_a_damaged_voice_is_refused_naming_the_file(
    tmp_path: Path, damage: str, expected: str
) -> None:
    model = make_voice(tmp_path, "en")
    config = tmp_path / "en.onnx.json"
    if damage == "no settings":
        config.unlink()
    elif damage == "bad json":
        config.write_text('{\n  "audio": {\n    "sample_rate": ,\n')
    elif damage == "no rate":
        config.write_text(json.dumps({**settings(), "audio": {}}))
    elif damage == "no phonemes":
        kept = {k: v for k, v in settings().items() if k != "phoneme_id_map"}
        config.write_text(json.dumps(kept))
    elif damage == "a list":
        config.write_text("[1, 2]")
    else:
        model.unlink()
    with pytest.raises(FileInputError) as error:
        read_voice(model)
    assert expected in str(error.value) and error.value.exit_code == 2


# speaking through the kept-warm process


def test_phrases_go_through_one_piper_process(fake_piper: Path, tmp_path: Path) -> None:
    model = make_voice(tmp_path / "v", "en")
    voice = piper(tmp_path / "cache", str(model))
    waves = [voice.phrase(text, 16000) for text in (CUE, "lean from the ankles", "relax")]
    assert [len(w) for w in waves] == sorted((len(w) for w in waves), reverse=True)
    assert voice.engine_used == "piper" and voice.tts_calls == 3
    assert len(starts(model)) == 1
    assert [line for line in log_of(model) if line.startswith("say ")] == [
        f"say {CUE}",
        "say lean from the ankles",
        "say relax",
    ]
    pid = int(starts(model)[0][1])
    assert alive(pid)
    voice.close()
    assert not alive(pid)


def test_the_speaking_rate_becomes_the_voices_length_scale(
    fake_piper: Path, tmp_path: Path
) -> None:
    model = make_voice(tmp_path / "v", "en", scale=1.2)
    slow = piper(tmp_path / "cache", str(model), rate_wpm=140).phrase(CUE, 16000)
    fast = piper(tmp_path / "cache", str(model), rate_wpm=280).phrase(CUE, 16000)
    scales = [float(start[2]) for start in starts(model)]
    assert scales == pytest.approx([1.2 * 175 / 140, 1.2 * 175 / 280], abs=1e-4)
    assert len(slow) / len(fast) == pytest.approx(2.0, rel=0.02)


def test_a_phrase_over_several_lines_is_one_phrase(fake_piper: Path, tmp_path: Path) -> None:
    model = make_voice(tmp_path / "v", "en")
    piper(tmp_path / "cache", str(model)).phrase("push\nthe ground\r\nback\u2028now", 16000)
    assert [line for line in log_of(model) if line.startswith("say ")] == [
        "say push the ground back now"
    ]


def test_a_voice_in_the_voices_folder_is_the_default(
    fake_piper: Path, tmp_path: Path, voices: Path
) -> None:
    make_voice(voices, "en_US-b-low")
    first = make_voice(voices, "en_US-a-low")
    voice = piper(tmp_path / "cache")
    assert len(voice.phrase(CUE, 16000)) > 0 and len(starts(first)) == 1


def test_the_cache_keeps_piper_phrases_per_voice_content(
    fake_piper: Path, tmp_path: Path, voices: Path
) -> None:
    model = make_voice(voices, "en")
    first = piper(tmp_path / "cache", "en").phrase(CUE, 16000)
    again = piper(tmp_path / "cache", str(model))
    np.testing.assert_array_equal(again.phrase(CUE, 16000), first)
    assert again.tts_calls == 0 and len(starts(model)) == 1  # the same files, by name or path
    make_voice(voices, "en", rate=22050)  # the same name, another voice
    other = piper(tmp_path / "cache", "en")
    other.phrase(CUE, 16000)
    assert other.tts_calls == 1 and len(starts(model)) == 2


# failures


def test_piper_missing_says_to_install_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    monkeypatch.setattr(speech_piper, "piper_command", lambda: None)
    model = make_voice(tmp_path, "en")
    with pytest.raises(SpeechUnavailable, match=r"piper-tts is not installed.*stridebeat\[piper\]"):
        piper(tmp_path / "cache", str(model))
    result = runner.invoke(cli, ["say", CUE, "--speech-engine", "piper", "--voice", str(model)])
    assert result.exit_code == 1 and "install stridebeat[piper]" in result.output


def test_another_program_called_piper_is_not_taken_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speech_piper, "PIPER_COMMAND", (sys.executable, "-c", "print('hi')"))
    with pytest.raises(SpeechUnavailable, match="is not piper-tts 1.3 or later"):
        piper(tmp_path / "cache", str(make_voice(tmp_path, "en")))


def test_an_unknown_voice_name_is_refused_listing_the_voices_found(
    fake_piper: Path, voices: Path, runner: CliRunner
) -> None:
    make_voice(voices, "en_US-joe-medium")
    make_voice(voices, "en_GB-alan-low")
    result = runner.invoke(cli, ["say", CUE, "--speech-engine", "piper", "--voice", "en_US-jo"])
    assert result.exit_code == 2
    assert "'en_US-jo'" in result.output and "closest: en_US-joe-medium" in result.output
    assert "choose one of: en_GB-alan-low, en_US-joe-medium" in result.output


def test_no_voice_anywhere_says_where_to_put_one(
    fake_piper: Path, tmp_path: Path, voices: Path
) -> None:
    with pytest.raises(InputError) as error:
        piper(tmp_path / "cache")
    message = str(error.value)
    assert "no --voice was given" in message and str(voices) in message
    assert "NAME.onnx with its NAME.onnx.json" in message and error.value.exit_code == 2


def test_a_missing_voice_file_is_refused_naming_it(
    fake_piper: Path, tmp_path: Path, runner: CliRunner
) -> None:
    missing = tmp_path / "nowhere" / "en.onnx"
    result = runner.invoke(cli, ["say", CUE, "--speech-engine", "piper", "--voice", str(missing)])
    assert result.exit_code == 2 and f"{missing}: no such Piper voice" in result.output


def test_a_voice_piper_cannot_load_is_refused_naming_the_file(
    fake_piper: Path, tmp_path: Path, runner: CliRunner
) -> None:
    model = make_voice(tmp_path, "en", kind="broken")
    out = tmp_path / "out.wav"
    result = runner.invoke(
        cli, ["say", CUE, "--speech-engine", "piper", "--voice", str(model), "-o", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert f"{model}: piper cannot load this voice" in result.output
    assert "Protobuf parsing failed" in result.output and not out.exists()
    assert "Traceback" not in result.output


def test_a_phrase_that_stops_piper_fails_and_the_next_starts_a_new_one(
    fake_piper: Path, tmp_path: Path
) -> None:
    model = make_voice(tmp_path / "v", "en")
    voice = piper(tmp_path / "cache", str(model))
    voice.phrase(CUE, 16000)
    with pytest.raises(SpeechFailed, match="piper stopped: ValueError: cannot say that") as error:
        voice.phrase("crash now", 16000)
    assert error.value.exit_code == 1
    assert len(voice.phrase("lean from the ankles", 16000)) > 0
    assert len(starts(model)) == 2


def test_a_hung_piper_is_killed_not_waited_for(
    fake_piper: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speech_piper, "LOAD_TIMEOUT", 0.0)
    monkeypatch.setattr(speech_piper, "phrase_timeout", lambda text: 2.0)
    model = make_voice(tmp_path / "v", "en", kind="hang")
    voice = piper(tmp_path / "cache", str(model))
    began = time.monotonic()
    with pytest.raises(SpeechFailed, match="no answer within 2 s"):
        voice.phrase(CUE, 16000)
    assert time.monotonic() - began < 10
    assert not alive(int(starts(model)[0][1]))


# listing


def test_voices_lists_piper_voices_with_language_and_quality(
    fake_piper: Path, voices: Path, runner: CliRunner
) -> None:
    make_voice(voices, "en_GB-fake-low")
    make_voice(voices, "de_DE-fake-medium", quality="medium", code="de_DE")
    (voices / "broken.onnx").write_text("ok")  # no settings beside it
    result = runner.invoke(cli, ["voices", "--speech-engine", "piper"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    assert rows == [
        ["piper", "broken", "(unreadable:", "try", "--voice)"],
        ["piper", "de_DE-fake-medium", "fake", "(medium)", "de_DE"],
        ["piper", "en_GB-fake-low", "fake", "(low)", "en_GB"],
    ]


def test_voices_says_where_piper_voices_go_when_there_are_none(
    fake_piper: Path, voices: Path, runner: CliRunner
) -> None:
    result = runner.invoke(cli, ["voices", "--speech-engine", "piper"])
    assert result.exit_code == 0 and f"No Piper voices in {voices}" in result.output


def test_voices_lists_piper_voices_without_piper_and_says_what_to_install(
    voices: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speech_piper, "piper_command", lambda: None)
    make_voice(voices, "en_GB-fake-low")
    result = runner.invoke(cli, ["voices", "--speech-engine", "piper"])
    assert result.exit_code == 0
    assert "en_GB-fake-low" in result.output and "install stridebeat[piper]" in result.output


def test_the_engine_lists_nothing_for_a_missing_folder(voices: Path) -> None:
    assert not voices.exists()
    engine = PiperEngine()
    assert engine.voices() == [] and engine.voice_choices() == []


def test_a_piper_phrase_is_a_readable_wav_through_say(
    fake_piper: Path, tmp_path: Path, voices: Path, runner: CliRunner
) -> None:
    make_voice(voices, "en_GB-fake-low", rate=16000)
    out = tmp_path / "cue.wav"
    result = runner.invoke(cli, ["say", CUE, "--speech-engine", "piper", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "piper" in result.output
    samples, rate = sf.read(out)
    seconds = len(samples) / rate
    assert seconds == pytest.approx(0.06 * len(CUE), abs=0.03)
