"""The plan listens: it looks back on each week that is over and holds the climb when needed.

Pure: ``review`` takes the plan, what the history holds and today's date, and gives the plan
to follow from now on with what to tell the runner. The rules (issue 6, item 5), and where
the issue left a choice, the choice made:

- **Weeks.** A week runs from its first session's day to the day before the next week's
  first session (the last week: seven days, or to its last session). Its verdict is settled
  on the first day of the next week, from what was done by its last day, and never changes
  after: records dated later do not count for it, and each week is looked back on once, in
  order (the plan file records it in ``reviewed_weeks``). So a runner told on Monday to step
  up is never told on Tuesday to hold.
- **Missed.** A planned session counts as done when the history has a session of its week
  and number that finished (or was marked done), on a day from a week before its date to two
  days after, but never after its week's last day. One not done by then is *missed*.
- **Hold.** Fewer than two-thirds of a week's runs done, or a retention check in its days more
  than 3% below its cadence: a *hold week* is inserted after it, the same sessions at the
  same cadence, and everything after moves a week later (and a week number up).
- **Pain** of 4/10 or more reported in a week's days: a week one cadence step lower is
  inserted after it, then a week back at its cadence (so the climb never rises more than a
  step a week), and the runner is told to see a physiotherapist if the pain persists.
- Inserted weeks are listed in the plan's ``held_weeks``. Days keep their weekday pattern, so
  never two runs fall on one day.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from stridebeat.training.plan import Plan, PlannedSession, SessionSpec, planned_session

if TYPE_CHECKING:
    from stridebeat.runner.records import PainRecord, RetentionRecord, SessionRecord

GRACE_DAYS = 2  # a session may be done up to two days after its date
EARLY_DAYS = 7  # ... or up to a week before it
DONE_SHARE = (2, 3)  # at least two-thirds of a week's runs
RETENTION_DROP = 0.03  # a retention check more than 3% below the week's cadence
PAIN_LEVEL = 4  # out of 10
MAX_INSERTS = 60  # a plan left for over a year stops moving (no endless loop)


@dataclass(frozen=True)
class Review:
    plan: Plan  # the plan to follow from now on (the same object if nothing applies)
    missed: tuple[tuple[int, int], ...]  # (week, number) of sessions missed, in that plan
    held_weeks: tuple[int, ...]  # reviewed weeks (numbered as reviewed) a hold followed
    messages: tuple[str, ...]  # for the runner, plainly


def review(
    plan: Plan,
    sessions: Sequence[SessionRecord],
    retention_checks: Sequence[RetentionRecord],
    pain_reports: Sequence[PainRecord],
    today: datetime.date,
) -> Review:
    """Look back on each week of ``plan`` that is over and not yet reviewed (see the module)."""
    done = [r for r in sessions if counts_as_done(r)]
    held: list[int] = []
    messages: list[str] = []
    inserts = 0
    while True:
        week = _next_over_week(plan, today)
        if week is None:
            break
        cadences, message = _verdict(plan, week, done, retention_checks, pain_reports)
        if cadences and inserts < MAX_INSERTS:
            plan = _insert_weeks(plan, week, cadences)
            inserts += len(cadences)
            held.append(week)
            messages.append(message)
        reviewed = tuple(sorted({*plan.reviewed_weeks, week}))
        plan = replace(plan, reviewed_weeks=reviewed)
    bounds = week_bounds(plan)
    missed = tuple(
        (s.week, s.number)
        for s in plan.sessions
        if last_day(s, bounds) < today and not is_done(s, done, bounds)
    )
    return Review(plan, missed, tuple(held), tuple(messages))


def counts_as_done(record: SessionRecord) -> bool:
    """A session in the history counts toward the plan when it finished or was marked done."""
    return record.finished or record.source == "done"


Bounds = dict[int, tuple[datetime.date, datetime.date]]


def week_bounds(plan: Plan) -> Bounds:
    """Each week's first and last day: from its first session's day to the day before the
    next week's first session (the last week: seven days, or to its last session)."""
    weeks = list(_weeks(plan).items())
    bounds: Bounds = {}
    for i, (week, planned) in enumerate(weeks):
        first = planned[0].date
        if i + 1 < len(weeks):
            end = weeks[i + 1][1][0].date - datetime.timedelta(1)
        else:
            end = first + datetime.timedelta(6)
        bounds[week] = (first, max(end, planned[-1].date))
    return bounds


