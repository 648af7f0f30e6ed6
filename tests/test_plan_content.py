"""What the plan's sessions hold: the whole article, sets called out, the stance check."""

from __future__ import annotations

from stridebeat.cues.script import find_script, load_script
from stridebeat.training.planfile import parse_plan, plan_to_toml
from stridebeat.training.workouts import strength_minutes
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
        sets = [i for i, s in enumerate(spans)
                if s.block.kind == "strength" and not s.block.name.endswith("other side")]  # fmt: skip
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
