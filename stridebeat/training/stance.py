"""What the weekly stance check changes: a hip drop brings glute medius work.

Pure. The single-leg stance check (the ``stance-check`` routine before each week's first run,
recorded with ``stridebeat check --stance``) asks whether the hip of the lifted leg drops.
The rule, in one place: a strength day whose latest stance check on or before its date found
a drop on either leg becomes a *hip-drop day*: it says why, and adds clamshells and a set of
banded walks (see ``workouts.strength_session``). A later check without a drop ends it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from stridebeat.training.plan import Plan, SessionSpec, planned_session

if TYPE_CHECKING:
    from stridebeat.runner.records import StanceRecord

ADVICE = (
    "Your last stance check found a hip drop. Your next strength days add clamshells and a "
    "set of banded walks for the side of the hip; on runs, keep the pelvis level and land "
    "under your hips. Check again next week."
)


def has_drop(check: StanceRecord) -> bool:
    return "drop" in (check.left, check.right)


def with_stance_checks(plan: Plan, checks: Sequence[StanceRecord]) -> Plan:
    """``plan`` with each strength day after a hip-drop stance check a hip-drop day."""
    ordered = sorted(checks, key=lambda c: (c.day, c.id))
    sessions = []
    for planned in plan.sessions:
        latest = [c for c in ordered if c.day <= planned.date]
        drop = bool(latest) and has_drop(latest[-1])
        if planned.kind == "strength" and drop != planned.hip_drop:
            spec = SessionSpec(
                planned.week, planned.number, planned.date, "strength", None, planned.minutes,
                hip_drop=drop,
            )  # fmt: skip
            planned = planned_session(plan.settings.baseline_spm, spec)
        sessions.append(planned)
    return replace(plan, sessions=tuple(sessions))


def advice(plan: Plan, today: datetime.date) -> str | None:
    """What to tell the runner while hip-drop days lie ahead, else None."""
    return ADVICE if any(s.hip_drop and s.date >= today for s in plan.sessions) else None