def week_of(plan: Plan, day: datetime.date) -> int:
    """The week ``day`` falls in: before the plan its first week, after it its last."""
    bounds = week_bounds(plan)
    for week, (_, end) in bounds.items():
        if day <= end:
            return week
    return max(bounds)


def last_day(planned: PlannedSession, bounds: Bounds) -> datetime.date:
    """The last day ``planned`` may be done: two days after its date, within its week."""
    return min(planned.date + datetime.timedelta(GRACE_DAYS), bounds[planned.week][1])


def first_day(planned: PlannedSession) -> datetime.date:
    """The first day ``planned`` may be done: a week before its date."""
    return planned.date - datetime.timedelta(EARLY_DAYS)


def is_done(planned: PlannedSession, done: Sequence[SessionRecord], bounds: Bounds) -> bool:
    """Whether ``done`` (records that count) has ``planned``'s week and number in its window
    (``bounds``: the plan's ``week_bounds``)."""
    return done_record(planned, done, bounds) is not None


def _weeks(plan: Plan) -> dict[int, list[PlannedSession]]:
    weeks: dict[int, list[PlannedSession]] = {}
    for planned in plan.sessions:
        weeks.setdefault(planned.week, []).append(planned)
    return dict(sorted(weeks.items()))


def _next_over_week(plan: Plan, today: datetime.date) -> int | None:
    """The first week not yet reviewed, if it is over (today is after its last day)."""
    for week, (_, end) in week_bounds(plan).items():
        if week in plan.reviewed_weeks:
            continue
        return week if end < today else None  # weeks are looked back on in order
    return None


def _verdict(
    plan: Plan,
    week: int,
    done: Sequence[SessionRecord],
    retention_checks: Sequence[RetentionRecord],
    pain_reports: Sequence[PainRecord],
) -> tuple[list[int], str]:
    """The cadences of the weeks to insert after ``week`` (none: carry on), and why."""
    cadence = plan.week_cadences[week - 1]
    bounds = week_bounds(plan)
    first, end = bounds[week]
    nxt = week + 1
    pains = [p for p in pain_reports if p.level >= PAIN_LEVEL and first <= p.day <= end]
    if pains:
        worst = max(pains, key=lambda p: (p.level, p.day))
        back = _step_back(plan, week)
        where = f" ({worst.where})" if worst.where else ""
        said = f"Pain of {worst.level}/10{where} on {worst.day:%a} {worst.day.day} {worst.day:%b}"
        if back == cadence:
            return [cadence], (
                f"{said}: week {nxt} repeats {cadence} spm and the plan moves a week later. "
                "Run easy, and see a physiotherapist if the pain persists."
            )
        return [back, cadence], (
            f"{said}: week {nxt} steps back to {back} spm, week {nxt + 1} returns to "
            f"{cadence} spm, and the rest of the plan moves two weeks later. Run easy, and "
            "see a physiotherapist if the pain persists."
        )
    runs = [s for s in _weeks(plan)[week] if s.kind == "run"]
    runs_done = sum(is_done(s, done, bounds) for s in runs)
    share, of = DONE_SHARE
    if runs and runs_done * of < share * len(runs):
        return [cadence], (
            f"Week {week}: {runs_done} of {len(runs)} runs done, so week {nxt} repeats "
            f"{cadence} spm and the plan moves a week later."
        )
    low = [r for r in retention_checks if first <= r.day <= end]
    low = [r for r in low if r.cadence_spm < cadence * (1 - RETENTION_DROP)]
    if low:
        spm = min(r.cadence_spm for r in low)
        return [cadence], (
            f"Week {week}: your retention check found {spm:.0f} spm, more than 3% below "
            f"{cadence} spm, so week {nxt} repeats {cadence} spm and the plan moves a week later."
        )
    return [], ""


def _step_back(plan: Plan, week: int) -> int:
    """The cadence one step below ``week``'s: the last lower week's, else the baseline."""
    cadence = plan.week_cadences[week - 1]
    lower = [c for c in plan.week_cadences[: week - 1] if c < cadence]
    if lower:
        return lower[-1]
    baseline = round(plan.settings.baseline_spm)
    return baseline if baseline < cadence else cadence


