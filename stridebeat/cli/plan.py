"""The plan's commands: ``plan init|show|explain|export``, ``today`` and ``session WEEK N``."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stridebeat.cli.files import files_to_keep, render_request, request_inputs
from stridebeat.cli.live import play_live
from stridebeat.cli.live_options import Live, live_options
from stridebeat.cli.music import music_options, plan_music_option, remembered_music
from stridebeat.cli.options import FILE_RATE, Sound, converter, sound_options
from stridebeat.cli.terminal import progress, terminate_as_exit
from stridebeat.cli.watch import fit_option, run_today, watch_files, watch_option, write_fit
from stridebeat.errors import InputError
from stridebeat.music.settings import MusicSettings
from stridebeat.training.explain import session_record
from stridebeat.training.progression import (
    DEFAULT_RUN_DAYS,
    DEFAULT_STRENGTH_DAYS,
    MAX_WEEKS,
    RUN_DAYS_RANGE,
    STRENGTH_DAYS_RANGE,
    PlanSettings,
    holding,
)
from stridebeat.units import PLAN_BASELINE_SPM, plural

if TYPE_CHECKING:
    from stridebeat.training.plan import Plan, PlannedSession
    from stridebeat.training.review import Review


def _target(text: str) -> tuple[int | None, float | None]:
    """``174`` (spm) or ``+7.5%`` (a rise over the baseline)."""
    percent = re.fullmatch(r"\+?\s*(\d+(?:\.\d+)?)\s*%", text.strip())
    if percent:
        return None, float(percent.group(1))
    if re.fullmatch(r"\d+", text.strip()):
        return int(text), None
    raise ValueError(f"{text!r} is not a target: give a cadence (174) or a rise (+7.5%)")


def _system_today() -> dt.date:
    return dt.date.today()


# The one place the plan's and the runner's commands read the calendar (tests set it here).
today_source: Callable[[], dt.date] = _system_today


def local_today() -> dt.date:
    """Today's date, for the plan and the runner's records."""
    return today_source()


def _plan_start(text: str) -> dt.date:
    from stridebeat.training.dates import plan_start

    return plan_start(text, local_today())


def load_plan() -> Plan:
    """The plan to follow today (after the review of the weeks that are over)."""
    return _reviewed().plan


def _reviewed() -> Review:
    from stridebeat.training.standing import reviewed_plan

    found, changed = reviewed_plan(local_today())
    if changed:
        for message in found.messages:
            click.echo(message, err=True)
    return found


@click.group()
def plan() -> None:
    """A multi-week plan that raises your cadence a little each week."""


# The ranges are the library's, shown here and checked by make_plan, whose messages say why.
@plan.command("init")
@click.option("--baseline", type=float, help=f"Your cadence now, in spm ({PLAN_BASELINE_SPM}).")
@click.option(
    "--target",
    callback=converter(_target),
    metavar="SPM|+PCT",
    help="174, or +7.5% (default, at most 180); your baseline holds it.",
)
@click.option("--weeks", type=int, help=f"Plan length, 1-{MAX_WEEKS} (default: as needed).")
@click.option("--days", type=int, default=DEFAULT_RUN_DAYS, show_default=True,
              help="Run sessions a week, {}-{}.".format(*RUN_DAYS_RANGE))  # fmt: skip
@click.option("--strength-days", type=int, default=DEFAULT_STRENGTH_DAYS, show_default=True,
              help="Strength sessions a week, {}-{}.".format(*STRENGTH_DAYS_RANGE))  # fmt: skip
@click.option(
    "--start",
    callback=converter(_plan_start),
    metavar="DATE",
    help="First day (default today; at most a year before or after it).",
)
@plan_music_option
@click.option("--force", is_flag=True, help="Replace an existing plan.")
def plan_init(
    baseline: float | None,
    target: tuple[int | None, float | None] | None,
    weeks: int | None,
    days: int,
    strength_days: int,
    start: dt.date | None,
    music: Path | None,
    force: bool,
) -> None:
    """Make a plan from your baseline cadence and write it to your stridebeat folder.

    \b
    Examples:
      stridebeat plan init --baseline 162
      stridebeat plan init --baseline 158 --target +10% --days 4 --start 2026-12-01
      stridebeat plan init --baseline 162 --music ~/Music/runs
    """
    from stridebeat.training.plan import make_plan
    from stridebeat.training.planfile import plan_path, save_plan
    from stridebeat.training.standing import saved_baseline

    path = plan_path()
    if path.exists() and not force:
        raise InputError(f"a plan already exists at {path}: add --force to replace it")
    if baseline is None:
        baseline = saved_baseline()
        if baseline is None:
            raise InputError(
                "no baseline: give --baseline 162 (count your steps for 30 s on an easy run and "
                "double it), or save one with 'stridebeat baseline --save'"
            )
        click.echo(f"Using your saved baseline of {baseline:g} spm (from 'stridebeat baseline').")
    target_spm, target_percent = target or (None, None)
    made = make_plan(
        PlanSettings(
            baseline_spm=baseline,
            target_spm=target_spm,
            target_percent=target_percent,
            weeks=weeks,
            run_days=days,
            strength_days=strength_days,
            start=start or local_today(),
            music=remembered_music(music),
        )
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    save_plan(made, path)
    for note in made.notes:
        click.echo(f"Note: {note}")
    first = made.sessions[0]
    cadences = (
        f"holding {made.target_spm} spm"
        if holding(made.settings.baseline_spm, made.target_spm)
        else f"{made.week_cadences[0]} to {made.target_spm} spm"
    )
    click.echo(
        f"Plan written to {path}: {len(made.week_cadences)} weeks, {cadences}, "
        f"{len(made.sessions)} sessions; the first is on {_day(first.date)}. "
        "See 'stridebeat plan show'."
    )


@plan.command("show")
@click.option("--json", "as_json", is_flag=True, help="One record per session, for programs.")
def plan_show(as_json: bool) -> None:
    """The plan as a table, and cadence by week as a chart."""
    found = _reviewed()
    made = found.plan
    missed = set(found.missed)
    if as_json:
        records = [
            session_record(s, (s.week, s.number) in missed, s.week in made.held_weeks)
            for s in made.sessions
        ]
        click.echo(json.dumps(records, indent=1))
        return
    click.echo(f"{'week':>4} {'#':>2}  {'date':<11} {'kind':<9} {'spm':>4} {'min':>4}  metronome")
    for session in made.sessions:
        spm = str(session.cadence_spm) if session.cadence_spm is not None else "-"
        share = "-" if session.kind != "run" else _share(session.metronome_share)
        check = "  + retention check" if session.retention_check else ""
        check = ("  + stance check first" if session.stance_check else "") + check
        check += "  + hip work (stance check: hip drop)" if session.hip_drop else ""
        marks = [
            word
            for word, on in (
                ("held", session.week in made.held_weeks),
                ("missed", (session.week, session.number) in missed),
            )
            if on
        ]
        mark = f"  ({', '.join(marks)})" if marks else ""
        click.echo(
            f"{session.week:>4} {session.number:>2}  {_day(session.date):<11} {session.kind:<9} "
            f"{spm:>4} {session.minutes:>4.0f}  {share}{check}{mark}"
        )
    from stridebeat.training.stance import advice

    tip = advice(made, dt.date.today())
    if tip:
        click.echo(f"\n{tip}")
    click.echo("")
    from stridebeat.training.explain import cadence_chart

    click.echo(cadence_chart(made))


def _share(share: float) -> str:
    return "continuous" if share >= 1 else f"{share:.0%} of the time"


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def dated_title(session: PlannedSession) -> str:
    """``Week 2, session 1: run at 167 spm (Mon 7 Dec)``."""
    return f"{session.session.title} ({_day(session.date)})"


@plan.command("explain")
def plan_explain() -> None:
    """Why the plan's defaults are what they are, with the research behind them."""
    from stridebeat.training.explain import EXPLANATION

    click.echo(EXPLANATION)


