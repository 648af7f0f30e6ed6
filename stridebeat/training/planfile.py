"""The plan file: a commented, human-readable TOML a runner may edit by hand.

Loading checks every field (file:line and what to change) and rebuilds each session's blocks
with the same pure function that made the plan, so hand edits are honoured.
"""

from __future__ import annotations

import datetime
import difflib
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stridebeat.engine.session import metronome_text, parse_metronome, toml_string
from stridebeat.errors import FileInputError
from stridebeat.paths import app_file
from stridebeat.tomlfile import KeyLines, Table, parse_toml, read_text
from stridebeat.training.dates import file_date
from stridebeat.training.plan import (
    KINDS,
    Plan,
    PlannedSession,
    SessionSpec,
    add_weekly_stance_checks,
    number_runs,
    planned_session,
)
from stridebeat.training.progression import (
    DEFAULT_RUN_DAYS,
    DEFAULT_STRENGTH_DAYS,
    PlanSettings,
    SettingError,
    check_settings,
)
from stridebeat.training.workouts import RUN_MINUTES, SET_CHOICES, strength_length, strength_minutes
from stridebeat.units import CLICK_SPM, parse_date, parse_spm


def plan_path() -> Path:
    return app_file("plan.toml", "a plan file", "stridebeat plan init")


def load_plan(path: Path) -> Plan:
    """Read a plan file; FileInputError with file:line for anything wrong."""
    return parse_plan(read_text(path, "plan file"), str(path))


def save_plan(plan: Plan, path: Path) -> None:
    """Write the plan file so that it appears whole or not at all."""
    from stridebeat.errors import OutputError
    from stridebeat.files import write_text_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {path.parent}: {exc.strerror}") from None
    write_text_atomically(path, plan_to_toml(plan))


_HEADER = """\
# stridebeat cadence plan. `stridebeat plan show` shows it; `stridebeat today` plays today's
# session. You may edit it by hand: stridebeat checks it each time it reads it.
#
# Each [[session]]:
#   week, number     sessions are numbered within their week in date order, runs and
#                    strength alike
#   date             the day (YYYY-MM-DD); keep sessions in date order, never two runs a day
#   kind             "run" or "strength"
#   cadence_spm      runs: the cadence of the cadence work ({cadence} steps per minute)
#   minutes          the whole session, warm-up included. Runs: {run} (the cadence work
#                    takes what the warm-up, easy start, check and cool-down leave).
#                    Strength: {strength} minutes for 2 or 3 sets of each exercise
#   metronome        runs: during the cadence work, "on", "off", or ON/OFF such as "3m/1m"
#   retention_check  runs: true ends the cadence work with 2 minutes without the metronome,
#                    then counting your steps for 30 seconds
#   stance_check     runs: true starts with the single-leg stance check, 30 s each leg
#                    (`stridebeat check --stance` records it); left out: each week's first run
#
# reviewed_weeks lists the weeks stridebeat has looked back on (runs done, retention checks,
# pain); held_weeks the weeks it added to repeat a cadence or step back. Both are optional.
#
# The settings at the top record what was asked for; changing them does not move the
# sessions. For a new plan from new settings, run `stridebeat plan init --force`.
"""

_TOP_KEYS = (
    "baseline_spm", "target_spm", "target_percent", "weeks", "run_days", "strength_days",
    "start", "music", "week_cadences", "reviewed_weeks", "held_weeks", "session",
)  # fmt: skip
_SESSION_KEYS = (
    "week", "number", "date", "kind", "cadence_spm", "minutes", "metronome", "retention_check",
    "stance_check",
)  # fmt: skip


def plan_to_toml(plan: Plan) -> str:
    """The plan file: settings, week cadences and one [[session]] per session, commented."""
    s = plan.settings
    strength = " or ".join(f"{strength_minutes(n):.2f}" for n in SET_CHOICES)
    run = "{:g}-{:g}".format(*RUN_MINUTES)
    lines = [_HEADER.format(cadence=CLICK_SPM, run=run, strength=strength)]
    if plan.notes:
        lines.append("# Notes:")
        for note in plan.notes:
            lines += textwrap.wrap(note, 90, initial_indent="#   ", subsequent_indent="#     ")
        lines.append("")
    lines.append(f"baseline_spm = {float(s.baseline_spm)!r}")
    if s.target_spm is not None:
        lines.append(f"target_spm = {s.target_spm}")
    if s.target_percent is not None:
        lines.append(f"target_percent = {float(s.target_percent)!r}")
    if s.weeks is not None:
        lines.append(f"weeks = {s.weeks}")
    lines += [
        f"run_days = {s.run_days}",
        f"strength_days = {s.strength_days}",
        f"start = {s.start.isoformat()}",
        *([f"music = {toml_string(s.music)}"] if s.music is not None else []),
        "",
        f"# Target {plan.target_spm} spm. Each week's cadence, for the chart (runs play their "
        "own cadence_spm):",
        f"week_cadences = [{', '.join(map(str, plan.week_cadences))}]",
    ]
    for key, weeks in (("reviewed_weeks", plan.reviewed_weeks), ("held_weeks", plan.held_weeks)):
        if weeks:
            lines.append(f"{key} = [{', '.join(map(str, weeks))}]")
    week = 0
    for planned in plan.sessions:
        if planned.week != week:
            week = planned.week
            cadence = plan.week_cadences[week - 1] if week <= len(plan.week_cadences) else None
            held = " (held)" if week in plan.held_weeks else ""
            spm = f": {cadence} spm{held}" if cadence else held
            lines += ["", f"# --- week {week}{spm} ---"]
        lines += ["", *_session_lines(planned)]
    return "\n".join(lines) + "\n"


