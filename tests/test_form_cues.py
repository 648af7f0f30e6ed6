"""Form cues stay fresh: they take turns through a run and across a plan, and each run with
form cues says the three cues stridebeat is built around."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings

from stridebeat.cues.schedule import Cue
from stridebeat.engine.session import parse_session, session_to_toml
from stridebeat.engine.timeline import Timeline
from stridebeat.errors import FileInputError
from stridebeat.training.plan import Plan, PlannedSession, make_plan
from stridebeat.training.progression import PlanSettings
from tests.test_cues import script
from tests.test_plan import default_plan, plan_settings, scheduled

CORE = ("Push the ground back", "Lean from the ankles", "Squeeze at push-off")


def form_cues(timeline: Timeline, cues: tuple[Cue, ...]) -> list[Cue]:
    return [c for c in cues if not c.structural and "glutes" in timeline.spans[c.block].block.cues]


def runs_with_form_cues(made: Plan) -> list[tuple[PlannedSession, Timeline, list[Cue]]]:
    found = []
    for planned in made.sessions:
        if planned.kind == "run":
            timeline, cues = scheduled(planned)
            form = form_cues(timeline, cues)
            if form:
                found.append((planned, timeline, form))
    return found


def check_fresh(made: Plan) -> Counter[str]:
    heard: Counter[str] = Counter()
    openings = []
    for planned, _timeline, form in runs_with_form_cues(made):
        texts = [c.text for c in form]
        for words in CORE:
            assert any(words in t for t in texts), (planned.week, planned.number, words)
        by_block: dict[int, list[str]] = {}
        for cue in form:
            by_block.setdefault(cue.block, []).append(cue.text)
        halves = [tuple(t[:2]) for t in by_block.values() if len(t) >= 2]
        assert len(set(halves)) == len(halves), halves  # the parts of a run open differently
        openings.append(tuple(texts[:2]))
        heard.update(texts)
    assert all(a != b for a, b in zip(openings, openings[1:], strict=False)), openings
    return heard


def test_a_default_plan_keeps_its_form_cues_fresh_and_balanced() -> None:
    heard = check_fresh(default_plan(160))
    assert len(heard) == 10
    # Before: one cue heard 18 times, another 3. The three lead cues open every run, so
    # they are heard a little more than the others, never twice as often.
    assert max(heard.values()) < 2 * min(heard.values()), heard


@settings(max_examples=5, deadline=None)
@given(plan_settings())
def test_any_plan_keeps_its_form_cues_fresh(chosen: PlanSettings) -> None:
    check_fresh(make_plan(chosen))


def test_the_same_run_says_the_same_and_its_session_file_too() -> None:
    run = next(s for s in default_plan(160).sessions if s.kind == "run" and s.number == 3)
    assert run.session.rotation > 0
    _, first = scheduled(run)
    _, second = scheduled(run)
    assert first == second
    again = parse_session(session_to_toml(run.session))
    assert again == run.session
    timeline, cues = scheduled(run.__class__(**{**run.__dict__, "session": again}))
    assert cues == first


def test_lead_needs_rotate_and_fits_the_phrasings() -> None:
    with pytest.raises(FileInputError, match='order = "rotate"'):
        script('[[cue]]\nevery = "90s"\nlead = 1\ntext = ["a", "b"]\n')
    with pytest.raises(FileInputError, match="give 0 to 2"):
        script('order = "rotate"\n[[cue]]\nevery = "90s"\nlead = 3\ntext = ["a", "b"]\n')