@plan.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["mp3", "ogg", "flac", "wav"]), default="mp3",
              show_default=True, help="Audio format (an hour of WAV is 317 MB).")  # fmt: skip
@click.option(
    "--jobs", type=click.IntRange(1, 64), help="Sessions rendered at once (default: all cores)."
)
@watch_option
@sound_options
@music_options
def plan_export(
    folder: Path, fmt: str, jobs: int | None, watch: bool, sound: Sound, music: MusicSettings
) -> None:
    """Render every session of the plan to files for a phone, with lyrics, chapters and a
    playlist (--watch: and a FIT workout of each run for a watch).

    \b
    Examples:
      stridebeat plan export ~/phone-runs --format ogg --music ~/Music/runs

    Running it again only renders what changed, and removes files of sessions the plan no
    longer has.

    \b
    Examples:
      stridebeat plan export ~/Music/stridebeat
      stridebeat plan export ~/Music/stridebeat --format ogg --watch
    """
    from stridebeat.export import ExportOptions, Track, export_tracks
    from stridebeat.files import check_output
    from stridebeat.prepare import Request

    made = load_plan()
    tracks = [
        Track(_stem(s), dated_title(s), index, s.session, s.minutes)
        for index, s in enumerate(made.sessions, start=1)
    ]
    keep = files_to_keep(request_inputs(Request(), sound))
    extra = watch_files([t.stem for t in tracks], made.sessions) if watch else {}
    for name in [*(f"{track.stem}.{fmt}" for track in tracks), *extra]:
        check_output(folder / name, keep, option=None)
    rate, under = sound.sample_rate or FILE_RATE, music.or_from_plan(made.settings.music)
    options = ExportOptions(fmt, sound.click, sound.accent, rate, sound.speech, under)
    total = sum(t.minutes for t in tracks)
    with terminate_as_exit(), progress(round(total * 60), f"Exporting to {folder}") as step:
        report = export_tracks(tracks, folder, options, jobs or os.cpu_count() or 1,
                               lambda m: step(round(m * 60)), extra)  # fmt: skip
    click.echo(
        f"{plural(len(report.written), 'file')} written, {len(report.skipped)} up to date, "
        f"{len(report.removed)} removed; playlist: {folder / 'stridebeat-plan.m3u'}"
        + (f"; {len(extra)} watch workouts (.fit): copy them to GARMIN/NewFiles" if watch else "")
    )


