from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given
from hypothesis import strategies as st

from stridebeat.cues import speech
from stridebeat.cues import speech_engines as engines
from stridebeat.cues.settings import ENGINES, SpeechSettings
from stridebeat.cues.speech import Speech
from stridebeat.cues.speech_cache import load_phrase
from stridebeat.cues.speech_check import checked, estimate_seconds
from stridebeat.cues.speech_engines import EngineFailure
from stridebeat.errors import InputError, SpeechFailed, SpeechUnavailable

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="the espeak-ng command is not installed")
CUE = "push the ground back"


def espeak(cache: Path, **settings: object) -> Speech:
    return Speech(SpeechSettings(engine="espeak-ng", **settings), cache)  # type: ignore[arg-type]


def wav_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.wav"))


def fake_espeak(tmp_path: Path, synthesis: str) -> str:
    """An espeak-ng that is real for probes and voice lists but runs ``synthesis`` to speak."""
    script = tmp_path / "espeak-ng"
    script.write_text(
        f'#!/bin/sh\ncase " $* " in *" --stdout "*) ;; *) exec {ESPEAK} "$@" ;; esac\n{synthesis}\n'
    )
    script.chmod(0o755)
    return str(script)


def fake_worker(tmp_path: Path, wav: Path) -> tuple[str, ...]:
    """A pyttsx3 worker that answers like the real one but always 'says' ``wav``."""
    script = tmp_path / "worker.py"
    script.write_text(
        "import json, shutil, sys\n"
        "request = json.load(sys.stdin)\n"
        "if request['op'] == 'voices':\n"
        "    print(json.dumps({'voices': [{'id': 'v1', 'name': 'Fake', 'languages': ['en']}]}))\n"
        "else:\n"
        f"    shutil.copy({str(wav)!r}, request['out'])\n"
        "    print(json.dumps({'ok': True}))\n"
    )
    return (sys.executable, str(script))


def silent_wav(tmp_path: Path, seconds: float = 1.0) -> Path:
    path = tmp_path / f"silent-{seconds}.wav"
    sf.write(path, np.zeros(round(22050 * seconds), dtype=np.int16), 22050)
    return path


# espeak-ng: the phrase itself


@needs_espeak
@pytest.mark.parametrize("rate", [44100, 48000])
def test_espeak_phrase_is_trimmed_normalised_at_the_rate(tmp_path: Path, rate: int) -> None:
    voice = espeak(tmp_path)
    assert voice.engine_used == "espeak-ng"
    wave = voice.phrase(CUE, rate)
    assert wave.dtype == np.float32 and wave.ndim == 1
    assert 0.6 < len(wave) / rate < 2.0  # measured: 1.03 s
    assert float(np.max(np.abs(wave))) == pytest.approx(1.0, abs=1e-6)
    loud = np.flatnonzero(np.abs(wave) >= 0.003)
    assert loud[0] <= 0.012 * rate  # ~10 ms of the leading silence kept, no more
    assert len(wave) - 1 - loud[-1] <= 0.012 * rate
    assert voice.engine_used == "espeak-ng" and voice.tts_calls == 1


@needs_espeak
def test_text_starting_with_a_dash_is_spoken_not_parsed(tmp_path: Path) -> None:
    wave = espeak(tmp_path).phrase("-5 seconds to go", 22050)
    assert len(wave) / 22050 > 1.0


# the cache


@needs_espeak
def test_a_repeated_phrase_is_a_cache_hit_with_identical_samples(tmp_path: Path) -> None:
    voice = espeak(tmp_path)
    first = voice.phrase(CUE, 44100)
    again = voice.phrase(CUE, 44100)
    other_rate = voice.phrase(CUE, 48000)
    assert voice.tts_calls == 1
    np.testing.assert_array_equal(first, again)
    assert len(other_rate) == pytest.approx(len(first) * 48000 / 44100, abs=1)
    assert len(wav_files(tmp_path)) == 1

    fresh = espeak(tmp_path)
    np.testing.assert_array_equal(fresh.phrase(CUE, 44100), first)
    assert fresh.tts_calls == 0
    assert fresh.engine_used == "espeak-ng"


@needs_espeak
def test_one_render_does_not_reread_the_cache_file(tmp_path: Path) -> None:
    voice = espeak(tmp_path)
    first = voice.phrase(CUE, 44100)
    for path in wav_files(tmp_path):
        path.unlink()
    np.testing.assert_array_equal(voice.phrase(CUE, 22050), espeak(tmp_path).phrase(CUE, 22050))
    np.testing.assert_array_equal(voice.phrase(CUE, 44100), first)
    assert voice.tts_calls == 1


