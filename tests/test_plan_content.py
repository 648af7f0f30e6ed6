"""What the plan's sessions hold: the whole article, sets called out, the stance check."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.cli.app import cli
from stridebeat.cues.script import find_script, load_script
from stridebeat.runner.records import STANCES, StanceRecord
from stridebeat.training.planfile import parse_plan, plan_to_toml
from stridebeat.training.stance import with_stance_checks
from stridebeat.training.workouts import STANCE_CHECK_SECONDS, strength_minutes, strength_sets
from tests.test_plan import default_plan, scheduled


def strength_day(week: int):  # type: ignore[no-untyped-def]
    made = default_plan(160)
    return next(s for s in made.sessions if s.kind == "strength" and s.week == week)


def test_strength_days_hold_the_rest_of_the_article() -> None:
    timeline, cues = scheduled(strength_day(2))
    names = [s.block.name for s in timeline.spans]
    for wanted in ("Side leg swings", "Pull-throughs", "Dead bugs", "Hip flexor stretch",
                   "Quad stretch"):  # fmt: skip
        index = names.index(wanted)
        said = [c for c in cues if c.block == index]
        assert said, wanted
    pull = next(c.text for c in cues if c.text.startswith("Pull-throughs"))
    assert "Cable or band" in pull
    core = next(c.text for c in cues if c.text.startswith("Dead bugs"))
    assert "core" in core


def test_every_set_is_called_out_before_its_first_rep() -> None:
    for week, total in ((1, "two"), (2, "three")):
        timeline, cues = scheduled(strength_day(week))
        spans = timeline.spans
        sets = [
            i
            for i, s in enumerate(spans)
            if s.block.kind == "strength" and not s.block.name.endswith("other side")
        ]
        assert sets
        for index in sets:
            n = int(spans[index].block.name.rsplit(" ", 1)[1])
            word = ("one", "two", "three")[n - 1]
            call = [c for c in cues if c.block == index - 1]
            assert [c.text for c in call] == [f"Set {word} of {total}."]
            assert call[0].end <= spans[index].start


def test_activation_swings_legs_both_ways() -> None:
    script = load_script(find_script("activation"))
    names = [b.name for b in script.routine]
    assert names.count("side to side") == 2
    assert "side swings, first side" in names and "side swings, second side" in names


def test_a_plan_file_from_before_keeps_reading() -> None:
    text = plan_to_toml(default_plan(160))
    for sets, earlier in ((2, "21.28"), (3, "31.08")):
        current = f"minutes = {strength_minutes(sets):.2f}"
        text = text.replace(current, f"minutes = {earlier}")
    made = parse_plan(text, "plan.toml")
    assert made == parse_plan(plan_to_toml(default_plan(160)), "plan.toml")


# --- the weekly stance check ----------------------------------------------------------------


def test_the_stance_check_routine_is_as_long_as_the_plan_counts() -> None:
    routine = load_script(find_script("stance-check")).routine
    assert sum(b.duration for b in routine) == STANCE_CHECK_SECONDS


def test_the_weeks_first_run_starts_with_the_stance_check() -> None:
    made = default_plan(160)
    for planned in made.sessions:
        timeline, cues = scheduled(planned)
        first = timeline.spans[0].block.name
        if planned.week != made.sessions[0].week or planned.number == 1:
            assert (first == "stance setup") == (planned.number == 1)
        assert timeline.length == round(planned.minutes * 60 * 8000)


def stance(day: datetime.date, left: str, right: str, n: int) -> StanceRecord:
    return StanceRecord(n, datetime.datetime(2026, 1, 1), day, left, right)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.sampled_from(STANCES), st.sampled_from(STANCES)),
        max_size=6,
    )
)
def test_a_hip_drop_brings_glute_medius_work_until_a_check_without_one(
    found: list[tuple[int, str, str]],
) -> None:
    made = default_plan(160)
    start = made.settings.start
    checks = [
        stance(start + datetime.timedelta(days), left, right, n)
        for n, (days, left, right) in enumerate(found)
    ]
    after = with_stance_checks(made, checks)
    for planned in after.sessions:
        before = [c for c in checks if c.day <= planned.date]
        latest = max(before, key=lambda c: (c.day, c.id)) if before else None
        drop = latest is not None and "drop" in (latest.left, latest.right)
        names = [b.name for b in planned.session.blocks]
        if planned.kind == "strength":
            assert ("Clamshells" in names) == drop == planned.hip_drop
            walks = sum(n.startswith("Banded walks, set") and "other" not in n for n in names)
            assert walks == strength_sets(planned.week) + drop
        else:
            assert not planned.hip_drop and "Clamshells" not in names
    hip_days = [s for s in after.sessions if s.hip_drop]
    if hip_days:
        _, cues = scheduled(hip_days[0])
        assert any(c.text.startswith("Your last stance check showed a hip drop") for c in cues)


def test_plan_show_lists_the_stance_check_and_a_hip_drop(
    runner: CliRunner, _app_home: Path
) -> None:
    start = datetime.date.today().isoformat()
    assert (
        runner.invoke(cli, ["plan", "init", "--baseline", "162", "--start", start]).exit_code == 0
    )
    shown = runner.invoke(cli, ["plan", "show"]).output
    first_runs = [line for line in shown.splitlines() if re.match(r"\s+\d+\s+1\s", line)]
    assert first_runs and all("stance check" in line for line in first_runs)
    assert "hip work" not in shown
    result = runner.invoke(cli, ["check", "--stance", "left=steady,right=drop"])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(cli, ["plan", "show"]).output
    assert "hip work" in shown and "found a hip drop" in shown
    records = json.loads(runner.invoke(cli, ["plan", "show", "--json"]).output)
    assert all(r["stance_check"] == (r["session"] == 1) for r in records)
    assert all(r["hip_drop"] == (r["kind"] == "strength") for r in records)


def test_the_explanation_says_what_the_plan_now_holds() -> None:
    from stridebeat.training.explain import EXPLANATION

    flat = " ".join(EXPLANATION.split())
    for words in ("pull-throughs", "dead bugs", "hip flexor and quad stretches",
                  "side to side", "set two of three", "The weekly stance check",
                  "clamshells and a set of banded walks", "push the ground back",
                  "each number of a countdown on its own second"):  # fmt: skip
        assert words in flat, words


def test_a_plan_file_from_before_the_stance_check_keeps_its_cadence_work() -> None:
    made = default_plan(160)
    text = plan_to_toml(made)
    lines = []
    extra = STANCE_CHECK_SECONDS / 60
    for line in text.splitlines():  # the file as written before: no stance check anywhere
        if line.startswith("stance_check"):
            continue
        lines.append(line)
    old = "\n".join(lines)
    for planned in made.sessions:  # a week's first run was shorter by the check
        if planned.stance_check:
            old = old.replace(
                f"date = {planned.date.isoformat()}  # {planned.date:%A}\n"
                f'kind = "run"\ncadence_spm = {planned.cadence_spm}\n'
                f"minutes = {planned.minutes:.2f}",
                f"date = {planned.date.isoformat()}  # {planned.date:%A}\n"
                f'kind = "run"\ncadence_spm = {planned.cadence_spm}\n'
                f"minutes = {planned.minutes - extra:.2f}",
            )
    read = parse_plan(old, "plan.toml")
    for before, now in zip(made.sessions, read.sessions, strict=True):
        assert now.stance_check == before.stance_check
        assert now.session.blocks == before.session.blocks  # the same cadence work
