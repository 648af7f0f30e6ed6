"""What a plan's sessions hold: the blocks of a retraining run and of a strength day.

Pure: each function turns a few numbers into a Session, as a hand-written session file would
give it. The choices:

- **Stance check.** The week's first run starts with the ``stance-check`` routine (30 s on
  each leg, watching for a hip drop), recorded with ``stridebeat check --stance``.
- **Runs.** The ``activation`` routine (the session's ``cues``) plays first, then 5 minutes
  easy at the baseline with the metronome off, the cadence work in two equal parts at the
  week's cadence, the week's last run a 2-minute retention check, and a 5-minute cool-down
  at the baseline, metronome off.
- **Form cues** (``glutes``) thin out with the metronome: in both parts while the click is on
  at least 3/4 of the time, in part one only down to 1/4, none below (check-ins).
- **Strength days** (see ``strength_session``): a 2-minute warm-up, then six exercises, each
  with a 14-second spoken how-to, sets on a rep-tempo click and 1-minute rests. Week 1 has
  2 sets of each (learn the moves), later weeks 3.
- **Lengths.** Runs last 25-55 minutes with their warm-up, strength sessions 20-40.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from stridebeat.engine.session import METRONOME_OFF, Block, Metronome, Rhythm, Session, Steady

# The built-in routines' lengths (cue_scripts/activation.toml and stance-check.toml; tests
# keep them true).
ACTIVATION_SECONDS = 454
STANCE_CHECK_SECONDS = 100
EASY_SECONDS = 300
COOL_DOWN_SECONDS = 300
CHECK_SECONDS = 120
RUN_MINUTES = (25.0, 55.0)
STRENGTH_MINUTES = (20.0, 40.0)
SET_CHOICES = (2, 3)
# Strength lengths plan files held before pull-throughs, core work and stretches joined.
EARLIER_STRENGTH_MINUTES = {2: 21.28, 3: 31.08}

RUN_CUES = ("activation", "cadence")
STANCE_CHECK_CUES = ("stance-check",)  # a routine: it plays first, before the activation
FORM_CUES = ("glutes",)
CHECK_CUES = ("retention",)
STRENGTH_CUES = ("strength",)

FORM_CUES_BOTH_PARTS = 0.75  # metronome share at or above which glutes speaks in both parts
FORM_CUES_PART_ONE = 0.25  # ... in part one only; below, not at all

PART_NAMES = ("Part one", "Part two")


# --- runs ----------------------------------------------------------------------------------------


def run_session(
    baseline_spm: float,
    cadence_spm: int,
    work_seconds: int,
    metronome: Metronome,
    retention_check: bool,
    title: str = "",
    stance_check: bool = False,
) -> Session:
    """A retraining run (after the activation routine its cues bring, and the stance check's
    when ``stance_check``): easy start, the cadence work in two parts, an optional retention
    check, cool-down."""
    form = form_cues(metronome_share(metronome))
    first = work_seconds // 2
    blocks = [
        Block("run", EASY_SECONDS, Steady(baseline_spm), "Easy start", METRONOME_OFF),
        Block("run", first, Steady(cadence_spm), PART_NAMES[0], metronome, form[0]),
        Block("run", work_seconds - first, Steady(cadence_spm), PART_NAMES[1], metronome, form[1]),
    ]
    if retention_check:
        check = Steady(cadence_spm)
        blocks.append(
            Block("check", CHECK_SECONDS, check, "Retention check", METRONOME_OFF, CHECK_CUES)
        )
    blocks.append(Block("run", COOL_DOWN_SECONDS, Steady(baseline_spm), "Cool-down", METRONOME_OFF))
    cues = (*STANCE_CHECK_CUES, *RUN_CUES) if stance_check else RUN_CUES
    return Session(tuple(blocks), title=title, cues=cues)


def run_overhead(check: bool, stance_check: bool = False) -> int:
    """Seconds of a run that are not cadence work: stance check, activation, easy start,
    retention check, cool-down."""
    stance = STANCE_CHECK_SECONDS if stance_check else 0
    return (
        stance + ACTIVATION_SECONDS + EASY_SECONDS + COOL_DOWN_SECONDS
        + (CHECK_SECONDS if check else 0)
    )  # fmt: skip


def metronome_share(metronome: Metronome) -> float:
    """Share of the time the click is audible: 1.0 for "on", 0.0 for "off", on/(on+off)."""
    if metronome.always:
        return 1.0
    if metronome.never or metronome.on is None:
        return 0.0
    return metronome.on / (metronome.on + metronome.off)


def form_cues(share: float) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The form cue scripts of each part of the cadence work, thinning with the metronome."""
    if share >= FORM_CUES_BOTH_PARTS:
        return FORM_CUES, FORM_CUES
    if share >= FORM_CUES_PART_ONE:
        return FORM_CUES, ()
    return (), ()


def minutes_of(session: Session) -> float:
    """A plan session's length in minutes, counting the built-in routines it names."""
    extra = ACTIVATION_SECONDS if "activation" in session.cues else 0
    extra += STANCE_CHECK_SECONDS if "stance-check" in session.cues else 0
    return (session.duration + extra) / 60


# --- strength days -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    name: str  # also the name of its how-to block, which the strength cue script speaks in
    reps: int  # per set; per side when there is a switch
    tempo: tuple[float, ...]  # seconds of each phase of a rep; a click starts each
    switch: str = ""  # one side, then a short block of this name, then the other side


