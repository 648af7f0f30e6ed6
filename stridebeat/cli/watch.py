"""Watch workouts of the plan's runs: ``plan export --watch``, ``today --fit``, ``session --fit``.

The workouts themselves are ``training.watch``'s; here the options, the file checks and what
is said when there is no run to write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stridebeat.errors import InputError

if TYPE_CHECKING:
    from stridebeat.training.plan import Plan, PlannedSession

NEW_FILES = "GARMIN/NewFiles"  # where a Garmin watch, plugged in by USB, takes new files

fit_option = click.option(
    "--fit",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.fit",
    help=f"Write the run as a FIT workout for a Garmin watch (copy it to {NEW_FILES}) "
    "instead of playing it; with -o, besides the audio file.",
)
watch_option = click.option(
    "--watch",
    is_flag=True,
    help=f"Also write a FIT workout of each run for a Garmin watch (copy them to {NEW_FILES}).",
)


def workout_name(planned: PlannedSession) -> str:
    """``Week 2 session 1: 167 spm``: what the watch lists."""
    return f"Week {planned.week} session {planned.number}: {planned.cadence_spm} spm"


def fit_bytes(planned: PlannedSession) -> bytes:
    """The run's watch workout as a FIT file, created on the session's date (so the same
    session always gives the same bytes)."""
    from stridebeat.training.watch import fit_workout, watch_workout

    created = dt.datetime.combine(planned.date, dt.time(), dt.UTC)
    return fit_workout(watch_workout(planned.session, workout_name(planned)), created)


def watch_files(stems: Sequence[str], sessions: Sequence[PlannedSession]) -> dict[str, bytes]:
    """``STEM.fit`` for each run, with the stem of its audio file; strength days have none."""
    pairs = zip(stems, sessions, strict=True)
    return {f"{stem}.fit": fit_bytes(s) for stem, s in pairs if s.kind == "run"}


def write_fit(planned: PlannedSession, path: Path, keep: dict[Path, str]) -> None:
    """Write the run's watch workout to ``path`` (atomically) and say where it goes."""
    from stridebeat.files import check_output, write_bytes_atomically

    if planned.kind != "run":
        raise InputError(
            f"week {planned.week}, session {planned.number} is a {planned.kind} day: "
            "a watch workout is made for runs only"
        )
    if path.suffix.lower() != ".fit":
        raise click.BadParameter("give a .fit file name, such as run.fit", param_hint="--fit")
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; give a file name such as run.fit")
    check_output(path, keep, "--fit")
    write_bytes_atomically(path, fit_bytes(planned))
    click.echo(f"Wrote {path}: copy it to {NEW_FILES} on your watch, then find it under Workouts.")


def run_today(
    made: Plan, day: dt.date, describe: Callable[[PlannedSession], str]
) -> PlannedSession:
    """Today's run; an InputError (exit 2) naming the next run when today has none.

    No run today is not something a file can be made of: a script that copies the file to
    the watch must not go on as if there were one.
    """
    from stridebeat.training.plan import session_on

    planned = session_on(made, day)
    if planned is not None and planned.kind == "run":
        return planned
    today = "no session today" if planned is None else "today is a strength day"
    upcoming = next((s for s in made.sessions if s.date > day and s.kind == "run"), None)
    if upcoming is None:
        raise InputError(f"{today} and no run is left in the plan: no watch workout to write")
    raise InputError(
        f"{today}: a watch workout is made for runs only. The next run is "
        f"{describe(upcoming)}; write it with "
        f"'stridebeat session {upcoming.week} {upcoming.number} --fit FILE.fit'"
    )