def _stem(session: PlannedSession) -> str:
    """``w01-s1-run-167spm``: sorts in plan order."""
    name = f"w{session.week:02d}-s{session.number}-{session.kind}"
    return f"{name}-{session.cadence_spm}spm" if session.cadence_spm is not None else name


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Render to a file instead.")
@fit_option
@sound_options
@music_options
@live_options
def today(output: Path | None, fit: Path | None, sound: Sound, music: MusicSettings,
          live: Live) -> None:  # fmt: skip
    """Play today's session of your plan (-o renders it to a file, --fit writes today's run
    as a watch workout instead: exit 2 on a rest or strength day)."""
    from stridebeat.training.plan import next_session, session_on
    from stridebeat.training.standing import recorded_done

    made = load_plan()
    day = local_today()
    if fit is not None:
        write_fit(run_today(made, day, dated_title), fit, files_to_keep())
        if output is None:
            return
    planned = session_on(made, day)
    if planned is not None:
        record = recorded_done(made, planned)
        if record is None:
            _run(planned, output, sound, music.or_from_plan(made.settings.music), live, "today")
            return
        click.echo(f"Today's session is already done ({_day(record.day)}): {dated_title(planned)}.")
    upcoming = next_session(made, day)
    if upcoming is None:
        after = "That was the last one: well done."
    else:
        after = (
            f"Next: {dated_title(upcoming)}; to play it now: "
            f"'stridebeat session {upcoming.week} {upcoming.number}'."
        )
    click.echo(f"{'Rest day today. ' if planned is None else ''}{after}")


@click.command()
@click.argument("week", type=int)  # find_session says which weeks and sessions the plan has
@click.argument("number", type=int)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Render to a file instead.")
@click.option("--save", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the session as an editable session file instead.")  # fmt: skip
@fit_option
@sound_options
@music_options
@live_options
def session(
    week: int, number: int, output: Path | None, save: Path | None, fit: Path | None,
    sound: Sound, music: MusicSettings, live: Live,
) -> None:  # fmt: skip
    """Play session NUMBER of week WEEK of your plan (or -o render it, or --save it).

    \b
    Examples:
      stridebeat session 2 1                 play week 2's first session
      stridebeat session 2 1 -o w2s1.mp3     render it for a phone
      stridebeat session 2 1 --save my.toml  an editable session file to start from
      stridebeat session 2 1 --fit w2s1.fit  a workout for a Garmin watch
    """
    from stridebeat.training.plan import find_session

    made = load_plan()
    planned = find_session(made, week, number)
    if fit is not None:
        write_fit(planned, fit, files_to_keep())
        if output is None and save is None:
            return
    if save is not None:
        from stridebeat.engine.session import session_to_toml
        from stridebeat.files import check_output, write_text_atomically

        if save.suffix != ".toml":
            raise click.BadParameter("give a .toml file name", param_hint="--save")
        if not save.parent.is_dir():
            raise InputError(f"cannot write {save}: the folder {save.parent} does not exist")
        check_output(save, files_to_keep(), "--save")
        write_text_atomically(save, session_to_toml(planned.session))
        click.echo(f"Wrote {save}; play it with 'stridebeat play {save}'.")
        return
    _run(planned, output, sound, music.or_from_plan(made.settings.music), live, "session")


def _run(
    planned: PlannedSession,
    output: Path | None,
    sound: Sound,
    music: MusicSettings,
    live: Live,
    source: str,
) -> None:
    from stridebeat.export import PLAN_ALBUM
    from stridebeat.prepare import Request

    click.echo(dated_title(planned) + f", {planned.minutes:.0f} min.")
    request = Request(session=planned.session, music=music)
    if output is None:
        play_live(request, sound, live, source, (planned.week, planned.number))
        return
    render_request(request, sound, output, True, dated_title(planned), PLAN_ALBUM)
