"""``stridebeat completion``: the printed scripts, run for real where the shell is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stridebeat.cli.app import cli


@pytest.fixture
def program(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH has a ``stridebeat`` that runs this checkout."""
    folder = tmp_path / "bin"
    folder.mkdir()
    launcher = folder / "stridebeat"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m stridebeat "$@"\n')
    launcher.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def script(shell: str) -> str:
    result = CliRunner().invoke(cli, ["completion", shell], prog_name="stridebeat")
    assert result.exit_code == 0, result.output
    return result.output


def bash_complete(words: str, env: dict[str, str], tmp_path: Path) -> list[str]:
    """What the printed bash script offers at the end of ``words`` (as when TAB is pressed)."""
    path = tmp_path / "stridebeat.bash"
    path.write_text(script("bash"))
    typed = words.split(" ")
    line = (
        f"source {path}; complete -p stridebeat >/dev/null || exit 3; "
        f"COMP_WORDS=({' '.join(repr(w) for w in typed)}); COMP_CWORD={len(typed) - 1}; "
        '_stridebeat_completion stridebeat; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    result = subprocess.run(["bash", "-c", line], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return [word for word in result.stdout.splitlines() if word]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("stridebeat pl", ["plan", "play"]),
        ("stridebeat plan e", ["explain", "export"]),
        ("stridebeat play --sound b", ["beep", "bell"]),
        ("stridebeat render --speech-engine e", ["espeak-ng"]),
        ("stridebeat play --cues glutes,ca", ["glutes,cadence"]),
        ("stridebeat completion ", ["bash", "fish", "zsh"]),
        ("stridebeat play --spe", ["--speech-engine", "--speech-rate"]),
    ],
)
def test_the_bash_script_completes(
    typed: str, offered: list[str], program: dict[str, str], tmp_path: Path
) -> None:
    assert sorted(bash_complete(typed, program, tmp_path)) == offered


def test_a_sound_that_is_no_name_completes_as_a_file(
    program: dict[str, str], tmp_path: Path
) -> None:
    env = {**program, "_STRIDEBEAT_COMPLETE": "bash_complete",
           "COMP_WORDS": "stridebeat play --sound ./my", "COMP_CWORD": "3"}  # fmt: skip
    answer = subprocess.run(["stridebeat"], capture_output=True, text=True, env=env)
    assert answer.stdout.splitlines() == ["file,./my"]  # bash then completes paths itself
    assert bash_complete("stridebeat play --sound ./my", program, tmp_path) == []


@pytest.mark.parametrize(
    ("shell", "marks"),
    [
        ("zsh", ["#compdef stridebeat", "_STRIDEBEAT_COMPLETE=zsh_complete"]),
        (
            "fish",
            ["complete --no-files --command stridebeat", "_STRIDEBEAT_COMPLETE=fish_complete"],
        ),
    ],
)
def test_zsh_and_fish_scripts_ask_the_program(
    shell: str, marks: list[str], program: dict[str, str]
) -> None:
    text = script(shell)
    assert all(mark in text for mark in marks), text
    if shutil.which(shell):
        check = ["zsh", "-n"] if shell == "zsh" else ["fish", "--no-execute"]
        assert subprocess.run([*check], input=text, text=True).returncode == 0
    # what those scripts run on TAB, answered by the program itself (fish passes the word
    # being completed, zsh its position)
    env = {**program, "_STRIDEBEAT_COMPLETE": f"{shell}_complete",
           "COMP_WORDS": "stridebeat play --sound b",
           "COMP_CWORD": "b" if shell == "fish" else "3"}  # fmt: skip
    answer = subprocess.run(["stridebeat"], capture_output=True, text=True, env=env)
    assert answer.returncode == 0, answer.stderr
    assert "beep" in answer.stdout and "bell" in answer.stdout and "wood" not in answer.stdout


def test_an_unknown_shell_is_bad_input() -> None:
    result = CliRunner().invoke(cli, ["completion", "tcsh"], prog_name="stridebeat")
    assert result.exit_code == 2 and "'tcsh' is not one of 'bash', 'zsh', 'fish'" in result.output
