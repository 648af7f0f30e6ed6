"""Where the runner stands: the saved baseline, the plan as reviewed today, weekly adherence.

The history database is the one store of what the runner did; the plan file is the one store
of what is planned. Everything here reads them and keeps them in step.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from stridebeat.errors import InputError
from stridebeat.paths import app_dir
from stridebeat.runner.database import history_path
from stridebeat.runner.history import History
from stridebeat.runner.records import SessionRecord
from stridebeat.tomlfile import read_text
from stridebeat.training.plan import Plan, PlannedSession, number_runs
from stridebeat.training.planfile import load_plan, plan_path, save_plan
from stridebeat.training.review import (
    Review,
    counts_as_done,
    done_record,
    is_done,
    review,
    week_bounds,
)
from stridebeat.training.stance import with_stance_checks

NO_PLAN = (
    "there is no plan yet: make one with 'stridebeat plan init --baseline 162' "
    "(your cadence now: count your steps for 30 s on an easy run and double it)"
)


def legacy_baseline_path() -> Path:
    """Where stridebeat 0.1 kept the saved baseline; read once into the history."""
    return app_dir() / "baseline.toml"


def save_baseline(spm: float, source: str, day: dt.date) -> Path:
    """Keep ``spm`` as the baseline 'plan init' starts from; returns the history's path."""
    with History() as history:
        history.record_baseline(day, spm, source)
    return history_path()


def saved_baseline() -> float | None:
    """The baseline saved last ('stridebeat baseline --save'), if any."""
    if history_path().is_file():
        with History() as history:
            latest = history.latest_baseline()
        if latest is not None:
            return latest.cadence_spm
    return _legacy_baseline()


def _legacy_baseline() -> float | None:
    path = legacy_baseline_path()
    if not path.exists():
        return None
    text = read_text(path, "saved baseline")  # a regular file of sane size, like any input
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"{path}: cannot read the saved baseline ({exc}); fix or delete it"
        ) from None
    spm = data.get("spm")
    if isinstance(spm, bool) or not isinstance(spm, int | float):
        raise InputError(f"{path}: no 'spm = <number>' line; fix or delete the file")
    return float(spm)


def reviewed_plan(today: dt.date) -> tuple[Review, bool]:
    """The plan after looking back on the weeks that are over, and whether that changed it
    (then it is saved, and the review's messages are news for the runner)."""
    path = plan_path()
    if not path.is_file():
        raise InputError(NO_PLAN)
    made = load_plan(path)
    if history_path().is_file():
        with History() as history:
            found = review(
                made,
                history.sessions(),
                history.retention_checks(),
                history.pain_reports(),
                today,
            )
            stances = history.stance_checks()
    else:
        found = review(made, [], [], [], today)
        stances = []
    changed = found.plan is not made
    if changed:
        save_plan(found.plan, path)
    # Hip-drop strength days follow the stance checks each time; the file keeps the plan.
    return replace(found, plan=with_stance_checks(number_runs(found.plan), stances)), changed


@dataclass(frozen=True)
class WeekAdherence:
    week: int
    done: int
    planned: int


def adherence(plan: Plan, sessions: Sequence[SessionRecord], today: dt.date) -> list[WeekAdherence]:
    """Sessions done and planned for each plan week that has begun."""
    done = [s for s in sessions if counts_as_done(s)]
    bounds = week_bounds(plan)
    rows = []
    for week in sorted({p.week for p in plan.sessions if p.date <= today}):
        planned = [p for p in plan.sessions if p.week == week]
        count = sum(is_done(p, done, bounds) for p in planned)
        rows.append(WeekAdherence(week, count, len(planned)))
    return rows


def current_plan() -> Plan | None:
    """The plan file as it stands (not reviewed), or None when there is none."""
    path = plan_path()
    return load_plan(path) if path.is_file() else None


def recorded_done(plan: Plan, planned: PlannedSession) -> SessionRecord | None:
    """The history's record that makes ``planned`` done (review.py's one rule), if any."""
    if not history_path().is_file():
        return None
    with History() as history:
        sessions = history.sessions()
    done = [s for s in sessions if counts_as_done(s)]
    return done_record(planned, done, week_bounds(plan))