def _session_lines(planned: PlannedSession) -> list[str]:
    lines = [
        "[[session]]",
        f"week = {planned.week}",
        f"number = {planned.number}",
        f"date = {planned.date.isoformat()}  # {planned.date.strftime('%A')}",
        f'kind = "{planned.kind}"',
    ]
    if planned.kind == "run":
        lines.append(f"cadence_spm = {planned.cadence_spm}")
    lines.append(f"minutes = {planned.minutes:.2f}")
    if planned.kind == "run" and planned.metronome is not None:
        lines.append(f'metronome = "{metronome_text(planned.metronome)}"')
        lines.append(f"retention_check = {'true' if planned.retention_check else 'false'}")
        lines.append(f"stance_check = {'true' if planned.stance_check else 'false'}")
    return lines


def parse_plan(text: str, source: str) -> Plan:
    """Read a plan file, checking every hand edit; errors are FileInputError at file:line."""
    data = parse_toml(text, source)
    lines = KeyLines(text, "session")
    top = Table(data, source, lines, None, "")
    top.check_keys(_TOP_KEYS)
    settings = _read_settings(top)
    try:
        target, _, notes = check_settings(settings)
    except SettingError as exc:
        raise top.fail(exc.key, f"{exc.key}: {exc}") from None
    cadences = _required(top, "week_cadences", _cadences, "write week_cadences = [165, 170]")
    raw = data.get("session")
    if not isinstance(raw, list) or not raw:
        raise FileInputError(source, None, "the plan has no [[session]] tables: add at least one")
    entries = [
        _read_session(Table(entry, source, lines, i, f"session {i + 1}"), len(cadences))
        for i, entry in enumerate(raw)
    ]
    _check_order(entries)
    specs = [e.spec for e in entries]
    if not any("stance_check" in e.table.data for e in entries):  # written before it was planned
        specs = add_weekly_stance_checks(specs)
    sessions = tuple(planned_session(settings.baseline_spm, spec) for spec in specs)
    reviewed = _weeks(top, "reviewed_weeks", len(cadences))
    held = _weeks(top, "held_weeks", len(cadences))
    return number_runs(Plan(settings, target, cadences, sessions, tuple(notes), reviewed, held))


def _weeks(top: Table, key: str, weeks: int) -> tuple[int, ...]:
    """An optional list of distinct week numbers of the plan, in order."""
    found: tuple[int, ...] = top.get(key, _week_list, f"write {key} = [1, 2]", ())
    for week in found:
        if not 1 <= week <= weeks:
            raise top.fail(
                key,
                f"{key} names week {week}, but the plan has weeks 1-{weeks}: delete it",
            )
    return found


def _week_list(raw: Any) -> tuple[int, ...]:
    if not isinstance(raw, list):
        raise TypeError
    weeks = tuple(_whole(item) for item in raw)
    if list(weeks) != sorted(set(weeks)):
        raise ValueError("list each week once, in increasing order, e.g. [1, 2, 3]")
    return weeks


def _required(table: Table, key: str, parse: Callable[[Any], Any], hint: str) -> Any:
    if key not in table.data:
        raise table.fail(None, f"missing {key}: add a line such as {hint.removeprefix('write ')}")
    return table.get(key, parse, hint)


def _read_settings(top: Table) -> PlanSettings:
    return PlanSettings(
        baseline_spm=_required(top, "baseline_spm", _number, "write baseline_spm = 162"),
        target_spm=top.get("target_spm", _whole, "write target_spm = 174"),
        target_percent=top.get("target_percent", _number, "write target_percent = 7.5"),
        weeks=top.get("weeks", _whole, "write weeks = 5"),
        run_days=top.get("run_days", _whole, "write run_days = 3", DEFAULT_RUN_DAYS),
        strength_days=top.get(
            "strength_days", _whole, "write strength_days = 2", DEFAULT_STRENGTH_DAYS
        ),
        start=_required(top, "start", _date, "write start = 2026-12-07"),
        music=top.text("music") or None,
    )


@dataclass(frozen=True)
class _Entry:
    """One [[session]] as read, and where it is."""

    table: Table
    spec: SessionSpec