EXERCISES = (
    Exercise("Squats", 10, (2.0, 1.0)),  # 2 s down, 1 s up
    Exercise("Romanian deadlifts", 10, (2.0, 1.0)),  # 2 s hinge down, 1 s up
    Exercise("Pull-throughs", 10, (2.0, 1.0)),  # cable or band: 2 s hinge back, 1 s drive
    Exercise("Reverse lunges", 12, (2.0, 1.0)),  # legs alternate
    Exercise("Step-ups", 8, (1.0, 2.0), "Switch legs"),  # 1 s up, 2 s down
    Exercise("Hip thrusts", 10, (1.0, 1.0, 2.0)),  # up, hold the squeeze, 2 s down
    Exercise("Banded walks", 8, (2.0,), "Change direction"),  # a step every 2 s
    Exercise("Dead bugs", 10, (2.0, 2.0)),  # core: sides alternate, 2 s out, 2 s back
)
# After a stance check with a hip drop: more work for the side of the hip (glute medius).
HIP_DROP_EXERCISE = Exercise("Clamshells", 12, (1.5, 1.5), "Switch sides")
HIP_DROP_EXTRA_SETS = {"Banded walks": 1}
HIP_DROP_ADVICE = "Hip drop"  # the block whose cue tells the runner why the day has more
WARM_UP = (
    Block("drill", 60, Rhythm((0.5,)), "March"),
    Block("drill", 40, Rhythm((2.0,)), "Hip circles"),
    Block("drill", 40, Rhythm((1.5,)), "Leg swings"),  # forward and back
    Block("drill", 40, Rhythm((1.5,)), "Side leg swings"),  # side to side
)
# Mobility to finish: tight hip flexors hold the glutes back (the article's pitfall).
COOL_DOWN = (
    Block("drill", 60, None, "Hip flexor stretch"),  # 30 s each side
    Block("drill", 60, None, "Quad stretch"),  # 30 s each side
)
HOW_TO_SECONDS = 14
SET_CALL_SECONDS = 3  # "Set two of three."
SWITCH_SECONDS = 6
REST_SECONDS = 45  # between sets
CHANGE_OVER_SECONDS = 30  # between exercises: set up the next one
DONE_SECONDS = 12
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five")


def strength_session(sets: int, title: str = "", hip_drop: bool = False) -> Session:
    """A strength day: warm-up, then each exercise's how-to, its sets (each called out,
    "set two of three") and rests, then hip flexor and quad stretches.

    ``hip_drop``: the runner's last stance check found a hip drop, so the day says why and
    adds clamshells and a set of banded walks (glute medius work).

    Spoken cues start on clicks, so nothing is said inside a set but the rep count (a
    cue on a rep's click would push the count off it); a switch of side gets its own block.
    """
    blocks = list(WARM_UP)
    exercises = EXERCISES + ((HIP_DROP_EXERCISE,) if hip_drop else ())
    if hip_drop:
        blocks.append(Block("drill", HOW_TO_SECONDS, None, HIP_DROP_ADVICE))
    for index, exercise in enumerate(exercises):
        if index:
            blocks.append(Block("rest", CHANGE_OVER_SECONDS, None, "Change over"))
        blocks.append(Block("drill", HOW_TO_SECONDS, None, exercise.name))
        total = sets + (HIP_DROP_EXTRA_SETS.get(exercise.name, 0) if hip_drop else 0)
        for n in range(1, total + 1):
            if n > 1:
                blocks.append(Block("rest", REST_SECONDS, None, "Rest"))
            blocks.append(Block("drill", SET_CALL_SECONDS, None, set_call(n, total)))
            blocks += _set_blocks(exercise, f"{exercise.name}, set {n}")
    blocks += COOL_DOWN
    blocks.append(Block("drill", DONE_SECONDS, None, "Strength done"))
    return Session(tuple(blocks), title=title, cues=STRENGTH_CUES)


def set_call(n: int, sets: int) -> str:
    """The block that calls a set out: ``Set two of three``."""
    return f"Set {NUMBER_WORDS[n]} of {NUMBER_WORDS[sets]}"


def _set_blocks(exercise: Exercise, name: str) -> list[Block]:
    length = exercise.reps * sum(exercise.tempo)
    rhythm = Rhythm(exercise.tempo)
    if not exercise.switch:
        return [Block("strength", length, rhythm, name)]
    return [
        Block("strength", length, rhythm, name),
        Block("drill", SWITCH_SECONDS, None, exercise.switch),
        Block("strength", length, rhythm, f"{name}, other side"),
    ]


def strength_sets(week: int) -> int:
    """Sets of each exercise on a strength day: 2 in week 1 (learn the moves), then 3."""
    return 2 if week == 1 else 3


def strength_length(minutes: float) -> float | None:
    """A plan file's minutes for a strength session, if they pick a number of sets: within a
    minute of its length, or the length a plan file held before (then today's), else None."""
    lengths = {n: strength_minutes(n) for n in SET_CHOICES}
    if any(abs(length - minutes) <= 1 for length in lengths.values()):
        return minutes
    earlier = [n for n, length in EARLIER_STRENGTH_MINUTES.items() if abs(length - minutes) < 0.01]
    return lengths[earlier[0]] if earlier else None


@functools.cache
def strength_minutes(sets: int, hip_drop: bool = False) -> float:
    return strength_session(sets, hip_drop=hip_drop).duration / 60
