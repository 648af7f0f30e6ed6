from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from stridebeat.cli.app import cli
from stridebeat.engine.synth import load_sound
from tests.conftest import REPO

STRIDEBEAT = [sys.executable, "-m", "stridebeat"]


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "stridebeat")
def test_every_command_has_help(runner: CliRunner, path: tuple[str, ...]) -> None:
    result = runner.invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help and len(command.help.strip()) > 20


def test_help_does_not_load_audio_libraries() -> None:
    code = (
        "import sys; from stridebeat.cli.app import cli\n"
        "heavy = {'numpy', 'soundfile', 'sounddevice', 'pyttsx3'} & set(sys.modules)\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def assert_starts_with(path: Path, wave: np.ndarray) -> None:
    audio = sf.read(path, dtype="int16")[0]
    expected = np.rint(wave * 32767).astype(np.int16)
    np.testing.assert_array_equal(audio[: len(wave)], expected)


def test_render_spm(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "run.wav"
    result = runner.invoke(cli, ["render", "--spm", "176", "--duration", "1m", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == ""  # not a terminal: no progress bar, no chatter
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.subtype, info.frames) == (
        44100,
        1,
        "PCM_16",
        60 * 44100,
    )
    # the first click's onset is at frame 0: the sound's own samples, rounded to 16 bits
    assert_starts_with(out, 0.8 * load_sound("wood", 44100))
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_render_ramp_and_options(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "ramp.wav"
    result = runner.invoke(
        cli,
        [
            "render",
            "--ramp",
            "165:175",
            "--duration",
            "30s",
            "-o",
            str(out),
            "--sample-rate",
            "48000",
            "--stereo-steps",
            "--accent",
            "4",
            "--sound",
            "bell",
            "--volume",
            "50",
        ],
    )
    assert result.exit_code == 0, result.output
    audio, rate = sf.read(out)
    assert rate == 48000 and audio.shape == (30 * 48000, 2)
    assert np.abs(audio).max() == pytest.approx(0.5 * np.cos(np.pi / 8), abs=0.01)


def test_render_session_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "session.wav"
    result = runner.invoke(cli, ["render", str(REPO / "examples/session.toml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sf.info(out).frames == 30 * 60 * 44100


@pytest.mark.parametrize(("suffix", "fmt"), [(".flac", "FLAC"), (".ogg", "OGG"), (".mp3", "MP3")])
def test_render_other_formats(runner: CliRunner, tmp_path: Path, suffix: str, fmt: str) -> None:
    out = tmp_path / f"run{suffix}"
    result = runner.invoke(cli, ["render", "--spm", "170", "--duration", "20s", "-o", str(out)])
    assert result.exit_code == 0, result.output
    info = sf.info(out)
    assert info.format == fmt and info.samplerate == 44100
    assert abs(info.frames - 20 * 44100) < 44100 * 0.1  # lossy codecs pad a little


def test_env_var_picks_sound(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "beep.wav"
    result = runner.invoke(
        cli,
        ["render", "--spm", "170", "--duration", "5s", "-o", str(out)],
        env={"STRIDEBEAT_SOUND": "beep"},
    )
    assert result.exit_code == 0, result.output
    assert_starts_with(out, 0.8 * load_sound("beep", 44100))


BAD_INPUT = [
    (["--spm", "0", "--duration", "5m"], "out of range"),
    (["--spm", "-170", "--duration", "5m"], "out of range"),
    (["--spm", "500", "--duration", "5m"], "out of range"),
    (["--ramp", "170", "--duration", "5m"], "START:END"),
    (["--ramp", "a:b", "--duration", "5m"], "not a cadence"),
    (["--spm", "170", "--duration", "-5m"], "negative"),
    (["--spm", "170", "--duration", "soon"], "not a duration"),
    (["--spm", "170", "--duration", "0s"], "zero"),
    (["--spm", "170", "--ramp", "160:170", "--duration", "5m"], "not both"),
    (["--spm", "170"], "--duration is required"),
    (["--duration", "5m"], "--duration needs --spm or --ramp"),
    ([], "say what to play"),
    (["--spm", "170", "--duration", "5m", "--sound", "kazoo"], "no sound 'kazoo'"),
    (["--spm", "170", "--duration", "5m", "--volume", "150"], "0 to 100"),
    (["--spm", "170", "--duration", "5m", "--accent", "-1"], "--accent"),
    (["--spm", "170", "--duration", "5m", "--sample-rate", "100"], "--sample-rate"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=lambda a: " ".join(a))
def test_bad_input_exits_2(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "x.wav"
    result = runner.invoke(cli, ["render", *args, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "target", "message"),
    [
        ('[[block]]\nduraton = "5m"\n', "x.wav", "s.toml:2: block 1: unknown key 'duraton'"),
        ('[[block]]\nduration = "5m\n', "x.wav", "s.toml:2: not valid TOML"),
        ("[[block]]\nspm = 170\n", "x.wav", "s.toml:1: block 1: missing duration"),
        ('[[block]]\nduration = "5m"\nspm = 170\n', "x.aiff", "not a known format"),
        ('[[block]]\nduration = "5m"\nspm = 170\n', "missing/x.wav", "does not exist"),
    ],
)
def test_bad_files_exit_2(
    runner: CliRunner, tmp_path: Path, content: str, target: str, message: str
) -> None:
    session = tmp_path / "s.toml"
    session.write_text(content)
    result = runner.invoke(cli, ["render", str(session), "-o", str(tmp_path / target)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_session_file_with_spm_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["render", str(REPO / "examples/session.toml"), "--spm", "170", "-o", "x.wav"]
    )
    assert result.exit_code == 2 and "sets its own cadence" in result.output


def test_output_required(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["render", "--spm", "170", "--duration", "5m"])
    assert result.exit_code == 2 and "'-o'" in result.output


def test_unwritable_folder_exits_1(tmp_path: Path) -> None:
    folder = Path("/sys") if os.geteuid() == 0 else tmp_path / "locked"
    if folder != Path("/sys"):
        folder.mkdir()
        folder.chmod(0o555)
    result = subprocess.run(
        [*STRIDEBEAT, "render", "--spm", "170", "--duration", "5s", "-o", str(folder / "x.wav")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    assert "cannot write in" in result.stderr and "Traceback" not in result.stderr


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_full_disk_exits_1_and_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "run.wav"
    out.write_bytes(b"yesterday's run")
    result = subprocess.run(
        [*STRIDEBEAT, "render", "--spm", "170", "--duration", "5m", "-o", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
    )
    assert result.returncode == 1, result.stderr
    assert "writing" in result.stderr and "failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == b"yesterday's run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.wav"]


@pytest.mark.parametrize(
    "how", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL]
)  # SIGHUP: a closed terminal
def test_interrupted_render_keeps_the_old_file(tmp_path: Path, how: int) -> None:
    out = tmp_path / "run.wav"
    out.write_bytes(b"yesterday's run")
    process = subprocess.Popen(
        [*STRIDEBEAT, "render", "--spm", "170", "--duration", "3h", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".stridebeat-*.part")) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    process.send_signal(how)
    _, stderr = process.communicate(timeout=30)
    assert out.read_bytes() == b"yesterday's run"
    if how != signal.SIGKILL:  # a catchable signal also cleans up the temporary file
        assert process.returncode == 128 + how, stderr  # 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP
        assert "Traceback" not in stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["run.wav"]


def test_python_dash_m_works(tmp_path: Path) -> None:
    result = subprocess.run([*STRIDEBEAT, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "stridebeat" in result.stdout


def test_sounds_lists_builtins(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["sounds"])
    assert result.output.split() == ["beep", "bell", "tick", "wood"]


def test_demo_without_playing(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "demo.wav"
    result = runner.invoke(cli, ["demo", "--no-play", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sf.info(out).frames == 60 * 44100
    assert out.with_suffix(".lrc").read_text().count("\n[") >= 6


def test_cli_speech_choices_match_the_speech_module() -> None:
    from stridebeat.cues.settings import ENGINES, RATE_RANGE, SpeechSettings

    speaking = []
    for path in commands():
        command: click.Command = cli
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        params = {p.name: p for p in command.params}
        if "speech_engine" not in params:
            continue
        speaking.append(path)
        engine, rate = params["speech_engine"], params["speech_rate"]
        assert isinstance(engine.type, click.Choice)
        assert tuple(engine.type.choices) == ENGINES
        assert isinstance(rate.type, click.IntRange)
        assert (rate.type.min, rate.type.max) == RATE_RANGE
        assert (engine.default, rate.default) == (SpeechSettings.engine, SpeechSettings.rate_wpm)
    assert {("render",), ("play",), ("say",), ("voices",), ("cues", "check")} <= set(speaking)
