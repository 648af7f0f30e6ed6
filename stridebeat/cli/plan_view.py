"""How ``plan show`` presents the plan: one record per session, a chart of cadence by week."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stridebeat.training.plan import Plan, PlannedSession


def session_record(session: PlannedSession, missed: bool, held: bool) -> dict[str, object]:
    """One session of ``plan show --json``."""
    return {
        "week": session.week,
        "session": session.number,
        "date": session.date.isoformat(),
        "kind": session.kind,
        "cadence_spm": session.cadence_spm,
        "minutes": round(session.minutes, 1),
        "metronome_share": round(session.metronome_share, 3),
        "retention_check": session.retention_check,
        "stance_check": session.stance_check,
        "hip_drop": session.hip_drop,
        "missed": missed,
        "held": held,
    }


def cadence_chart(made: Plan, width: int = 40) -> str:
    """Cadence by week as horizontal bars, from just under the first week's cadence."""
    low = min(made.week_cadences) - 2
    high = max(made.week_cadences)
    lines = ["Cadence by week"]
    for week, spm in enumerate(made.week_cadences, start=1):
        bar = "█" * max(1, round((spm - low) / max(high - low, 1) * width))
        held = " held" if week in made.held_weeks else ""
        lines.append(f" w{week:<2} {spm:>3} {bar}{held}")
    return "\n".join(lines)
