"""config.toml: a default for every long option, below flags and STRIDEBEAT_* variables."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

import click
import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.cli.app import cli
from stridebeat.cli.settings import (
    NOT_SETTINGS,
    NOT_SETTINGS_IN,
    command_options,
    leaf_commands,
    load_settings,
    not_a_setting,
)
from stridebeat.errors import FileInputError

FAST = ["--sample-rate", "8000", "--no-speech"]


def write_config(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(cli, list(args), env=env, prog_name="stridebeat")


def render_peak(runner: CliRunner, tmp_path: Path, *args: str, **env: str) -> float:
    """The loudest sample of a 2-second render: the click level actually used."""
    out = tmp_path / "peak.wav"
    result = run(runner, "render", "--spm", "120", "--duration", "2s", "-o", str(out), *args,
                 env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    data, _ = sf.read(out, dtype="float32")
    return float(np.abs(data).max())


# --- precedence --------------------------------------------------------------------------------


def test_flag_beats_environment_beats_config_beats_default(
    runner: CliRunner, tmp_path: Path, _app_home: Path
) -> None:
    default = render_peak(runner, tmp_path, *FAST)
    write_config(_app_home, "volume = 40\n")
    from_config = render_peak(runner, tmp_path, *FAST)
    from_env = render_peak(runner, tmp_path, *FAST, STRIDEBEAT_VOLUME="20")
    from_flag = render_peak(runner, tmp_path, *FAST, "--volume", "10", STRIDEBEAT_VOLUME="20")
    # the click's peak is the volume: 80 % by default, then 40, 20, 10
    assert from_config / default == pytest.approx(0.5, rel=1e-3)
    assert from_env / default == pytest.approx(0.25, rel=1e-3)
    assert from_flag / default == pytest.approx(0.125, rel=1e-3)


def test_a_command_table_beats_the_top_level_and_only_for_that_command(
    runner: CliRunner, tmp_path: Path, _app_home: Path
) -> None:
    default = render_peak(runner, tmp_path, *FAST)
    write_config(_app_home, "volume = 40\n\n[play]\nvolume = 20\n\n[render]\nvolume = 60\n")
    assert render_peak(runner, tmp_path, *FAST) / default == pytest.approx(0.75, rel=1e-3)


def test_values_go_through_the_options_own_converters(
    runner: CliRunner, tmp_path: Path, _app_home: Path
) -> None:
    write_config(
        _app_home,
        'sample-rate = 16000\ncues = "glutes,cadence"\nno_speech = true\nstereo_steps = true\n',
    )
    out = tmp_path / "run.wav"
    result = run(runner, "render", "--spm", "170", "--duration", "3m", "-o", str(out))
    assert result.exit_code == 0, result.output
    info = sf.info(out)
    assert (info.samplerate, info.channels) == (16000, 2)  # --sample-rate and a flag
    lyrics = (tmp_path / "run.lrc").read_text()
    assert "Push the ground back" in lyrics  # glutes, split from one comma list
    assert re.search(r"\d+ steps|cadence|spm", lyrics, re.IGNORECASE)


def test_a_list_and_a_comma_string_are_the_same_cues(
    runner: CliRunner, tmp_path: Path, _app_home: Path
) -> None:
    lyrics = []
    for value in ('"glutes,cadence"', '["glutes", "cadence"]', '["glutes,cadence"]'):
        write_config(_app_home, f"cues = {value}\n")
        out = tmp_path / "run.wav"
        result = run(runner, "render", "--spm", "170", "--duration", "2m", "-o", str(out), *FAST)
        assert result.exit_code == 0, result.output
        lyrics.append((tmp_path / "run.lrc").read_text())
    assert lyrics[0] == lyrics[1] == lyrics[2] and lyrics[0].count("\n") > 3


def test_help_shows_the_configured_default(runner: CliRunner, _app_home: Path) -> None:
    write_config(_app_home, "[play]\nvolume = 40\n")
    assert "[default: 40]" in run(runner, "play", "--help").output
    assert "[default: 80.0]" in run(runner, "render", "--help").output


def test_a_configured_cadence_gives_way_to_a_session_named_on_the_command_line(
    runner: CliRunner, tmp_path: Path, _app_home: Path
) -> None:
    write_config(_app_home, '[render]\nspm = 150\nduration = "4s"\n')
    out = tmp_path / "x.wav"

    def seconds(*args: str) -> float:
        result = run(runner, "render", *args, "-o", str(out), *FAST)
        assert result.exit_code == 0, result.output
        return float(sf.info(out).duration)

    assert seconds() == pytest.approx(4)  # both from the file
    assert seconds("--ramp", "160:170") == pytest.approx(4)  # the ramp replaces spm = 150
    session = tmp_path / "s.toml"
    session.write_text('[[block]]\nduration = "3s"\nspm = 160\n')
    assert seconds(str(session)) == pytest.approx(3)  # the file replaces spm and duration
    cues_only = run(runner, "render", "--cues", "activation", "-o", str(out), *FAST)
    assert cues_only.exit_code == 0, cues_only.output


# --- every option is a key ---------------------------------------------------------------------

SAMPLES: dict[str, Any] = {  # options with no default whose text a converter checks
    "spm": 172,
    "ramp": "165:172",
    "duration": "30m",
    "target": 172,
    "cues": ["glutes", "cadence"],
    "sound": "beep",
    "buttons": "17:play-pause,23:status",
}


def sample(key: str, param: click.Option) -> Any:
    if key == "device":  # one that is there now (checked when it comes from the file)
        from stridebeat.errors import DeviceError
        from stridebeat.sinks.devices import output_devices

        try:
            return str(output_devices()[0].index)
        except (DeviceError, IndexError):
            return "any: with no device at all, playing says so"
    if key in SAMPLES:
        return SAMPLES[key]
    if param.is_flag:
        return True
    if isinstance(param.type, click.Choice):
        return str(param.type.choices[-1])
    if isinstance(param.type, click.types._NumberRangeBase) and param.type.max is not None:
        return param.type.max
    if isinstance(param.type, (click.types.IntParamType, click.types.FloatParamType)):
        return 2
    return param.default if isinstance(param.default, str) else "x"


def toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return repr(value) if isinstance(value, (int, float)) else f'"{value}"'


def every_option() -> list[tuple[tuple[str, ...], str, click.Option]]:
    return [
        (path, key, param)
        for path, command in leaf_commands(cli)
        for key, param in command_options(command).items()
    ]


def test_the_commands_have_options_to_set() -> None:
    keys = {key for path, key, _ in every_option() if not not_a_setting(path, key)}
    assert {"sound", "volume", "voice", "speech_rate", "device", "latency", "cues"} <= keys
    assert {"jobs", "format", "stereo_steps", "no_speech", "spm"} <= keys


@pytest.mark.parametrize(
    ("path", "key", "param"),
    every_option(),
    ids=[f"{' '.join(p)}:{k}" for p, k, _ in every_option()],
)
def test_every_long_option_can_be_set_in_its_command_table(
    runner: CliRunner, _app_home: Path, path: tuple[str, ...], key: str, param: click.Option
) -> None:
    value = sample(key, param)
    written = key.replace("_", "-") if len(path) % 2 else key  # both spellings are keys
    write_config(_app_home, f"[{'.'.join(path)}]\n{written} = {toml(value)}\n")
    result = run(runner, "config")
    reason = not_a_setting(path, key)
    if reason:
        assert result.exit_code == 2
        assert f"config.toml:2: '{written}' cannot be set in config.toml: it {reason}" in (
            result.output
        )
        return
    assert result.exit_code == 0, f"add a valid sample for {key} to SAMPLES: {result.output}"
    assert re.search(rf"^{key} = .*# config\.toml:2$", result.output, re.MULTILINE), result.output


# path options that make sense as a default every time: the music folder to run to
PATH_SETTINGS: set[str] = {"music"}


def test_every_path_option_is_decided() -> None:
    """A path is often one run's output (-o, --save): such an option must not be a default.
    A new one is either listed in NOT_SETTINGS (cli/settings.py) or in PATH_SETTINGS here."""
    undecided = {
        f"{' '.join(path)} --{key}"
        for path, key, param in every_option()
        if isinstance(param.type, click.Path)
        and not not_a_setting(path, key)
        and key not in PATH_SETTINGS
    }
    assert not undecided, f"decide whether config.toml may set {undecided}"


def test_every_excluded_name_is_an_option() -> None:
    keys = {(path, key) for path, key, _ in every_option()}
    assert set(NOT_SETTINGS) <= {key for _, key in keys}
    assert {(tuple(cmd.split()), key) for cmd, key in NOT_SETTINGS_IN} <= keys


def test_a_group_table_sets_its_commands_options(runner: CliRunner, _app_home: Path) -> None:
    write_config(_app_home, '[plan]\nformat = "ogg"\n[cues]\nspeech-rate = 150\n')
    shown = run(runner, "config").output
    assert re.search(r'^format = "ogg"\s+# config\.toml:2$', shown, re.MULTILINE)
    section = shown[shown.index("[cues.check]") :]
    assert re.search(r"^speech_rate = 150\s+# config\.toml:4$", section, re.MULTILINE)


KEYS = st.sampled_from(["sound = 'beep'", "volume = 60", "speech-rate = 150", "accent = 4",
                        "cues = ['glutes']", "latency = 'high'"])  # fmt: skip
FILLER = st.sampled_from(["", "# a comment", "   "])


def once(lines: list[str]) -> list[str]:
    """The lines with each key kept once (TOML refuses a key twice in a table)."""
    seen: set[str] = set()
    kept = []
    for line in lines:
        key = line.split("=")[0]
        if "=" not in line or key not in seen:
            kept.append(line)
            seen.add(key)
    return kept


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(KEYS, FILLER), max_size=6),
    st.lists(st.one_of(KEYS, FILLER), max_size=6),
    st.sampled_from(["volme = 1", "soud = 'beep'", "speech_rat = 1"]),
    st.booleans(),
    st.data(),
)
def test_a_mistake_is_blamed_on_its_own_line(
    top: list[str], play: list[str], mistake: str, in_play: bool, data: st.DataObject
) -> None:
    """Wherever the unknown key sits, among any keys, comments and blank lines."""
    block = play if in_play else top
    at = data.draw(st.integers(0, len(block)))
    block.insert(at, mistake)
    lines = [*once(top), "[play]", *once(play)]
    text = "\n".join(lines) + "\n"
    expected = lines.index(mistake) + 1
    with tempfile.TemporaryDirectory() as home:
        write_config(Path(home), text)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("STRIDEBEAT_HOME", home)
            with pytest.raises(FileInputError) as caught:
                load_settings(cli)
    assert caught.value.line == expected, text
    assert "did you mean" in caught.value.message


# --- mistakes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sound = 'beep'\nvolum = 60\n",
            "config.toml:2: unknown key 'volum'; did you mean 'volume'?",
        ),
        (
            "speech_rat = 160\n",
            "config.toml:1: unknown key 'speech_rat'; did you mean 'speech_rate'?",
        ),
        ("[paly]\nvolume = 40\n", "config.toml:1: unknown key 'paly'; did you mean 'play'?"),
        (
            "[play]\n\nlatncy = 0.1\n",
            "config.toml:3: [play]: unknown key 'latncy'; did you mean 'latency'?",
        ),
        (
            "[plan.export]\nformt = 'ogg'\n",
            "config.toml:2: [plan.export]: unknown key 'formt'; did you mean 'format'?",
        ),
        ("[log]\nvolume = 40\n", "config.toml:2: [log]: unknown key 'volume'"),
        (
            "\noutput = 'run.wav'\n",
            "config.toml:2: 'output' cannot be set in config.toml: it names",
        ),
        ("[plan.init]\nforce = true\n", "config.toml:2: 'force' cannot be set in config.toml"),
        (
            "[plan]\nexport = 'ogg'\n",
            "config.toml:2: 'export' is a command: set its options in [plan.export]",
        ),
    ],
)
def test_a_bad_key_is_reported_at_its_line_with_the_closest_key(
    runner: CliRunner, _app_home: Path, text: str, message: str
) -> None:
    write_config(_app_home, text)
    for args in (["config"], ["render", "--spm", "170", "--duration", "5s", "-o", "x.wav"]):
        result = run(runner, *args)
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "volume = 150\n",
            "config.toml:1: volume: 150 is not a volume: give a percentage from 0 to 100",
        ),
        ("volume = 'loud'\n", "config.toml:1: volume: 'loud' is not a valid float"),
        (
            "\n[play]\nspeech_rate = 500\n",
            "config.toml:3: speech_rate: 500 is not in the range 80<=x<=450",
        ),
        ("speech_rate = 175.5\n", "config.toml:1: speech_rate: '175.5' is not a valid integer"),
        (
            "speech_engine = 'festival'\n",
            "config.toml:1: speech_engine: 'festival' is not one of 'auto'",
        ),
        ("latency = 'middle'\n", "config.toml:1: latency: 'middle' is not a latency"),
        ("duration = '0s'\n", "config.toml:1: duration: '0s' is zero"),
        ("cues = ['glutes', 'gluts']\n", "config.toml:1: cues: no cue script named 'gluts'"),
        ("sound = 'clonk'\n", "config.toml:1: sound: no sound 'clonk'"),
        ("stereo_steps = 'yes'\n", "config.toml:1: stereo_steps is on or off: write true or false"),
        ("volume = true\n", "config.toml:1: volume is not on or off: give a value"),
        ("volume = [60]\n", "config.toml:1: volume takes one value, not a list"),
        ("cues = [['glutes']]\n", "config.toml:1: cues takes names"),
        ("[play]\nvolume = {level = 3}\n", "config.toml:2: volume is a table"),
    ],
)
def test_a_bad_value_is_reported_at_its_line_with_the_options_message(
    runner: CliRunner, _app_home: Path, text: str, message: str
) -> None:
    write_config(_app_home, text)
    result = run(runner, "config")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and "--volume" not in result.output


def test_a_bad_value_stops_the_command_that_uses_it(
    runner: CliRunner, tmp_path: Path, _app_home: Path
) -> None:
    write_config(_app_home, "[render]\nvolume = 150\n")
    out = tmp_path / "x.wav"
    result = run(runner, "render", "--spm", "170", "--duration", "5s", "-o", str(out))
    assert result.exit_code == 2 and "config.toml:2: volume: 150 is not a volume" in result.output
    assert not out.exists()
    flag = run(runner, "render", "--spm", "170", "--duration", "1s", "-o", str(out), "--volume",
               "50", *FAST)  # fmt: skip
    assert flag.exit_code == 0, flag.output  # the flag is used, the file's value never read


def test_a_malformed_file_is_reported_at_its_line(runner: CliRunner, _app_home: Path) -> None:
    write_config(_app_home, 'sound = "beep"\nvolume = \n')
    result = run(runner, "render", "--spm", "170", "--duration", "5s", "-o", "x.wav")
    assert result.exit_code == 2
    assert "config.toml:2: not valid TOML" in result.output


def test_a_config_that_is_not_a_file_is_refused_without_hanging(
    runner: CliRunner, _app_home: Path
) -> None:
    os.mkfifo(_app_home / "config.toml")  # reading a FIFO would wait for a writer forever
    assert stat.S_ISFIFO((_app_home / "config.toml").stat().st_mode)
    result = run(runner, "config")
    assert result.exit_code == 1 and "is not a regular file, not the settings file" in (
        result.output
    )
    (_app_home / "config.toml").unlink()
    (_app_home / "config.toml").mkdir()
    result = run(runner, "play", "--spm", "170")
    assert result.exit_code == 1 and "is a folder, not the settings file" in result.output


def test_a_bad_environment_value_is_still_blamed_on_the_variable(
    runner: CliRunner, _app_home: Path
) -> None:
    write_config(_app_home, "volume = 60\n")
    result = run(runner, "render", "--spm", "170", "--duration", "5s", "-o", "x.wav",
                 env={"STRIDEBEAT_VOLUME": "loud"})  # fmt: skip
    assert result.exit_code == 2 and "STRIDEBEAT_VOLUME" in result.output
    assert "config.toml" not in result.output


# --- stridebeat config -------------------------------------------------------------------------


def test_config_shows_each_value_and_where_it_came_from(runner: CliRunner, _app_home: Path) -> None:
    path = write_config(
        _app_home, 'sound = "beep"\nvolume = 60\n\n[play]\nvolume = 40\nlatency = "high"\n'
    )
    result = run(runner, "config", env={"STRIDEBEAT_SPEECH_RATE": "200"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"# {path}"

    def line(key: str, after: str | None = None) -> str:
        start = lines.index(after) if after else 0
        return next(x for x in lines[start:] if x.startswith((f"{key} =", f"# {key} is")))

    assert re.fullmatch(r'sound = "beep"\s+# config\.toml:1', line("sound"))
    assert re.fullmatch(r"volume = 60\s+# config\.toml:2", line("volume"))
    assert re.fullmatch(r"speech_rate = 200\s+# env STRIDEBEAT_SPEECH_RATE", line("speech_rate"))
    assert re.fullmatch(r'speech_engine = "auto"\s+# default', line("speech_engine"))
    assert re.fullmatch(r"# voice is not set\s+# default", line("voice"))
    assert re.fullmatch(r"volume = 40\s+# config\.toml:5", line("volume", "[play]"))
    assert re.fullmatch(r'latency = "high"\s+# config\.toml:6', line("latency", "[play]"))
    assert "output" not in result.output and "force" not in result.output


def test_config_path_follows_stridebeat_home(runner: CliRunner, tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    result = run(runner, "config", "path", env={"STRIDEBEAT_HOME": str(home)})
    assert result.output.strip() == str(home / "config.toml")
    shown = run(runner, "config", env={"STRIDEBEAT_HOME": str(home)})
    assert shown.exit_code == 0
    assert shown.output.startswith(f"# {home / 'config.toml'} (there is none yet")


def test_config_edit_starts_from_an_example_and_checks_the_result(
    runner: CliRunner, tmp_path: Path, _app_home: Path
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "$ADD" >> "$1"\n')
    editor.chmod(0o755)
    env = {"EDITOR": str(editor), "VISUAL": str(editor), "ADD": "volume = 55\\n"}
    result = run(runner, "config", "edit", env=env)
    assert result.exit_code == 0, result.output
    text = (_app_home / "config.toml").read_text()
    assert text.startswith("# stridebeat's settings") and text.endswith("volume = 55\n")
    assert "volume = 55" in run(runner, "config").output
    bad = run(runner, "config", "edit", env={**env, "ADD": "volme = 1\\n"})
    assert bad.exit_code == 2 and "did you mean 'volume'?" in bad.output


def test_a_broken_config_can_still_be_found_and_mended(
    runner: CliRunner, tmp_path: Path, _app_home: Path
) -> None:
    path = write_config(_app_home, "volume = \n")
    assert run(runner, "config", "path").output.strip() == str(path)
    assert run(runner, "completion", "bash").exit_code == 0
    shown = run(runner, "config")
    assert shown.exit_code == 2 and "config.toml:1: not valid TOML" in shown.output
    editor = tmp_path / "mend.sh"
    editor.write_text('#!/bin/sh\necho "volume = 50" > "$1"\n')
    editor.chmod(0o755)
    mended = run(runner, "config", "edit", env={"EDITOR": str(editor), "VISUAL": str(editor)})
    assert mended.exit_code == 0, mended.output
    assert run(runner, "config").exit_code == 0
