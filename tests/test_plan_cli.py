from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import mutagen
import pytest
import soundfile as sf
from click.testing import CliRunner

from stridebeat.cli.app import cli
from stridebeat.engine.session import load_session


def init(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, ["plan", "init", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_init_show_and_json(runner: CliRunner, _app_home: Path) -> None:
    start = dt.date.today().isoformat()  # the plan listens: a past week would be reviewed
    output = init(runner, "--baseline", "160", "--start", start)
    assert "4 weeks, 165 to 172 spm" in output
    assert (_app_home / "plan.toml").is_file()
    shown = runner.invoke(cli, ["plan", "show"]).output
    assert "Cadence by week" in shown and "retention check" in shown
    records = json.loads(runner.invoke(cli, ["plan", "show", "--json"]).output)
    assert records[0] == {
        "week": 1, "session": 1, "date": start, "kind": "run", "cadence_spm": 165,
        "minutes": records[0]["minutes"], "metronome_share": 1.0, "retention_check": False,
        "missed": False, "held": False,
    }  # fmt: skip
    assert {r["kind"] for r in records} == {"run", "strength"}
    again = runner.invoke(cli, ["plan", "init", "--baseline", "160"])
    assert again.exit_code == 2 and "--force" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--baseline", "100"], "120"),
        (["--baseline", "160", "--target", "150"], "above your baseline"),
        (["--baseline", "160", "--target", "+20%"], "15%"),
        (["--baseline", "160", "--weeks", "2"], "4 weeks"),
        (["--baseline", "160", "--start", "soon"], "not a date"),
        (["--baseline", "160", "--target", "fast"], "not a target"),
        ([], "no baseline"),
    ],
)
def test_init_refuses_bad_input(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["plan", "init", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_saved_baseline_is_used(runner: CliRunner, _app_home: Path) -> None:
    (_app_home / "baseline.toml").write_text("spm = 158\n")
    assert "saved baseline of 158 spm" in init(runner)


def test_hand_edited_plan_into_nonsense(runner: CliRunner, _app_home: Path) -> None:
    init(runner, "--baseline", "160")
    path = _app_home / "plan.toml"
    path.write_text(path.read_text().replace('kind = "run"', 'kind = "jog"', 1))
    result = runner.invoke(cli, ["plan", "show"])
    assert result.exit_code == 2 and "plan.toml:" in result.output


def test_explain_cites_and_owns_the_ramp(runner: CliRunner) -> None:
    text = runner.invoke(cli, ["plan", "explain"]).output
    for source in ("Heiderscheit", "Willy", "Davis", "Bonacci", "Van Dyck", "Winstein"):
        assert source in text
    assert "design choice" in text


def test_today_on_a_rest_day_and_a_saved_session(
    runner: CliRunner, _app_home: Path, tmp_path: Path
) -> None:
    start = dt.date.today() - dt.timedelta(days=1)  # runs on days 0, 2, 4: today is a rest day
    init(runner, "--baseline", "160", "--start", start.isoformat(), "--strength-days", "0")
    result = runner.invoke(cli, ["today"])
    assert result.exit_code == 0 and "Rest day today. Next: Week 1, session 2" in result.output
    saved = tmp_path / "w1s2.toml"
    result = runner.invoke(cli, ["session", "1", "2", "--save", str(saved)])
    assert result.exit_code == 0, result.output
    session = load_session(saved)  # the same format a runner writes by hand
    assert "activation" in session.cues and session.blocks[-1].kind == "run"
    missing = runner.invoke(cli, ["session", "9", "1"])
    assert missing.exit_code == 2 and "weeks are 1-4" in missing.output


def test_export_a_small_plan(runner: CliRunner, tmp_path: Path) -> None:
    init(runner, "--baseline", "178", "--target", "181", "--days", "1", "--strength-days", "0")
    folder = tmp_path / "phone"
    args = ["plan", "export", str(folder), "--format", "flac", "--sample-rate", "8000"]
    result = runner.invoke(cli, [*args, "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "2 files written" in result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        ".stridebeat-export.json", "stridebeat-plan.m3u", "w01-s1-run-181spm.flac",
        "w01-s1-run-181spm.lrc", "w02-s1-run-181spm.flac", "w02-s1-run-181spm.lrc",
    ]  # fmt: skip
    first = folder / "w01-s1-run-181spm.flac"
    assert sf.info(first).samplerate == 8000
    tags = mutagen.File(first)
    assert tags["TITLE"][0].startswith("Week 1, session 1: run at 181 spm")
    assert "Glute bridges" in tags["LYRICS"][0]  # the activation warm-up is in the lyrics
    again = runner.invoke(cli, args)
    assert "0 files written, 2 up to date" in again.output


def test_export_formats_are_the_writer_formats() -> None:
    from stridebeat.cli import plan as plan_cli
    from stridebeat.export import FORMATS

    fmt = next(p for p in plan_cli.plan_export.params if p.name == "fmt")
    assert isinstance(fmt.type, click.Choice)
    assert sorted(fmt.type.choices) == sorted(FORMATS)
