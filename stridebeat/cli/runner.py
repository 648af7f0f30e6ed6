"""Commands about the runner: ``baseline``, ``check``, ``done`` and ``log``."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from stridebeat.cli.options import converter
from stridebeat.cli.plan import dated_title, load_plan, local_today
from stridebeat.errors import InputError
from stridebeat.units import RUNNING_SPM, parse_date

TAP_SECONDS = 30.0


@click.command()
@click.argument("activity", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tap", is_flag=True, help="Tap any key on every step for 30 seconds.")
@click.option(
    "--spm",
    type=click.FloatRange(RUNNING_SPM.low, RUNNING_SPM.high),
    help="A cadence you counted by hand.",
)
@click.option("--save", is_flag=True, help="Keep it as the baseline for 'stridebeat plan init'.")
def baseline(activity: Path | None, tap: bool, spm: float | None, save: bool) -> None:
    """Your cadence now: from a run's FIT/GPX/TCX file, a tap test, or a count.

    \b
    Examples:
      stridebeat baseline morning-run.fit --save
      stridebeat baseline --tap --save        tap on every step for 30 s while running in place
      stridebeat baseline --spm 162 --save    counted 81 steps in 30 s, doubled
    """
    given = [name for name, on in (("a file", activity), ("--tap", tap), ("--spm", spm)) if on]
    if len(given) != 1:
        raise click.UsageError("give one of: an activity file, --tap, or --spm 162")
    if spm is not None:
        cadence, source = spm, "counted by hand"
    elif tap:
        cadence, source = _tap_test(), "tap test"
    else:
        assert activity is not None
        cadence, source = _from_activity(activity), activity.name
    click.echo(f"Baseline: {cadence:.0f} steps per minute ({source}).")
    if save:
        from stridebeat.training.standing import save_baseline

        path = save_baseline(cadence, source, local_today())
        click.echo(f"Saved in {path}: 'stridebeat plan init' will start from it.")


def _from_activity(path: Path) -> float:
    from stridebeat.runner.activity import read_activity

    found = read_activity(path)
    distance = f"{found.distance_m / 1000:.1f} km, " if found.distance_m else ""
    click.echo(
        f"{path.name} ({found.format}): {distance}{found.duration_s / 60:.0f} min; "
        f"{found.usable_share:.0%} of it usable running.\n"
        f"Cadence while running: median {found.median_spm:.0f} spm "
        f"(middle half {found.q1_spm:.0f}-{found.q3_spm:.0f}). {found.unit_note}."
    )
    return found.median_spm


def _tap_test() -> float:
    from stridebeat.controls.keys import KeyReader
    from stridebeat.runner.tap import cadence_from_taps

    if not sys.stdin.isatty():
        raise InputError("the tap test needs a terminal to read key presses: run it in one")
    taps: list[float] = []
    click.echo("Tap any key on every step (both feet). It starts at your first tap; 30 s.")
    with KeyReader(lambda key: taps.append(time.monotonic())):
        while not taps:
            time.sleep(0.05)
        while time.monotonic() - taps[0] < TAP_SECONDS:
            left = TAP_SECONDS - (time.monotonic() - taps[0])
            click.echo(f"\r{len(taps):>3} taps, {left:4.0f} s left ", nl=False)
            time.sleep(0.1)
    click.echo("")
    result = cadence_from_taps(taps)
    if result.missed or result.doubled:
        click.echo(f"(counted {result.missed} missed and ignored {result.doubled} doubled taps)")
    return result.cadence_spm


@click.command()
@click.argument("week", required=False, type=int)  # find_session says what the plan has
@click.argument("number", required=False, type=int)
@click.option("--on", "day", callback=converter(parse_date), metavar="DATE",
              help="The day you ran it, e.g. 2026-12-01 (default today).")  # fmt: skip
def done(week: int | None, number: int | None, day: dt.date | None) -> None:
    """Mark a plan session done that you ran from a phone file (default: today's).

    Marking a session again adds nothing. A session planned for a later day needs --on,
    the day you ran it; a week that has ended is settled and takes no more.

    \b
    Examples:
      stridebeat done                         today's session
      stridebeat done 2 1                     week 2's first session, run today
      stridebeat done 2 3 --on 2026-12-09     run on that day
    """
    from stridebeat.runner.history import History
    from stridebeat.training.plan import find_session, session_on
    from stridebeat.training.review import cannot_mark_done
    from stridebeat.training.standing import recorded_done

    if (week is None) != (number is None):
        raise click.UsageError("give both WEEK and NUMBER, e.g. 'stridebeat done 2 1'")
    made = load_plan()
    today = local_today()
    if day is not None and day > today:
        raise click.BadParameter(
            f"{day.isoformat()} is after today ({today.isoformat()}): give the day you ran it",
            param_hint="--on",
        )
    ran = day or today
    if week is not None and number is not None:
        planned = find_session(made, week, number)
    else:
        found = session_on(made, ran)
        if found is None:
            when = "today" if day is None else f"on {ran.isoformat()}"
            raise InputError(f"no session is planned {when}: say which, e.g. 'stridebeat done 2 1'")
        planned = found
    already = recorded_done(made, planned)
    if already is not None:
        click.echo(
            f"Already recorded: {dated_title(planned)}, done {already.day:%a} "
            f"{already.day.day} {already.day:%b}. Nothing added."
        )
        return
    problem = cannot_mark_done(made, planned, ran, today, dated=day is not None)
    if problem is not None:
        raise InputError(problem)
    with History() as history:
        history.mark_done(planned.week, planned.number, ran, planned.minutes, planned.cadence_spm)
    click.echo(f"Marked done: {dated_title(planned)}.")


STANCE_EXAMPLE = "--stance left=steady right=drop"


def _stance(words: list[str]) -> tuple[str, str]:
    """``left=steady right=drop`` (also with a comma) to the two results, checked."""
    from stridebeat.runner.records import STANCES

    text = " ".join(words)
    sides: dict[str, str] = {}
    for part in text.replace(",", " ").split():
        leg, sep, value = part.partition("=")
        leg = leg.strip().lower()
        if not sep or leg not in ("left", "right"):
            raise ValueError(f"{part!r} is not LEG=RESULT: write it as {STANCE_EXAMPLE}")
        if value.strip().lower() not in STANCES:
            raise ValueError(
                f"{part!r}: {value!r} is not a result; give steady, wobble or drop (the hip "
                f"drops) for each leg, e.g. {STANCE_EXAMPLE}"
            )
        sides[leg] = value.strip().lower()
    if set(sides) != {"left", "right"}:
        raise ValueError(f"{text!r}: give both legs, e.g. {STANCE_EXAMPLE}")
    return sides["left"], sides["right"]


def _spm(words: list[str]) -> float | None:
    """The one cadence among CHECK's words (those without '=': the rest belong to --stance)."""
    if len(words) > 1:
        raise click.BadParameter(f"one cadence at a time, not {' '.join(words)}", param_hint="SPM")
    if not words:
        return None
    try:
        spm = float(words[0])
    except ValueError:
        raise click.BadParameter(
            f"{words[0]!r} is not a cadence: give steps per minute, e.g. 'stridebeat check 172'",
            param_hint="SPM",
        ) from None
    if not RUNNING_SPM.low <= spm <= RUNNING_SPM.high:
        raise click.BadParameter(
            f"{spm:g} spm is outside {RUNNING_SPM} spm: count your steps for 30 s and double it",
            param_hint="SPM",
        )
    return spm


@click.command()
@click.argument("words", metavar="[SPM]", nargs=-1)
@click.option("--count", type=click.IntRange(40, 130), help="Steps counted in 30 s instead.")
@click.option("--stance", metavar="left=.. right=..",
              help="Single-leg stance check: steady, wobble or drop for each leg.")  # fmt: skip
@click.option("--pain", type=click.IntRange(0, 10), help="Discomfort from 0 (none) to 10.")
@click.option("--where", help="Where it hurts, with --pain (e.g. knee).")
def check(
    words: tuple[str, ...],
    count: int | None,
    stance: str | None,
    pain: int | None,
    where: str | None,
) -> None:
    """Record a check: retention cadence, single-leg stance, or pain.

    A retention check is compared with this week's cadence in your plan.

    \b
    Examples:
      stridebeat check 172                          cadence held without the metronome
      stridebeat check --count 86                   steps counted in 30 s (x2 = 172 spm)
      stridebeat check --stance left=steady right=drop
      stridebeat check --pain 3 --where knee
    """
    from stridebeat.runner.history import History

    legs = [w for w in words if "=" in w]
    if legs and stance is None:
        raise click.BadParameter(
            f"{' '.join(legs)} is a stance result: write {STANCE_EXAMPLE}", param_hint="--stance"
        )
    spm = _spm([w for w in words if "=" not in w])
    sides = None
    if stance is not None:
        try:
            sides = _stance([stance, *legs])
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--stance") from None
    if spm is None and count is None and stance is None and pain is None:
        raise click.UsageError("say what to record: SPM, --count, --stance or --pain")
    if spm is not None and count is not None:
        raise click.UsageError("give the cadence or the count, not both")
    if where is not None and pain is None:
        raise click.UsageError("--where goes with --pain")
    today = local_today()
    with History() as history:
        if spm is not None or count is not None:
            cadence = spm if spm is not None else 2.0 * (count or 0)
            history.record_retention(today, cadence, count)
            click.echo(f"Retention check: {cadence:.0f} spm.")
            compared = _compared(cadence, today)
            if compared:
                click.echo(compared)
        if sides is not None:
            left, right = sides
            history.record_stance(today, left, right)
            click.echo(f"Stance check: left {left}, right {right}.")
            if "drop" in sides:
                from stridebeat.training.stance import ADVICE

                click.echo(ADVICE)
        if pain is not None:
            history.record_pain(today, pain, where)
            click.echo(f"Pain {pain}/10" + (f" ({where})" if where else "") + " noted.")
            if pain >= 4:
                click.echo(
                    "That is a lot: ease off and keep the cadence where it is. If it persists, "
                    "see a physiotherapist or a running coach."
                )


def _compared(cadence: float, today: dt.date) -> str | None:
    """How ``cadence`` compares with this week's cadence of the plan (None without a plan)."""
    from stridebeat.training.planfile import plan_path
    from stridebeat.training.review import retention_verdict, week_of

    if not plan_path().is_file():
        return None
    made = load_plan()
    week = week_of(made, today)
    return retention_verdict(cadence, made.week_cadences[week - 1], week)


@click.command("log")
@click.option("--json", "as_json", is_flag=True, help="Everything, for programs.")
def log_command(as_json: bool) -> None:
    """Recent sessions, your streak, and your cadence over time."""
    import json

    from stridebeat.runner.history import History
    from stridebeat.runner.records import streak, to_json
    from stridebeat.training.standing import adherence, current_plan

    today = local_today()
    with History() as history:
        sessions = history.sessions()
        checks = history.retention_checks()
        baselines = history.baselines()
        stances = history.stance_checks()
        pains = history.pain_reports()
    weeks = streak((s.day for s in sessions if s.finished), today, per_week=2)
    made = current_plan()
    weekly = adherence(made, sessions, today) if made is not None else []
    if as_json:
        click.echo(json.dumps({
            "streak_weeks": weeks,
            "adherence": [{"week": a.week, "done": a.done, "planned": a.planned} for a in weekly],
            "sessions": [to_json(r) for r in sessions],
            "retention_checks": [to_json(r) for r in checks],
            "baselines": [to_json(r) for r in baselines],
            "stance_checks": [to_json(r) for r in stances],
            "pain_reports": [to_json(r) for r in pains],
        }, indent=1))  # fmt: skip
        return
    click.echo(f"Streak: {weeks} week(s) in a row with at least two finished runs.")
    if weekly:
        click.echo("Adherence: " + ", ".join(f"week {a.week} {a.done}/{a.planned}" for a in weekly))
    click.echo("\nRecent sessions")
    for record in sessions[-10:]:
        slot = f"week {record.week} session {record.number}" if record.week else record.source
        state = "finished" if record.finished else "stopped early"
        cadence = f"{record.cadence_spm:.0f} spm" if record.cadence_spm else "-"
        click.echo(
            f"  {record.day}  {slot:<20} {record.completed_minutes:5.1f} of "
            f"{record.planned_minutes:5.1f} min  {cadence:>8}  {state}"
        )
    points = [(b.day, b.cadence_spm, "baseline") for b in baselines]
    points += [(c.day, c.cadence_spm, "retention") for c in checks]
    if points:
        click.echo("\nCadence over time")
        low = min(p[1] for p in points) - 3
        for day, value, kind in sorted(points):
            bar = "█" * max(1, round((value - low) * 2))
            click.echo(f"  {day}  {value:5.0f} {bar} {kind}")
    for stance_record in stances[-5:]:
        click.echo(
            f"Stance {stance_record.day}: left {stance_record.left}, right {stance_record.right}"
        )
    for pain_record in pains[-5:]:
        where = f" ({pain_record.where})" if pain_record.where else ""
        click.echo(f"Pain {pain_record.day}: {pain_record.level}/10{where}")
