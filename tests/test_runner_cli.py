from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from stridebeat.cli.app import cli
from tests.conftest import REPO


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
    counted = runner.invoke(cli, ["check", "--count", "86"]).output
    assert counted.startswith("Retention check: 172 spm.\n")
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


# --- the calendar the commands read, set in one place --------------------------------------------


@pytest.fixture
def on_day(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Set the day the commands take as today (as `faketime` would, in one place)."""
    from stridebeat.cli import plan as plan_cli

    def set_day(text: str) -> None:
        monkeypatch.setattr(plan_cli, "today_source", lambda: dt.date.fromisoformat(text))

    return set_day


def week_two(runner: CliRunner) -> set[int]:
    shown = runner.invoke(cli, ["plan", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    return {
        r["cadence_spm"] for r in json.loads(shown.stdout) if r["week"] == 2 and r["kind"] == "run"
    }


def test_week_two_is_settled_on_monday_and_stays(
    runner: CliRunner, on_day: Callable[[str], None]
) -> None:
    on_day("2026-11-30")
    init = runner.invoke(cli, ["plan", "init", "--baseline", "162", "--start", "2026-11-30"])
    assert init.exit_code == 0, init.output
    assert runner.invoke(cli, ["done"]).exit_code == 0
    on_day("2026-12-07")
    monday = week_two(runner)
    on_day("2026-12-08")
    assert monday == week_two(runner) == {166}  # held on Monday, and still on Tuesday


def test_three_weeks_of_nothing_is_no_step_up_today(
    runner: CliRunner, on_day: Callable[[str], None]
) -> None:
    on_day("2026-12-21")
    args = ["plan", "init", "--baseline", "162", "--start", "2026-11-30"]
    assert runner.invoke(cli, args).exit_code == 0
    shown = json.loads(runner.invoke(cli, ["plan", "show", "--json"]).stdout)
    (run,) = [r for r in shown if r["date"] == "2026-12-21"]
    assert run["cadence_spm"] == 166 and run["held"]


def test_done_twice_records_once(runner: CliRunner, on_day: Callable[[str], None]) -> None:
    on_day("2026-11-30")
    runner.invoke(cli, ["plan", "init", "--baseline", "162", "--start", "2026-11-30"])
    assert "Marked done: Week 1, session 1" in runner.invoke(cli, ["done"]).output
    again = runner.invoke(cli, ["done"])
    assert again.exit_code == 0 and "Already recorded" in again.output, again.output
    assert "Already recorded" in runner.invoke(cli, ["done", "1", "1"]).output
    record = json.loads(runner.invoke(cli, ["log", "--json"]).output)
    assert len(record["sessions"]) == 1


def test_a_future_session_needs_the_day_it_was_run(
    runner: CliRunner, on_day: Callable[[str], None]
) -> None:
    on_day("2026-11-30")
    runner.invoke(cli, ["plan", "init", "--baseline", "162", "--start", "2026-11-30"])
    refused = runner.invoke(cli, ["done", "1", "3"])  # planned for Wed 2 Dec
    assert refused.exit_code == 2 and "--on 2026-11-30" in refused.output, refused.output
    future = runner.invoke(cli, ["done", "1", "3", "--on", "2026-12-01"])
    assert future.exit_code == 2 and "--on" in future.output and "after today" in future.output
    bad = runner.invoke(cli, ["done", "1", "3", "--on", "monday"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    assert json.loads(runner.invoke(cli, ["log", "--json"]).output)["sessions"] == []
    ran = runner.invoke(cli, ["done", "1", "3", "--on", "2026-11-30"])
    assert ran.exit_code == 0 and "Marked done: Week 1, session 3" in ran.output
    (record,) = json.loads(runner.invoke(cli, ["log", "--json"]).output)["sessions"]
    assert (record["week"], record["number"], record["day"]) == (1, 3, "2026-11-30")


def test_a_settled_week_takes_no_more(runner: CliRunner, on_day: Callable[[str], None]) -> None:
    on_day("2026-12-07")
    runner.invoke(cli, ["plan", "init", "--baseline", "162", "--start", "2026-11-30"])
    late = runner.invoke(cli, ["done", "1", "4", "--on", "2026-12-04"])
    assert late.exit_code == 2 and "settled" in late.output, late.output


def test_today_says_when_today_s_session_is_done(
    runner: CliRunner, on_day: Callable[[str], None]
) -> None:
    on_day("2026-11-30")
    runner.invoke(cli, ["plan", "init", "--baseline", "162", "--start", "2026-11-30"])
    runner.invoke(cli, ["done"])
    result = runner.invoke(cli, ["today"])
    assert result.exit_code == 0, result.output
    assert "already done" in result.output
    assert "Next: Week 1, session 2" in result.output and "stridebeat session 1 2" in result.output


def test_the_readme_stance_example_works(runner: CliRunner) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "stridebeat check --stance left=steady right=drop" in readme
    result = runner.invoke(cli, ["check", "--stance", "left=steady", "right=drop"])
    assert result.exit_code == 0, result.output
    assert "left steady, right drop" in result.output
    both = runner.invoke(cli, ["check", "170", "--stance", "left=wobble", "right=steady"])
    assert both.exit_code == 0 and "Retention check: 170 spm" in both.output
    record = json.loads(runner.invoke(cli, ["log", "--json"]).output)
    assert [(s["left"], s["right"]) for s in record["stance_checks"]] == [
        ("steady", "drop"), ("wobble", "steady"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ["--stance", "left=steady", "right=fine"],
        ["--stance", "left=steady"],
        ["--stance", "left=steady", "middle=drop"],
        ["right=drop"],
    ],
)
def test_a_bad_stance_is_blamed_on_stance_with_a_form_that_works(
    runner: CliRunner, args: list[str]
) -> None:
    result = runner.invoke(cli, ["check", *args])
    error = result.output.split("Error: ")[-1]
    assert result.exit_code == 2 and "for --stance" in error and "SPM" not in error
    assert "Traceback" not in result.output
    shown = re.search(r"(--stance left=\w+ right=\w+)", error)
    assert shown, result.output
    form = shown.group(1).split()
    works = runner.invoke(cli, ["check", *form])
    assert works.exit_code == 0, works.output


def test_check_compares_with_this_week_s_target(
    runner: CliRunner, on_day: Callable[[str], None]
) -> None:
    on_day("2026-11-30")
    runner.invoke(cli, ["plan", "init", "--baseline", "162", "--start", "2026-11-30"])
    assert (
        "On this week's target of 166 spm (week 1)" in runner.invoke(cli, ["check", "166"]).output
    )
    on_day("2026-12-07")  # week 1 had no runs done, so week 2 holds 166 spm
    held = runner.invoke(cli, ["check", "166"]).output
    assert "On this week's target of 166 spm (week 2)" in held, held
    low = runner.invoke(cli, ["check", "--count", "79"]).output  # 158: 4.8% below
    assert "8 spm below this week's target of 166 spm (week 2), more than 3%" in low
    assert "4 spm above" in runner.invoke(cli, ["check", "170"]).output


def test_check_without_a_plan_just_records(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "166"])
    assert result.exit_code == 0 and result.output == "Retention check: 166 spm.\n"


# --- live play ends normally on q, and as interrupted on Ctrl-C -----------------------------------


class _Keys:
    handle: Callable[[str], None] | None = None
    key = "q"  # the key the player presses ("": none, then it is interrupted as by Ctrl-C)


@pytest.fixture
def fake_live(monkeypatch: pytest.MonkeyPatch) -> type[_Keys]:
    """A live player without a sound card: the real key bindings, a player that stops at once.

    On `q` it presses the key (the real binding, which asks the player to stop);
    otherwise it is interrupted as by Ctrl-C."""
    from types import SimpleNamespace

    from stridebeat.cli import live as live_cli
    from stridebeat.cli import remote as remote_cli
    from stridebeat.controls import keys
    from stridebeat.sinks import devices
    from stridebeat.sinks import live as sink
    from stridebeat.sinks.live import Summary

    class Reader:
        def __init__(self, handle: Callable[[str], None]) -> None:
            _Keys.handle = handle

        def __enter__(self) -> Reader:
            return self

        def __exit__(self, *exc: object) -> None:
            _Keys.handle = None

    class Player:
        def __init__(self, renderer: object, output: object, **kwargs: object) -> None:
            self.stopped = False

        def stop(self) -> None:
            self.stopped = True

        def play(self, show: object) -> Summary:
            if _Keys.key and _Keys.handle is not None:
                _Keys.handle(_Keys.key)
            if self.stopped:
                return self.summary()
            raise KeyboardInterrupt

        def summary(self) -> Summary:
            return Summary(0, 8000 * 10, 8000, 172.0, 0, False)

    device = SimpleNamespace(name="Test output", default_rate=8000)
    monkeypatch.setattr(devices, "find_device", lambda name: device)
    monkeypatch.setattr(sink, "LivePlayer", Player)
    monkeypatch.setattr(keys, "KeyReader", Reader)
    monkeypatch.setattr(live_cli, "terminal", lambda: True)
    monkeypatch.setattr(remote_cli, "terminal", lambda: True)
    _Keys.key = "q"
    return _Keys


def test_q_in_live_play_is_a_normal_end(runner: CliRunner, fake_live: type[_Keys]) -> None:
    args = ["play", "--spm", "172", "--no-speech", "--sample-rate", "8000"]
    quit_by_key = runner.invoke(cli, args)
    assert quit_by_key.exit_code == 0, quit_by_key.output
    assert "Stopped after 0:10" in quit_by_key.output
    fake_live.key = ""
    interrupted = runner.invoke(cli, args)
    assert interrupted.exit_code == 130, interrupted.output
    sessions = json.loads(runner.invoke(cli, ["log", "--json"]).output)["sessions"]
    assert len(sessions) == 2  # both recorded


def test_a_hip_drop_gets_advice_when_it_is_recorded(runner: CliRunner) -> None:
    from stridebeat.training.stance import ADVICE

    dropped = runner.invoke(cli, ["check", "--stance", "left=steady", "right=drop"])
    assert dropped.exit_code == 0, dropped.output
    assert ADVICE in dropped.output and "clamshells" in dropped.output
    steady = runner.invoke(cli, ["check", "--stance", "left=steady", "right=wobble"])
    assert steady.exit_code == 0 and ADVICE not in steady.output
