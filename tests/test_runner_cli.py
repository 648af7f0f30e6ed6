from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from stridebeat.cli import cli


def test_baseline_by_hand_is_saved_for_the_plan(runner: CliRunner, _app_home: Path) -> None:
    result = runner.invoke(cli, ["baseline", "--spm", "162", "--save"])
    assert result.exit_code == 0, result.output
    assert "Baseline: 162 steps per minute (counted by hand)" in result.output
    assert "spm = 162.0" in (_app_home / "baseline.toml").read_text()
    planned = runner.invoke(cli, ["plan", "init"])
    assert planned.exit_code == 0, planned.output
    assert "saved baseline of 162 spm" in planned.output


def test_baseline_needs_exactly_one_source(runner: CliRunner) -> None:
    for args in ([], ["--spm", "160", "--tap"]):
        result = runner.invoke(cli, ["baseline", *args])
        assert result.exit_code == 2 and "give one of" in result.output


def test_tap_test_needs_a_terminal(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["baseline", "--tap"])
    assert result.exit_code == 2 and "needs a terminal" in result.output