@needs_espeak
def test_the_returned_array_is_shared_and_read_only(tmp_path: Path) -> None:
    voice = espeak(tmp_path)
    first = voice.phrase(CUE, 22050)
    with pytest.raises(ValueError, match="read-only"):
        first[:] = 0
    assert np.shares_memory(first, voice.phrase(CUE, 22050))  # one copy, however often used
    assert float(np.max(np.abs(voice.phrase(CUE, 22050)))) == pytest.approx(1.0)


@needs_espeak
@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated: the header still promises more
        lambda data: data[:-4],  # one sample short
        lambda data: data[:30],  # header cut
        lambda data: b"",
        lambda data: b"RIFF garbage" * 10,
        lambda data: data[: len(data) // 2] + bytes(40) + data[len(data) // 2 + 40 :],
    ],
    ids=["half", "one-sample-short", "header-cut", "empty", "garbage", "zeroed-middle"],
)
def test_a_damaged_cache_file_is_a_miss_and_is_rewritten(tmp_path: Path, damage: object) -> None:
    original = espeak(tmp_path).phrase(CUE, 44100)
    [path] = wav_files(tmp_path)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]

    voice = espeak(tmp_path)
    np.testing.assert_array_equal(voice.phrase(CUE, 44100), original)
    assert voice.tts_calls == 1
    assert load_phrase(path) is not None
    assert espeak(tmp_path).phrase(CUE, 44100).tobytes() == original.tobytes()


@needs_espeak
def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    voice = espeak(blocker / "cache")
    assert len(voice.phrase(CUE, 22050)) > 0
    assert len(voice.phrase(CUE, 22050)) > 0
    assert voice.tts_calls == 1


CONCURRENT = """
import hashlib, sys
from pathlib import Path
from stridebeat.cues.settings import SpeechSettings
from stridebeat.cues.speech import Speech
speech = Speech(SpeechSettings(engine="espeak-ng"), Path(sys.argv[1]))
for text in ["push the ground back", "lean from the ankles", "squeeze at push-off",
             "tall hips", "quick light steps"]:
    print(text, hashlib.sha256(speech.phrase(text, 44100).tobytes()).hexdigest())
"""


@needs_espeak
def test_concurrent_renders_share_one_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(cache)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = [run.communicate(timeout=60)[0] for run in runs]
    assert [run.returncode for run in runs] == [0] * 4
    assert len(set(outputs)) == 1 and outputs[0].count("\n") == 5
    files = list(cache.iterdir())
    assert len(files) == 5 and all(load_phrase(path) is not None for path in files)  # no temp files

    warm = espeak(cache)
    for line in outputs[0].splitlines():
        text, digest = line.rsplit(" ", 1)
        assert hashlib.sha256(warm.phrase(text, 44100).tobytes()).hexdigest() == digest
    assert warm.tts_calls == 0


# pyttsx3, for real (on Linux it drives libespeak in a child process)


def test_pyttsx3_speaks_in_a_child_process(tmp_path: Path) -> None:
    voice = Speech(SpeechSettings(engine="pyttsx3"), tmp_path / "a")
    assert voice.engine_used == "pyttsx3"
    wave = voice.phrase(CUE, 44100)
    assert voice.engine_used == "pyttsx3" and voice.tts_calls == 1
    assert 0.6 < len(wave) / 44100 < 2.0
    assert float(np.max(np.abs(wave))) == pytest.approx(1.0, abs=1e-6)
    # One phrase per fresh child: no drift between calls, unlike one pyttsx3 engine reused.
    again = Speech(SpeechSettings(engine="pyttsx3"), tmp_path / "b").phrase(CUE, 44100)
    np.testing.assert_array_equal(again, wave)
    assert any(v.engine == "pyttsx3" for v in voice.voices())


def test_pyttsx3_voice_is_checked_against_its_voice_list(tmp_path: Path) -> None:
    default = Speech(SpeechSettings(engine="pyttsx3"), tmp_path).phrase(CUE, 22050)
    us = Speech(SpeechSettings(engine="pyttsx3", voice="en-us"), tmp_path).phrase(CUE, 22050)
    assert default.shape != us.shape or not np.array_equal(default, us)
    with pytest.raises(InputError, match="pyttsx3 cannot use the voice 'nonsense-voice'") as error:
        Speech(SpeechSettings(engine="pyttsx3", voice="nonsense-voice"), tmp_path)
    assert "gmw/en-us" in str(error.value) and error.value.exit_code == 2