def _spec(planned: PlannedSession, week: int, date: datetime.date) -> SessionSpec:
    cadence = planned.cadence_spm
    return SessionSpec(
        week,
        planned.number,
        date,
        planned.kind,
        cadence,
        planned.minutes,
        planned.metronome,
        planned.retention_check,
    )


def _insert_weeks(plan: Plan, week: int, cadences: list[int]) -> Plan:
    """``plan`` with weeks at ``cadences`` after ``week`` (its sessions again, a week on for
    each), and every later week moved as many weeks later and numbered up."""
    days = datetime.timedelta
    pattern = _weeks(plan)[week]
    span = max(7, (pattern[-1].date - pattern[0].date).days + 1)
    baseline = plan.settings.baseline_spm
    before = [s for s in plan.sessions if s.week <= week]
    added: list[PlannedSession] = []
    for k, cadence in enumerate(cadences, start=1):
        for planned in pattern:
            spec = _spec(planned, week + k, planned.date + days(span * k))
            if planned.kind == "run":
                spec = replace(spec, cadence_spm=cadence)
            added.append(planned_session(baseline, spec))
    rest = [s for s in plan.sessions if s.week > week]
    shift = len(cadences) * 7
    if rest and added and rest[0].date + days(shift) <= added[-1].date:
        shift = (added[-1].date - rest[0].date).days + 1
    n = len(cadences)
    moved = [planned_session(baseline, _spec(s, s.week + n, s.date + days(shift))) for s in rest]
    week_cadences = (
        *plan.week_cadences[:week],
        *cadences,
        *plan.week_cadences[week:],
    )
    reviewed = tuple(w if w <= week else w + n for w in plan.reviewed_weeks)
    held = tuple(
        sorted(
            {*(w if w <= week else w + n for w in plan.held_weeks)}
            | set(range(week + 1, week + n + 1))
        )
    )
    return replace(
        plan,
        week_cadences=week_cadences,
        sessions=(*before, *added, *moved),
        reviewed_weeks=reviewed,
        held_weeks=held,
    )


# --- what the runner records ---------------------------------------------------------------------


def done_record(
    planned: PlannedSession, done: Sequence[SessionRecord], bounds: Bounds
) -> SessionRecord | None:
    """The first record in ``done`` that makes ``planned`` done (see ``is_done``), if any."""
    earliest, latest = first_day(planned), last_day(planned, bounds)
    return next(
        (
            r
            for r in done
            if r.week == planned.week and r.number == planned.number and earliest <= r.day <= latest
        ),
        None,
    )


def cannot_mark_done(
    plan: Plan, planned: PlannedSession, day: datetime.date, today: datetime.date, dated: bool
) -> str | None:
    """Why ``planned`` cannot be recorded as done on ``day`` (``dated``: the runner said the
    day), or None when it can. Checked before anything is written."""
    bounds = week_bounds(plan)
    end = bounds[planned.week][1]
    title = f"week {planned.week}, session {planned.number}"
    if day > today:
        return f"{_day(day)} is after today: give the day you ran it"
    if end < today:
        return (
            f"week {planned.week} ended on {_day(end)} and its verdict is settled: a session "
            "counts for the plan only when recorded by its week's last day"
        )
    if planned.date > today and not dated:
        return (
            f"{title} is planned for {_day(planned.date)}, after today: if you ran it already, "
            f"say when, e.g. --on {today.isoformat()}"
        )
    earliest, latest = first_day(planned), last_day(planned, bounds)
    if not earliest <= day <= latest:
        return (
            f"{title} ({_day(planned.date)}) counts when run from {_day(earliest)} to "
            f"{_day(latest)}, not on {_day(day)}"
        )
    return None


def retention_verdict(spm: float, cadence: int, week: int) -> str:
    """How a retention check of ``spm`` compares with ``week``'s cadence, in a sentence."""
    gap = round(spm - cadence)
    aim = f"this week's target of {cadence} spm (week {week})"
    if gap == 0:
        return f"On {aim}: the rhythm is yours."
    if gap > 0:
        return f"{gap} spm above {aim}: fine, no need to push higher."
    if spm >= cadence * (1 - RETENTION_DROP):
        return f"{-gap} spm below {aim}, within 3%: that holds."
    return (
        f"{-gap} spm below {aim}, more than 3%: at the week's end the plan repeats "
        f"{cadence} spm for a week, so the new rhythm can settle."
    )


def _day(day: datetime.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