def _read_session(table: Table, weeks: int) -> _Entry:
    if not isinstance(table.data, dict):
        raise table.fail(None, "write each session as a [[session]] table")
    table.check_keys(_SESSION_KEYS)
    week = _required(table, "week", _whole, "write week = 1")
    if not 1 <= week <= weeks:
        raise table.fail(
            "week",
            f"week = {week}, but the plan has weeks 1-{weeks} (one per week_cadences entry): "
            f"write a week from 1 to {weeks}, or add its cadence to week_cadences",
        )
    number = _required(table, "number", _whole, "write number = 1")
    date = _required(table, "date", _date, "write date = 2026-12-07")
    kind = _required(table, "kind", _kind, 'write kind = "run"')
    minutes = _required(table, "minutes", _number, "write minutes = 35")
    check = table.get("retention_check", _bool, "write retention_check = true", False)
    stance = table.get("stance_check", _bool, "write stance_check = true", None)
    if kind == "strength":
        _refuse_run_keys(table, check, stance)
        length = _strength_length(table, minutes)
        return _Entry(table, SessionSpec(week, number, date, kind, None, length))
    cadence = _required(table, "cadence_spm", _cadence, "write cadence_spm = 170")
    metronome = _required(table, "metronome", parse_metronome, 'write metronome = "on"')
    low, high = RUN_MINUTES
    if not low <= minutes <= high:
        raise table.fail(
            "minutes",
            f"minutes = {minutes:g}: a run lasts {low:g} to {high:g} minutes with its warm-up; "
            "write minutes in that range",
        )
    spec = SessionSpec(week, number, date, kind, cadence, minutes, metronome, check, stance)
    return _Entry(table, spec)


def _refuse_run_keys(table: Table, check: bool, stance: bool | None) -> None:
    for key in ("cadence_spm", "metronome"):
        if key in table.data:
            raise table.fail(
                key,
                f"a strength session has no {key} (its clicks keep the rep tempo): delete "
                'this line, or make it a run with kind = "run"',
            )
    if check:
        raise table.fail("retention_check", "only runs end with a retention check: write false")
    if stance:
        raise table.fail("stance_check", "the stance check goes before a run: write false")


def _strength_length(table: Table, minutes: float) -> float:
    length = strength_length(minutes)
    if length is not None:
        return length
    lengths = {n: strength_minutes(n) for n in SET_CHOICES}
    choices = " or ".join(f"{length:.2f} minutes ({n} sets)" for n, length in lengths.items())
    raise table.fail(
        "minutes", f"minutes = {minutes:g}: a strength session lasts {choices}; write one of those"
    )


def _check_order(entries: list[_Entry]) -> None:
    """Dates and weeks in order, no two runs a day, numbers 1, 2, 3... within each week."""
    runs_on: dict[datetime.date, _Entry] = {}
    for previous, entry in zip([None, *entries], entries, strict=False):
        spec = entry.spec
        if previous is not None:
            _check_follows(previous, entry)
        if spec.kind == "run" and spec.date in runs_on:
            raise entry.table.fail(
                "date",
                f"two runs on {spec.date} (this one and {runs_on[spec.date].table.where()}): "
                "move one of them to another day",
            )
        if spec.kind == "run":
            runs_on[spec.date] = entry
        same_week = previous is not None and previous.spec.week == spec.week
        expected = previous.spec.number + 1 if previous is not None and same_week else 1
        if spec.number != expected:
            raise entry.table.fail(
                "number",
                f"number = {spec.number}, but this is session {expected} of week {spec.week} "
                f"in date order: write number = {expected}",
            )


def _check_follows(previous: _Entry, entry: _Entry) -> None:
    before, spec = previous.spec, entry.spec
    if spec.date < before.date:
        raise entry.table.fail(
            "date",
            f"date = {spec.date}, before the previous session's {before.date} "
            f"({previous.table.where('date')}): keep sessions in date order (move this "
            "[[session]] up, or change its date)",
        )
    if spec.week < before.week:
        raise entry.table.fail(
            "week",
            f"week = {spec.week} comes after a session of week {before.week} "
            f"({previous.table.where('week')}): keep sessions in week order",
        )


# --- value parsers for the plan file (TypeError -> the key's hint, ValueError -> its message) ---


def _whole(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise TypeError
    return raw


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise TypeError
    if not math.isfinite(raw):
        raise ValueError(f"{raw} is not a number stridebeat can use")
    return float(raw)


def _bool(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise TypeError
    return raw


def _date(raw: Any) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        raise ValueError(f"{raw} has a time of day: give the date alone, e.g. 2026-12-07")
    if isinstance(raw, datetime.date):
        return file_date(raw)
    if not isinstance(raw, str):
        raise TypeError
    return file_date(parse_date(raw))


def _kind(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError
    if raw not in KINDS:
        close = difflib.get_close_matches(raw, KINDS, n=1)
        hint = f"did you mean {close[0]!r}?" if close else 'write "run" or "strength"'
        raise ValueError(f"unknown kind {raw!r}; {hint}")
    return raw


def _cadence(raw: Any) -> int:
    _number(raw)
    spm = parse_spm(raw)
    if spm != int(spm):
        raise ValueError(f"{raw} is not a whole number: write steps per minute such as 170")
    return int(spm)


def _cadences(raw: Any) -> tuple[int, ...]:
    if not isinstance(raw, list) or not raw:
        raise TypeError
    return tuple(_cadence(item) for item in raw)
