"""Watch workouts: a run as a FIT workout file that a Garmin watch follows and alerts on.

A workout is a list of timed steps, each named after what it stands for:

- the routines the run starts with (stance check, activation: drills, no running), warm-up;
- every run block before the cadence work (the easy start), warm-up, no target;
- the cadence work: each run block where the metronome plays, with a cadence target range
  of ``CADENCE_MARGIN_SPM`` around its cadence, so the watch alerts when the runner drifts;
- the retention check, active but without a target: it measures what the runner holds alone;
- every run block after the work (the cool-down), cool-down, no target.

**Cadence unit.** Garmin's FIT profile gives ``workout_step.custom_target_cadence_low`` and
``..._high`` the unit "rpm" and no running variant of it, and the same "rpm" for a record's
``cadence``, which watches write for running as strides per minute (the profile's
``session.avg_running_cadence`` says "strides/min" outright). So a running cadence target is
in strides per minute, half the steps per minute a runner counts: 170-178 spm is written as
85-89. The range is widened outwards to whole strides (``stride_range``).

The file (see Garmin's "Workout Files" document): a 14-byte header with its CRC, ``file_id``
(type workout), one ``workout`` message (sport running, ``num_valid_steps``), the
``workout_step`` messages, and the file CRC. fit-tool encodes the messages.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from stridebeat.engine.session import Block, Session
from stridebeat.errors import InputError
from stridebeat.files import write_bytes_atomically
from stridebeat.training.workouts import ACTIVATION_SECONDS, STANCE_CHECK_SECONDS
from stridebeat.units import STEPS_PER_STRIDE

CADENCE_MARGIN_SPM = 4  # the target range: this many steps per minute either side, at least
# the routines a plan's run starts with (cue scripts, played before the first block)
ROUTINES = {"stance-check": ("Stance check", STANCE_CHECK_SECONDS),
            "activation": ("Activation", ACTIVATION_SECONDS)}  # fmt: skip
FIT_PROTOCOL = (2, 0)  # what Garmin's own SDK writes
DEVELOPMENT_MANUFACTURER = 255  # the FIT profile's "development": not a registered maker

Intensity = Literal["warmup", "active", "cooldown"]


@dataclass(frozen=True)
class WorkoutStep:
    name: str
    seconds: float
    intensity: Intensity
    cadence_spm: tuple[float, float] | None = None  # the cadence the step is at, low to high
    notes: str = ""

    @property
    def target_strides(self) -> tuple[int, int] | None:
        """The target range written to the file, in strides per minute."""
        if self.cadence_spm is None:
            return None
        low, high = self.cadence_spm
        return stride_range(low - CADENCE_MARGIN_SPM, high + CADENCE_MARGIN_SPM)


@dataclass(frozen=True)
class WatchWorkout:
    name: str
    steps: tuple[WorkoutStep, ...]

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)


def stride_range(low_spm: float, high_spm: float) -> tuple[int, int]:
    """Whole strides per minute covering ``low_spm``-``high_spm`` steps per minute.

    >>> stride_range(163, 171)  # 167 spm with its margin: 162-172 spm on the watch
    (81, 86)
    """
    return math.floor(low_spm / STEPS_PER_STRIDE), math.ceil(high_spm / STEPS_PER_STRIDE)


def watch_workout(session: Session, name: str) -> WatchWorkout:
    """The workout a watch follows for ``session``; an InputError if it has no running."""
    blocks = [b for b in session.blocks if b.duration > 0]
    work = [i for i, b in enumerate(blocks) if _is_work(b)]
    if not any(b.kind in ("run", "check") for b in blocks):
        raise InputError(
            f"{session.title or name} has no running in it: a watch workout is made for runs"
        )
    steps = [WorkoutStep(*ROUTINES[cue], "warmup") for cue in session.cues if cue in ROUTINES]
    first, last = (work[0], work[-1]) if work else (len(blocks), len(blocks))
    for index, block in enumerate(blocks):
        intensity: Intensity = (
            "warmup" if index < first else "cooldown" if index > last else "active"
        )
        steps.append(_step(block, intensity, index in work))
    return WatchWorkout(name, tuple(steps))


def _is_work(block: Block) -> bool:
    """Cadence work: running where the metronome plays (the click sets the cadence)."""
    return block.kind == "run" and block.cadence_ends is not None and not block.metronome.never


def _step(block: Block, intensity: Intensity, work: bool) -> WorkoutStep:
    ends = block.cadence_ends
    if work and ends is not None:
        low, high = min(ends), max(ends)
        cadence = f"{low:g}" if low == high else f"{low:g}-{high:g}"
        return WorkoutStep(block.label, block.duration, intensity, (low, high),
                           f"{cadence} steps per minute")  # fmt: skip
    if block.kind == "check" and ends is not None:
        note = f"hold {max(ends):g} steps per minute by feel: no alert here"
        return WorkoutStep(block.label, block.duration, "active", None, note)
    return WorkoutStep(block.label, block.duration, intensity)


def fit_workout(workout: WatchWorkout, created: dt.datetime) -> bytes:
    """The workout as a FIT file's bytes; ``created`` goes in ``file_id.time_created``.

    The serial number is a hash of the name, so the same plan session written again has the
    same file identity (a watch keeps one workout per identity).
    """
    from fit_tool.fit_file import FitFile
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.fit_file_header import FitFileHeader, ProtocolVersion
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.workout_message import WorkoutMessage
    from fit_tool.profile.profile_type import FileType, Sport

    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = DEVELOPMENT_MANUFACTURER
    file_id.product = 0
    file_id.serial_number = zlib.crc32(workout.name.encode("utf-8")) or 1  # 0 means "none"
    file_id.time_created = round(created.timestamp() * 1000)
    summary = WorkoutMessage()
    summary.workout_name = workout.name
    summary.sport = Sport.RUNNING
    summary.num_valid_steps = len(workout.steps)
    builder = FitFileBuilder(auto_define=True)
    builder.add(file_id)
    builder.add(summary)
    builder.add_all([_step_message(i, step) for i, step in enumerate(workout.steps)])
    # a 14-byte header with its own CRC, as Garmin's SDK writes (fit-tool's default has none)
    header = FitFileHeader(0, ProtocolVersion(*FIT_PROTOCOL), gen_crc=True)
    data: bytes = FitFile(header, builder.records).to_bytes()
    return data


def _step_message(index: int, step: WorkoutStep) -> Any:
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
    from fit_tool.profile.profile_type import Intensity as FitIntensity
    from fit_tool.profile.profile_type import WorkoutStepDuration, WorkoutStepTarget

    message = WorkoutStepMessage()
    message.message_index = index
    message.workout_step_name = step.name
    message.intensity = {
        "warmup": FitIntensity.WARMUP,
        "active": FitIntensity.ACTIVE,
        "cooldown": FitIntensity.COOLDOWN,
    }[step.intensity]
    message.duration_type = WorkoutStepDuration.TIME
    message.duration_time = float(step.seconds)
    strides = step.target_strides
    if strides is None:
        message.target_type = WorkoutStepTarget.OPEN
        message.target_value = 0
    else:
        # in strides per minute (see the module's docstring); 0: a custom range, not a zone
        message.target_type = WorkoutStepTarget.CADENCE
        message.target_value = 0
        message.custom_target_cadence_low, message.custom_target_cadence_high = strides
    if step.notes:
        message.notes = step.notes
    return message


def write_fit_workout(path: Path, workout: WatchWorkout, created: dt.datetime) -> None:
    """Write the workout's FIT file atomically (whole or not at all)."""
    write_bytes_atomically(path, fit_workout(workout, created))
