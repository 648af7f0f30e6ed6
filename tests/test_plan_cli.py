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
from stridebeat.training.progression import (
    DEFAULT_RUN_DAYS,
    DEFAULT_STRENGTH_DAYS,
    MAX_WEEKS,
    RUN_DAYS_RANGE,
    STRENGTH_DAYS_RANGE,
)
from stridebeat.units import PLAN_BASELINE_SPM


def init(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, ["plan", "init", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_init_show_and_json(runner: CliRunner, _app_home: Path) -> None:
    start = dt.date.today().isoformat()  # the plan listens: a past week would be reviewed
    output = init(runner, "--baseline", "160", "--start", start)
    assert "4 weeks, 164 to 172 spm" in output
    assert (_app_home / "plan.toml").is_file()
    shown = runner.invoke(cli, ["plan", "show"]).output
    assert "Cadence by week" in shown and "retention check" in shown
    records = json.loads(runner.invoke(cli, ["plan", "show", "--json"]).output)
    assert records[0] == {
        "week": 1, "session": 1, "date": start, "kind": "run", "cadence_spm": 164,
        "minutes": records[0]["minutes"], "metronome_share": 1.0, "retention_check": False,
        "stance_check": True, "hip_drop": False, "missed": False, "held": False,
    }  # fmt: skip
    assert {r["kind"] for r in records} == {"run", "strength"}
    again = runner.invoke(cli, ["plan", "init", "--baseline", "160"])
    assert again.exit_code == 2 and "--force" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--baseline", "100"], "120"),
        (["--baseline", "160", "--target", "150"], "below your baseline"),
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


def test_init_shows_the_library_ranges_and_leaves_the_checks_to_it() -> None:
    from stridebeat.cli import plan as plan_cli

    params = {p.name: p for p in plan_cli.plan_init.params}
    shown = {
        "baseline": f"({PLAN_BASELINE_SPM.low:g}-{PLAN_BASELINE_SPM.high:g})",
        "weeks": f"1-{MAX_WEEKS}",
        "days": "{}-{}".format(*RUN_DAYS_RANGE),
        "strength_days": "{}-{}".format(*STRENGTH_DAYS_RANGE),
    }
    for name, text in shown.items():
        param = params[name]
        assert isinstance(param, click.Option) and param.help and text in param.help
        # no second range in the CLI that could disagree with the library's
        assert not isinstance(param.type, click.IntRange | click.FloatRange)
    assert (params["days"].default, params["strength_days"].default) == (
        DEFAULT_RUN_DAYS,
        DEFAULT_STRENGTH_DAYS,
    )


RUN_DAYS_GIVE = "give {} to {}".format(*RUN_DAYS_RANGE)  # as the library words it
STRENGTH_DAYS_GIVE = "give {} to {}".format(*STRENGTH_DAYS_RANGE)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--baseline", PLAN_BASELINE_SPM.low - 1, f"is outside {PLAN_BASELINE_SPM} spm: measure"),
        ("--baseline", PLAN_BASELINE_SPM.high + 1, f"is outside {PLAN_BASELINE_SPM} spm"),
        ("--weeks", 0, "0 weeks: a plan needs at least 4 weeks"),
        ("--weeks", MAX_WEEKS + 1, f"more than {MAX_WEEKS}: plan half a year at most"),
        ("--days", RUN_DAYS_RANGE[0] - 1, f"{RUN_DAYS_GIVE} (one run a day at most"),
        ("--days", RUN_DAYS_RANGE[1] + 1, RUN_DAYS_GIVE),
        ("--strength-days", STRENGTH_DAYS_RANGE[0] - 1, f"{STRENGTH_DAYS_GIVE} (the article"),
        ("--strength-days", STRENGTH_DAYS_RANGE[1] + 1, STRENGTH_DAYS_GIVE),
    ],
)
def test_init_out_of_range_gets_the_library_message(
    runner: CliRunner, option: str, value: float, message: str
) -> None:
    args = {"--baseline": "160", option: f"{value:g}"}
    result = runner.invoke(cli, ["plan", "init", *(x for pair in args.items() for x in pair)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Invalid value" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["--baseline", f"{PLAN_BASELINE_SPM.low:g}"],
        ["--baseline", "160", "--weeks", str(MAX_WEEKS)],
        ["--baseline", "160", "--days", str(RUN_DAYS_RANGE[1]), "--strength-days", "1"],
        ["--baseline", "160", "--days", str(RUN_DAYS_RANGE[0])],
        ["--baseline", "160", "--strength-days", str(STRENGTH_DAYS_RANGE[1])],
        ["--baseline", "160", "--strength-days", str(STRENGTH_DAYS_RANGE[0])],
    ],
)
def test_init_takes_the_ends_of_the_library_ranges(runner: CliRunner, args: list[str]) -> None:
    init(runner, *args)


def test_session_and_done_reach_every_week_of_a_grown_plan(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Left for over a year, the plan inserts a hold week after each missed week: it grows past
    # MAX_WEEKS (and past 52), and every one of its weeks can still be played or marked done.
    start = dt.date.today() - dt.timedelta(days=400)
    init(runner, "--baseline", "160", "--weeks", str(MAX_WEEKS), "--days", "1",
         "--strength-days", "0", "--start", start.isoformat())  # fmt: skip
    records = json.loads(runner.invoke(cli, ["plan", "show", "--json"]).stdout)
    last = max(r["week"] for r in records)
    assert last > max(MAX_WEEKS, 52)
    saved = tmp_path / "last.toml"
    result = runner.invoke(cli, ["session", str(last), "1", "--save", str(saved)])
    assert result.exit_code == 0 and saved.is_file(), result.output
    result = runner.invoke(cli, ["done", str(last), "1"])  # found, but not run yet
    assert result.exit_code == 2 and f"week {last}, session 1 is planned for" in result.output
    for week, number, message in [
        (last + 1, 1, f"the plan has no week {last + 1}: its weeks are 1-{last}"),
        (0, 1, f"the plan has no week 0: its weeks are 1-{last}"),
        (1, 2, "week 1 has no session 2: it has sessions 1-1"),
    ]:
        for command in ("session", "done"):
            refused = runner.invoke(cli, [command, str(week), str(number)])
            assert refused.exit_code == 2 and message in refused.output, refused.output


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


def test_a_runner_already_fast_gets_a_holding_plan(runner: CliRunner) -> None:
    output = init(runner, "--baseline", "178")
    assert "4 weeks, holding 178 spm" in output and "holding plan" in output
    records = json.loads(runner.invoke(cli, ["plan", "show", "--json"]).stdout)
    assert {r["cadence_spm"] for r in records if r["kind"] == "run"} == {178}
    assert "holding 178 spm" in init(runner, "--baseline", "178", "--target", "178", "--force")
    assert "holding 165 spm" in init(runner, "--baseline", "165", "--target", "165", "--force")
    high = init(runner, "--baseline", "172", "--force")
    assert "to 180 spm" in high  # +7.5% would be 185: a default never goes above 180


def test_explain_says_what_the_plan_now_does(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(cli, ["plan", "explain"]).output.split())
    for said in (
        "never goes above 180 spm",
        "holding plan",
        "rounded down to whole steps, so no week rises more than that",
        "its verdict is settled",
        "never changes after",
        "never a step higher",
        "asking again adds nothing",
        "'--on 2026-12-09'",
        "compares with this week's target",
    ):
        assert said in text, said
