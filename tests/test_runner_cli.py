from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from stridebeat.cli.app import cli


def test_baseline_by_hand_is_saved_for_the_plan(runner: CliRunner, _app_home: Path) -> None:
    result = runner.invoke(cli, ["baseline", "--spm", "162", "--save"])
    assert result.exit_code == 0, result.output
    assert "Baseline: 162 steps per minute (counted by hand)" in result.output
    assert "Saved in" in result.output and not (_app_home / "baseline.toml").exists()
    planned = runner.invoke(cli, ["plan", "init"])
    assert planned.exit_code == 0, planned.output
    assert "saved baseline of 162 spm" in planned.output
    assert "162 ██████ baseline" in runner.invoke(cli, ["log"]).output  # (162 - 159) × 2


def test_baseline_needs_exactly_one_source(runner: CliRunner) -> None:
    for args in ([], ["--spm", "160", "--tap"]):
        result = runner.invoke(cli, ["baseline", *args])
        assert result.exit_code == 2 and "give one of" in result.output


def test_tap_test_needs_a_terminal(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["baseline", "--tap"])
    assert result.exit_code == 2 and "needs a terminal" in result.output


def test_baseline_from_an_activity_file(runner: CliRunner, tmp_path: Path) -> None:
    from tests.test_activity import fit_run, run

    path = tmp_path / "run.fit"
    path.write_bytes(fit_run(run((600, 171.0, 3.0))))
    result = runner.invoke(cli, ["baseline", str(path), "--save"])
    assert result.exit_code == 0, result.output
    assert "median 171 spm" in result.output and "doubled to steps" in result.output
    bad = tmp_path / "broken.fit"
    bad.write_bytes(path.read_bytes()[:100])
    refused = runner.invoke(cli, ["baseline", str(bad)])
    assert refused.exit_code == 2 and "broken.fit" in refused.output


def test_checks_done_and_log(runner: CliRunner, _app_home: Path) -> None:
    import datetime as dt
    import json

    start = dt.date.today().isoformat()
    assert (
        runner.invoke(cli, ["plan", "init", "--baseline", "160", "--start", start]).exit_code == 0
    )
    assert "Marked done: Week 1, session 1" in runner.invoke(cli, ["done"]).output
    assert runner.invoke(cli, ["check", "--count", "86"]).output == "Retention check: 172 spm.\n"
    stance = runner.invoke(cli, ["check", "--stance", "left=steady right=drop"])
    assert stance.exit_code == 0, stance.output
    pain = runner.invoke(cli, ["check", "--pain", "5", "--where", "knee"])
    assert "physiotherapist" in pain.output
    bad = runner.invoke(cli, ["check", "--stance", "left=fine right=drop"])
    assert bad.exit_code == 2 and "steady" in bad.output
    record = json.loads(runner.invoke(cli, ["log", "--json"]).output)
    assert record["sessions"][0]["week"] == 1 and record["sessions"][0]["source"] == "done"
    assert record["retention_checks"][0]["cadence_spm"] == 172
    assert record["stance_checks"][0]["right"] == "drop"
    assert record["adherence"] == [{"week": 1, "done": 1, "planned": 5}]
    shown = runner.invoke(cli, ["log"]).output
    assert "Cadence over time" in shown and "retention" in shown
