"""Spoken numbers are true when heard: countdowns on their seconds, time left, halfway."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from stridebeat.cues.schedule import Cue, assemble, schedule_cues
from stridebeat.cues.script import find_script, load_cue_scripts, load_script
from stridebeat.engine.session import Block, Session, Steady
from stridebeat.engine.timeline import Timeline
from tests.test_cues import RATE, words

NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a": 1,
}  # fmt: skip
# A time left, said at the start of a sentence ("One minute left", "Ten seconds.", "20
# seconds."); "walk around for a minute" is an instruction, not a claim.
CLAIM = re.compile(r"(?:^|\. )(\d+|[A-Za-z]+) (second|minute)s?\b")
TOLERANCE = 2.0


def heard_at(cue: Cue, position: int) -> float:
    """Seconds into the render at which the word starting at ``position`` of the cue is heard
    (the stand-in speech takes the same time for every word)."""
    before = len(cue.text[:position].split())
    return (cue.frame + cue.length * before / max(len(cue.text.split()), 1)) / RATE


def claims(timeline: Timeline, cues: tuple[Cue, ...]) -> list[tuple[str, float, float]]:
    """(what was said, the time it claims, the truth when heard) for each timed statement."""
    found = []
    for cue in cues:
        span = timeline.spans[cue.block]
        start, end = span.start / RATE, span.end / RATE
        for match in CLAIM.finditer(cue.text):
            word = match.group(1).lower()
            value = int(word) if word.isdigit() else NUMBERS.get(word)
            if value is None:
                continue
            unit = 60 if match.group(2) == "minute" else 1
            found.append((cue.text, value * unit, end - heard_at(cue, match.start(1))))
        if cue.text.startswith("Halfway"):
            found.append((cue.text, (end - start) / 2, end - heard_at(cue, 0)))
        if re.fullmatch(r"(One|Two|Three)\.", cue.text):
            found.append((cue.text, NUMBERS[cue.text[:-1].lower()], end - cue.frame / RATE))
    return found


def schedule(session: Session, names: tuple[str, ...]) -> tuple[Timeline, tuple[Cue, ...]]:
    loaded = load_cue_scripts(names, session)
    scripts = tuple(loaded[n] for n in names)
    played, block_scripts = assemble(session, scripts, loaded)
    timeline = Timeline(played, RATE)
    return timeline, schedule_cues(timeline, block_scripts, words)


def test_the_stance_check_counts_down_one_number_a_second() -> None:
    script = load_script(find_script("stance-check"))
    played, block_scripts = assemble(None, (script,), {})
    timeline = Timeline(played, RATE)
    cues = schedule_cues(timeline, block_scripts, words)
    for name in ("left leg", "right leg"):
        index = next(i for i, s in enumerate(timeline.spans) if s.block.name == name)
        end = timeline.spans[index].end / RATE
        said = {c.text: end - c.frame / RATE for c in cues if c.block == index}
        for number, word in ((3, "Three."), (2, "Two."), (1, "One.")):
            assert abs(said[word] - number) < 0.01, (name, word, said)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(30, 900), st.integers(150, 185)), min_size=1, max_size=3),
    st.booleans(),
)
def test_time_left_and_halfway_are_true_when_heard(
    blocks: list[tuple[int, int]], form: bool
) -> None:
    names = ("Easy", "Part one", "Cool-down")
    session = Session(
        tuple(
            Block("run", seconds, Steady(spm), names[i]) for i, (seconds, spm) in enumerate(blocks)
        )
    )
    timeline, cues = schedule(session, ("cadence", "glutes") if form else ("cadence",))
    found = claims(timeline, cues)
    assert any(text.startswith("Halfway") for text, *_ in found)
    for text, claimed, truth in found:
        assert abs(claimed - truth) <= TOLERANCE, (text, claimed, truth)


def test_every_session_of_a_plan_tells_the_time_truly() -> None:
    from tests.test_plan import default_plan, scheduled

    seen = 0
    for planned in default_plan(160).sessions:
        timeline, cues = scheduled(planned)
        for text, claimed, truth in claims(timeline, cues):
            assert abs(claimed - truth) <= TOLERANCE, (planned.week, planned.number, text)
            seen += 1
    assert seen > 100