# falling back, retrying, giving up


@needs_espeak
def test_a_failing_espeak_falls_back_to_pyttsx3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "ESPEAK_COMMAND", fake_espeak(tmp_path, "echo boom >&2; exit 1"))
    voice = Speech(SpeechSettings(), tmp_path / "cache")
    assert voice.engine_used == "espeak-ng"
    wave = voice.phrase(CUE, 22050)
    assert voice.engine_used == "pyttsx3" and voice.tts_calls == speech.ATTEMPTS + 1
    assert len(wave) > 0
    # The cache holds what pyttsx3 made; a later run finds it without calling an engine.
    warm = Speech(SpeechSettings(), tmp_path / "cache")
    np.testing.assert_array_equal(warm.phrase(CUE, 22050), wave)
    assert warm.tts_calls == 0 and warm.engine_used == "pyttsx3"


@needs_espeak
@pytest.mark.parametrize("output", ["empty", "header-only", "silent", "too-long"])
def test_bad_espeak_output_is_retried_then_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    wav = tmp_path / "out.wav"
    if output == "header-only":
        sf.write(wav, np.zeros(0, dtype=np.int16), 22050)
    elif output == "silent":
        wav = silent_wav(tmp_path)
    elif output == "too-long":
        sf.write(wav, (0.5 * np.sin(np.arange(22050 * 30) / 5)).astype(np.float32), 22050)
    else:
        wav.write_bytes(b"")
    monkeypatch.setattr(engines, "ESPEAK_COMMAND", fake_espeak(tmp_path, f"cat {wav}"))
    voice = Speech(SpeechSettings(), tmp_path / "cache")
    assert len(voice.phrase("go", 22050)) > 0
    assert voice.engine_used == "pyttsx3" and voice.tts_calls == speech.ATTEMPTS + 1


@needs_espeak
def test_one_bad_output_is_retried_on_the_same_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag = tmp_path / "failed-once"
    script = fake_espeak(
        tmp_path,
        f"if [ ! -e {flag} ]; then touch {flag}; cat {silent_wav(tmp_path)}; exit 0; fi\n"
        f'exec {ESPEAK} "$@"',
    )
    monkeypatch.setattr(engines, "ESPEAK_COMMAND", script)
    voice = Speech(SpeechSettings(), tmp_path / "cache")
    wave = voice.phrase(CUE, 22050)
    assert voice.engine_used == "espeak-ng" and voice.tts_calls == 2
    np.testing.assert_array_equal(wave, espeak(tmp_path / "real").phrase(CUE, 22050))


@needs_espeak
def test_a_hung_engine_is_killed_and_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "ESPEAK_COMMAND", fake_espeak(tmp_path, "exec sleep 30"))
    # short enough for the hung engine, long enough for the real fallback on a busy machine
    monkeypatch.setattr(engines, "phrase_timeout", lambda text: 2.0)
    voice = Speech(SpeechSettings(), tmp_path / "cache")
    assert len(voice.phrase(CUE, 22050)) > 0
    assert voice.engine_used == "pyttsx3" and voice.tts_calls == 2


@needs_espeak
def test_every_engine_failing_names_the_phrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "ESPEAK_COMMAND", fake_espeak(tmp_path, "exit 1"))
    monkeypatch.setattr(engines, "WORKER_COMMAND", fake_worker(tmp_path, silent_wav(tmp_path)))
    voice = Speech(SpeechSettings(), tmp_path / "cache")
    with pytest.raises(SpeechFailed, match="could not speak 'lean from the ankles'") as error:
        voice.phrase("lean from the ankles", 22050)
    message = str(error.value)
    assert "espeak-ng: exit status 1 (3 tries)" in message
    assert "pyttsx3: silent audio (3 tries)" in message and "--no-speech" in message
    assert voice.tts_calls == 2 * speech.ATTEMPTS and error.value.exit_code == 1
    assert wav_files(tmp_path / "cache") == []


def test_no_engine_at_all_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "ESPEAK_COMMAND", str(tmp_path / "no-such-espeak-ng"))
    monkeypatch.setattr(engines, "WORKER_COMMAND", (sys.executable, "-c", "exit(3)"))
    voice = Speech(SpeechSettings(), tmp_path)
    with pytest.raises(SpeechUnavailable) as error:
        voice.phrase(CUE, 22050)
    message = str(error.value)
    assert "apt-get install espeak-ng" in message and "pip install pyttsx3" in message
    assert "--no-speech" in message and "not installed" in message
    assert error.value.exit_code == 1 and voice.tts_calls == 0
    with pytest.raises(SpeechUnavailable, match="choose another --speech-engine"):
        espeak(tmp_path).phrase(CUE, 22050)


