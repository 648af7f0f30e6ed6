"""Hostile input that used to hang or run away: pipes and devices named as files, endless
durations, huge phrases and sounds, gzip bombs. Each case must be refused early and cheaply
(exit 2 for what the user gave, exit 1 for a disk without room), never hang or eat memory.

Limits are injected small where the real ones are large, so nothing here allocates more than
a few MiB; a pipe is made with os.mkfifo, and /dev/zero is refused before it is read.
"""

from __future__ import annotations

import gzip
import os
import resource
import shutil
import signal
import subprocess
import sys
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.cli.app import cli as stridebeat_cli
from stridebeat.errors import FileInputError, InputError, SoundError

STRIDEBEAT = [sys.executable, "-m", "stridebeat"]
SESSION = '[[block]]\nkind = "run"\nduration = "1m"\nspm = 170\n'


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


class Hung(BaseException):
    """Not an OSError, so no reader can mistake it for a file it cannot read."""


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """A case that blocks (opening a pipe nobody writes to) fails after 20 s, not never."""

    def expire(signum: int, frame: Any) -> None:
        raise Hung("hung: a hostile file must be refused at once")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def cli(*args: str) -> Any:
    return CliRunner().invoke(stridebeat_cli, list(args))


def bounded(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a child limited to 1 GiB of memory and 30 s (reading /dev/zero whole
    would otherwise take the machine down)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    return subprocess.run(
        [*STRIDEBEAT, *args],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=limit,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def write_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    samples = (np.sin(2 * np.pi * 440 * t) * 20000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


# ---------------------------------------------------------------------------- pipes, devices


@pytest.mark.parametrize("command", ["render", "baseline"])
def test_dev_zero_is_refused_before_reading(command: str, tmp_path: Path) -> None:
    extra = ["-o", str(tmp_path / "out.wav")] if command == "render" else []
    result = bounded(command, "/dev/zero", *extra)
    assert result.returncode == 2, result.stderr[-500:]
    assert "/dev/zero: this is a device" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_pipe_as_the_session_file(fifo: Path, tmp_path: Path) -> None:
    result = cli("render", str(fifo), "-o", str(tmp_path / "out.wav"))
    assert result.exit_code == 2
    assert f"{fifo}: this is a pipe (FIFO), not a file" in result.output
    assert not (tmp_path / "out.wav").exists()


def test_a_pipe_as_the_activity_file(fifo: Path) -> None:
    result = cli("baseline", str(fifo))
    assert result.exit_code == 2
    assert "this is a pipe (FIFO)" in result.output


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_a_pipe_or_device_as_the_click_sound(special: str, fifo: Path, tmp_path: Path) -> None:
    given = str(fifo) if special == "fifo" else special
    out = tmp_path / "out.wav"
    result = cli("render", "--spm", "170", "--duration", "10s", "--sound", given, "-o", str(out))
    assert result.exit_code == 2
    assert "not a file; save the sound to a file" in result.output
    assert not out.exists()


def test_a_pipe_as_a_cue_script(fifo: Path, tmp_path: Path) -> None:
    result = cli("cues", "check", str(fifo), "--no-speech")
    assert result.exit_code == 2
    assert str(fifo) in result.output
    from stridebeat.cues.script import load_script

    with pytest.raises(FileInputError, match="this is a pipe"):
        load_script(fifo)


def test_a_pipe_as_a_recorded_cue(fifo: Path) -> None:
    from stridebeat.cues.audio import CueSounds

    with pytest.raises(FileInputError, match="this is a pipe"):
        CueSounds(44100, None).measure("", fifo)


def test_a_hand_edited_plan_that_is_a_pipe(fifo: Path) -> None:
    from stridebeat.training.planfile import load_plan

    with pytest.raises(FileInputError, match="this is a pipe"):
        load_plan(fifo)


def test_a_saved_baseline_from_stridebeat_0_1_that_is_a_pipe(_app_home: Path) -> None:
    os.mkfifo(_app_home / "baseline.toml")
    result = cli("plan", "init")
    assert result.exit_code == 2
    assert "this is a pipe (FIFO)" in result.output


@pytest.mark.parametrize("reader", ["read_text", "read_bytes", "regular_file"])
@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/null", "folder"])
def test_every_reader_takes_regular_files_only(
    reader: str, special: str, fifo: Path, tmp_path: Path
) -> None:
    from stridebeat import tomlfile

    path = {"fifo": fifo, "folder": tmp_path}.get(special, Path(special))
    read: Callable[..., Any] = getattr(tomlfile, reader)
    args = (path, "session file") if reader != "read_bytes" else (path, "session file", 100)
    with pytest.raises(FileInputError) as refused:
        read(*args)
    assert refused.value.path == str(path)
    assert "folder" in refused.value.message or "not a file" in refused.value.message


def test_an_oversized_text_file_names_its_size_and_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (3 * 2**20) + "\n" + SESSION)
    result = cli("render", str(big), "-o", str(tmp_path / "out.wav"))
    assert result.exit_code == 2
    assert "is 3 MiB; a session file is at most 1 MiB" in result.output


@settings(max_examples=30, deadline=None)
@given(size=st.integers(0, 300), limit=st.integers(0, 300))
def test_read_bytes_takes_a_file_exactly_up_to_its_limit(
    size: int, limit: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from stridebeat.tomlfile import read_bytes

    path = tmp_path_factory.mktemp("sized") / "f"
    path.write_bytes(b"a" * size)
    if size <= limit:
        assert read_bytes(path, "file", limit) == b"a" * size
    else:
        with pytest.raises(FileInputError, match=f"is {size} bytes; a file is at most {limit}"):
            read_bytes(path, "file", limit)


# ---------------------------------------------------------------------------- durations


@pytest.mark.parametrize("duration", ["1000h", "99999999s", "24h0m1s", "25:00:00"])
@pytest.mark.parametrize("command", ["render", "play"])
def test_endless_durations_are_refused(duration: str, command: str, tmp_path: Path) -> None:
    extra = ["-o", str(tmp_path / "out.wav")] if command == "render" else []
    result = cli(command, "--spm", "170", "--duration", duration, *extra)
    assert result.exit_code == 2
    assert "give at most 24h (12h for a file)" in result.output


def test_the_longest_durations_are_in_the_help() -> None:
    for command in ("render", "play"):
        assert "(at most 24h; 12h for a file)" in " ".join(cli(command, "--help").output.split())


@pytest.mark.parametrize("how", ["option", "session file"])
def test_a_file_longer_than_twelve_hours_is_refused(how: str, tmp_path: Path) -> None:
    out = tmp_path / "out.mp3"
    if how == "option":
        result = cli("render", "--spm", "170", "--duration", "12h0m1s", "-o", str(out))
    else:
        session = tmp_path / "long.toml"
        session.write_text(SESSION.replace('"1m"', '"7h"') * 2)
        result = cli("render", str(session), "-o", str(out))
    assert result.exit_code == 2
    assert "a rendered file is at most 12 hours" in result.output
    assert not out.exists()


def test_a_long_session_file_is_refused_before_its_cues_are_placed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stridebeat.prepare

    def never(*args: Any) -> Any:
        raise AssertionError("prepared a session too long to render")

    monkeypatch.setattr(stridebeat.prepare, "prepare", never)
    session = tmp_path / "long.toml"
    session.write_text(SESSION.replace('"1m"', '"1000h"'))
    out = tmp_path / "out.mp3"
    result = cli("render", str(session), "--cues", "glutes", "--no-speech", "-o", str(out))
    assert result.exit_code == 2
    assert "this session lasts 1000:00:00; a rendered file is at most 12 hours" in result.output


def test_a_render_the_disk_has_no_room_for_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda _: real._replace(free=3 * 2**20))
    out = tmp_path / "out.wav"
    result = cli("render", "--spm", "170", "--duration", "1m", "-o", str(out))
    assert result.exit_code == 1
    assert "it needs up to 6.05 MiB and" in result.output  # 60 s · 44100 Hz · 2 B + 1 MiB
    assert "has 3 MiB free" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("extension", [".wav", ".flac", ".ogg", ".mp3"])
@pytest.mark.parametrize("rate", [8000, 48000])
def test_the_size_bound_holds_for_each_format(extension: str, rate: int, tmp_path: Path) -> None:
    from stridebeat.sinks.file import size_bound

    out = tmp_path / f"out{extension}"
    seconds = 20.0
    result = cli(
        "render", "--spm", "180", "--duration", "20s", "--sample-rate", str(rate), "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    bound = size_bound(out, rate, 1, seconds)
    written = out.stat().st_size
    assert written <= bound
    if extension == ".wav":  # exact: the samples, and headers within the headroom
        assert written >= seconds * rate * 2
        assert bound - written <= 2**20


# ---------------------------------------------------------------------------- phrases, sounds


def test_say_refuses_a_huge_phrase_before_speaking(tmp_path: Path) -> None:
    result = cli("say", "push the ground back " * 500, "-o", str(tmp_path / "x.wav"))
    assert result.exit_code == 2
    assert "has 10500 characters; a spoken cue is at most 400" in result.output
    assert not (tmp_path / "x.wav").exists()


def test_a_huge_cue_phrase_is_refused_before_the_engine_or_the_cache(tmp_path: Path) -> None:
    from stridebeat.cues.settings import SpeechSettings
    from stridebeat.cues.speech import Speech

    speech = Speech(SpeechSettings(), cache_dir=tmp_path)
    with pytest.raises(InputError, match="200000 characters"):
        speech.phrase("a" * 200_000, 44100)
    assert speech.tts_calls == 0
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=40, deadline=None)
@given(length=st.integers(380, 420))
def test_cue_phrases_without_speech_have_the_same_limit(length: int) -> None:
    from stridebeat.cues.audio import CueSounds
    from stridebeat.cues.speech_check import MAX_PHRASE_CHARS

    sounds = CueSounds(44100, None)
    if length <= MAX_PHRASE_CHARS:
        assert sounds.measure("b" * length, None) > 0
    else:
        with pytest.raises(InputError, match=f"at most {MAX_PHRASE_CHARS}"):
            sounds.measure("b" * length, None)


def write_flac(path: Path, seconds: float, rate: int = 8000) -> Path:
    import soundfile as sf

    t = np.arange(int(seconds * rate)) / rate
    sf.write(str(path), np.sin(2 * np.pi * 440 * t).astype(np.float32) * 0.5, rate)
    return path


@pytest.mark.parametrize("write", [write_wav, write_flac])
def test_a_long_sound_is_refused_from_its_header(
    write: Callable[[Path, float], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import soundfile as sf

    from stridebeat.engine.synth import load_clip

    long = write(tmp_path / f"long.{write.__name__[-4:]}", 30.0)
    read: list[Any] = []
    monkeypatch.setattr(sf, "read", lambda *a, **k: read.append(a))
    monkeypatch.setattr(sf.SoundFile, "read", lambda *a, **k: read.append(a))
    monkeypatch.setattr(np, "frombuffer", lambda *a, **k: read.append(a))
    with pytest.raises(SoundError, match=r"lasts 30.00 s; it must be shorter than 1 s"):
        load_clip(long, 44100, "sound", 1.0, "")
    assert read == []  # not one sample was read


def test_a_sound_never_reads_past_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import soundfile as sf

    from stridebeat.engine.synth import load_clip

    asked: list[int] = []
    real = sf.SoundFile.read

    def spy(self: Any, frames: int = -1, *args: Any, **kwargs: Any) -> Any:
        asked.append(frames)
        return real(self, frames, *args, **kwargs)

    monkeypatch.setattr(sf.SoundFile, "read", spy)
    clip = load_clip(write_flac(tmp_path / "short.flac", 0.5), 8000, "sound", 1.0, "")
    assert 0 < len(clip) <= 4000
    assert asked and all(0 <= frames <= 8001 for frames in asked)


def test_a_three_hour_click_sound_is_refused_from_its_header(tmp_path: Path) -> None:
    # the header says three hours; the samples are not there, and are never looked for
    path = write_wav(tmp_path / "long.wav", 1.0)
    data = bytearray(path.read_bytes())
    frames = 3 * 3600 * 8000
    data[40:44] = (frames * 2).to_bytes(4, "little")
    data[4:8] = (frames * 2 + 36).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    out = tmp_path / "out.wav"
    result = cli(
        "render", "--spm", "170", "--duration", "10s", "--sound", str(path), "-o", str(out)
    )
    assert result.exit_code == 2
    assert "lasts 10800.00 s; it must be shorter than 1 s" in result.output


# ---------------------------------------------------------------------------- gzip bombs


def test_a_gzip_bomb_says_how_big_and_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stridebeat.runner import activity

    monkeypatch.setattr(activity, "MAX_FILE_BYTES", 2**20)
    bomb = tmp_path / "run.gpx.gz"
    bomb.write_bytes(gzip.compress(b"<gpx>" + b" " * (8 * 2**20)))
    with pytest.raises(FileInputError) as refused:
        activity.read_activity(bomb)
    message = refused.value.message
    assert "unpacks to more than 1 MiB" in message
    assert "an activity file is at most 1 MiB" in message
    assert f"is {bomb.stat().st_size // 1024}" in message  # its packed size


# ---------------------------------------------------------------------------- past 4 GiB


def test_a_95_minute_192_khz_stereo_wav_is_rf64(tmp_path: Path) -> None:
    from stridebeat.sinks.file import AudioFileSink, fits_riff

    frames = 95 * 60 * 192_000
    assert frames * 2 * 2 > 2**32  # past what a RIFF header can count
    assert not fits_riff(frames, 2)
    sink = AudioFileSink(tmp_path / "long.wav", 192_000, 2, None, frames)
    assert sink.format == "RF64"
    assert fits_riff(90 * 60 * 192_000, 2)  # 90 minutes still fit a plain WAV


def test_a_wav_past_the_riff_limit_reads_back_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import soundfile as sf

    args = ["render", "--spm", "170", "--duration", "2s", "--stereo-steps", "--sample-rate", "8000"]
    plain, long = tmp_path / "plain.wav", tmp_path / "long.wav"
    assert cli(*args, "-o", str(plain)).exit_code == 0
    monkeypatch.setattr("stridebeat.sinks.file.RIFF_MAX_DATA", 4000)  # 1000 stereo frames
    result = cli(*args, "-o", str(long))
    assert result.exit_code == 0, result.output
    assert sf.info(str(plain)).format == "WAV"
    assert sf.info(str(long)).format == "RF64"
    expected, _ = sf.read(str(plain), dtype="int16")
    got, _ = sf.read(str(long), dtype="int16")
    assert len(got) == 16_000
    np.testing.assert_array_equal(got, expected)


def test_a_wav_of_unknown_length_is_refused_at_the_riff_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stridebeat.sinks.file import AudioFileSink

    monkeypatch.setattr("stridebeat.sinks.file.RIFF_MAX_DATA", 4000)
    out = tmp_path / "out.wav"
    with AudioFileSink(out, 8000, 2) as sink:
        sink.write(np.zeros((1000, 2), dtype=np.int16))
        with pytest.raises(InputError, match="does not fit a WAV file"):
            sink.write(np.zeros((1, 2), dtype=np.int16))
    assert not out.exists() and list(tmp_path.iterdir()) == []