@needs_espeak
def test_a_broken_espeak_install_is_found_by_the_probe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "espeak-ng"
    script.write_text("#!/bin/sh\necho 'Error: no espeak-ng-data' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setattr(engines, "ESPEAK_COMMAND", str(script))
    with pytest.raises(SpeechUnavailable, match="no espeak-ng-data.*apt-get install espeak-ng"):
        espeak(tmp_path).phrase(CUE, 22050)


def test_the_check_rejects_empty_silent_and_implausible_audio() -> None:
    speechlike = (0.5 * np.sin(np.arange(22050) / 3)).astype(np.float32)
    assert len(checked(speechlike, 22050, "push off", 175).samples) == 22050
    cases = {
        "empty audio": np.zeros(0, np.float32),
        "silent audio": np.full(22050, 1e-4, np.float32),
        "invalid samples": np.full(22050, np.nan, np.float32),
        "0.05 s of audio": speechlike[: 22050 // 20],
        "30.00 s of audio": np.tile(speechlike, 30),
    }
    for reason, samples in cases.items():
        with pytest.raises(EngineFailure, match=reason):
            checked(samples, 22050, "push off", 175)


# settings and voices


def test_an_unknown_engine_lists_the_choices(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="auto, espeak-ng, pyttsx3, piper") as error:
        Speech(SpeechSettings(engine="festival"), tmp_path)
    assert error.value.exit_code == 2 and ENGINES == ("auto", "espeak-ng", "pyttsx3", "piper")


@pytest.mark.parametrize("rate_wpm", [0, 79, 451])
def test_a_speech_rate_out_of_range_is_refused(tmp_path: Path, rate_wpm: int) -> None:
    with pytest.raises(InputError, match="80 to 450"):
        Speech(SpeechSettings(rate_wpm=rate_wpm), tmp_path)


@needs_espeak
def test_blank_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no text"):
        espeak(tmp_path).phrase("  ", 22050)


@needs_espeak
def test_an_unknown_espeak_voice_lists_the_choices(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="espeak-ng cannot use the voice 'enn-us'") as error:
        espeak(tmp_path, voice="enn-us")
    message = str(error.value)
    assert "closest: en-us" in message and "does not exist" in message
    assert error.value.exit_code == 2


@needs_espeak
def test_auto_refuses_a_voice_only_when_no_engine_has_it(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        Speech(SpeechSettings(voice="nonsense-voice"), tmp_path)
    assert "espeak-ng cannot use" in str(error.value) and "pyttsx3 cannot use" in str(error.value)
    us = Speech(SpeechSettings(voice="en-us"), tmp_path)
    assert len(us.phrase(CUE, 22050)) != len(espeak(tmp_path).phrase(CUE, 22050))
    assert len(wav_files(tmp_path)) == 2  # the voice is part of the cache key


@needs_espeak
def test_voices_include_english_from_espeak(tmp_path: Path) -> None:
    voices = Speech(SpeechSettings(engine="espeak-ng"), tmp_path).voices()
    english = [v for v in voices if "English" in v.name and v.languages[0].startswith("en")]
    assert english and all(v.engine == "espeak-ng" for v in voices)
    assert any(v.id == "gmw/en-US" and "en" in v.languages for v in english)


# estimating without speech


@given(st.text(max_size=40), st.text(max_size=40), st.integers(80, 450))
def test_estimate_grows_with_the_text(head: str, tail: str, rate_wpm: int) -> None:
    assert estimate_seconds(head, rate_wpm) <= estimate_seconds(head + tail, rate_wpm)


def test_estimate_follows_length_and_rate() -> None:
    assert estimate_seconds("") == 0.0
    assert estimate_seconds("go") < estimate_seconds(CUE) < estimate_seconds(CUE + " and relax")
    assert estimate_seconds(CUE, 120) > estimate_seconds(CUE, 175) > estimate_seconds(CUE, 300)


@needs_espeak
@pytest.mark.parametrize(
    "text",
    [CUE, "Relax your shoulders and keep your arms low.", "Cadence 172. Next: four minutes easy."],
)
def test_estimate_is_near_the_spoken_length(tmp_path: Path, text: str) -> None:
    spoken = len(espeak(tmp_path).phrase(text, 22050)) / 22050
    assert 0.7 * spoken < estimate_seconds(text) < 1.4 * spoken
